package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.NodeNames;
import io.kedge.schemas.RuleMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cdc → eventbus rules: a Debezium embedded engine per rule streams the row changes of one
 * PostgreSQL table (logical decoding with {@code pgoutput}; the engine's offsets are kept in a
 * Kafka topic, so a restart resumes where it stopped). Each change becomes a rule message — {@code
 * {"op","table","before","after"}} as JSON — to the node named by a column of the row or by the
 * rule. Delivery is at least once. When a rule is deleted, its replication slot and publication are
 * dropped, so the database does not keep WAL for it.
 */
public final class CdcSources implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CdcSources.class);

  private final RuleBook book;
  private final Producer<String, byte[]> producer;
  private final KedgeTopics topics;
  private final Map<String, Object> kafka;
  private final EventCodec codec;
  private final BooleanSupplier rulesLoaded;
  private final RuleCounters counters;
  private final ScheduledExecutorService timer = DaemonThreads.scheduled("kedge-cdc-sources");
  private final ExecutorService engines = DaemonThreads.pool("kedge-cdc-engine", 16);
  private final Map<String, Running> running = new HashMap<>();

  private record Running(
      RuleBook.Route route, DebeziumEngine<ChangeEvent<String, String>> engine, Slot slot) {}

  /** The replication slot and publication of one rule, and how to reach its database. */
  record Slot(String name, JsonNode endpoint) {}

  public CdcSources(
      RuleBook book,
      Producer<String, byte[]> producer,
      KedgeTopics topics,
      Map<String, Object> kafka,
      EventCodec codec,
      BooleanSupplier rulesLoaded,
      RuleCounters counters) {
    this.book = book;
    this.producer = producer;
    this.topics = topics;
    this.kafka = Map.copyOf(kafka);
    this.codec = codec;
    this.rulesLoaded = rulesLoaded;
    this.counters = counters;
  }

  public CdcSources start() {
    timer.scheduleWithFixedDelay(this::safeRefresh, 0, 2, TimeUnit.SECONDS);
    return this;
  }

  private void safeRefresh() {
    try {
      if (rulesLoaded.getAsBoolean()) {
        refresh();
      }
    } catch (RuntimeException e) {
      LOG.error("cdc sources not refreshed: {}", e.toString(), e);
    }
  }

  /** Starts an engine for each new cdc rule; stops and cleans up after deleted or changed ones. */
  synchronized void refresh() {
    Map<String, RuleBook.Route> wanted = new HashMap<>();
    for (RuleBook.Route route : book.cdcSourceRoutes()) {
      wanted.put(route.ruleKey(), route);
    }
    for (String key : List.copyOf(running.keySet())) {
      RuleBook.Route now = wanted.get(key);
      Running engine = running.get(key);
      if (now == null || !now.equals(engine.route())) {
        stop(key, engine, now == null);
      }
    }
    for (Map.Entry<String, RuleBook.Route> entry : wanted.entrySet()) {
      if (!running.containsKey(entry.getKey())) {
        start(entry.getValue());
      }
    }
  }

  private void start(RuleBook.Route route) {
    JsonNode endpoint = route.sourceProperties();
    Slot slot = new Slot(slotName(route), endpoint);
    Properties props = new Properties();
    props.setProperty("name", "kedge-cdc-" + route.namespace() + "-" + route.name());
    props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    props.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
    props.setProperty("offset.storage.topic", topics.prefix() + ".cdc-offsets");
    props.setProperty("offset.storage.partitions", "1");
    props.setProperty("offset.storage.replication.factor", "-1");
    props.setProperty("offset.flush.interval.ms", "1000");
    // The offset store's Kafka clients take the engine's top-level settings: servers and security.
    kafka.forEach((key, value) -> props.setProperty(key, String.valueOf(value)));
    props.setProperty("database.hostname", endpoint.path("hostname").asText("127.0.0.1"));
    props.setProperty("database.port", endpoint.path("port").asText("5432"));
    props.setProperty("database.user", endpoint.path("user").asText("postgres"));
    props.setProperty("database.password", password(endpoint));
    props.setProperty("database.dbname", endpoint.path("dbname").asText("postgres"));
    props.setProperty("topic.prefix", slot.name());
    props.setProperty("plugin.name", "pgoutput");
    props.setProperty("slot.name", slot.name());
    props.setProperty("publication.name", slot.name());
    props.setProperty("publication.autocreate.mode", "filtered");
    props.setProperty("table.include.list", route.sourceResource().path("table").asText());
    props.setProperty("snapshot.mode", "no_data");
    props.setProperty("decimal.handling.mode", "string"); // readable JSON, no precision lost
    props.setProperty("converter.schemas.enable", "false");
    props.setProperty("key.converter.schemas.enable", "false");
    props.setProperty("value.converter.schemas.enable", "false");
    RuleCounters.Counter counter = counters.of(route);
    DebeziumEngine<ChangeEvent<String, String>> engine =
        DebeziumEngine.create(Json.class)
            .using(props)
            .notifying(
                (records, committer) -> {
                  for (ChangeEvent<String, String> record : records) {
                    forward(route, record, counter);
                    committer.markProcessed(record);
                  }
                  committer.markBatchFinished();
                })
            .using(
                (success, message, error) -> {
                  if (!success) {
                    LOG.error("cdc rule {} stopped: {}", route.ruleKey(), message, error);
                    counter.failed("cdc source stopped: " + message);
                  }
                })
            .build();
    engines.execute(engine);
    running.put(route.ruleKey(), new Running(route, engine, slot));
    LOG.info(
        "cdc rule {}: streaming {} (slot and publication {})",
        route.ruleKey(),
        route.sourceResource().path("table").asText(),
        slot.name());
  }

  private void forward(
      RuleBook.Route route, ChangeEvent<String, String> record, RuleCounters.Counter counter)
      throws InterruptedException {
    if (record.value() == null) {
      return; // a tombstone after a delete: the delete itself was sent
    }
    try {
      JsonNode change = EventCodec.readJson(record.value().getBytes(StandardCharsets.UTF_8));
      if ("resources".equals(route.sourceResource().path("mode").asText(""))) {
        toResource(route, change, counter);
        return;
      }
      JsonNode row = change.path("after").isObject() ? change.path("after") : change.path("before");
      String node = nodeOf(route, row);
      if (node == null) {
        counter.failed(
            "row has no node: column "
                + route.sourceResource().path("node_column").asText()
                + " is empty and the rule names no node_name");
        return;
      }
      ObjectNode payload = EventCodec.json().createObjectNode();
      payload.put("op", change.path("op").asText());
      payload.put(
          "table",
          change.path("source").path("schema").asText()
              + "."
              + change.path("source").path("table").asText());
      payload.set("before", change.path("before"));
      payload.set("after", change.path("after"));
      String id =
          route.ruleKey().replace('/', '-')
              + "-"
              + change.path("source").path("lsn").asText()
              + "-"
              + change.path("source").path("txId").asText();
      RuleMessage message =
          new RuleMessage(
              id,
              node,
              route.namespace(),
              route.name(),
              "eventbus",
              route.targetResource().path("topic").asText(),
              Map.of("Content-Type", "application/json"),
              EventCodec.json().writeValueAsBytes(payload));
      producer
          .send(
              codec.toRecord(
                  topics.node(node).name(),
                  id,
                  KedgeEvent.of(URI.create("/kedge/rules/cdc"), "", message)))
          .get(60, TimeUnit.SECONDS); // durable before Debezium may commit its offset
      counter.succeeded();
    } catch (IOException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      counter.failed("row change not forwarded: " + e);
      throw new IllegalStateException("cdc rule " + route.ruleKey() + ": " + e, e);
    }
  }

  /**
   * The resource mapping: the row's object column is a Kubernetes object; name, namespace and node
   * columns, where named, override its metadata and place it ({@code kedge.io/node}, or a pod's
   * {@code spec.nodeName}). Inserts and updates become upserts, deletes deletes, in the rule's
   * target topic (normally the resources topic).
   */
  private void toResource(RuleBook.Route route, JsonNode change, RuleCounters.Counter counter)
      throws IOException,
          InterruptedException,
          java.util.concurrent.ExecutionException,
          java.util.concurrent.TimeoutException {
    JsonNode source = route.sourceResource();
    boolean delete = "d".equals(change.path("op").asText());
    JsonNode row = delete ? change.path("before") : change.path("after");
    JsonNode column = row.path(source.path("object_column").asText());
    ObjectNode object;
    try {
      object =
          (ObjectNode)
              (column.isTextual()
                  ? EventCodec.readJson(column.asText().getBytes(StandardCharsets.UTF_8))
                  : column.deepCopy());
    } catch (IOException | ClassCastException e) {
      counter.failed("column " + source.path("object_column").asText() + " is not a JSON object");
      return;
    }
    ObjectNode metadata = object.withObject("metadata");
    setFromColumn(metadata, "name", row, source.path("name_column").asText(""));
    setFromColumn(metadata, "namespace", row, source.path("namespace_column").asText(""));
    String node = row.path(source.path("node_column").asText("")).asText("");
    if (!node.isEmpty()) {
      if ("Pod".equals(object.path("kind").asText())
          && object.path("apiVersion").asText().equals("v1")) {
        object.withObject("spec").put("nodeName", node);
      } else {
        metadata.withObject("labels").put("kedge.io/node", node);
      }
    }
    io.kedge.schemas.ObjectKey key;
    try {
      key = io.kedge.schemas.ObjectKey.of(object);
    } catch (IllegalArgumentException e) {
      counter.failed("row is not a resource: " + e.getMessage());
      return;
    }
    io.kedge.schemas.EventData data =
        delete
            ? new io.kedge.schemas.ResourceDelete(key, "")
            : new io.kedge.schemas.ResourceUpsert(key, "", object);
    producer
        .send(
            codec.toRecord(
                route.targetResource().path("topic").asText(),
                key.toString(),
                KedgeEvent.of(URI.create("/kedge/rules/cdc"), "", data)))
        .get(60, TimeUnit.SECONDS);
    counter.succeeded();
  }

  private static void setFromColumn(
      ObjectNode metadata, String field, JsonNode row, String column) {
    if (!column.isEmpty() && !row.path(column).asText("").isEmpty()) {
      metadata.put(field, row.path(column).asText());
    }
  }

  private static String nodeOf(RuleBook.Route route, JsonNode row) {
    String column = route.sourceResource().path("node_column").asText("");
    if (!column.isEmpty()) {
      String node = row.path(column).asText("");
      if (NodeNames.isValid(node)) {
        return node;
      }
    }
    String fixed = route.sourceResource().path("node_name").asText("");
    return fixed.isEmpty() ? null : fixed;
  }

  private void stop(String key, Running engine, boolean deleted) {
    try {
      engine.engine().close();
    } catch (IOException e) {
      LOG.warn("cdc rule {}: engine did not close cleanly: {}", key, e.toString());
    }
    running.remove(key);
    if (deleted) {
      dropSlot(key, engine.slot());
    }
  }

  /** Drops the rule's replication slot and publication, so PostgreSQL stops keeping WAL for it. */
  static void dropSlot(String rule, Slot slot) {
    JsonNode endpoint = slot.endpoint();
    String url =
        "jdbc:postgresql://"
            + endpoint.path("hostname").asText("127.0.0.1")
            + ":"
            + endpoint.path("port").asText("5432")
            + "/"
            + endpoint.path("dbname").asText("postgres");
    for (int attempt = 1; attempt <= 10; attempt++) {
      try (Connection db =
              DriverManager.getConnection(
                  url, endpoint.path("user").asText("postgres"), password(endpoint));
          PreparedStatement drop =
              db.prepareStatement(
                  "select pg_drop_replication_slot(slot_name) from pg_replication_slots"
                      + " where slot_name = ? and not active");
          Statement publication = db.createStatement()) {
        drop.setString(1, slot.name());
        drop.execute();
        publication.execute("drop publication if exists " + slot.name());
        try (PreparedStatement check =
            db.prepareStatement("select 1 from pg_replication_slots where slot_name = ?")) {
          check.setString(1, slot.name());
          if (!check.executeQuery().next()) {
            LOG.info("cdc rule {} deleted: dropped slot and publication {}", rule, slot.name());
            return;
          }
        }
        if (attempt >= 3) {
          endOrphanedSender(db, rule, slot);
        }
      } catch (SQLException e) {
        LOG.warn("cdc rule {}: cannot drop slot {} yet: {}", rule, slot.name(), e.getMessage());
      }
      try {
        Thread.sleep(500L * attempt); // the engine's connection may still hold the slot
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.error("cdc rule {}: slot {} could not be dropped; drop it by hand", rule, slot.name());
  }

  /**
   * Ends the server process still streaming a deleted rule's slot. The engine is closed by now, but
   * PostgreSQL notices a dropped replication connection only after {@code wal_sender_timeout} (a
   * minute by default), and until then the slot stays active and cannot be dropped.
   */
  private static void endOrphanedSender(Connection db, String rule, Slot slot) throws SQLException {
    try (PreparedStatement end =
        db.prepareStatement(
            "select pg_terminate_backend(active_pid) from pg_replication_slots"
                + " where slot_name = ? and active")) {
      end.setString(1, slot.name());
      try (ResultSet ended = end.executeQuery()) {
        if (ended.next()) {
          LOG.warn(
              "cdc rule {} deleted: slot {} was still streaming to a closed engine; ended that"
                  + " server process",
              rule,
              slot.name());
        }
      }
    }
  }

  /** A slot and publication name: lowercase letters, digits and underscores, at most 63. */
  static String slotName(RuleBook.Route route) {
    String base =
        ("kedge_" + route.namespace() + "_" + route.name())
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9_]", "_");
    String hash = Integer.toHexString(route.ruleKey().hashCode() & 0x7fffffff);
    return (base.length() > 50 ? base.substring(0, 50) : base) + "_" + hash;
  }

  private static String password(JsonNode endpoint) {
    String file = endpoint.path("password_file").asText("");
    if (file.isEmpty()) {
      return endpoint.path("password").asText("");
    }
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of(file)).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cdc endpoint password_file " + file + " is unreadable", e);
    }
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    for (String key : List.copyOf(running.keySet())) {
      stop(key, running.get(key), false); // kedge stops; the rules stay: keep their slots
    }
    engines.shutdown();
  }
}
