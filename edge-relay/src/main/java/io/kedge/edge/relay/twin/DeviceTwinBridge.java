package io.kedge.edge.relay.twin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.WatchEvent;
import io.kedge.edge.api.view.WatchFilter;
import io.kedge.edge.api.view.WatchSink;
import io.kedge.edge.api.write.EdgeWrites;
import io.kedge.edge.api.write.WriteReply;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.runtime.mqtt.Eventbus;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.twin.TwinContract;
import io.kedge.schemas.twin.TwinContract.Member;
import io.kedge.schemas.twin.TwinContract.Reported;
import io.kedge.schemas.twin.TwinContract.Twin;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DEVICE TWIN bridge: KubeEdge's MQTT twin contract on the node's eventbus, backed by the VIEW.
 *
 * <ul>
 *   <li>{@code twin/update} and {@code state/update} from mappers become Device status writes
 *       (edge-owned: applied at once offline and forwarded later). Only changes are written, and
 *       each device has one write in flight: reports arriving meanwhile are merged into the next.
 *   <li>Devices in the VIEW whose desired values differ from the reported ones get a {@code
 *       twin/update/delta}, once per desired value; a mapper that restarts asks with {@code
 *       twin/get}.
 *   <li>{@code twin/get} is answered from the VIEW on {@code twin/get/result}.
 *   <li>As KubeEdge's edgecore: each {@code twin/update} is answered on {@code twin/update/result}
 *       and {@code twin/update/document}, each {@code state/update} on {@code state/update/result};
 *       {@code $hw/events/node/<node>/membership/get} is answered with the node's devices, and
 *       devices added to or removed from the node are announced on {@code membership/updated}.
 * </ul>
 *
 * A device id is the Device's name; the VIEW holds this node's devices only.
 */
