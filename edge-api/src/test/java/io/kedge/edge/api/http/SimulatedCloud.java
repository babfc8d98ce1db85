package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.log.MemoryLog;
import io.kedge.edge.api.write.WriteUplink;
import io.kedge.kube.objects.ObjectWrites;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.WriteResponse;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cloud as an edge node sees it, for edge-API tests without Kafka: forwarded writes are decided
 * by the same {@link ObjectWrites} the standalone applier uses, and the changed object then the
 * answer come down the node's log, in the router's order. The real path is covered end to end in
 * testcontainers-it (EdgeWritesIT).
 */
final class SimulatedCloud implements WriteUplink {
  private static final URI SOURCE = URI.create("/kedge/test/cloud");

  private final MemoryLog log;
  private final Map<ObjectKey, ObjectNode> store = new HashMap<>();
  final List<WriteRequest> forwarded = new CopyOnWriteArrayList<>();
  volatile boolean connected = true;
  volatile boolean answering = true;
  private long version = 100;

  SimulatedCloud(MemoryLog log) {
    this.log = log;
  }

  /** An object the cloud holds and has sent down; returns its cloud resourceVersion. */
  synchronized String seed(ObjectNode object) {
    String rv = Long.toString(++version);
    ObjectNode copy = object.deepCopy();
    copy.withObject("metadata").put("resourceVersion", rv);
    store.put(ObjectKey.of(copy), copy);
    log.append(KedgeEvent.of(SOURCE, "", new ResourceUpsert(ObjectKey.of(copy), rv, copy)));
    return rv;
  }

  @Override
  public boolean connected() {
    return connected;
  }

  @Override
  public synchronized void forward(WriteRequest request) {
    forwarded.add(request);
    if (!answering || !connected) {
      return;
    }
    String rv = Long.toString(version + 1);
    ObjectWrites.Outcome outcome =
        ObjectWrites.apply(request, store.get(request.key()), rv, Instant.now());
    if (outcome.change() instanceof ObjectWrites.Upsert upsert) {
      version++;
      store.put(request.key(), upsert.object());
      log.append(KedgeEvent.of(SOURCE, "", new ResourceUpsert(request.key(), rv, upsert.object())));
    } else if (outcome.change() instanceof ObjectWrites.Delete) {
      store.remove(request.key());
      log.append(KedgeEvent.of(SOURCE, "", new ResourceDelete(request.key(), "")));
    }
    log.append(
        KedgeEvent.of(
            SOURCE, "", new WriteResponse(request.requestId(), outcome.code(), outcome.body())));
  }

  synchronized ObjectNode stored(ObjectKey key) {
    return store.get(key);
  }

  @Override
  public long applyLocally(KedgeEvent change) {
    return log.append(change);
  }
}
