package io.kedge.bench;

import io.kedge.mapper.opcua.DemoOpcUaServer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The OPC UA server of {@code kedge bench opcua}, in a process of its own: Milo's server with N
 * Double variables ({@code Bulk0} on), a tenth of them changing every second, round robin, spread
 * over the second. Each new value is the epoch millisecond of the change, so whoever receives it
 * knows how long it took. Prints {@code READY <url> <namespace index>} once it serves; runs until
 * killed.
 */
public final class OpcUaBenchServer {
  /** Steps of a second over which its changes are spread. */
  private static final int STEPS = 100;

  private OpcUaBenchServer() {}

  /** {@code OpcUaBenchServer ITEMS}. */
  public static void main(String[] args) throws Exception {
    int items = Integer.parseInt(args[0]);
    DemoOpcUaServer server =
        DemoOpcUaServer.start(new DemoOpcUaServer.Options(0, "", "", List.of(), false, items));
    String nodeId = server.nodeId("Bulk0");
    String namespace = nodeId.substring("ns=".length(), nodeId.indexOf(';'));
    System.out.println("READY " + server.url() + " " + namespace);
    System.out.flush();
    int perSecond = Math.max(1, items / 10);
    // the changes of a second are spread over it in steps of 10 ms, as devices change at any
    // moment: all at once, they would keep one phase against the server's sampling
    long changed = 0;
    long next = System.nanoTime();
    for (long step = 0; ; step++) {
      long s = step % STEPS;
      long count = perSecond * (s + 1) / STEPS - perSecond * s / STEPS;
      for (long i = 0; i < count; i++, changed++) {
        server.set("Bulk" + changed % items, (double) System.currentTimeMillis());
      }
      next += TimeUnit.SECONDS.toNanos(1) / STEPS;
      long rest = next - System.nanoTime();
      if (rest > 0) {
        TimeUnit.NANOSECONDS.sleep(rest);
      }
    }
  }
}
