package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.StatusWrites;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The cloud's view of Rules, RuleEndpoints and Nodes, and what routing needs from it: which rule a
 * REST path or an eventbus topic belongs to, and whether a node exists. Each rule is checked as
 * KubeEdge's admission would (endpoints exist and differ in type, required keys present, a REST
 * path or an eventbus topic used by one rule only); a rule that fails is kept with its errors and
 * does not route. Thread-safe: one thread applies, any number look up.
 */
public final class RuleBook {
  static final String GROUP = "rules.kubeedge.io";
  private static final Set<String> ENDPOINT_TYPES =
      Set.of("rest", "eventbus", "servicebus", "kafka", "cdc");

  /** A rule that passed the checks, with its endpoint types resolved. */
  public record Route(
      String namespace,
      String name,
      String sourceType,
      JsonNode sourceResource,
      String targetType,
      JsonNode targetResource,
      JsonNode targetProperties,
      JsonNode sourceProperties) {
    public String ruleKey() {
      return namespace + "/" + name;
    }
  }

  private final Map<String, ObjectNode> rules = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> endpoints = new ConcurrentHashMap<>();
  private final Set<String> nodes = ConcurrentHashMap.newKeySet();
  private volatile Map<String, Route> routes = Map.of();
  private volatile Map<String, List<String>> errors = Map.of();
  private long generation; // guarded by this: how many times the routes were computed

  /** Applies an upsert ({@code object} non-null) or a delete of {@code key}. */
  public void apply(ObjectKey key, ObjectNode object) {
    String id = key.namespace() + "/" + key.name();
    switch (key.group() + "/" + key.kind()) {
      case GROUP + "/Rule" -> put(rules, id, withKnownCounts(rules.get(id), object));
      case GROUP + "/RuleEndpoint" -> put(endpoints, id, object);
      case "/Node" -> {
        if (object == null) {
          nodes.remove(key.name());
        } else {
          nodes.add(key.name());
        }
        return;
      }
      default -> {
        return;
      }
    }
    recompute();
  }

  /**
   * Applies a status write ({@link StatusWrites}) to the rule it names: its status changes if the
   * rule is still here with the same uid; nothing else changes, and a rule deleted meanwhile stays
   * deleted.
   */
  public void applyStatus(ObjectKey key, ObjectNode write) {
    if (!(GROUP.equals(key.group()) && key.kind().equals("Rule"))) {
      return;
    }
    String id = key.namespace() + "/" + key.name();
    ObjectNode current = rules.get(id);
    ObjectNode applied = StatusWrites.applied(current, write);
    if (applied != null) {
      put(rules, id, withKnownCounts(current, applied));
      recompute();
    }
  }

  /** True for the kinds {@link #apply} keeps. */
  public static boolean follows(ObjectKey key) {
    return (GROUP.equals(key.group())
            && (key.kind().equals("Rule") || key.kind().equals("RuleEndpoint")))
        || (key.group().isEmpty() && key.kind().equals("Node"));
  }

  /**
   * The rule with the status of the higher message counts: counters only grow, and in Kubernetes
   * mode a rule read back from the cluster may carry a status older than the one kedge has just
   * written (its mirror has not caught up), which must not set the counters back.
   */
  private static ObjectNode withKnownCounts(ObjectNode known, ObjectNode incoming) {
    if (known == null || incoming == null) {
      return incoming;
    }
    if (counted(known.path("status")) > counted(incoming.path("status"))) {
      ObjectNode merged = incoming.deepCopy();
      merged.set("status", known.path("status").deepCopy());
      return merged;
    }
    return incoming;
  }

  private static long counted(com.fasterxml.jackson.databind.JsonNode status) {
    return status.path("successMessages").asLong(0) + status.path("failMessages").asLong(0);
  }

  /** Every rule as last applied, by {@code namespace/name}. */
  public Map<String, ObjectNode> rules() {
    return Map.copyOf(rules);
  }

