package io.kedge.mapper.opcua;

import java.util.concurrent.atomic.AtomicLong;

/** Counts of the mapper's work, exported as metrics. */
final class MapperStats {
  final AtomicLong connects = new AtomicLong();
  final AtomicLong values = new AtomicLong();
  final AtomicLong writes = new AtomicLong();
  final AtomicLong writeFailures = new AtomicLong();
  final AtomicLong rejectedDevices = new AtomicLong();
}
