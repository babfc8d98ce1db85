package io.kedge.launcher;

import picocli.CommandLine;

/**
 * Entry point of the mapper image: {@code kedge mapper opcua} alone, so that only the mapper's
 * classes load and the image carries neither the cloud nor the relay. Takes the options of {@code
 * kedge mapper opcua}.
 */
public final class MapperMain {
  private MapperMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new MapperCommand.OpcUa()).execute(args));
  }
}
