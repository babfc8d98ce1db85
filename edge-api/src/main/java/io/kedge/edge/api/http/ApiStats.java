package io.kedge.edge.api.http;

import java.util.concurrent.atomic.LongAdder;

/**
 * Request counts by kind, so operators (and tests) can see that clients do not re-list: an informer
 * that stays connected lists once and then only watches.
 */
public final class ApiStats {
  private final LongAdder lists = new LongAdder();
  private final LongAdder watches = new LongAdder();
  private final LongAdder gets = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder writes = new LongAdder();

  void list() {
    lists.increment();
  }

  void watch() {
    watches.increment();
  }

  void get() {
    gets.increment();
  }

  void write() {
    writes.increment();
  }

  public long writes() {
    return writes.sum();
  }

  void error() {
    errors.increment();
  }

  public long lists() {
    return lists.sum();
  }

  public long watches() {
    return watches.sum();
  }

  public long gets() {
    return gets.sum();
  }

  public long errors() {
    return errors.sum();
  }
}
