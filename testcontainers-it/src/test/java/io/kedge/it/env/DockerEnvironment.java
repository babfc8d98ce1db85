package io.kedge.it.env;

import io.kedge.testkit.LocalPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/** Containers of the {@link Images} pinned images, through Testcontainers. */
final class DockerEnvironment implements ScenarioEnvironment {
  private static final int POSTGRES_PORT = 5432;
  private static final int MQTT_PORT = 1883;
  private GenericContainer<?> mosquitto;

  private static String[] command(String program, List<String> arguments) {
    List<String> command = new ArrayList<>(List.of(program));
    command.addAll(arguments);
    return command.toArray(String[]::new);
  }

  @Override
  public String describe() {
    return "Docker containers ("
        + Images.KAFKA
        + ", "
        + Images.POSTGRES
        + ", "
        + Images.MOSQUITTO
        + ")";
  }

  @Override
  public ScenarioKafka kafka(KafkaSpec spec, Duration timeout) {
    return new KafkaContainers(spec, timeout);
  }

  @Override
  public ScenarioPostgres postgres() {
    GenericContainer<?> pg =
        new GenericContainer<>(Images.POSTGRES)
            .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust") // as the local one: no password
            .withCommand(command("postgres", LocalPostgres.serverArguments()))
            .withExposedPorts(POSTGRES_PORT)
            // the image's entrypoint starts a first server for its init scripts, then the real one
            .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 2))
            .withStartupTimeout(Duration.ofMinutes(2));
    pg.start();
    return new ScenarioPostgres(pg.getHost(), pg.getMappedPort(POSTGRES_PORT), pg::stop);
  }

  @Override
  public synchronized String mqttUrl() {
    if (mosquitto == null) {
      GenericContainer<?> broker =
          new GenericContainer<>(Images.MOSQUITTO)
              // Mosquitto 2 listens only on loopback without a configured listener
              .withCopyToContainer(
                  Transferable.of("listener " + MQTT_PORT + "\nallow_anonymous true\n"),
                  "/mosquitto/config/mosquitto.conf")
              .withExposedPorts(MQTT_PORT)
              .waitingFor(Wait.forListeningPort())
              .withStartupTimeout(Duration.ofMinutes(1));
      broker.start(); // shared by the run; Testcontainers removes it when the JVM exits
      mosquitto = broker;
    }
    return "tcp://" + mosquitto.getHost() + ":" + mosquitto.getMappedPort(MQTT_PORT);
  }
}
