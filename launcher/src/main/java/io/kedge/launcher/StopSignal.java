package io.kedge.launcher;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ctrl-C or SIGTERM for a long-running command: the JVM's shutdown hook closes what was started,
 * prints the stopped line, and releases {@link #await()}.
 */
final class StopSignal {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignal.class);
  private final CountDownLatch stopped = new CountDownLatch(1);

  private StopSignal() {}

  /** Installs the hook that closes {@code running} and then prints {@code stoppedLine}. */
  static StopSignal install(AutoCloseable running, PrintWriter out, String stoppedLine) {
    StopSignal signal = new StopSignal();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } catch (Exception e) {
                    LOG.warn("error while stopping: {}", e.toString());
                  }
                  out.println(stoppedLine);
                  out.flush();
                  signal.stopped.countDown();
                },
                "kedge-shutdown"));
    return signal;
  }

  /** Prints {@code readyLine} and blocks until the process is told to stop. */
  void readyAndAwait(PrintWriter out, String readyLine) throws InterruptedException {
    out.println(readyLine);
    out.flush();
    stopped.await();
  }
}
