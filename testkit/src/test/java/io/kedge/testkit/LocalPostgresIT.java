package io.kedge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL from the Maven artifact's binaries, as a machine without PostgreSQL runs the CDC
 * tests: unpacked, started (as another user under root) and answering SQL with logical decoding.
 */
class LocalPostgresIT {
  @Test
  void startsFromTheArtifactsBinariesWithLogicalDecoding() throws Exception {
    Optional<Path> bin = LocalPostgres.unpackedBinaries();
    Assumptions.assumeTrue(
        bin.isPresent(), "SKIPPED: the artifact's binaries are for Linux x86-64");
    assertThat(Files.isExecutable(bin.get().resolve("initdb"))).isTrue();
    // a second call finds them unpacked
    assertThat(LocalPostgres.unpackedBinaries()).isEqualTo(bin);
    try (LocalPostgres pg = LocalPostgres.start(bin.get());
        Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
        ResultSet settings =
            db.createStatement()
                .executeQuery(
                    "SELECT current_setting('wal_level'), current_setting('server_version')")) {
      assertThat(settings.next()).isTrue();
      assertThat(settings.getString(1)).isEqualTo("logical");
      assertThat(settings.getString(2)).startsWith("14.");
      // pgoutput, the plugin kedge's CDC source decodes with, is there
      db.createStatement()
          .execute("SELECT pg_create_logical_replication_slot('kedge_test', 'pgoutput')");
    }
  }
}
