package io.kedge.cloud.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.testkit.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * A deleted CDC rule's slot is dropped even while a server process still streams it, as after its
 * engine closed a connection PostgreSQL has not noticed yet (it does after {@code
 * wal_sender_timeout}, a minute by default). Without ending that process, every drop attempt finds
 * the slot active and the slot keeps WAL for ever.
 */
class CdcSlotDropTest {
  private static final String SLOT = "kedge_test_orphaned_sender";

  @Test
  void aSlotStillStreamedToAClosedEngineIsDropped() throws Exception {
    Assumptions.assumeTrue(
        LocalPostgres.binaries().isPresent(),
        "SKIPPED: no PostgreSQL binaries on this machine, and the artifact's are for Linux x86-64");
    try (LocalPostgres pg = LocalPostgres.start();
        Connection admin = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
        Statement sql = admin.createStatement()) {
      sql.execute("create table readings (id int primary key, value text)");
      sql.execute("create publication " + SLOT + " for table readings");
      sql.execute("select pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");

      // streamed as by an engine whose closed connection the server has not noticed yet
      Connection replication = replicationConnection(pg);
      PGReplicationStream stream =
          replication
              .unwrap(PGConnection.class)
              .getReplicationAPI()
              .replicationStream()
              .logical()
              .withSlotName(SLOT)
              .withSlotOption("proto_version", 1)
              .withSlotOption("publication_names", SLOT)
              .start();
      try {
        assertThat(slotActive(sql)).as("the slot is streamed").isTrue();

        ObjectNode endpoint = new ObjectMapper().createObjectNode();
        endpoint.put("hostname", "127.0.0.1").put("port", pg.port()).put("dbname", "postgres");
        endpoint.put("user", "postgres");
        CdcSources.dropSlot("default/orphaned", new CdcSources.Slot(SLOT, endpoint));
      } finally {
        closeQuietly(stream, replication); // the server ended this connection
      }

      try (ResultSet slots =
              sql.executeQuery(
                  "select count(*) from pg_replication_slots where slot_name = '" + SLOT + "'");
          Statement more = admin.createStatement();
          ResultSet publications =
              more.executeQuery(
                  "select count(*) from pg_publication where pubname = '" + SLOT + "'")) {
        slots.next();
        publications.next();
        assertThat(slots.getInt(1)).as("slots left").isZero();
        assertThat(publications.getInt(1)).as("publications left").isZero();
      }
    }
  }

  private static Connection replicationConnection(LocalPostgres pg) throws Exception {
    Properties props = new Properties();
    PGProperty.USER.set(props, "postgres");
    PGProperty.PASSWORD.set(props, "");
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return DriverManager.getConnection(pg.jdbcUrl(), props);
  }

  private static void closeQuietly(AutoCloseable... closeables) {
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception ended) {
        // expected: the server process behind it was ended
      }
    }
  }

  private static boolean slotActive(Statement sql) throws Exception {
    try (ResultSet active =
        sql.executeQuery(
            "select active from pg_replication_slots where slot_name = '" + SLOT + "'")) {
      return active.next() && active.getBoolean(1);
    }
  }
}