  private static void put(Map<String, ObjectNode> map, String id, ObjectNode object) {
    if (object == null) {
      map.remove(id);
    } else {
      map.put(id, object);
    }
  }

  public boolean nodeExists(String node) {
    return nodes.contains(node);
  }

  /** A rule a REST request matched, and the sub-path after the rule's path. */
  public record RestRoute(Route route, String subPath) {}

  /**
   * The rule of {@code namespace} whose REST source path matches {@code path}, as KubeEdge matches
   * them ({@link RestPaths}): the path itself or a path below it; the most specific rule wins.
   */
  public Optional<RestRoute> restRoute(String namespace, String path) {
    RestRoute best = null;
    RestPaths.Match bestMatch = null;
    for (Route r : routes.values()) {
      if (!r.namespace().equals(namespace) || !r.sourceType().equals("rest")) {
        continue;
      }
      var match = RestPaths.match(r.sourceResource().path("path").asText(""), path);
      if (match.isPresent() && (bestMatch == null || match.get().moreSpecificThan(bestMatch))) {
        bestMatch = match.get();
        best = new RestRoute(r, match.get().subPath());
      }
    }
    return Optional.ofNullable(best);
  }

  /** The rules whose eventbus source on {@code node} is the MQTT topic {@code topic}. */
  public List<Route> eventbusRoutes(String node, String topic) {
    return routes.values().stream()
        .filter(r -> r.sourceType().equals("eventbus"))
        .filter(r -> r.sourceResource().path("node_name").asText("").equals(node))
        .filter(
            r -> (r.namespace() + "/" + r.sourceResource().path("topic").asText("")).equals(topic))
        .toList();
  }

  /** The rules whose source is a PostgreSQL table (cdc). */
  public List<Route> cdcSourceRoutes() {
    return routes.values().stream().filter(r -> r.sourceType().equals("cdc")).toList();
  }

  /** The rules whose source is a Kafka topic of the cloud cluster. */
  public List<Route> kafkaSourceRoutes() {
    return routes.values().stream().filter(r -> r.sourceType().equals("kafka")).toList();
  }

  public Optional<Route> route(String namespace, String name) {
    return Optional.ofNullable(routes.get(namespace + "/" + name));
  }

  /** The rule object as last applied (with its status), if any. */
  public Optional<ObjectNode> rule(String namespace, String name) {
    return Optional.ofNullable(rules.get(namespace + "/" + name));
  }

  /**
   * Why {@code candidate}, a Rule or RuleEndpoint about to be written, would be refused; empty when
   * it would route. A Rule is checked as this book would check it beside the rules it holds (its
   * endpoints exist and differ in type, its resources are complete, its source is no other rule's),
   * as if it were the newest; a RuleEndpoint by its type. The messages are the ones a Rule's status
   * would show, so an admission webhook and {@code kedge apply} refuse with the same words.
   */
  public List<String> admit(ObjectNode candidate) {
    ObjectKey key = ObjectKey.of(candidate);
    String id = key.namespace() + "/" + key.name();
    if (key.kind().equals("RuleEndpoint")) {
      String type = candidate.path("spec").path("ruleEndpointType").asText("");
      List<String> found = new ArrayList<>();
      if (!ENDPOINT_TYPES.contains(type)) {
        found.add(
            "ruleEndpointType '"
                + type
                + "' is not one of "
                + new java.util.TreeSet<>(ENDPOINT_TYPES));
      }
      return found;
    }
    RuleBook trial = new RuleBook();
    copyInto(trial);
    ObjectNode rule = candidate.deepCopy();
    ObjectNode stored = rules.get(id);
    // an update keeps its place; a new rule comes after every rule there is
    rule.withObject("metadata")
        .put(
            "creationTimestamp",
            stored != null
                ? stored.path("metadata").path("creationTimestamp").asText("")
                : "9999-12-31T23:59:59Z");
    trial.apply(key, rule);
    return trial.errors().getOrDefault(id, List.of());
  }

