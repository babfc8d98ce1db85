package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Sends are held and reach the Kafka producer in order, whole, before every step that needs them.
 */
class BurstingProducerTest {
  private final MockProducer<byte[], byte[]> kafka =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

  private static ProducerRecord<byte[], byte[]> record(int n) {
    return new ProducerRecord<>("kedge.node.node-" + n, ("v" + n).getBytes());
  }

  private List<String> handedOver() {
    return kafka.history().stream().map(ProducerRecord::topic).toList();
  }

  @Test
  void holdsSendsUntilABurstIsFullThenHandsThemOverInOrder() throws Exception {
    BurstingProducer producer = new BurstingProducer(kafka, 3);
    Future<RecordMetadata> first = producer.send(record(0));
    producer.send(record(1));
    assertThat(handedOver()).isEmpty();
    assertThat(first).isNotDone();

    producer.send(record(2));
    assertThat(handedOver())
        .containsExactly("kedge.node.node-0", "kedge.node.node-1", "kedge.node.node-2");
    assertThat(first.get().topic()).isEqualTo("kedge.node.node-0");
  }

  @Test
  void flushHandsOverWhatIsHeldAndCallbacksHearTheResult() {
    BurstingProducer producer = new BurstingProducer(kafka, 100);
    List<String> acknowledged = new ArrayList<>();
    for (int n = 0; n < 5; n++) {
      producer.send(record(n), (metadata, error) -> acknowledged.add(metadata.topic()));
    }
    assertThat(acknowledged).isEmpty();
    producer.flush();
    assertThat(handedOver()).hasSize(5);
    assertThat(acknowledged).hasSize(5).containsExactlyElementsOf(handedOver());
    assertThat(kafka.flushed()).isTrue();
  }

  @Test
  @SuppressWarnings("removal") // a group's metadata comes from a consumer; none is needed here
  void aCommittedTransactionHoldsEverySendMadeInIt() {
    BurstingProducer producer = new BurstingProducer(kafka, 100);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(record(0));
    producer.send(record(1));
    producer.sendOffsetsToTransaction(
        Map.of(), new ConsumerGroupMetadata("router", 1, "member", Optional.empty()));
    producer.send(record(2));
    producer.commitTransaction();

    assertThat(kafka.transactionCommitted()).isTrue();
    assertThat(handedOver()).hasSize(3);
    assertThat(kafka.uncommittedRecords()).isEmpty();
  }

  @Test
  void anAbortedTransactionTakesItsHeldSendsWithIt() {
    BurstingProducer producer = new BurstingProducer(kafka, 100);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(record(0));
    producer.abortTransaction();
    producer.beginTransaction();
    producer.send(record(1));
    producer.commitTransaction();

    assertThat(kafka.transactionCommitted()).isTrue();
    assertThat(handedOver()).containsExactly("kedge.node.node-1");
  }

  @Test
  void aSendThatFailsAtHandOverFailsItsRecordAndTheRestAndIsRethrown() {
    BurstingProducer producer = new BurstingProducer(kafka, 100);
    List<Exception> failures = new ArrayList<>();
    List<String> failedTopics = new ArrayList<>();
    Future<RecordMetadata> sent =
        producer.send(
            record(0),
            (metadata, error) -> {
              failures.add(error);
              failedTopics.add(metadata.topic());
            });
    producer.send(record(1), (metadata, error) -> failures.add(error));
    KafkaException fenced = new KafkaException("producer fenced");
    kafka.sendException = fenced;

    assertThatThrownBy(producer::flush).isSameAs(fenced);
    assertThat(failures).containsExactly(fenced, fenced);
    assertThat(failedTopics)
        .as("callbacks get the record's topic")
        .containsExactly("kedge.node.node-0");
    assertThatThrownBy(sent::get).isInstanceOf(ExecutionException.class).hasCause(fenced);

    kafka.sendException = null;
    producer.flush();
    assertThat(handedOver()).as("failed sends are not sent again").isEmpty();
  }

  @Test
  void aSendFromACallbackGoesIntoTheNextBurst() {
    BurstingProducer producer = new BurstingProducer(kafka, 100);
    producer.send(record(0), (metadata, error) -> producer.send(record(9)));
    producer.flush();
    assertThat(handedOver()).containsExactly("kedge.node.node-0");
    producer.flush();
    assertThat(handedOver()).containsExactly("kedge.node.node-0", "kedge.node.node-9");
  }

  @Test
  void closingHandsOverWhatIsHeld() {
    BurstingProducer producer = new BurstingProducer(kafka, 100);
    producer.send(record(0));
    producer.close();
    assertThat(handedOver()).containsExactly("kedge.node.node-0");
    assertThat(kafka.closed()).isTrue();
  }

  @Test
  void aBurstIsAtLeastOneSend() {
    assertThatThrownBy(() -> new BurstingProducer(kafka, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("burst must be at least 1, was 0");
  }
}
