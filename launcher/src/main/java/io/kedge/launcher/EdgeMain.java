package io.kedge.launcher;

import picocli.CommandLine;

/**
 * Entry point of the lean edge image: {@code kedge edge} alone, so that only the edge's classes
 * load and the image carries no cloud dependency (Kafka Streams, RocksDB, Debezium). Takes the
 * options of {@code kedge edge}.
 */
public final class EdgeMain {
  private EdgeMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new EdgeCommand()).execute(args));
  }
}
