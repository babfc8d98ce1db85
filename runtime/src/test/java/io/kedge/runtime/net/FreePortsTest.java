package io.kedge.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void portsChosenBeforeAnythingBindsAreAllDifferent() {
    // a Kafka node chooses its broker and controller ports this way, then binds both
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      int port = FreePorts.on("127.0.0.1");
      assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
      assertThat(port).isPositive();
    }
  }
}
