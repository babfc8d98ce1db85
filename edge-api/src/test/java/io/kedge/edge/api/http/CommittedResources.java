package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Generated resources committed gzipped beside the code that reads them. */
final class CommittedResources {
  private CommittedResources() {}

  /**
   * The committed resource holds {@code expected}; {@code -Dkedge.docs.update=true} writes it.
   *
   * @param regenerate the command that writes it again, named when it is stale
   */
  static void assertCommitted(Path resource, String expected, String regenerate) throws Exception {
    if (Boolean.getBoolean("kedge.docs.update")) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
        gzip.write(expected.getBytes(StandardCharsets.UTF_8));
      }
      Files.createDirectories(resource.getParent());
      Files.write(resource, bytes.toByteArray());
    }
    String committed = "";
    if (Files.exists(resource)) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(resource))) {
        committed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    assertThat(committed).as("%s is stale: run %s", resource, regenerate).isEqualTo(expected);
  }
}
