package io.kedge.cloud.router;

import java.lang.reflect.Field;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Kafka producer's sender walking only the node topics written since the last flush.
 *
 * <p>A Kafka producer keeps an entry for every topic it has ever written to (its record
 * accumulator's topic map), and each pass of its sender thread walks all of them twice (which
 * batches are ready, which have expired), several milliseconds at 10,000 node topics; a router
 * producer makes some twenty passes per commit, so the cost per event grew with the fleet. After a
 * flush no batch is waiting or in flight, and a topic's entry holds nothing but empty queues: it is
 * removed, and the producer makes it anew (a few small objects) at the topic's next send. The
 * passes then walk the topics of the commit in progress, about as many over 10,000 node topics as
 * over 1,000 (decision record 0008).
 *
 * <p>The entries are Kafka's internals, reached by reflection: the accumulator's copy-on-write map
 * is replaced by a concurrent one at the start, which the sender's and the sending thread's calls
 * use as before. A Kafka client whose internals differ is left as it is (logged once): it works,
 * with the cost per event growing with the fleet again. {@code IdleTopicPrunerIT} names the fields,
 * so an upgrade that moves them fails the build.
 *
 * <p>{@link #prune()} must be called by the one thread that sends through the producer, after a
 * flush returned and before its next send: then no batch can join an entry while it is removed.
 */
final class IdleTopicPruner {
  private static final Logger LOG = LoggerFactory.getLogger(IdleTopicPruner.class);

  /** A pruner for a producer whose internals are not the expected ones: prunes nothing. */
  static final IdleTopicPruner NONE = new IdleTopicPruner(null, null);

  private static final Internals INTERNALS = Internals.find();

  private final ConcurrentMap<String, Object> topics;
  private final Field batchesOfTopic;

  private IdleTopicPruner(ConcurrentMap<String, Object> topics, Field batchesOfTopic) {
    this.topics = topics;
    this.batchesOfTopic = batchesOfTopic;
  }

  /**
   * Takes over {@code producer}'s topic map; call before its first send. Returns {@link #NONE} if
   * this Kafka client's internals are not the expected ones.
   */
  static IdleTopicPruner of(KafkaProducer<?, ?> producer) {
    if (INTERNALS == null) {
      return NONE;
    }
    try {
      return INTERNALS.takeOver(producer);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("the router producer's sender walks every topic it wrote to: {}", e.toString());
      return NONE;
    }
  }

  /** Whether this pruner removes idle topics (false for {@link #NONE}). */
  boolean active() {
    return topics != null;
  }

  /** The topics the producer holds entries for. */
  int topics() {
    return topics == null ? 0 : topics.size();
  }

  /**
   * Removes the entries of topics with no batch waiting. Returns how many were removed.
   *
   * @throws IllegalStateException if an entry cannot be read (a Kafka client changed under it)
   */
  int prune() {
    if (topics == null) {
      return 0;
    }
    int removed = 0;
    for (Iterator<Map.Entry<String, Object>> it = topics.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Object> topic = it.next();
      if (empty(topic.getValue())) {
        it.remove();
        if (empty(topic.getValue())) {
          removed++;
        } else {
          // a batch came back for a retry meanwhile (only if called with batches in flight)
          topics.putIfAbsent(topic.getKey(), topic.getValue());
        }
      }
    }
    return removed;
  }

  private boolean empty(Object topicInfo) {
    Map<?, ?> batches;
    try {
      batches = (Map<?, ?>) batchesOfTopic.get(topicInfo);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read a Kafka producer's batches", e);
    }
    for (Object queue : batches.values()) {
      Deque<?> deque = (Deque<?>) queue;
      synchronized (deque) { // the lock Kafka's accumulator takes for each queue
        if (!deque.isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  /** The fields of Kafka's producer this class reaches, found once. */
  private record Internals(Field accumulator, Field topicInfoMap, Field batches) {
    static Internals find() {
      try {
        Field accumulator = KafkaProducer.class.getDeclaredField("accumulator");
        Field topicInfoMap = accumulator.getType().getDeclaredField("topicInfoMap");
        Class<?> topicInfo =
            Class.forName(
                accumulator.getType().getName() + "$TopicInfo",
                false,
                accumulator.getType().getClassLoader());
        Field batches = topicInfo.getDeclaredField("batches");
        if (!ConcurrentMap.class.isAssignableFrom(topicInfoMap.getType())
            || !Map.class.isAssignableFrom(batches.getType())) {
          throw new NoSuchFieldException("topicInfoMap or batches is not a map");
        }
        accumulator.setAccessible(true);
        topicInfoMap.setAccessible(true);
        batches.setAccessible(true);
        return new Internals(accumulator, topicInfoMap, batches);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn(
            "this Kafka client's producer internals differ ({}): router producers' senders walk"
                + " every topic they wrote to",
            e.toString());
        return null;
      }
    }

    @SuppressWarnings("unchecked")
    IdleTopicPruner takeOver(KafkaProducer<?, ?> producer) throws ReflectiveOperationException {
      Object recordAccumulator = accumulator.get(producer);
      ConcurrentMap<String, Object> current =
          (ConcurrentMap<String, Object>) topicInfoMap.get(recordAccumulator);
      ConcurrentMap<String, Object> replacement = new ConcurrentHashMap<>(current);
      topicInfoMap.set(recordAccumulator, replacement);
      return new IdleTopicPruner(replacement, batches);
    }
  }
}
