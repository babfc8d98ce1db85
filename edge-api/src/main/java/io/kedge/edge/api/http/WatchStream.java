package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.WatchEvent;
import io.kedge.edge.api.view.WatchSink;
import io.kedge.schemas.EventCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * One watch response: a bounded queue of events that the channel's event loop drains as fast as the
 * client reads, one JSON line per event. When the queue is full the VIEW drops this watch and the
 * stream ends, so the client re-watches from the last version it saw.
 */
final class WatchStream implements WatchSink {
  private final Channel channel;
  private final boolean websocket;
  private final ResourceType type;
  private final ArrayBlockingQueue<WatchEvent> queue;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean initialEventsPending;
  private volatile AutoCloseable registration = () -> {};

  /** Turns each event's object into what the client asked for (a one-row Table); null: itself. */
  private final UnaryOperator<ObjectNode> presentation;

  /**
   * @param websocket frame events as WebSocket text messages (clients such as fabric8 watch over
   *     WebSocket) instead of lines of a chunked HTTP response (kubectl, client-go)
   */
  WatchStream(
      Channel channel,
      boolean websocket,
      ResourceType type,
      int capacity,
      boolean initialEventsEndBookmark,
      UnaryOperator<ObjectNode> presentation) {
    this.presentation = presentation;
    this.channel = channel;
    this.websocket = websocket;
    this.type = type;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.initialEventsPending = initialEventsEndBookmark;
  }

  void registration(AutoCloseable registration) {
    this.registration = registration;
  }

  @Override
  public boolean offer(WatchEvent event) {
    if (ended.get()) {
      return true;
    }
    if (!queue.offer(event)) {
      return false;
    }
    scheduleDrain();
    return true;
  }

  @Override
  public void closed(String reason) {
    channel.eventLoop().execute(() -> end());
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(this::drain);
    }
  }

  /** Writes queued events while the client keeps up; resumes on writability. */
  void drain() {
    drainScheduled.set(false);
    boolean wrote = false;
    WatchEvent event;
    while (!ended.get() && channel.isWritable() && (event = queue.poll()) != null) {
      channel.write(frame(encode(event)));
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
  }

  private ByteBuf encode(WatchEvent event) {
    ObjectNode line = EventCodec.json().createObjectNode();
    line.put("type", event.kind().name());
    if (event.kind() == WatchEvent.Kind.BOOKMARK) {
      ObjectNode object = line.putObject("object");
      object.put("kind", type.kind()).put("apiVersion", type.apiVersion());
      ObjectNode metadata = object.putObject("metadata");
      metadata.put("resourceVersion", Long.toString(event.resourceVersion()));
      if (initialEventsPending) {
        initialEventsPending = false;
        metadata.putObject("annotations").put("k8s.io/initial-events-end", "true");
      }
    } else if (presentation == null) {
      return rawLine(event);
    } else {
      line.set("object", presentation.apply(event.object()));
    }
    return toLine(line);
  }

  /** Sends an ERROR event with {@code status} and ends the stream (e.g. 410 Expired). */
  void fail(ObjectNode status) {
    ObjectNode line = EventCodec.json().createObjectNode();
    line.put("type", "ERROR");
    line.set("object", status);
    channel.write(frame(toLine(line)));
    end();
  }

  /** Ends the response (timeout, overflow, shutdown) and stops the watch. */
  void end() {
    if (ended.compareAndSet(false, true)) {
      stopWatching();
      channel
          .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  void stopWatching() {
    ended.set(true);
    try {
      registration.close();
    } catch (Exception e) {
      // the registration only removes itself from a list
    }
  }

  private Object frame(ByteBuf line) {
    return websocket ? new TextWebSocketFrame(line) : new DefaultHttpContent(line);
  }

  /** {@code {"type":...,"object":<the stored JSON>}} and a newline, the object copied as it is. */
  private ByteBuf rawLine(WatchEvent event) {
    byte[] type = event.kind().name().getBytes(StandardCharsets.US_ASCII);
    ByteBuf buf = channel.alloc().buffer(event.json().length + type.length + 24);
    buf.writeBytes(TYPE).writeBytes(type).writeBytes(OBJECT).writeBytes(event.json());
    buf.writeByte('}').writeByte('\n');
    return buf;
  }

  private static final byte[] TYPE = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OBJECT = "\",\"object\":".getBytes(StandardCharsets.US_ASCII);

  private ByteBuf toLine(ObjectNode node) {
    ByteBuf buf = channel.alloc().buffer();
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      EventCodec.json().writeValue((java.io.OutputStream) out, node);
      out.write('\n');
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException(e);
    }
    return buf;
  }
}
