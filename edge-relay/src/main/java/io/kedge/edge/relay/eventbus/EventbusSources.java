package io.kedge.edge.relay.eventbus;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.edge.api.view.View;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.runtime.mqtt.Eventbus;
import io.kedge.schemas.EventbusMessage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eventbus → cloud half of rules: for every Rule whose source is an eventbus endpoint on this
 * node, subscribes to {@code {rule namespace}/{topic}} and stores each message in the uplink, from
 * where it is forwarded to the cloud when the link allows (nothing lost while offline). Rules come
 * from the VIEW, so they are followed as they are created, changed and deleted, offline too.
 */
public final class EventbusSources implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventbusSources.class);
  static final String RULES_GROUP = "rules.kubeedge.io";

  private final String node;
  private final View view;
  private final Eventbus eventbus;
  private final UplinkLog uplink;
  private final ScheduledExecutorService timer;
  private final Set<String> subscribed = new HashSet<>();

  public EventbusSources(String node, View view, Eventbus eventbus, UplinkLog uplink) {
    this.node = node;
    this.view = view;
    this.eventbus = eventbus;
    this.uplink = uplink;
    this.timer = DaemonThreads.scheduled("kedge-eventbus-sources-" + node);
  }

  public EventbusSources start() {
    timer.scheduleWithFixedDelay(this::safeRefresh, 0, 1, TimeUnit.SECONDS);
    return this;
  }

  private void safeRefresh() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.error("node {}: eventbus sources not refreshed: {}", node, e.toString(), e);
    }
  }

  /** Subscribes to the topics the current rules name, and drops the others. */
  synchronized void refresh() {
    Set<String> wanted = wantedTopics();
    for (String topic : wanted) {
      if (subscribed.add(topic)) {
        eventbus.subscribe(topic, this::forward);
      }
    }
    for (String topic : Set.copyOf(subscribed)) {
      if (!wanted.contains(topic)) {
        eventbus.unsubscribe(topic);
        subscribed.remove(topic);
        LOG.info("node {}: eventbus source {} no longer used by any rule", node, topic);
      }
    }
  }

  /** {@code {namespace}/{topic}} of each rule with an eventbus source on this node. */
  Set<String> wantedTopics() {
    Map<String, String> endpointTypes = new HashMap<>();
    for (View.Stored endpoint : view.objectsOf(RULES_GROUP, "RuleEndpoint")) {
      endpointTypes.put(
          endpoint.key().namespace() + "/" + endpoint.key().name(),
          endpoint.object().path("spec").path("ruleEndpointType").asText(""));
    }
    Set<String> topics = new HashSet<>();
    for (View.Stored rule : view.objectsOf(RULES_GROUP, "Rule")) {
      JsonNode spec = rule.object().path("spec");
      String namespace = rule.key().namespace();
      String source = namespace + "/" + spec.path("source").asText("");
      JsonNode resource = spec.path("sourceResource");
      if ("eventbus".equals(endpointTypes.get(source))
          && node.equals(resource.path("node_name").asText(""))
          && !resource.path("topic").asText("").isEmpty()) {
        topics.add(namespace + "/" + resource.path("topic").asText());
      }
    }
    return topics;
  }

  private void forward(String topic, byte[] payload) {
    String id = node + "-mqtt-" + UUID.randomUUID();
    uplink.append(new EventbusMessage(id, node, topic, payload), topic);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
