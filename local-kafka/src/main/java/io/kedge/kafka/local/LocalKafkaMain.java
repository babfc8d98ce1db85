package io.kedge.kafka.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link LocalKafkaCluster} as its own process, so that tests can {@code kill -9} a broker
 * and start it again on the same port and data:
 *
 * <pre>java -cp ... io.kedge.kafka.local.LocalKafkaMain PORT DATA_DIR</pre>
 *
 * It prints {@code kedge-kafka ready <bootstrap>} once the broker serves, and stops cleanly on
 * SIGTERM.
 */
public final class LocalKafkaMain {
  private LocalKafkaMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: LocalKafkaMain PORT DATA_DIR");
      System.exit(2);
    }
    int port;
    try {
      port = Integer.parseInt(args[0]);
    } catch (NumberFormatException e) {
      System.err.println("PORT '" + args[0] + "' must be an integer 1..65535");
      System.exit(2);
      return;
    }
    LocalKafkaCluster cluster =
        LocalKafkaCluster.builder()
            .brokerPort(port)
            .dataDir(Path.of(args[1]))
            .build()
            .start(Duration.ofSeconds(60));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  cluster.close();
                  stopped.countDown();
                },
                "kedge-kafka-shutdown"));
    System.out.println("kedge-kafka ready " + cluster.bootstrapServers());
    System.out.flush();
    stopped.await();
  }
}
