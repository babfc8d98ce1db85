package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * kube-apiserver's pod columns, decided as its printer decides them: readiness counts sidecars
 * (init containers that always restart), the status is the first container's waiting or terminated
 * reason, or an init container's ({@code Init:1/2}, {@code Init:CrashLoopBackOff}), restarts say
 * how long ago the last one was, and the wide columns show the IP, node, nominated node and
 * readiness gates.
 */
final class PodPrinter implements KindPrinters.Printer {
  private static final String NODE_LOST = "NodeLost";

  @Override
  public List<KindPrinters.Column> columns() {
    return List.of(
        new KindPrinters.Column("Ready", 0, "The aggregate readiness state of this pod."),
        new KindPrinters.Column("Status", 0, "The aggregate status of the containers."),
        new KindPrinters.Column("Restarts", 0, "The number of container restarts."),
        KindPrinters.AGE,
        new KindPrinters.Column("IP", 1, "IP address allocated to the pod."),
        new KindPrinters.Column("Node", 1, "Name of the node the pod is bound to."),
        new KindPrinters.Column("Nominated Node", 1, "The node nominated by the scheduler."),
        new KindPrinters.Column("Readiness Gates", 1, "Readiness gates met / declared."));
  }

  /** Restarts and the latest termination among the containers counted. */
  private static final class Restarts {
    long count;
    String last = ""; // RFC 3339, empty when none

    void add(JsonNode status) {
      count += status.path("restartCount").asLong();
      String finished = status.path("lastState").path("terminated").path("finishedAt").asText("");
      if (!finished.isEmpty() && (last.isEmpty() || instant(finished).isAfter(instant(last)))) {
        last = finished;
      }
    }
  }

  @Override
  public void cells(JsonNode pod, ArrayNode cells, Function<String, String> age) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    String phase = status.path("phase").asText("");
    String reason = status.path("reason").asText("");
    if (reason.isEmpty()) {
      reason = phase;
    }
    for (JsonNode condition : status.path("conditions")) {
      if (condition.path("type").asText().equals("PodScheduled")
          && condition.path("reason").asText().equals("SchedulingGated")) {
        reason = "SchedulingGated";
      }
    }
    int total = spec.path("containers").size();
    int ready = 0;
    Map<String, JsonNode> initContainers = new HashMap<>();
    for (JsonNode init : spec.path("initContainers")) {
      initContainers.put(init.path("name").asText(), init);
      if (restartable(init)) {
        total++;
      }
    }

    Restarts all = new Restarts();
    Restarts sidecars = new Restarts();
    boolean initializing = false;
    int index = 0;
    for (JsonNode container : status.path("initContainerStatuses")) {
      all.add(container);
      boolean sidecar = restartable(initContainers.get(container.path("name").asText()));
      if (sidecar) {
        sidecars.add(container);
      }
      JsonNode state = container.path("state");
      JsonNode terminated = state.path("terminated");
      String waiting = state.path("waiting").path("reason").asText("");
      if (terminated.isObject() && terminated.path("exitCode").asInt() == 0) {
        index++;
        continue;
      }
      if (sidecar && container.path("started").asBoolean(false)) {
        if (container.path("ready").asBoolean()) {
          ready++;
        }
        index++;
        continue;
      }
      if (terminated.isObject()) {
        reason = "Init:" + terminatedReason(terminated);
      } else if (!waiting.isEmpty() && !waiting.equals("PodInitializing")) {
        reason = "Init:" + waiting;
      } else {
        reason = "Init:" + index + "/" + spec.path("initContainers").size();
      }
      initializing = true;
      break;
    }

    Restarts shown = all;
    if (!initializing || conditionTrue(status, "Initialized")) {
      shown = sidecars;
      boolean running = false;
      JsonNode statuses = status.path("containerStatuses");
      for (int i = statuses.size() - 1; i >= 0; i--) { // the first container's reason wins
        JsonNode container = statuses.get(i);
        shown.add(container);
        JsonNode state = container.path("state");
        JsonNode terminated = state.path("terminated");
        String waiting = state.path("waiting").path("reason").asText("");
        if (!waiting.isEmpty()) {
          reason = waiting;
        } else if (terminated.isObject()) {
          reason = terminatedReason(terminated);
        } else if (container.path("ready").asBoolean() && state.has("running")) {
          running = true;
          ready++;
        }
      }
      if (reason.equals("Completed") && running) {
        reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
      }
    }

    boolean deleting = pod.path("metadata").hasNonNull("deletionTimestamp");
    if (deleting && status.path("reason").asText("").equals(NODE_LOST)) {
      reason = "Unknown";
    } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
      reason = "Terminating";
    }

    String restarts = Long.toString(shown.count);
    if (shown.count != 0 && !shown.last.isEmpty()) {
      restarts += " (" + age.apply(shown.last) + " ago)";
    }
    cells.add(ready + "/" + total);
    cells.add(reason);
    cells.add(restarts);
    cells.add(age.apply(KindPrinters.created(pod)));
    String ip = status.path("podIPs").path(0).path("ip").asText(status.path("podIP").asText(""));
    cells.add(ip.isEmpty() ? "<none>" : ip);
    cells.add(spec.path("nodeName").asText("<none>"));
    cells.add(status.path("nominatedNodeName").asText("<none>"));
    int gates = spec.path("readinessGates").size();
    cells.add(gates == 0 ? "<none>" : metGates(pod) + "/" + gates);
  }

  /** An init container with {@code restartPolicy: Always}: a sidecar. */
  private static boolean restartable(JsonNode container) {
    return container != null && container.path("restartPolicy").asText("").equals("Always");
  }

  private static String terminatedReason(JsonNode terminated) {
    String reason = terminated.path("reason").asText("");
    if (!reason.isEmpty()) {
      return reason;
    }
    int signal = terminated.path("signal").asInt();
    return signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asInt();
  }

  private static boolean conditionTrue(JsonNode status, String type) {
    for (JsonNode condition : status.path("conditions")) {
      if (condition.path("type").asText().equals(type)
          && condition.path("status").asText().equals("True")) {
        return true;
      }
    }
    return false;
  }

  /** Gates whose condition is True; the first condition of each type counts. */
  private static int metGates(JsonNode pod) {
    int met = 0;
    for (JsonNode gate : pod.path("spec").path("readinessGates")) {
      String type = gate.path("conditionType").asText();
      for (JsonNode condition : pod.path("status").path("conditions")) {
        if (condition.path("type").asText().equals(type)) {
          if (condition.path("status").asText().equals("True")) {
            met++;
          }
          break;
        }
      }
    }
    return met;
  }

  private static Instant instant(String timestamp) {
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
