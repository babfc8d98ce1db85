package io.kedge.schemas;

import java.util.BitSet;

/**
 * Tracks the parts of one snapshot as their ends arrive: a partitioned cloud answers a resync with
 * one part per partition, and the node may act on the snapshot only once all of them have ended.
 */
public final class ResyncParts {
  private final String requestId;
  private final BitSet ended = new BitSet();

  public ResyncParts(String requestId) {
    this.requestId = requestId;
  }

  public String requestId() {
    return requestId;
  }

  /**
   * Notes {@code end}; true once every part of this snapshot has ended. An end of another snapshot
   * changes nothing.
   */
  public boolean ended(ResyncEnd end) {
    if (!end.requestId().equals(requestId)) {
      return false;
    }
    ended.set(end.partIndex());
    return ended.cardinality() >= end.partCount();
  }

  /** How many parts have ended so far. */
  public int endedParts() {
    return ended.cardinality();
  }

  static void check(Integer part, Integer parts) {
    if ((part == null) != (parts == null)) {
      throw new IllegalArgumentException("part and parts must be given together");
    }
    if (parts != null && (parts < 1 || part < 0 || part >= parts)) {
      throw new IllegalArgumentException(
          "part " + part + " of " + parts + ": parts must be >= 1 and 0 <= part < parts");
    }
  }
}
