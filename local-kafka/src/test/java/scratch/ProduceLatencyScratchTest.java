package scratch;

import io.kedge.kafka.local.LocalKafkaCluster;
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.serialization.*;
import org.junit.jupiter.api.Test;

class ProduceLatencyScratchTest {
  @Test
  void latency() throws Exception {
    int topics = Integer.getInteger("topics", 200);
    try (LocalKafkaCluster kafka =
            LocalKafkaCluster.builder().build().start(Duration.ofSeconds(60));
        Admin admin = Admin.create(kafka.clientConfig())) {
      List<NewTopic> nt = new ArrayList<>();
      for (int i = 0; i < topics; i++) nt.add(new NewTopic("t" + i, 1, (short) 1));
      admin.createTopics(nt).all().get();
      Map<String, Object> p = new HashMap<>(kafka.clientConfig());
      p.put("linger.ms", 100);
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
        byte[] v = new byte[1100];
        for (int round = 0; round < 3; round++) {
          long start = System.nanoTime();
          long flushNs = 0;
          int n = 20_000;
          for (int i = 0; i < n; i++) {
            producer.send(new ProducerRecord<>("t" + (i % topics), "k" + i, v));
            if (i % 200 == 199) {
              long f = System.nanoTime();
              producer.flush();
              flushNs += System.nanoTime() - f;
            }
          }
          producer.flush();
          double s = (System.nanoTime() - start) / 1e9;
          System.out.printf(
              "ROUND %d: %d topics %.0f rec/s flush share %.2f%n",
              round, topics, n / s, flushNs / 1e9 / s);
          producer
              .metrics()
              .forEach(
                  (k, m) -> {
                    if (k.group().equals("producer-metrics")
                        && Set.of("request-latency-avg", "records-per-request-avg", "request-rate")
                            .contains(k.name()))
                      System.out.println("  " + k.name() + " " + m.metricValue());
                  });
        }
      }
    }
  }
}
