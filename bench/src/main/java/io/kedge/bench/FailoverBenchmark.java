package io.kedge.bench;

import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.launcher.CloudCommand;
import io.kedge.launcher.Main;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourcePartitioner;
import io.kedge.schemas.ResourceUpsert;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code kedge bench router --instances 2}: two {@code kedge cloud} processes route one partitioned
 * kedge.resources at once; a steady stream of pods runs while one of them is killed with {@code
 * kill -9}. Printed: events/s routed before the kill and after the survivor took over, the takeover
 * (from the kill to the first pod routed again from a partition the killed instance owned), and at
 * the node topics, read committed, the pods lost and routed twice.
 */
final class FailoverBenchmark {
  private static final int PARTITIONS = 6;
  private static final int NAMESPACES = 12;
  private static final Pattern PROCESS_ID =
      Pattern.compile("-router-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-");

  private final int nodes;
  private final int rate;
  private final int seconds;
  private final PrintWriter out;
  private final EventCodec codec = new EventCodec();

  FailoverBenchmark(boolean quick, PrintWriter out) {
    this.nodes = quick ? 100 : 1_000;
    this.rate = quick ? 1_000 : 2_000;
    this.seconds = quick ? 45 : 120;
    this.out = out;
  }

  String run() throws Exception {
    Path work = Files.createTempDirectory("kedge-bench-failover");
    String prefix = "bench-failover";
    KedgeTopics topics = new KedgeTopics(prefix, 1, Duration.ofDays(1), PARTITIONS);
    List<Process> clouds = new ArrayList<>();
    try (LocalKafkaCluster kafka = BenchFiles.kafka(work)) {
      RouterLoad load = new RouterLoad(kafka, topics, out, "router --instances 2");
      Process first = cloud(kafka, work, prefix, "a");
      clouds.add(first);
      try (Admin admin = Admin.create(kafka.clientConfig());
          KafkaProducer<String, byte[]> producer = load.producer();
          KafkaConsumer<String, byte[]> reader = reader(kafka, prefix)) {
        for (int n = 0; n < nodes; n++) {
          producer.send(load.record(BenchObjects.node("node-" + n)));
        }
        producer.flush();
        clouds.add(cloud(kafka, work, prefix, "b"));
        awaitTwoMembers(admin, prefix + "-router");
        Set<Integer> killedPartitions =
            partitionsOf(admin, prefix + "-router", processId(work, "a"));
        load.progress(
            "both instances route; the one to be killed owns partitions %s of %d",
            killedPartitions, PARTITIONS);
        awaitAssigned(reader, load);

        Map<String, Integer> routed = new HashMap<>();
        List<long[]> arrivals = new ArrayList<>(); // [arrival ms, partition]
        long begin = System.currentTimeMillis();
        long killAt = begin + TimeUnit.SECONDS.toMillis(seconds / 3);
        boolean killed = false;
        int sent = 0;
        int total = rate * seconds;
        long giveUp = begin + TimeUnit.SECONDS.toMillis(seconds + 60);
        while (System.currentTimeMillis() < giveUp) {
          long now = System.currentTimeMillis();
          long due = Math.min(total, (now - begin) * rate / 1_000);
          while (sent < due) {
            producer.send(load.record(pod(sent)));
            sent++;
          }
          if (!killed && now >= killAt) {
            first.destroyForcibly(); // SIGKILL
            killed = true;
            load.progress("killed instance a (kill -9) after %d pods", sent);
          }
          for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(20))) {
            String name = podName(record);
            if (name != null) {
              routed.merge(name, 1, Integer::sum);
              // the router stamps each record as it routes it: the reader's own lag does not count
              arrivals.add(new long[] {record.timestamp(), partitionOf(name)});
            }
          }
          if (sent >= total && routed.size() >= total) {
            break;
          }
        }
        return report(routed, arrivals, total, begin, killAt, killedPartitions);
      }
    } finally {
      clouds.forEach(Process::destroyForcibly);
      BenchFiles.deleteTree(work);
    }
  }

  private String report(
      Map<String, Integer> routed,
      List<long[]> arrivals,
      int total,
      long begin,
      long killAt,
      Set<Integer> killedPartitions) {
    long lost = total - routed.size();
    long doubled = routed.values().stream().filter(c -> c > 1).count();
    arrivals.sort(java.util.Comparator.comparingLong(a -> a[0]));
    long takeover = -1;
    for (long[] arrival : arrivals) {
      if (arrival[0] > killAt && killedPartitions.contains((int) arrival[1])) {
        takeover = arrival[0] - killAt;
        break;
      }
    }
    long resumedAt = takeover < 0 ? Long.MAX_VALUE : killAt + takeover;
    double before = rate(arrivals, begin + 2_000, killAt);
    double after = rate(arrivals, resumedAt + 5_000, resumedAt + 15_000);
    out.printf(
        "bench router --instances 2: %,d pods at %,d/s over %d node topics and %d partitions:"
            + " %.0f events/s routed before the kill, %.0f after the takeover; takeover %,d ms;"
            + " lost=%d duplicated=%d%n",
        total, rate, nodes, PARTITIONS, before, after, takeover, lost, doubled);
    return String.format(
        "RATIO failover %.2f (events/s after over before a kill -9 of one of two instances;"
            + " takeover %,d ms, lost %d, duplicated %d)",
        before == 0 ? 0 : after / before, takeover, lost, doubled);
  }

  private static double rate(List<long[]> arrivals, long from, long to) {
    if (to <= from) {
      return 0;
    }
    long count = arrivals.stream().filter(a -> a[0] >= from && a[0] < to).count();
    return count * 1000.0 / (to - from);
  }

  private ObjectKey key(int i) {
    return ObjectKey.of(pod(i));
  }

  private com.fasterxml.jackson.databind.node.ObjectNode pod(int i) {
    var pod = BenchObjects.pod("p" + i, "node-" + (i % nodes), "v1");
    pod.withObject("metadata").put("namespace", "ns-" + (i % NAMESPACES));
    return pod;
  }

  private int partitionOf(String name) {
    return ResourcePartitioner.partition(
        key(Integer.parseInt(name.substring(1))).toString(), PARTITIONS);
  }

  private String podName(ConsumerRecord<String, byte[]> record) {
    try {
      if (codec.decode(record.headers(), record.value()).data() instanceof ResourceUpsert u
          && u.key().kind().equals("Pod")) {
        return u.key().name();
      }
    } catch (RuntimeException e) {
      // not a resource event
    }
    return null;
  }

  /** A {@code kedge cloud} process of the same application, logging to {@code work/NAME.log}. */
  private Process cloud(LocalKafkaCluster kafka, Path work, String prefix, String name)
      throws IOException, InterruptedException {
    Path config = work.resolve("cloud-" + name + ".yaml");
    Files.writeString(
        config,
        "topics:\n  prefix: "
            + prefix
            + "\n  resource-partitions: "
            + PARTITIONS
            + "\nwebhook:\n  enabled: false\nrules:\n  ingress-port: 0\nops:\n  port: 0\n");
    Path log = work.resolve(name + ".log");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "cloud",
            "--kafka",
            kafka.bootstrapServers(),
            "--data-dir",
            work.resolve("cloud-" + name).toString(),
            "--config",
            config.toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.readString(log).contains(CloudCommand.READY_LINE)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("kedge cloud " + name + " did not start; see " + log);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    return process;
  }

  private static String processId(Path work, String name) throws IOException {
    Matcher matcher = PROCESS_ID.matcher(Files.readString(work.resolve(name + ".log")));
    if (!matcher.find()) {
      throw new IllegalStateException("no Kafka Streams process id in " + name + ".log");
    }
    return matcher.group(1);
  }

  private void awaitTwoMembers(Admin admin, String group) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      ConsumerGroupDescription description =
          admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
      long owning =
          description.members().stream()
              .filter(m -> !m.assignment().topicPartitions().isEmpty())
              .count();
      if (owning == 2 && description.groupState() == GroupState.STABLE) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
    throw new IllegalStateException("the two instances did not share the partitions in 2 minutes");
  }

  /** The partitions of kedge.resources the instance with Streams process {@code id} owns. */
  private static Set<Integer> partitionsOf(Admin admin, String group, String id) throws Exception {
    Set<Integer> owned = new HashSet<>();
    for (MemberDescription member :
        admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members()) {
      if (member.clientId().contains(id)) {
        for (TopicPartition tp : member.assignment().topicPartitions()) {
          if (tp.topic().endsWith(".resources")) {
            owned.add(tp.partition());
          }
        }
      }
    }
    return owned;
  }

  private static KafkaConsumer<String, byte[]> reader(LocalKafkaCluster kafka, String prefix) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "-reader");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
    KafkaConsumer<String, byte[]> reader =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    reader.subscribe(Pattern.compile(Pattern.quote(prefix + ".node.") + ".*"));
    return reader;
  }

  private void awaitAssigned(KafkaConsumer<String, byte[]> reader, RouterLoad load) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (reader.assignment().size() < nodes) {
      reader.poll(Duration.ofMillis(200));
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the reader got " + reader.assignment().size() + " node topics");
      }
    }
    load.progress("reading %d node topics", nodes);
  }
}
