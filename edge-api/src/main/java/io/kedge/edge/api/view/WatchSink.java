package io.kedge.edge.api.view;

/**
 * Where the VIEW delivers a watch's events. Offering never blocks: a sink that cannot take more (a
 * slow client whose buffer is full) answers {@code false} and the VIEW drops the watch, so one slow
 * watcher never holds up the others.
 */
public interface WatchSink {
  boolean offer(WatchEvent event);

  /** The VIEW stopped delivering to this sink, with the reason (e.g. its buffer overflowed). */
  void closed(String reason);
}
