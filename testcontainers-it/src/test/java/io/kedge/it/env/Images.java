package io.kedge.it.env;

/**
 * The container images of the Docker environment, pinned here and nowhere else. Kafka follows the
 * client version kedge builds with (kafka.version in the parent POM); PostgreSQL and Mosquitto
 * follow what the local environment runs (Debian 12's PostgreSQL 15, Mosquitto 2).
 */
public final class Images {
  public static final String KAFKA = "apache/kafka:4.3.0";
  public static final String POSTGRES = "postgres:15.19";
  public static final String MOSQUITTO = "eclipse-mosquitto:2.0.22";

  private Images() {}
}
