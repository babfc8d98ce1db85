package io.kedge.cloud.rules;

import static io.kedge.cloud.rules.RuleObjects.endpoint;
import static io.kedge.cloud.rules.RuleObjects.node;
import static io.kedge.cloud.rules.RuleObjects.restToEventbus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A REST rule's message and the Rule status that counts it commit in one transaction: what
 * committed is counted exactly, what aborted is not counted as delivered but as failed, and the
 * failure's count survives the abort into the next transaction.
 */
class IngressCommitsTest {
  private static final String RESOURCES = "kedge.resources";

  private final RuleBook book = new RuleBook();
  private final EventCodec codec = new EventCodec();
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private IngressCommits commits;
  private RuleBook.Route greet;

  @BeforeEach
  void start() {
    for (ObjectNode o :
        List.of(
            node("edge-1"),
            endpoint("default", "rest-in", "rest"),
            endpoint("default", "mqtt", "eventbus"),
            restToEventbus("default", "greet", "rest-in", "mqtt", "/greet", "t"))) {
      book.apply(ObjectKey.of(o), o);
    }
    greet = book.restRoute("default", "/greet").orElseThrow().route();
    commits =
        new IngressCommits(
                () -> producer,
                new RuleCounters(book, codec, RESOURCES, new SimpleMeterRegistry()),
                64 * 1024)
            .start();
  }

  @AfterEach
  void stop() {
    commits.close();
  }

  @Test
  void everyCommittedMessageIsCountedInItsOwnTransaction() throws Exception {
    for (int i = 0; i < 50; i++) {
      commits.store(message("m" + i), greet).get(10, TimeUnit.SECONDS);
    }

    List<ProducerRecord<String, byte[]>> sent = producer.history();
    assertThat(sent.stream().filter(r -> r.topic().equals("kedge.node.edge-1"))).hasSize(50);
    // each committed transaction ends with the status counting everything committed so far
    long messages = 0;
    for (ProducerRecord<String, byte[]> record : sent) {
      if (record.topic().equals(RESOURCES)) {
        assertThat(status(record).path("successMessages").asLong()).isEqualTo(messages);
      } else {
        messages++;
      }
    }
    assertThat(status(sent.get(sent.size() - 1)).path("successMessages").asLong()).isEqualTo(50);
    assertThat(producer.commitCount()).isEqualTo(sent.stream().filter(this::isStatus).count());
  }

  @Test
  void anAbortedMessageFailsItsRequestAndIsCountedAsFailedOnceKafkaIsBack() throws Exception {
    commits.store(message("before"), greet).get(10, TimeUnit.SECONDS);
    producer.commitTransactionException = new KafkaException("the broker went away");

    CompletableFuture<Void> lost = commits.store(message("lost"), greet);

    assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("the broker went away");
    producer.commitTransactionException = null;
    Awaitility.await("the failure counted")
        .atMost(Duration.ofSeconds(10))
        .until(() -> lastStatus().path("failMessages").asLong() == 1);
    JsonNode status = lastStatus();
    assertThat(status.path("successMessages").asLong()).isEqualTo(1);
    assertThat(status.path("errors").get(0).asText()).contains("the broker went away");
    assertThat(producer.history().stream().filter(r -> !isStatus(r))).hasSize(1);
  }

  @Test
  void aMessageLargerThanARecordIsRefusedAloneAndCounted() throws Exception {
    CompletableFuture<Void> neighbour = commits.store(message("small"), greet);
    CompletableFuture<Void> large =
        commits.store(new ProducerRecord<>("kedge.node.edge-1", "big", new byte[64 * 1024]), greet);

    assertThatThrownBy(() -> large.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RecordTooLargeException.class)
        .hasMessageContaining("max.request.size");
    neighbour.get(10, TimeUnit.SECONDS);
    Awaitility.await("both counted")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lastStatus().path("failMessages").asLong() == 1
                    && lastStatus().path("successMessages").asLong() == 1);
  }

  @Test
  void anOutcomeThatStoresNothingIsCountedToo() throws Exception {
    commits.count(greet, null).get(10, TimeUnit.SECONDS);
    commits.count(greet, "no answer within the timeout").get(10, TimeUnit.SECONDS);

    Awaitility.await("counted")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lastStatus().path("successMessages").asLong() == 1
                    && lastStatus().path("failMessages").asLong() == 1);
  }

  @Test
  void whileKafkaCannotBeReachedMessagesAreRefusedAndCountedOnceItIs() throws Exception {
    MockProducer<String, byte[]> unreachable =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    unreachable.initTransactionException = new KafkaException("no broker answers");
    MockProducer<String, byte[]> reachable =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    java.util.Iterator<MockProducer<String, byte[]>> producers =
        List.of(unreachable, reachable).iterator();
    try (IngressCommits starting =
        new IngressCommits(
                producers::next,
                new RuleCounters(book, codec, RESOURCES, new SimpleMeterRegistry()),
                64 * 1024)
            .start()) {
      CompletableFuture<Void> refused = starting.store(message("early"), greet);

      assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
          .hasMessageContaining("cannot be reached");
      Awaitility.await("the failure counted once Kafka answers")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  reachable.history().stream()
                      .filter(this::isStatus)
                      .anyMatch(r -> status(r).path("failMessages").asLong() == 1));
      assertThat(reachable.history().stream().filter(r -> !isStatus(r))).isEmpty();
    }
  }

  private ProducerRecord<String, byte[]> message(String id) {
    return new ProducerRecord<>("kedge.node.edge-1", id, id.getBytes());
  }

  private boolean isStatus(ProducerRecord<String, byte[]> record) {
    return record.topic().equals(RESOURCES);
  }

  private JsonNode lastStatus() {
    List<ProducerRecord<String, byte[]>> sent = producer.history();
    for (int i = sent.size() - 1; i >= 0; i--) {
      if (isStatus(sent.get(i))) {
        return status(sent.get(i));
      }
    }
    return EventCodec.json().createObjectNode();
  }

  private JsonNode status(ProducerRecord<String, byte[]> record) {
    try {
      ResourceUpsert upsert =
          (ResourceUpsert) codec.decode(record.headers(), record.value()).data();
      return upsert.object().path("status");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
