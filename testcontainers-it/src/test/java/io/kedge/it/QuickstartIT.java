package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.launcher.Main;
import io.kedge.testkit.ChildJvm;
import io.kedge.testkit.Kubectl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/quickstart.md, run: {@code kedge local --demo} as a child JVM (with free ports instead of
 * the defaults, so it can run beside other services), then each {@code <!-- step -->} block of the
 * page with bash, the printed ports put in place of the defaults, and what the page says each shows
 * checked in its output.
 */
class QuickstartIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern STEP =
      Pattern.compile("<!-- step: (\\S+) -->\\s*```bash\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path dir;

  private final List<Process> running = new ArrayList<>();

  @Test
  void theQuickstartDoesWhatItSays() throws Exception {
    Optional<Path> kubectl = Kubectl.find();
    Assumptions.assumeTrue(
        kubectl.isPresent(), "SKIPPED: no current kubectl (run .ci/fetch-kubectl)");
    Assumptions.assumeTrue(
        onPath("mosquitto_sub") && onPath("curl"),
        "SKIPPED: mosquitto_sub or curl not installed (apt-get install mosquitto-clients curl)");
    Map<String, String> steps = steps();
    assertThat(steps).containsKeys("start", "pods", "rules", "device", "desired");
    assertThat(steps.get("start").trim()).isEqualTo("./kedge local --demo");

    Path data = dir.resolve("local");
    try (ChildJvm local =
        ChildJvm.start(
            "kedge local --demo",
            Main.class,
            jvmFlags(),
            List.of(
                "local",
                "--demo",
                "--data-dir",
                data.toString(),
                "--kafka-port",
                "0",
                "--api-port",
                "0",
                "--mqtt-port",
                "0",
                "--ingress-port",
                "0",
                "--ops-port",
                "0",
                "--opcua-port",
                "0"),
            dir.resolve("local.out"))) {
      local.awaitOutput(Pattern.compile("kedge local ready"), Duration.ofMinutes(3));
      String printed = local.readOutput();
      Map<String, String> ports = new LinkedHashMap<>();
      ports.put("10550", find(printed, "node +edge-1 +edge API http://127\\.0\\.0\\.1:(\\d+)"));
      ports.put("1884", find(printed, "node +edge-1 .*eventbus tcp://127\\.0\\.0\\.1:(\\d+)"));
      ports.put("9443", find(printed, "rules +http://127\\.0\\.0\\.1:(\\d+)/"));
      String kafka = find(printed, "kafka +127\\.0\\.0\\.1:(\\d+)");

      Path pods = run("pods", steps.get("pods"), ports, kafka, kubectl.get(), data);
      Kubectl.awaitContains(pods, "web", Duration.ofSeconds(60));
      Kubectl.awaitContains(pods, "hello", Duration.ofSeconds(60));

      Path rules = run("rules", steps.get("rules"), ports, kafka, kubectl.get(), data);
      Kubectl.awaitContains(rules, "hello edge", Duration.ofSeconds(60));

      Path device = run("device", steps.get("device"), ports, kafka, kubectl.get(), data);
      Kubectl.awaitContains(device, "setpoint,temperature,running", Duration.ofSeconds(90));
      Kubectl.awaitContains(device, "   20,2", Duration.ofSeconds(60)); // setpoint 20, about 21 °C

      Path desired = run("desired", steps.get("desired"), ports, kafka, kubectl.get(), data);
      Awaitility.await("the desired step finishes")
          .atMost(Duration.ofSeconds(60))
          .until(() -> !running.get(running.size() - 1).isAlive());
      assertThat(running.get(running.size() - 1).exitValue())
          .as(Files.readString(desired))
          .isZero();
      Kubectl.awaitContains(device, "   55,", Duration.ofSeconds(60));
    } finally {
      for (Process process : running) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }
  }

  private static List<String> jvmFlags() {
    List<String> flags = new ArrayList<>(ChildJvm.chronicleFlags());
    flags.add("-Xmx1g"); // Kafka, the cloud part, two nodes and the demo in one JVM
    return flags;
  }

  /** The page's steps, by name. */
  private static Map<String, String> steps() throws IOException {
    String page = Files.readString(ROOT.resolve("docs/quickstart.md"), StandardCharsets.UTF_8);
    Map<String, String> steps = new LinkedHashMap<>();
    Matcher matcher = STEP.matcher(page);
    while (matcher.find()) {
      steps.put(matcher.group(1), matcher.group(2));
    }
    return steps;
  }

  /**
   * Runs a step in the repository root, its output in {@code <step>.out}; waits for the step's
   * background commands (a watch) until the test ends and kills them.
   */
  private Path run(
      String step, String script, Map<String, String> ports, String kafka, Path kubectl, Path data)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String kedge =
        "'"
            + java
            + "' -cp '"
            + System.getProperty("java.class.path")
            + "' "
            + Main.class.getName();
    String body =
        script
            .replace(".ci/fetch-kubectl", "true")
            .replace(".kubectl/kubectl", kubectl.toString())
            .replace("./kedge apply", kedge + " apply --kafka 127.0.0.1:" + kafka)
            .replace(".kedge/local/", data + "/")
            .replace("/tmp/press-1.yaml", dir.resolve("press-1.yaml").toString());
    for (Map.Entry<String, String> port : ports.entrySet()) {
      body = body.replace(":" + port.getKey(), ":" + port.getValue());
      body = body.replace("-p " + port.getKey(), "-p " + port.getValue());
    }
    Path out = dir.resolve(step + ".out");
    ProcessBuilder builder =
        new ProcessBuilder("bash", "-c", "set -e\n" + body + "\nwait")
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    builder.environment().put("KUBECONFIG", "/dev/null");
    Process process = builder.start();
    process.getOutputStream().close();
    running.add(process);
    return out;
  }

  private static String find(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    assertThat(matcher.find()).as("kedge local printed /" + regex + "/:\n" + text).isTrue();
    return matcher.group(1);
  }

  private static boolean onPath(String command) throws Exception {
    Process which = new ProcessBuilder("bash", "-c", "command -v " + command).start();
    return which.waitFor(10, TimeUnit.SECONDS) && which.exitValue() == 0;
  }
}
