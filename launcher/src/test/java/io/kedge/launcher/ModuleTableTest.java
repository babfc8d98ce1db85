package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md's module table lists every module of the reactor, each with the kedge
 * modules its pom.xml depends on (compile scope; test scope for a tests-only module).
 */
class ModuleTableTest {
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)/` \\| .* \\| (.*) \\|$");
  private static final Pattern MODULE = Pattern.compile("<module>([a-z-]+)</module>");
  private static final Pattern DEPENDENCY =
      Pattern.compile(
          "<dependency>\\s*<groupId>io\\.kedge</groupId>\\s*<artifactId>kedge-([a-z-]+)</artifactId>"
              + "\\s*(?:<version>[^<]*</version>\\s*)?(<scope>([a-z]+)</scope>)?");
  private static final String TESTS_ONLY = "tests only: ";

  private final Path root = ConfigurationReferenceTest.repositoryRoot();

  @Test
  void theModuleTableIsTheReactor() throws Exception {
    Map<String, String> table = new TreeMap<>();
    for (String line : Files.readAllLines(root.resolve("docs/architecture.md"))) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        table.put(row.group(1), row.group(2));
      }
    }
    Set<String> modules = new TreeSet<>();
    Matcher m = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
    while (m.find()) {
      modules.add(m.group(1));
    }
    assertThat(modules).hasSizeGreaterThan(5);
    assertThat(table.keySet()).as("modules in docs/architecture.md").isEqualTo(modules);

    for (String module : modules) {
      String listed = table.get(module);
      boolean testsOnly = listed.startsWith(TESTS_ONLY);
      Set<String> documented =
          listed.equals("—")
              ? Set.of()
              : Arrays.stream(listed.replace(TESTS_ONLY, "").split(","))
                  .map(String::trim)
                  .collect(Collectors.toCollection(TreeSet::new));
      assertThat(documented)
          .as("what docs/architecture.md says " + module + " depends on")
          .isEqualTo(dependencies(module, testsOnly));
    }
  }

  /** Every package the README's feature map names is a package of some module. */
  @Test
  void theReadmesFeatureMapNamesPackagesThatExist() throws Exception {
    Matcher named =
        Pattern.compile("`(io\\.kedge(?:\\.[a-z]+)+)`")
            .matcher(Files.readString(root.resolve("README.md")));
    Set<String> packages = new TreeSet<>();
    while (named.find()) {
      packages.add(named.group(1));
    }
    assertThat(packages).hasSizeGreaterThan(10);
    Set<String> modules = new TreeSet<>();
    Matcher m = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
    while (m.find()) {
      modules.add(m.group(1));
    }
    for (String name : packages) {
      String dir = "src/main/java/" + name.replace('.', '/');
      assertThat(
              modules.stream()
                  .anyMatch(module -> Files.isDirectory(root.resolve(module).resolve(dir))))
          .as("README names package " + name)
          .isTrue();
    }
  }

  /** The kedge modules {@code module}'s pom.xml depends on, in compile scope or in test scope. */
  private Set<String> dependencies(String module, boolean testScope) throws Exception {
    Set<String> deps = new TreeSet<>();
    Matcher m = DEPENDENCY.matcher(Files.readString(root.resolve(module).resolve("pom.xml")));
    while (m.find()) {
      boolean test = "test".equals(m.group(3));
      if (test == testScope && !m.group(1).equals(module)) {
        deps.add(m.group(1));
      }
    }
    return deps;
  }
}
