package io.kedge.edge.api.http;

import io.kedge.edge.api.log.MemoryLog;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.ViewApplier;
import io.kedge.schemas.KedgeEvent;
import java.time.Duration;
import org.awaitility.Awaitility;

/** An edge API over an in-memory log, as the relay would host it over Chronicle Queue. */
final class EdgeApiFixture implements AutoCloseable {
  final MemoryLog log = new MemoryLog(1_000, 3);
  final View view;
  final ViewApplier applier;
  final EdgeApiServer server;
  final SimulatedCloud cloud = new SimulatedCloud(log);

  /** A read-only edge API: writes get 405. */
  EdgeApiFixture() throws InterruptedException {
    this(10_000);
  }

  /**
   * A read-only edge API whose watches resume only within the last {@code historyLimit} changes.
   */
  EdgeApiFixture(int historyLimit) throws InterruptedException {
    view = new View(ResourceTypes.builtIn(), historyLimit);
    applier = new ViewApplier(view, log, Duration.ofMillis(200), "test").start();
    server = EdgeApiServer.start(view, EdgeApiOptions.loopback(0), applier::caughtUp, "test");
  }

  /**
   * An edge API whose writes go to {@link #cloud}, answered within {@code writeTimeout}; every
   * write is allowed.
   */
  EdgeApiFixture(Duration writeTimeout) throws InterruptedException {
    this(writeTimeout, io.kedge.kube.authorization.NodeWriteRules.ALL);
  }

  /** The edge API of node {@code edge-1}, which may write its own objects and {@code rules}. */
  EdgeApiFixture(Duration writeTimeout, io.kedge.kube.authorization.NodeWriteRules rules)
      throws InterruptedException {
    view = new View(ResourceTypes.builtIn(), 10_000);
    applier = new ViewApplier(view, log, Duration.ofMillis(200), "test").start();
    server =
        EdgeApiServer.start(
            view,
            EdgeApiOptions.loopback(0).withWriteTimeout(writeTimeout).withNodeWrites(rules),
            applier::caughtUp,
            "test",
            cloud,
            "edge-1");
  }

  /** A read-only edge API with {@code security}. */
  EdgeApiFixture(ApiSecurity security) throws InterruptedException {
    this(security, "");
  }

  /** A read-only edge API of {@code node} (empty: of none) with {@code security}. */
  EdgeApiFixture(ApiSecurity security, String node) throws InterruptedException {
    view = new View(ResourceTypes.builtIn(), 10_000);
    applier = new ViewApplier(view, log, Duration.ofMillis(200), "test").start();
    server =
        EdgeApiServer.start(
            view,
            EdgeApiOptions.loopback(0).withSecurity(security),
            applier::caughtUp,
            "test",
            null,
            node);
    this.security = security;
  }

  private ApiSecurity security = ApiSecurity.none();

  String url() {
    return security.scheme() + "://127.0.0.1:" + server.port();
  }

  /** The kubectl the compatibility tests run; skips the test, saying how to fetch one, without. */
  static java.nio.file.Path kubectlOrSkip() {
    java.nio.file.Path binary = io.kedge.testkit.Kubectl.find().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(
        binary != null, "SKIPPED: no kubectl found; run .ci/fetch-kubectl to fetch one");
    return binary;
  }

  /** Objects the cloud holds and has sent down, once the VIEW has them all. */
  void seed(com.fasterxml.jackson.databind.node.ObjectNode... objects) {
    int before = view.size();
    for (var object : objects) {
      cloud.seed(object);
    }
    Awaitility.await("the VIEW holds the seeded objects")
        .atMost(Duration.ofSeconds(10))
        .until(() -> view.size() == before + objects.length);
  }

  /** Appends and waits until the VIEW has applied it. */
  long append(KedgeEvent event) {
    long index = log.append(event);
    Awaitility.await("view applies log index " + index)
        .atMost(Duration.ofSeconds(10))
        .until(() -> view.resourceVersion() >= index);
    return index;
  }

  /**
   * The CronTab CRD of Kubernetes' documentation ({@code /crds/crontabs.yaml}), as the cloud sends
   * it, applied by the VIEW.
   */
  void serveCronTabs() throws java.io.IOException {
    try (var in = getClass().getResourceAsStream("/crds/crontabs.yaml")) {
      var crd =
          (com.fasterxml.jackson.databind.node.ObjectNode)
              new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(in);
      append(io.kedge.edge.api.view.TestObjects.upsert(crd, "10"));
    }
  }

  @Override
  public void close() {
    server.close();
    applier.close();
  }
}
