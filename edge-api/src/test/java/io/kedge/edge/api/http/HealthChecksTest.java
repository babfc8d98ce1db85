package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The health endpoints answer as kube-apiserver's do, with the edge's own readiness check. */
class HealthChecksTest {
  private final AtomicBoolean replayed = new AtomicBoolean(true);
  private final HealthChecks checks = new HealthChecks(replayed::get);

  private FullHttpResponse get(String uri) {
    QueryStringDecoder decoded = new QueryStringDecoder(uri);
    assertThat(HealthChecks.isPath(decoded.path())).as(uri).isTrue();
    return checks.answer(decoded.path(), decoded);
  }

  private static String body(FullHttpResponse response) {
    return response.content().toString(StandardCharsets.UTF_8);
  }

  @Test
  void passingChecksAnswerOkOrListThemWhenVerbose() {
    assertThat(body(get("/healthz"))).isEqualTo("ok");
    assertThat(body(get("/livez?verbose"))).isEqualTo("[+]ping ok\nlivez check passed");
    FullHttpResponse ready = get("/readyz?verbose");
    assertThat(ready.status().code()).isEqualTo(200);
    assertThat(body(ready)).isEqualTo("[+]ping ok\n[+]log-replayed ok\nreadyz check passed");
    assertThat(body(get("/readyz/log-replayed"))).isEqualTo("ok");
  }

  @Test
  void aFailingCheckIsNamedWithItsReason() {
    replayed.set(false);
    FullHttpResponse ready = get("/readyz");
    assertThat(ready.status().code()).isEqualTo(503);
    assertThat(body(ready))
        .isEqualTo(
            "[+]ping ok\n[-]log-replayed failed: the view is still replaying the log\n"
                + "readyz check failed");
    assertThat(get("/readyz/log-replayed").status().code()).isEqualTo(503);
    assertThat(get("/readyz/ping").status().code()).isEqualTo(200);
    assertThat(get("/livez").status().code()).as("a replaying view is alive").isEqualTo(200);
    FullHttpResponse excluded = get("/readyz?exclude=log-replayed&verbose");
    assertThat(excluded.status().code()).isEqualTo(200);
    assertThat(body(excluded)).contains("[+]log-replayed excluded: ok", "readyz check passed");
  }

  @Test
  void anUnknownCheckIsNotFound() {
    assertThat(get("/readyz/etcd").status().code()).isEqualTo(404);
    assertThat(HealthChecks.isPath("/readyzz")).isFalse();
    assertThat(HealthChecks.isPath("/api/v1/pods")).isFalse();
  }
}