  /** Copies what this book holds into {@code other} (for trials that must not touch this one). */
  void copyInto(RuleBook other) {
    other.rules.putAll(rules);
    other.endpoints.putAll(endpoints);
    other.nodes.addAll(nodes);
    other.recompute();
  }

  /** Why each rule that does not route fails its checks, by {@code namespace/name}. */
  public Map<String, List<String>> errors() {
    return errors;
  }

  private synchronized void recompute() {
    Map<String, Route> valid = new HashMap<>();
    Map<String, List<String>> problems = new HashMap<>();
    Map<String, String> claimed = new HashMap<>(); // source identity -> rule, oldest first
    List<Map.Entry<String, ObjectNode>> ordered = new ArrayList<>(rules.entrySet());
    ordered.sort(
        Comparator.comparing(
                (Map.Entry<String, ObjectNode> e) ->
                    e.getValue().path("metadata").path("creationTimestamp").asText(""))
            .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, ObjectNode> entry : ordered) {
      List<String> found = new ArrayList<>();
      Route route = check(entry.getKey(), entry.getValue(), found);
      if (route != null) {
        String identity = sourceIdentity(route);
        String owner = claimed.putIfAbsent(identity, route.ruleKey());
        if (owner != null) {
          found.add("source " + identity + " is already used by rule " + owner);
          route = null;
        }
      }
      if (route == null) {
        problems.put(entry.getKey(), List.copyOf(found));
      } else {
        valid.put(entry.getKey(), route);
      }
    }
    routes = Map.copyOf(valid);
    errors = Map.copyOf(problems);
    generation++;
    notifyAll();
  }

  /** How many times the routes were computed: a reader compares it to see that rules changed. */
  public synchronized long generation() {
    return generation;
  }

