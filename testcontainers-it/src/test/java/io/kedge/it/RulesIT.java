package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.kedge.cloud.rules.Rules;
import io.kedge.cloud.rules.RulesConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.it.env.ScenarioEnvironment;
import io.kedge.it.env.ScenarioPostgres;
import io.kedge.kube.objects.RuleManifests;
import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventCodec;
import io.kedge.testkit.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rules end to end, KubeEdge's YAML: cloud REST → edge MQTT (also while the node is offline) and
 * edge MQTT → cloud REST (with retries, dead letters and exact counters in the Rule status).
 */
class RulesIT {
  private static final String NODE = "edge-1";
  private static final int MESSAGES = 1_000;
  private final HttpClient http = HttpClient.newHttpClient();

  /** Holds the slow edge service's answer back; released when the test ends. */
  private final java.util.concurrent.CountDownLatch slowService =
      new java.util.concurrent.CountDownLatch(1);

  @ParameterizedTest(name = "eventbus {0}")
  @ValueSource(strings = {"embedded", "external"})
  void messagesFlowBothWaysWithExactCountsAcrossALinkCut(String eventbus, @TempDir Path tmp)
      throws Exception {
    Map<String, Object> flags = eventbusFlags(eventbus);
    long started = System.nanoTime();
    List<String> targetBodies = new CopyOnWriteArrayList<>();
    AtomicInteger failingCalls = new AtomicInteger();
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext(
        "/in",
        exchange -> {
          targetBodies.add(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    target.createContext(
        "/down",
        exchange -> {
          failingCalls.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    target.createContext(
        "/echo",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          byte[] answer =
              (exchange.getRequestMethod() + " echo:" + new String(body, StandardCharsets.UTF_8))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("X-Echo", "yes");
          exchange.getResponseHeaders().add("X-Path", exchange.getRequestURI().toString());
          exchange.sendResponseHeaders(201, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    target.createContext(
        "/slow",
        exchange -> {
          try { // a service slower than the ingress waits: answers after the test is done
            slowService.await(6, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    target.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    target.start();
    String targetUrl = "http://127.0.0.1:" + target.getAddress().getPort();
    try (CloudEnvironment cloud = new CloudEnvironment("rules", tmp);
        Rules rules =
            Rules.start(
                RulesConfig.defaults("127.0.0.1", 0)
                    .withDelivery(3, Duration.ofMillis(50), Duration.ofSeconds(5))
                    .withServicebusTimeout(Duration.ofSeconds(3)),
                cloud.kafka.clientConfig(),
                cloud.topics,
                "it",
                new SimpleMeterRegistry())) {
      cloud.apply(CloudEnvironment.node(NODE));
      cloud.apply(endpoint("rest-in", "rest"));
      cloud.apply(endpoint("mqtt", "eventbus"));
      cloud.apply(endpoint("rest-out", "rest"));
      String greetings = cloud.prefix + "/greetings";
      String temp = cloud.prefix + "/sensors/temp";
      String broken = cloud.prefix + "/sensors/broken";
      cloud.apply(restToEventbus("greet", "/greet", greetings));
      ObjectNode kubeEdgeAnswer = endpoint("rest-kubeedge", "rest");
      kubeEdgeAnswer.withObject("spec").withObject("properties").put("answer", "kubeedge");
      cloud.apply(kubeEdgeAnswer);
      ObjectNode greet200 = rule("greet200", "rest-kubeedge", "mqtt");
      greet200.withObject("spec").putObject("sourceResource").put("path", "/greet200");
      greet200.withObject("spec").putObject("targetResource").put("topic", greetings);
      cloud.apply(greet200);
      cloud.apply(eventbusToRest("temperature", temp, targetUrl + "/in"));
      ObjectNode service = endpoint("svc", "servicebus");
      service
          .withObject("spec")
          .withObject("properties")
          .put("service_port", Integer.toString(target.getAddress().getPort()));
      cloud.apply(service);
      cloud.apply(restToService("call", "/call", "/echo"));
      cloud.apply(restToService("slow", "/slow-call", "/slow"));
      cloud.apply(eventbusToRest("broken", broken, targetUrl + "/down"));
      String ingress = "http://127.0.0.1:" + rules.ingressPort();

      try (EdgeNode edge =
          EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge"), flags), "test")) {
        Awaitility.await("edge connected, rules loaded")
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    edge.linkState() == LinkState.CONNECTED
                        && rules.unreadyReason() == null
                        && rules.book().restRoute("default", "/greet").isPresent()
                        && rules.book().restRoute("default", "/slow-call").isPresent()
                        && edge.eventbus().subscriptions().contains("default/" + temp));

        // refusals: unknown node, unanchored path, too large a body
        assertThat(post(ingress + "/nope/default/greet", "x").statusCode()).isEqualTo(404);
        HttpResponse<String> prefix = post(ingress + "/" + NODE + "/default/greetingsx", "x");
        assertThat(prefix.statusCode()).isEqualTo(404);
        assertThat(prefix.body()).contains("no rule in namespace default");
        assertThat(post(ingress + "/" + NODE + "/default/greet", "x".repeat(13 << 20)).statusCode())
            .isEqualTo(413);
        // within rules.max-body but more than Kafka takes in a record: 413, counted as failed
        HttpResponse<String> overKafka =
            post(ingress + "/" + NODE + "/default/greet", "x".repeat(2 << 20));
        assertThat(overKafka.statusCode()).isEqualTo(413);
        assertThat(overKafka.body()).contains("max.request.size");

        // rest -> servicebus: the edge service's status, headers and body answer the caller
        HttpResponse<String> echoed = post(ingress + "/" + NODE + "/default/call", "ping");
        assertThat(echoed.statusCode()).as(echoed.body()).isEqualTo(201);
        assertThat(echoed.body()).isEqualTo("POST echo:ping");
        assertThat(echoed.headers().firstValue("X-Echo")).hasValue("yes");
        assertThat(echoed.headers().firstValue("X-Path")).hasValue("/echo");
        // KubeEdge 1.7+: a sub-path after the rule's path (and the query) reach the service
        HttpResponse<String> below =
            post(ingress + "/" + NODE + "/default/call/orders/7?verbose=1", "ping");
        assertThat(below.statusCode()).as(below.body()).isEqualTo(201);
        assertThat(below.headers().firstValue("X-Path")).hasValue("/echo/orders/7?verbose=1");
        HttpResponse<String> slow = post(ingress + "/" + NODE + "/default/slow-call", "zzz");
        assertThat(slow.statusCode()).isEqualTo(504);
        assertThat(slow.body()).contains("did not answer within 3 s");

        // a rest endpoint with answer: kubeedge answers as KubeEdge's router: 200 "message
        // delivered"
        Awaitility.await("the kubeedge-answer rule loaded")
            .atMost(Duration.ofSeconds(30))
            .until(() -> rules.book().restRoute("default", "/greet200").isPresent());
        List<String> early = new CopyOnWriteArrayList<>();
        MqttClient earlyApp = collecting(edge.mqttUrl(), greetings, early);
        HttpResponse<String> delivered = post(ingress + "/" + NODE + "/default/greet200", "x");
        assertThat(delivered.statusCode()).isEqualTo(200);
        assertThat(delivered.body()).isEqualTo("message delivered");
        assertThat(delivered.headers().firstValue("X-Kedge-Message-Id")).isPresent();
        Awaitility.await("delivered")
            .atMost(Duration.ofSeconds(30))
            .until(() -> early.contains("x"));
        earlyApp.disconnect();
        earlyApp.close();

        // KubeEdge 1.7+: a sub-path after the rule's path continues the eventbus topic
        List<String> room = new CopyOnWriteArrayList<>();
        MqttClient roomApp = collecting(edge.mqttUrl(), greetings + "/room-1", room);
        assertThat(post(ingress + "/" + NODE + "/default/greet/room-1", "hi room").statusCode())
            .isEqualTo(202);
        Awaitility.await("delivered on <topic>/room-1")
            .atMost(Duration.ofSeconds(30))
            .until(() -> room.contains("hi room"));
        roomApp.disconnect();
        roomApp.close();

        // cloud REST -> edge MQTT, 1,000 messages, while the cloud link is cut: all accepted (202,
        // durable in Kafka), none delivered until the link is back, then each exactly once
        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient app = collecting(edge.mqttUrl(), greetings, received);
        cloud.link.cut();
        Awaitility.await("link down")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.DISCONNECTED);
        for (int i = 0; i < MESSAGES; i++) {
          HttpResponse<String> response =
              post(ingress + "/" + NODE + "/default/greet", "hello-" + i);
          assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
          if (i == 0) {
            assertThat(
                    EventCodec.readJson(response.body().getBytes(StandardCharsets.UTF_8))
                        .path("messageId")
                        .asText())
                .isNotEmpty();
          }
        }
        Awaitility.await("nothing delivered while the link is cut")
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(5))
            .until(received::isEmpty);
        cloud.link.restore();
        Awaitility.await(MESSAGES + " messages on the edge eventbus")
            .atMost(Duration.ofSeconds(120))
            .until(() -> received.size() >= MESSAGES);
        Awaitility.await("no message twice")
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(5))
            .until(() -> received.size() == MESSAGES);
        assertThat(received).hasSize(MESSAGES).doesNotHaveDuplicates();
        assertThat(received.get(0)).isEqualTo("hello-0");
        assertThat(received.get(MESSAGES - 1)).isEqualTo("hello-" + (MESSAGES - 1));

        // rest rules count exactly too: each stored message, answered call, failure and timeout
        Awaitility.await("rest rules' counts")
            .atMost(Duration.ofSeconds(30))
            .until(() -> status("greet", rules).path("successMessages").asLong() == MESSAGES + 1);
        assertThat(status("greet", rules).path("failMessages").asLong()).isEqualTo(1);
        assertThat(status("greet", rules).path("errors").get(0).asText())
            .contains("max.request.size");
        assertThat(status("greet200", rules).path("successMessages").asLong()).isEqualTo(1);
        assertThat(status("call", rules).path("successMessages").asLong()).isEqualTo(2);
        assertThat(status("call", rules).path("failMessages").asLong()).isZero();
        assertThat(status("slow", rules).path("successMessages").asLong()).isZero();
        assertThat(status("slow", rules).path("failMessages").asLong()).isEqualTo(1);

        // edge MQTT -> cloud REST, 1,000 messages: each POSTed once, counted in the Rule status
        for (int i = 0; i < MESSAGES; i++) {
          MqttMessage message =
              new MqttMessage(("{\"t\":" + i + "}").getBytes(StandardCharsets.UTF_8));
          message.setQos(1);
          app.publish("default/" + temp, message);
        }
        Awaitility.await(MESSAGES + " POSTs at the target")
            .atMost(Duration.ofSeconds(120))
            .until(() -> targetBodies.size() >= MESSAGES);
        Awaitility.await("status counts")
            .atMost(Duration.ofSeconds(30))
            .until(() -> status("temperature", rules).path("successMessages").asLong() == MESSAGES);
        assertThat(targetBodies).hasSize(MESSAGES).doesNotHaveDuplicates();
        assertThat(status("temperature", rules).path("failMessages").asLong()).isZero();

        // a target that keeps failing: retried, then dead-lettered, and counted as failures
        for (int i = 0; i < 3; i++) {
          MqttMessage message = new MqttMessage(("b" + i).getBytes(StandardCharsets.UTF_8));
          message.setQos(1);
          app.publish("default/" + broken, message);
        }
        Awaitility.await("failures counted")
            .atMost(Duration.ofSeconds(60))
            .until(() -> status("broken", rules).path("failMessages").asLong() == 3);
        assertThat(failingCalls.get()).isEqualTo(3 * 3);
        assertThat(status("broken", rules).path("errors").get(0).asText()).contains("answered 503");
        List<ConsumerRecord<String, byte[]>> letters = deadLetters(cloud, 3);
        assertThat(letters).hasSize(3);
        assertThat(DeadLetter.header(letters.get(0).headers(), DeadLetter.COMPONENT))
            .isEqualTo("rules/default/broken");
        app.disconnect();
        app.close();
      }
      System.out.printf(
          "rules: rest->eventbus %d, eventbus->rest %d, lost 0, duplicated 0, dead letters 3,"
              + " time=%.1fs%n",
          MESSAGES, MESSAGES, (System.nanoTime() - started) / 1e9);
    } finally {
      slowService.countDown();
      target.stop(0);
    }
  }

  @ParameterizedTest(name = "eventbus {0}")
  @ValueSource(strings = {"embedded", "external"})
  void kafkaEndpointsCarryMessagesExactlyOnce(String eventbus, @TempDir Path tmp) throws Exception {
    Map<String, Object> flags = eventbusFlags(eventbus);
    int count = 100;
    try (CloudEnvironment cloud = new CloudEnvironment("rules-kafka", tmp);
        Rules rules =
            Rules.start(
                RulesConfig.defaults("127.0.0.1", 0),
                cloud.kafka.clientConfig(),
                cloud.topics,
                "it",
                new SimpleMeterRegistry())) {
      String events = cloud.prefix + ".app-events";
      String sink = cloud.prefix + ".app-sink";
      try (org.apache.kafka.clients.admin.Admin admin =
          org.apache.kafka.clients.admin.Admin.create(cloud.kafka.clientConfig())) {
        admin
            .createTopics(
                List.of(
                    new org.apache.kafka.clients.admin.NewTopic(events, 1, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic(sink, 1, (short) 1)))
            .all()
            .get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      cloud.apply(CloudEnvironment.node(NODE));
      cloud.apply(endpoint("kafka", "kafka"));
      cloud.apply(endpoint("mqtt", "eventbus"));
      cloud.apply(endpoint("rest-in", "rest"));
      ObjectNode fromKafka = rule("from-kafka", "kafka", "mqtt");
      fromKafka
          .withObject("spec")
          .putObject("sourceResource")
          .put("topic", events)
          .put("node_name", NODE);
      String fromKafkaTopic = cloud.prefix + "/from-kafka";
      String toKafkaTopic = cloud.prefix + "/to-kafka";
      fromKafka.withObject("spec").putObject("targetResource").put("topic", fromKafkaTopic);
      cloud.apply(fromKafka);
      ObjectNode toKafka = rule("to-kafka", "mqtt", "kafka");
      toKafka
          .withObject("spec")
          .putObject("sourceResource")
          .put("topic", toKafkaTopic)
          .put("node_name", NODE);
      toKafka.withObject("spec").putObject("targetResource").put("topic", sink);
      cloud.apply(toKafka);
      ObjectNode store = rule("store", "rest-in", "kafka");
      store.withObject("spec").putObject("sourceResource").put("path", "/store");
      store.withObject("spec").putObject("targetResource").put("topic", sink);
      cloud.apply(store);

      try (EdgeNode edge =
          EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge"), flags), "test")) {
        Awaitility.await("edge connected, rules loaded")
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    edge.linkState() == LinkState.CONNECTED
                        && rules.unreadyReason() == null
                        && rules.book().restRoute("default", "/store").isPresent()
                        && rules.book().kafkaSourceRoutes().size() == 1
                        && edge.eventbus().subscriptions().contains("default/" + toKafkaTopic));
        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient app = collecting(edge.mqttUrl(), fromKafkaTopic, received);
        Awaitility.await("the bridge follows the source topic")
            .atMost(Duration.ofSeconds(30))
            .until(() -> rules.kafkaSources().sourceTopics().contains(events));
        try (var producer =
            new org.apache.kafka.clients.producer.KafkaProducer<String, String>(
                Map.of("bootstrap.servers", cloud.kafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
          for (int i = 0; i < count; i++) {
            producer.send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(events, "k", "e" + i));
          }
        }
        Awaitility.await("kafka -> eventbus")
            .atMost(Duration.ofSeconds(60))
            .until(() -> received.size() >= count);
        for (int i = 0; i < count; i++) {
          MqttMessage message = new MqttMessage(("m" + i).getBytes(StandardCharsets.UTF_8));
          message.setQos(1);
          app.publish("default/" + toKafkaTopic, message);
        }
        for (int i = 0; i < 10; i++) {
          assertThat(
                  post(
                          "http://127.0.0.1:" + rules.ingressPort() + "/" + NODE + "/default/store",
                          "r" + i)
                      .statusCode())
              .isEqualTo(202);
        }
        List<String> stored = readAll(cloud, sink, count + 10);
        assertThat(stored).hasSize(count + 10).doesNotHaveDuplicates();
        Awaitility.await("status counts")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    status("from-kafka", rules).path("successMessages").asLong() == count
                        && status("to-kafka", rules).path("successMessages").asLong() == count);
        Awaitility.await("no record twice")
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(5))
            .until(() -> received.size() == count);
        assertThat(received).hasSize(count).doesNotHaveDuplicates();
        app.disconnect();
        app.close();
      }
    }
  }

  @ParameterizedTest(name = "eventbus {0}")
  @ValueSource(strings = {"embedded", "external"})
  void cdcRowChangesReachAnEdgeSubscriberAndADeletedRuleDropsItsSlot(
      String eventbus, @TempDir Path tmp) throws Exception {
    Map<String, Object> flags = eventbusFlags(eventbus);
    try (ScenarioPostgres pg = ScenarioEnvironment.current().postgres();
        CloudEnvironment cloud = new CloudEnvironment("rules-cdc", tmp);
        Rules rules =
            Rules.start(
                RulesConfig.defaults("127.0.0.1", 0),
                cloud.kafka.clientConfig(),
                cloud.topics,
                "it",
                new SimpleMeterRegistry())) {
      try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
          Statement sql = db.createStatement()) {
        sql.execute("create table readings (id serial primary key, node text, value numeric)");
        sql.execute("alter table readings replica identity full"); // deletes carry the node
        sql.execute(
            "create table workloads (id serial primary key, name text, node text, body jsonb)");
        sql.execute("alter table workloads replica identity full");
      }
      cloud.apply(CloudEnvironment.node(NODE));
      ObjectNode database = endpoint("db", "cdc");
      database
          .withObject("spec")
          .withObject("properties")
          .put("hostname", pg.host())
          .put("port", Integer.toString(pg.port()))
          .put("dbname", "postgres")
          .put("user", "postgres");
      cloud.apply(database);
      cloud.apply(endpoint("mqtt", "eventbus"));
      ObjectNode rule = rule("readings", "db", "mqtt");
      rule.withObject("spec")
          .putObject("sourceResource")
          .put("table", "public.readings")
          .put("node_column", "node");
      String readings = cloud.prefix + "/readings";
      rule.withObject("spec").putObject("targetResource").put("topic", readings);
      cloud.apply(rule);
      // rows -> resources: each row is a pod, placed on the node its column names
      cloud.apply(endpoint("resources", "kafka"));
      ObjectNode workloads = rule("workloads", "db", "resources");
      workloads
          .withObject("spec")
          .putObject("sourceResource")
          .put("table", "public.workloads")
          .put("mode", "resources")
          .put("object_column", "body")
          .put("name_column", "name")
          .put("node_column", "node");
      workloads
          .withObject("spec")
          .putObject("targetResource")
          .put("topic", cloud.topics.resources().name());
      cloud.apply(workloads);

      try (EdgeNode edge =
          EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge"), flags), "test")) {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        Awaitility.await("edge connected, cdc streaming")
            .atMost(Duration.ofSeconds(120))
            .until(
                () ->
                    edge.linkState() == LinkState.CONNECTED
                        && edge.eventbus().connected()
                        && slotsActive(pg) == 2);
        MqttClient app =
            MqttClients.subscribed(
                edge.mqttUrl(),
                TestNames.unique("app"),
                readings,
                (t, m) -> received.add(EventCodec.readJson(m.getPayload())));
        try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
            Statement sql = db.createStatement()) {
          sql.execute("insert into readings (node, value) values ('" + NODE + "', 21.5)");
          sql.execute("update readings set value = 22.0");
          sql.execute("delete from readings");
        }
        Awaitility.await("three row changes on the edge eventbus")
            .atMost(Duration.ofSeconds(60))
            .until(() -> received.size() >= 3);
        assertThat(received).extracting(j -> j.path("op").asText()).containsExactly("c", "u", "d");
        assertThat(received.get(0).path("table").asText()).isEqualTo("public.readings");
        assertThat(received.get(1).path("after").path("value").asText()).isEqualTo("22.0");
        assertThat(received.get(2).path("before").path("node").asText()).isEqualTo(NODE);
        app.disconnect();
        app.close();

        String body =
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"default\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}}";
        try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
            Statement sql = db.createStatement()) {
          sql.execute(
              "insert into workloads (name, node, body) values ('from-db', '"
                  + NODE
                  + "', '"
                  + body
                  + "')");
        }
        Awaitility.await("the row's pod on the edge")
            .atMost(Duration.ofSeconds(60))
            .until(() -> podNames(edge).contains("from-db"));
        try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
            Statement sql = db.createStatement()) {
          sql.execute("delete from workloads");
        }
        Awaitility.await("the pod gone with its row")
            .atMost(Duration.ofSeconds(60))
            .until(() -> !podNames(edge).contains("from-db"));
        cloud.delete(workloads);

        cloud.delete(rule);
        Awaitility.await("slot and publication dropped")
            .atMost(Duration.ofSeconds(60))
            .until(() -> !slotActive(pg, false) && !publicationExists(pg));
      }
    }
  }

  private static List<String> podNames(EdgeNode edge) {
    return edge.view().objectsOf("", "Pod").stream().map(p -> p.key().name()).toList();
  }

  /** Whether a kedge replication slot exists ({@code active}: and is in use). */
  private static int slotsActive(ScenarioPostgres pg) throws Exception {
    try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
        Statement sql = db.createStatement();
        ResultSet rows =
            sql.executeQuery(
                "select count(*) from pg_replication_slots where slot_name like 'kedge_%' and active")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static boolean slotActive(ScenarioPostgres pg, boolean active) throws Exception {
    try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
        Statement sql = db.createStatement();
        ResultSet rows =
            sql.executeQuery(
                "select active from pg_replication_slots where slot_name like 'kedge_%'")) {
      return rows.next() && (!active || rows.getBoolean(1));
    }
  }

  private static boolean publicationExists(ScenarioPostgres pg) throws Exception {
    try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
        Statement sql = db.createStatement();
        ResultSet rows =
            sql.executeQuery("select 1 from pg_publication where pubname like 'kedge_%'")) {
      return rows.next();
    }
  }

  private static List<String> readAll(CloudEnvironment cloud, String topic, int n) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cloud.kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                TestNames.unique("sink"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      Awaitility.await(n + " records in " + topic)
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
                return values.size() >= n;
              });
      consumer
          .poll(Duration.ofSeconds(1))
          .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
    }
    return values;
  }

  /** Edge flags for an eventbus run; skips the external runs where no Mosquitto runs. */
  private static Map<String, Object> eventbusFlags(String eventbus) {
    return eventbus.equals("external")
        ? Map.of("eventbus.url", ScenarioEnvironment.current().mqttUrl())
        : Map.of();
  }

  private HttpResponse<String> post(String url, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode status(String rule, Rules rules) {
    return rules.book().rule("default", rule).map(r -> r.path("status")).orElseThrow();
  }

  private static List<ConsumerRecord<String, byte[]>> deadLetters(CloudEnvironment cloud, int n) {
    List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cloud.kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                TestNames.unique("dlq"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(cloud.topics.deadletter().name()));
      Awaitility.await("dead letters")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(letters::add);
                return letters.size() >= n;
              });
    }
    return letters;
  }

  private static ObjectNode endpoint(String name, String type) {
    return RuleManifests.endpoint("default", name, type);
  }

  /** A rule without resources yet; the tests add them. */
  private static ObjectNode rule(String name, String source, String target) {
    return RuleManifests.rule("default", name, source, Map.of(), target, Map.of());
  }

  private static ObjectNode restToEventbus(String name, String path, String topic) {
    ObjectNode rule = rule(name, "rest-in", "mqtt");
    rule.withObject("spec").putObject("sourceResource").put("path", path);
    rule.withObject("spec").putObject("targetResource").put("topic", topic);
    return rule;
  }

  private static ObjectNode restToService(String name, String path, String servicePath) {
    ObjectNode rule = rule(name, "rest-in", "svc");
    rule.withObject("spec").putObject("sourceResource").put("path", path);
    rule.withObject("spec").putObject("targetResource").put("path", servicePath);
    return rule;
  }

  private static ObjectNode eventbusToRest(String name, String topic, String url) {
    ObjectNode rule = rule(name, "mqtt", "rest-out");
    rule.withObject("spec").putObject("sourceResource").put("topic", topic).put("node_name", NODE);
    rule.withObject("spec").putObject("targetResource").put("resource", url);
    return rule;
  }

  /**
   * An app on the edge eventbus that adds each message on {@code filter}, as text, to {@code into}.
   */
  private static MqttClient collecting(String url, String filter, List<String> into)
      throws Exception {
    return MqttClients.subscribed(
        url,
        TestNames.unique("app"),
        filter,
        (t, m) -> into.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
  }
}
