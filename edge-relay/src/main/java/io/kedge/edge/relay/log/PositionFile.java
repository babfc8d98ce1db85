package io.kedge.edge.relay.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;

/**
 * A queue position kept in a small file, replaced atomically: how far a forwarder has got, so a
 * restart resumes there (at-least-once: what was done after the last write is done again).
 */
public final class PositionFile {
  private final Path file;
  private final String what;

  /**
   * @param what what the position is of, for error messages ("uplink", "eventbus delivery")
   */
  public PositionFile(Path file, String what) {
    this.file = file;
    this.what = what;
  }

  /** The stored position, if the file exists. */
  public OptionalLong read() {
    try {
      return Files.exists(file)
          ? OptionalLong.of(Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()))
          : OptionalLong.empty();
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException(
          what + " position file " + file + " is unreadable: " + e.getMessage(), e);
    }
  }

  public void write(long position) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, Long.toString(position), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist the " + what + " position to " + file, e);
    }
  }
}
