package io.kedge.edge.api.view;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable VIEW snapshots: every object with its versions, tagged with the log index they were taken
 * at. They let old log cycles be deleted (a restart loads the newest snapshot and replays only the
 * log after it) and make restarts fast.
 *
 * <p>A snapshot is a gzip stream of JSON documents: a header, one document per object and a trailer
 * with the count. gzip's CRC and the trailer make a damaged or truncated snapshot detectable; it is
 * then skipped for the previous one. Files are written to a temporary name, forced to disk and
 * renamed, so a crash never leaves a half-written snapshot under a valid name.
 */
public final class ViewSnapshots {
  private static final Logger LOG = LoggerFactory.getLogger(ViewSnapshots.class);
  private static final int FORMAT = 1;
  private static final Pattern NAME = Pattern.compile("view-(\\d{20})\\.snap\\.gz");
  private static final ObjectMapper JSON = EventCodec.json();

  private final Path dir;
  private final int keep;

  /**
   * @param keep how many snapshots to keep (at least 2, so a damaged newest one has a fallback)
   */
  public ViewSnapshots(Path dir, int keep) {
    if (keep < 2) {
      throw new IllegalArgumentException("keep must be >= 2, got " + keep);
    }
    this.dir = dir;
    this.keep = keep;
  }

  public ViewSnapshots(Path dir) {
    this(dir, 2);
  }

  public Path dir() {
    return dir;
  }

  /** Writes {@code checkpoint} durably and drops snapshots beyond the newest {@code keep}. */
  public Path write(View.Checkpoint checkpoint) {
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(fileName(checkpoint.index()));
      Path temp = dir.resolve(target.getFileName() + ".tmp");
      try (FileOutputStream file = new FileOutputStream(temp.toFile())) {
        writeTo(checkpoint, file);
        file.getChannel().force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory();
      prune();
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write a VIEW snapshot in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void writeTo(View.Checkpoint checkpoint, OutputStream file) throws IOException {
    BufferedOutputStream buffered = new BufferedOutputStream(file, 1 << 16);
    FastGzip gzip = new FastGzip(buffered);
    try (JsonGenerator out = JSON.getFactory().createGenerator(gzip)) {
      out.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET); // the caller forces the file first
      out.writeStartObject();
      out.writeNumberField("format", FORMAT);
      out.writeNumberField("index", checkpoint.index());
      out.writeNumberField("objects", checkpoint.objects().size());
      out.writeEndObject();
      for (View.Stored stored : checkpoint.objects()) {
        out.writeRaw('\n');
        out.writeStartObject();
        out.writeStringField("key", stored.key().toString());
        out.writeNumberField("rv", stored.resourceVersion());
        out.writeStringField("cloudRv", stored.cloudResourceVersion());
        out.writeFieldName("object");
        out.writeRawValue(new String(stored.json(), StandardCharsets.UTF_8));
        out.writeEndObject();
      }
      out.writeRaw('\n');
      out.writeStartObject();
      out.writeNumberField("end", checkpoint.objects().size());
      out.writeEndObject();
    }
    gzip.finish();
    buffered.flush();
  }

  /**
   * The newest snapshot that reads back completely, if any; damaged ones are logged and skipped.
   */
  public Optional<View.Checkpoint> loadNewest() {
    List<Path> files = list();
    for (int i = files.size() - 1; i >= 0; i--) {
      Path file = files.get(i);
      try {
        View.Checkpoint checkpoint = read(file);
        LOG.info(
            "loaded VIEW snapshot {}: {} objects at log index {}",
            file,
            checkpoint.objects().size(),
            checkpoint.index());
        return Optional.of(checkpoint);
      } catch (IOException | RuntimeException e) {
        LOG.error("VIEW snapshot {} is damaged and is skipped: {}", file, e.toString());
      }
    }
    return Optional.empty();
  }

  /** Reads one snapshot; throws when it is damaged, truncated or of an unknown format. */
  public static View.Checkpoint read(Path file) throws IOException {
    try (InputStream in =
            new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        JsonParser parser = JSON.getFactory().createParser(in)) {
      JsonNode header = JSON.readTree(parser);
      if (header == null || header.path("format").asInt() != FORMAT) {
        throw new IOException("not a format-" + FORMAT + " snapshot header: " + header);
      }
      long index = header.path("index").asLong(-1);
      int expected = header.path("objects").asInt(-1);
      List<View.Stored> objects = new ArrayList<>(Math.max(expected, 0));
      ByteArrayBuilder buffer = new ByteArrayBuilder(4096);
      while (true) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          throw new IOException("snapshot ends without its trailer after " + objects.size());
        }
        String key = null;
        long rv = 0;
        String cloudRv = "";
        byte[] object = null;
        boolean end = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          parser.nextToken();
          switch (field) {
            case "key" -> key = parser.getText();
            case "rv" -> rv = parser.getLongValue();
            case "cloudRv" -> cloudRv = parser.getText();
            case "object" -> object = copy(parser, buffer);
            case "end" -> {
              end = true;
              if (parser.getIntValue() != objects.size() || expected != objects.size()) {
                throw new IOException(
                    "snapshot holds " + objects.size() + " objects, header says " + expected);
              }
            }
            default -> parser.skipChildren();
          }
        }
        if (end) {
          break;
        }
        if (key == null || object == null) {
          throw new IOException("snapshot entry " + objects.size() + " lacks its key or object");
        }
        objects.add(new View.Stored(ObjectKey.parse(key), object, rv, cloudRv));
      }
      // read to the end of the gzip stream, so that its CRC and length are checked
      if (parser.nextToken() != null) {
        throw new IOException("snapshot has data after its trailer");
      }
      return new View.Checkpoint(index, objects);
    }
  }

  /**
   * The object at the parser's START_OBJECT, as compact JSON bytes: copied token by token, without
   * building a tree.
   */
  private static byte[] copy(JsonParser parser, ByteArrayBuilder buffer) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw new IOException("snapshot object is not a JSON object: " + parser.currentToken());
    }
    buffer.reset();
    try (JsonGenerator out = JSON.getFactory().createGenerator(buffer)) {
      out.copyCurrentStructure(parser);
    }
    return buffer.toByteArray();
  }

  /** Log index of the newest snapshot on disk ({@code -1}: none); not read, only named. */
  public long newestIndex() {
    List<Path> files = list();
    return files.isEmpty() ? -1 : indexOf(files.get(files.size() - 1));
  }

  /** Bytes the snapshots use on disk. */
  public long bytes() {
    long total = 0;
    for (Path file : list()) {
      try {
        total += Files.size(file);
      } catch (IOException e) {
        // removed meanwhile
      }
    }
    return total;
  }

  /** Snapshot files, oldest first. */
  List<Path> list() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> NAME.matcher(f.getFileName().toString()).matches())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list snapshots in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void prune() throws IOException {
    List<Path> files = list();
    for (int i = 0; i < files.size() - keep; i++) {
      Files.deleteIfExists(files.get(i));
    }
  }

  private void forceDirectory() {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not every file system can sync a directory; the rename is still atomic
      LOG.debug("cannot sync directory {}: {}", dir, e.toString());
    }
  }

  static String fileName(long index) {
    return String.format("view-%020d.snap.gz", index);
  }

  static long indexOf(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a snapshot file: " + file);
    }
    return Long.parseLong(m.group(1));
  }

  /** gzip at its fastest level: snapshots are written often and read rarely. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
