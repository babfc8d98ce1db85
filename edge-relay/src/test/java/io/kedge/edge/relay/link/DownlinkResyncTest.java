package io.kedge.edge.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncRequest;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DownlinkResyncTest {
  private final EventCodec codec = new EventCodec();
  private final DownlinkResync resync = new DownlinkResync("edge-1", codec);

  @Test
  void aWantedResyncIsTakenOnceAndNotWhileOneIsUnderWay() {
    assertThat(resync.takeWanted()).isNull();
    resync.want("the log is damaged");
    assertThat(resync.takeWanted()).isEqualTo("the log is damaged");
    assertThat(resync.takeWanted()).isNull();

    resync.begin("the log is new");
    resync.want("again");
    assertThat(resync.takeWanted()).as("one is under way").isNull();
  }

  @Test
  void completesOnceEveryPartOfItsOwnSnapshotHasEnded() {
    ResyncRequest request = resync.begin("the log is new");
    assertThat(request.node()).isEqualTo("edge-1");
    assertThat(resync.underWay()).isTrue();

    assertThat(resync.completedBy(record(new ResyncEnd("another", 5, 0, 2)))).isNull();
    assertThat(resync.completedBy(record(new ResyncEnd(request.requestId(), 5, 1, 2)))).isNull();
    assertThat(resync.underWay()).isTrue();
    ResyncEnd last = resync.completedBy(record(new ResyncEnd(request.requestId(), 7, 0, 2)));
    assertThat(last).isNotNull();
    assertThat(last.objectCount()).isEqualTo(7);
    assertThat(resync.underWay()).isFalse();
  }

  @Test
  void anInvalidEndChangesNothing() {
    ResyncRequest request = resync.begin("the log is new");
    ConsumerRecord<ByteBuffer, ByteBuffer> valid = record(new ResyncEnd(request.requestId(), 1));
    ConsumerRecord<ByteBuffer, ByteBuffer> garbled =
        new ConsumerRecord<>(
            "kedge.node.edge-1",
            0,
            2,
            0L,
            TimestampType.CREATE_TIME,
            0,
            3,
            null,
            ByteBuffer.wrap(new byte[] {1, 2, 3}),
            valid.headers(),
            Optional.empty());
    assertThat(resync.completedBy(garbled)).isNull();
    assertThat(resync.underWay()).isTrue();
    assertThat(resync.completedBy(valid)).isNotNull();
  }

  private ConsumerRecord<ByteBuffer, ByteBuffer> record(EventData data) {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = codec.encode(KedgeEvent.of(URI.create("/kedge/test"), "", data), headers);
    return new ConsumerRecord<>(
        "kedge.node.edge-1",
        0,
        1,
        0L,
        TimestampType.CREATE_TIME,
        0,
        value.length,
        null,
        ByteBuffer.wrap(value),
        headers,
        Optional.empty());
  }
}
