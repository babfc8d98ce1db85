package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.StatusWrites;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Exact per-rule message counters and last errors, as the Rule status shows them. One writer owns a
 * set of rules (by source type), so that its status updates can share a Kafka transaction with the
 * offsets that produced them; a restart continues from the counts the status last committed.
 */
final class RuleCounters {
  private static final int LAST_ERRORS = 5;

  /** Counters of one rule. */
  static final class Counter {
    private long success;
    private long fail;
    private final List<String> errors = new ArrayList<>();
    private boolean changed;

    synchronized void succeeded() {
      success++;
      changed = true;
    }

    synchronized void failed(String error) {
      fail++;
      errors.add(error);
      while (errors.size() > LAST_ERRORS) {
        errors.remove(0);
      }
      changed = true;
    }

    /** Takes back a count whose transaction failed: a success, or the failure {@code error}. */
    synchronized void revert(String error) {
      if (error == null) {
        success--;
      } else {
        fail--;
        int at = errors.lastIndexOf(error);
        if (at >= 0) {
          errors.remove(at);
        }
      }
      changed = true;
    }

    synchronized long success() {
      return success;
    }

    synchronized long fail() {
      return fail;
    }
  }

  private final RuleBook book;
  private final EventCodec codec;
  private final String resourcesTopic;
  private final MeterRegistry metrics;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  RuleCounters(RuleBook book, EventCodec codec, String resourcesTopic, MeterRegistry metrics) {
    this.book = book;
    this.codec = codec;
    this.resourcesTopic = resourcesTopic;
    this.metrics = metrics;
  }

  /** The counter of {@code route}'s rule, created from its committed status on first use. */
  Counter of(RuleBook.Route route) {
    return counters.computeIfAbsent(
        route.ruleKey(),
        key -> {
          Counter c = new Counter();
          book.rule(route.namespace(), route.name())
              .ifPresent(
                  rule -> {
                    c.success = rule.path("status").path("successMessages").asLong(0);
                    c.fail = rule.path("status").path("failMessages").asLong(0);
                  });
          Tags tags = Tags.of("rule", key);
          FunctionCounter.builder("kedge_rule_messages_total", c, Counter::success)
              .description("Messages a rule delivered to its target, by result")
              .tags(tags.and("result", "success"))
              .register(metrics);
          FunctionCounter.builder("kedge_rule_messages_total", c, Counter::fail)
              .description("Messages a rule delivered to its target, by result")
              .tags(tags.and("result", "fail"))
              .register(metrics);
          return c;
        });
  }

  /** Rule upserts carrying the status of every rule whose counters changed since the last call. */
  List<ProducerRecord<String, byte[]>> changedStatuses() {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (Map.Entry<String, Counter> entry : counters.entrySet()) {
      ObjectNode status = EventCodec.json().createObjectNode();
      Counter c = entry.getValue();
      synchronized (c) {
        if (!c.changed) {
          continue;
        }
        c.changed = false;
        status.put("successMessages", c.success).put("failMessages", c.fail);
        ArrayNode errors = status.putArray("errors");
        c.errors.forEach(errors::add);
      }
      String[] parts = entry.getKey().split("/", 2);
      book.rule(parts[0], parts[1])
          .ifPresent(
              rule -> {
                ObjectNode updated = rule.deepCopy();
                updated.set("status", status);
                ObjectKey key = ObjectKey.of(updated);
                records.add(
                    codec.toRecord(
                        resourcesTopic,
                        key.toString(),
                        KedgeEvent.of(
                            URI.create("/kedge/rules"),
                            StatusWrites.SUBJECT, // never brings back a rule deleted meanwhile
                            new ResourceUpsert(key, "", updated))));
              });
    }
    return records;
  }
}
