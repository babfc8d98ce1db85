package io.kedge.it.env;

/**
 * A PostgreSQL server of a scenario, with {@code wal_level=logical} (CDC); user {@code postgres}
 * without password, database {@code postgres}.
 *
 * @param stop stops and removes the server
 */
public record ScenarioPostgres(String host, int port, Runnable stop) implements AutoCloseable {
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/postgres";
  }

  @Override
  public void close() {
    stop.run();
  }
}
