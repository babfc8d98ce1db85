package io.kedge.launcher;

/** Entry point of the {@code kedge} command: parses the command line and runs one subcommand. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(KedgeCommand.commandLine().execute(args));
  }
}