public final class DeviceTwinBridge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceTwinBridge.class);
  public static final String GROUP = "devices.kubeedge.io";
  private static final String FIELD_MANAGER = "kedge-twin-bridge";
  private static final String JSON_PATCH = "application/json-patch+json";

  private final String node;
  private final View view;
  private final ResourceType deviceType;
  private final Eventbus eventbus;
  private final EdgeWrites writes;
  private final Clock clock;
  private final ScheduledExecutorService work;

  /** Per device (namespace/name): reports not yet written, and whether a write is in flight. */
  private final Map<String, Pending> pending = new HashMap<>();

  /** Device name (the twin id) to the namespaces holding a Device of that name. */
  private final Map<String, Set<String>> namespacesByName = new HashMap<>();

  /** Per device: when it last said it was online, as KubeEdge writes it. */
  private final Map<String, String> lastOnline = new HashMap<>();

  private static final java.time.format.DateTimeFormatter LAST_ONLINE =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
          .withZone(java.time.ZoneOffset.UTC);

  /** Per device and property: the desired value last sent as a delta. */
  private final Map<String, Map<String, String>> deltasSent = new HashMap<>();

  private final AtomicLong reports = new AtomicLong();
  private final AtomicLong statusWrites = new AtomicLong();
  private final AtomicLong failedWrites = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong deltas = new AtomicLong();
  private final AtomicLong gets = new AtomicLong();
  private AutoCloseable watch = () -> {};

  private static final class Pending {
    final Map<String, Reported> reported = new LinkedHashMap<>();
    final Map<String, String> expected = new LinkedHashMap<>();
    String state;
    boolean inFlight;
  }

  public DeviceTwinBridge(
      String node, View view, Eventbus eventbus, EdgeWrites writes, Clock clock) {
    this.node = node;
    this.view = view;
    this.deviceType =
        view.types().all().stream()
            .filter(t -> t.group().equals(GROUP) && t.kind().equals("Device"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the VIEW does not know Device"));
    this.eventbus = eventbus;
    this.writes = Objects.requireNonNull(writes, "writes");
    this.clock = clock;
    this.work = DaemonThreads.scheduled("kedge-twin-" + node);
  }

  public DeviceTwinBridge start() {
    watch =
        view.watch(
            WatchFilter.all(deviceType),
            -1,
            false,
            false,
            new WatchSink() {
              @Override
              public boolean offer(WatchEvent event) {
                work.execute(() -> onDevice(event));
                return true;
              }

              @Override
              public void closed(String reason) {
                LOG.error("node {}: device watch closed ({}); deltas stop", node, reason);
              }
            });
    // after the watch: its current devices are indexed before the first message is handled
    eventbus.subscribe(TwinContract.ALL_TWIN_UPDATES, this::onMessage);
    eventbus.subscribe(TwinContract.ALL_STATE_UPDATES, this::onMessage);
    eventbus.subscribe(TwinContract.ALL_TWIN_GETS, this::onMessage);
    eventbus.subscribe(TwinContract.membershipGet(node), this::onMessage);
    LOG.info("node {}: device twin bridge on the eventbus", node);
    return this;
  }

  /** Called on the MQTT client's thread: hands the message to the bridge's own thread. */
  private void onMessage(String topic, byte[] payload) {
    work.execute(() -> handle(topic, payload));
  }

  private void handle(String topic, byte[] payload) {
    if (topic.equals(TwinContract.membershipGet(node))) {
      answerMembership(TwinContract.eventId(payload));
      return;
    }
    String id = TwinContract.deviceId(topic).orElse("");
    String eventId = TwinContract.eventId(payload);
    try {
      if (topic.endsWith("/twin/get")) {
        answerGet(id);
        return;
      }
      View.Stored device = device(id);
      Pending next = pending.computeIfAbsent(key(device), k -> new Pending());
      long now = clock.millis();
      if (topic.endsWith("/state/update")) {
        next.state = TwinContract.parseState(payload);
        if (next.state.equals("online")) {
          lastOnline.put(key(device), LAST_ONLINE.format(clock.instant()));
        }
        eventbus.tryPublish(
            TwinContract.stateUpdateResult(id),
            TwinContract.stateResult(
                eventId, id, next.state, lastOnline.getOrDefault(key(device), ""), now));
      } else {
        reports.incrementAndGet();
        Map<String, Reported> report = TwinContract.parseReport(payload);
        Map<String, String> expected = TwinContract.parseExpected(payload);
        next.reported.putAll(report);
        next.expected.putAll(expected);
        // KubeEdge answers each update with the twins after it, and each twin before and after
        Map<String, Twin> before = TwinContract.twinsOf(device.object());
        Map<String, Twin> after = new LinkedHashMap<>();
        expected.forEach(
            (prop, value) -> {
              Twin was = before.get(prop);
              after.put(
                  prop,
                  new Twin(
                      value, was == null ? null : was.actual(), was == null ? "" : was.type()));
            });
        report.forEach(
            (prop, value) -> {
              Twin was = before.get(prop);
              after.put(
                  prop,
                  new Twin(
                      expected.containsKey(prop)
                          ? expected.get(prop)
                          : was == null ? null : was.expected(),
                      value.failed() ? (was == null ? null : was.actual()) : value.value(),
                      value.type().isEmpty() && was != null ? was.type() : value.type()));
            });
        eventbus.tryPublish(
            TwinContract.twinUpdateResult(id), TwinContract.updateResult(eventId, after, now));
        eventbus.tryPublish(
            TwinContract.twinUpdateDocument(id),
            TwinContract.updateDocument(eventId, before, after, now));
      }
      flush(key(device));
    } catch (IllegalArgumentException e) {
      rejected.incrementAndGet();
      LOG.warn("node {}: {} rejected: {}", node, topic, e.getMessage());
    }
  }

  private View.Stored device(String id) {
    Set<String> namespaces = namespacesByName.getOrDefault(id, Set.of());
    if (namespaces.size() > 1) {
      throw new IllegalArgumentException(
          "Device name '" + id + "' is used in several namespaces on node " + node);
    }
    return namespaces.stream()
        .findFirst()
        .flatMap(namespace -> view.get(deviceType, namespace, id))
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no Device named '" + id + "' is bound to node " + node));
  }

  /** Writes what is pending for the device, unless a write is already in flight. */
  private void flush(String deviceKey) {
    Pending next = pending.get(deviceKey);
    if (next == null || next.inFlight) {
      return;
    }
    String[] parts = deviceKey.split("/", 2);
    var stored = view.get(deviceType, parts[0], parts[1]);
    if (stored.isEmpty()) {
      pending.remove(deviceKey);
      return;
    }
    ArrayNode patch =
        StatusPatch.of(stored.get().object(), next.reported, next.state, next.expected, clock);
    next.reported.clear();
    next.expected.clear();
    next.state = null;
    if (patch.isEmpty()) {
      pending.remove(deviceKey);
      return;
    }
    next.inFlight = true;
    writes
        .submit(
            new EdgeWrites.Write(
                WriteOperation.PATCH,
                deviceType,
                parts[0],
                parts[1],
                "status",
                JSON_PATCH,
                patch,
                false,
                FIELD_MANAGER,
                false))
        .whenCompleteAsync((reply, error) -> written(deviceKey, reply, error), work);
  }

  private void written(String deviceKey, WriteReply reply, Throwable error) {
    if (error != null || reply.code() >= 300) {
      failedWrites.incrementAndGet();
      LOG.warn(
          "node {}: twin status of Device {} not written: {}",
          node,
          deviceKey,
          error != null ? error.toString() : reply.code() + " " + reply.body().path("message"));
    } else {
      statusWrites.incrementAndGet();
    }
    Pending next = pending.get(deviceKey);
    if (next != null) {
      next.inFlight = false;
      flush(deviceKey);
    }
  }

  private void answerGet(String id) {
    Map<String, Twin> twins = Map.of();
    String error = "";
    try {
      twins = TwinContract.twinsOf(device(id).object());
    } catch (IllegalArgumentException e) {
      error = e.getMessage();
    }
    eventbus.tryPublish(
        TwinContract.getResult(id), TwinContract.getResult(twins, error, clock.millis()));
    gets.incrementAndGet();
  }

  /** {@code membership/get}: every device of this node, with its state and twins. */
  private void answerMembership(String eventId) {
    List<Member> members =
        view.list(WatchFilter.all(deviceType)).items().stream().map(this::member).toList();
    eventbus.tryPublish(
        TwinContract.membershipGetResult(node),
        TwinContract.membershipResult(eventId, members, clock.millis()));
  }

  private Member member(JsonNode device) {
    JsonNode metadata = device.path("metadata");
    return new Member(
        metadata.path("name").asText(),
        metadata.path("labels").path("description").asText(""),
        device.path("status").path("state").asText(""),
        TwinContract.twinsOf(device));
  }

  /** A Device changed in the VIEW: send the desired values that are new and not yet reported. */
  private void onDevice(WatchEvent event) {
    JsonNode metadata = event.object().path("metadata");
    String name = metadata.path("name").asText();
    String namespace = metadata.path("namespace").asText();
    String deviceKey = namespace + "/" + name;
    if (event.kind() == WatchEvent.Kind.BOOKMARK) {
      return;
    }
    if (event.kind() == WatchEvent.Kind.DELETED) {
      if (deltasSent.containsKey(deviceKey)) {
        eventbus.tryPublish(
            TwinContract.membershipUpdated(node),
            TwinContract.membershipUpdate(List.of(), List.of(name), clock.millis()));
      }
      deltasSent.remove(deviceKey);
      pending.remove(deviceKey);
      lastOnline.remove(deviceKey);
      Set<String> namespaces = namespacesByName.getOrDefault(name, new HashSet<>());
      namespaces.remove(namespace);
      if (namespaces.isEmpty()) {
        namespacesByName.remove(name);
      }
      return;
    }
    namespacesByName.computeIfAbsent(name, k -> new HashSet<>()).add(namespace);
    Map<String, Twin> twins = TwinContract.twinsOf(event.object());
    if (!deltasSent.containsKey(deviceKey)) {
      // a device new to this node: KubeEdge announces it to edge apps
      eventbus.tryPublish(
          TwinContract.membershipUpdated(node),
          TwinContract.membershipUpdate(
              List.of(member(event.object())), List.of(), clock.millis()));
    }
    Map<String, String> sent = deltasSent.computeIfAbsent(deviceKey, k -> new HashMap<>());
    Map<String, String> delta = new LinkedHashMap<>();
    twins.forEach(
        (prop, twin) -> {
          String desired = twin.expected();
          if (desired != null
              && !desired.equals(twin.actual())
              && !desired.equals(sent.get(prop))) {
            delta.put(prop, desired);
          }
        });
    if (delta.isEmpty()) {
      return;
    }
    if (eventbus.tryPublish(
        TwinContract.delta(name), TwinContract.delta(delta, twins, clock.millis()))) {
      sent.putAll(delta);
      deltas.incrementAndGet();
    } else {
      // not sent: try again shortly with the device as it is then
      work.schedule(
          () ->
              view.get(deviceType, namespace, name)
                  .ifPresent(
                      d -> onDevice(new WatchEvent(WatchEvent.Kind.MODIFIED, "", d.object(), 0))),
          1,
          TimeUnit.SECONDS);
    }
  }

  private static String key(View.Stored device) {
    return device.key().namespace() + "/" + device.key().name();
  }

  /** Twin reports received from mappers. */
  public long reportCount() {
    return reports.get();
  }

  /** Device status writes made (applied locally or by the cloud). */
  public long statusWriteCount() {
    return statusWrites.get();
  }

  public long failedWriteCount() {
    return failedWrites.get();
  }

  /** Messages that could not be used: malformed, or about a device this node does not have. */
  public long rejectedCount() {
    return rejected.get();
  }

  public long deltaCount() {
    return deltas.get();
  }

  public long getCount() {
    return gets.get();
  }

  @Override
  public void close() throws Exception {
    watch.close();
    eventbus.unsubscribe(TwinContract.ALL_TWIN_UPDATES);
    eventbus.unsubscribe(TwinContract.ALL_STATE_UPDATES);
    eventbus.unsubscribe(TwinContract.ALL_TWIN_GETS);
    eventbus.unsubscribe(TwinContract.membershipGet(node));
    work.shutdownNow();
  }
}