  /**
   * Waits until the routes are computed again after {@code seen} (a {@link #generation()}), or
   * {@code timeout} passes; returns the generation then.
   */
  public synchronized long awaitChange(long seen, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long left;
    while (generation == seen && (left = deadline - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return generation;
  }

  private static String sourceIdentity(Route route) {
    JsonNode source = route.sourceResource();
    return switch (route.sourceType()) {
      case "rest" -> route.namespace() + " rest path " + source.path("path").asText();
      case "eventbus" ->
          route.namespace()
              + " eventbus topic "
              + source.path("topic").asText()
              + " on node "
              + source.path("node_name").asText();
      default -> route.ruleKey();
    };
  }

  private Route check(String id, ObjectNode rule, List<String> found) {
    String namespace = id.substring(0, id.indexOf('/'));
    String name = id.substring(id.indexOf('/') + 1);
    JsonNode spec = rule.path("spec");
    String sourceType = endpointType(namespace, spec.path("source").asText(""), "source", found);
    String targetType = endpointType(namespace, spec.path("target").asText(""), "target", found);
    if (sourceType != null && sourceType.equals(targetType)) {
      found.add("source and target endpoints are both of type " + sourceType);
    }
    JsonNode sourceResource = spec.path("sourceResource");
    JsonNode targetResource = spec.path("targetResource");
    if (sourceType != null) {
      switch (sourceType) {
        case "rest" -> {
          String path = sourceResource.path("path").asText("");
          if (!path.startsWith("/")) {
            found.add("sourceResource.path must start with '/', got '" + path + "'");
          }
          String answer =
              endpointProperties(namespace, spec.path("source").asText(""))
                  .path(RestIngress.ANSWER_PROPERTY)
                  .asText("kedge");
          if (!answer.equals("kedge") && !answer.equals(RestIngress.KUBEEDGE_ANSWER)) {
            found.add(
                "source RuleEndpoint property "
                    + RestIngress.ANSWER_PROPERTY
                    + " must be kedge or kubeedge, got '"
                    + answer
                    + "'");
          }
        }
        case "eventbus" -> {
          require(sourceResource, "topic", "sourceResource", found);
          require(sourceResource, "node_name", "sourceResource", found);
        }
        case "servicebus" -> found.add("a servicebus endpoint can only be a target");
        case "cdc" -> {
          String table = sourceResource.path("table").asText("");
          if (!table.matches("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*")) {
            found.add("sourceResource.table must be schema.table, got '" + table + "'");
          }
          if ("resources".equals(sourceResource.path("mode").asText(""))) {
            require(sourceResource, "object_column", "sourceResource", found);
            if (!"kafka".equals(targetType)) {
              found.add(
                  "a cdc source in resources mode targets a kafka endpoint (the resources topic)");
            }
          } else {
            if (sourceResource.path("node_column").asText("").isEmpty()
                && sourceResource.path("node_name").asText("").isEmpty()) {
              found.add("sourceResource needs node_column or node_name: where each row goes");
            }
            if (!"eventbus".equals(targetType)) {
              found.add("a cdc source can only target an eventbus endpoint");
            }
          }
        }
        case "kafka" -> {
          require(sourceResource, "topic", "sourceResource", found);
          if ("eventbus".equals(targetType) || "servicebus".equals(targetType)) {
            require(sourceResource, "node_name", "sourceResource", found);
          }
          if (!"eventbus".equals(targetType)) {
            found.add("a kafka source can only target an eventbus endpoint");
          }
        }
        default -> {}
      }
    }
    if (targetType != null) {
      switch (targetType) {
        case "rest" -> {
          String url = targetResource.path("resource").asText("");
          if (!httpUrl(url)) {
            found.add(
                "targetResource.resource must be an http(s) URL with a host, got '" + url + "'");
          }
        }
        case "eventbus", "kafka" -> require(targetResource, "topic", "targetResource", found);
        case "servicebus" -> {
          require(targetResource, "path", "targetResource", found);
          String port = targetProperties(namespace, spec).path("service_port").asText("");
          if (!port.matches("[0-9]{1,5}")
              || Integer.parseInt(port) < 1
              || Integer.parseInt(port) > 65535) {
            found.add(
                "target RuleEndpoint "
                    + spec.path("target").asText()
                    + " needs properties.service_port, a port number, got '"
                    + port
                    + "'");
          }
        }
        default -> {}
      }
    }
    if (!found.isEmpty()) {
      return null;
    }
    return new Route(
        namespace,
        name,
        sourceType,
        sourceResource,
        targetType,
        targetResource,
        targetProperties(namespace, spec),
        endpointProperties(namespace, spec.path("source").asText("")));
  }

  private JsonNode endpointProperties(String namespace, String name) {
    ObjectNode endpoint = endpoints.get(namespace + "/" + name);
    return endpoint == null
        ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : endpoint.path("spec").path("properties");
  }

  private JsonNode targetProperties(String namespace, JsonNode spec) {
    return endpointProperties(namespace, spec.path("target").asText(""));
  }

  private String endpointType(String namespace, String name, String role, List<String> found) {
    if (name.isEmpty()) {
      found.add("spec." + role + " is missing");
      return null;
    }
    ObjectNode endpoint = endpoints.get(namespace + "/" + name);
    if (endpoint == null) {
      found.add(role + " RuleEndpoint " + namespace + "/" + name + " does not exist");
      return null;
    }
    String type = endpoint.path("spec").path("ruleEndpointType").asText("");
    if (!ENDPOINT_TYPES.contains(type)) {
      found.add(
          role
              + " RuleEndpoint "
              + name
              + " has ruleEndpointType '"
              + type
              + "', not one of "
              + ENDPOINT_TYPES);
      return null;
    }
    return type;
  }

  private static void require(JsonNode resource, String key, String where, List<String> found) {
    if (resource.path(key).asText("").isEmpty()) {
      found.add(where + "." + key + " is missing");
    }
  }

  /** An http or https URL with a host, as the rules delivery's HTTP client takes it. */
  private static boolean httpUrl(String url) {
    try {
      URI uri = URI.create(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
