package io.kedge.it.env;

/**
 * A PostgreSQL server of a scenario, with {@code wal_level=logical} (CDC); user {@code postgres}
 * without password, database {@code postgres}.
 */
public interface ScenarioPostgres extends AutoCloseable {
  String host();

  int port();

  default String jdbcUrl() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/postgres";
  }

  @Override
  void close();
}
