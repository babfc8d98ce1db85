package io.kedge.it.env;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.testcontainers.DockerClientFactory;

/**
 * Where a scenario's Kafka, PostgreSQL and MQTT broker come from: containers of {@link Images}
 * where a Docker engine is reachable, real local processes otherwise (the in-process KRaft broker
 * or cluster, a PostgreSQL of the test's own from the machine's binaries, the machine's Mosquitto).
 * The same scenarios run on both.
 *
 * <p>{@code -Dkedge.it.environment=auto|local|docker} chooses; {@code auto} (the default) asks
 * Testcontainers whether Docker is there. {@code docker} without a Docker engine fails rather than
 * quietly testing something else.
 */
public interface ScenarioEnvironment {
  String PROPERTY = "kedge.it.environment";

  /** The environment of this test run, chosen once and printed. */
  static ScenarioEnvironment current() {
    return Chosen.ENVIRONMENT;
  }

  /** What this environment runs, for logs and summaries. */
  String describe();

  ScenarioKafka kafka(KafkaSpec spec, Duration timeout);

  /** A PostgreSQL of the scenario's own; skips the test visibly where none can run. */
  ScenarioPostgres postgres() throws Exception;

  /**
   * {@code tcp://host:port} of an external MQTT broker (the edge eventbus in {@code eventbus.url}
   * mode), shared by the whole run; skips the test visibly where none runs.
   */
  String mqttUrl();

  /** Picks the environment named by {@code choice}, as {@link #current()} does. */
  static ScenarioEnvironment choose(String choice) {
    switch (choice.toLowerCase(Locale.ROOT)) {
      case "local":
        return new LocalEnvironment("chosen with -D" + PROPERTY + "=local");
      case "docker":
        String missing = dockerMissing();
        if (missing != null) {
          throw new IllegalStateException(
              "-D" + PROPERTY + "=docker, but no Docker engine is reachable: " + missing);
        }
        return new DockerEnvironment();
      case "auto":
        String why = dockerMissing();
        return why == null ? new DockerEnvironment() : new LocalEnvironment(why);
      default:
        throw new IllegalArgumentException(
            "-D"
                + PROPERTY
                + "="
                + choice
                + " is not an environment: use auto (Docker where reachable), local or docker");
    }
  }

  /** Why Docker cannot be used, or {@code null} when it can. */
  private static String dockerMissing() {
    boolean configured =
        System.getenv("DOCKER_HOST") != null
            || Files.exists(Path.of("/var/run/docker.sock"))
            || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
    if (!configured) {
      // asking Testcontainers would only try every strategy and log each failure
      return "no DOCKER_HOST, no /var/run/docker.sock, no ~/.testcontainers.properties";
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable()
          ? null
          : "Testcontainers found no working Docker engine";
    } catch (RuntimeException e) {
      return "Testcontainers: " + e;
    }
  }

  /** The lazily chosen environment of this JVM. */
  final class Chosen {
    static final ScenarioEnvironment ENVIRONMENT;

    static {
      ENVIRONMENT = choose(System.getProperty(PROPERTY, "auto"));
      System.out.println("kedge scenarios run on " + ENVIRONMENT.describe());
    }

    private Chosen() {}
  }
}
