package io.kedge.launcher.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A REST client of the rules ingress that behaves like a real one: {@code connections} workers,
 * each sending one request at a time over HTTP/1.1 keep-alive, so at most that many connections are
 * open; messages due while all are busy wait in a queue (their latency counts from when they were
 * due, not from when a worker took them).
 */
final class IngressClient implements AutoCloseable {
  private static final long STOP = Long.MIN_VALUE;

  private final URI uri;
  private final HttpClient http;
  private final BlockingQueue<Long> due = new LinkedBlockingQueue<>();
  private final ExecutorService workers;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<String> lastFailure = new AtomicReference<>("");
  private final int connections;

  IngressClient(URI uri, int connections) {
    this.uri = uri;
    this.connections = connections;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    this.workers = Executors.newFixedThreadPool(connections);
    for (int i = 0; i < connections; i++) {
      workers.execute(this::work);
    }
  }

  /** Queues a message whose body is {@code dueNanos}. */
  void post(long dueNanos) {
    due.add(dueNanos);
  }

  long failures() {
    return failures.get();
  }

  String lastFailure() {
    return lastFailure.get();
  }

  private void work() {
    try {
      for (long body = due.take(); body != STOP; body = due.take()) {
        try {
          HttpResponse<String> response =
              http.send(
                  HttpRequest.newBuilder(uri)
                      .POST(HttpRequest.BodyPublishers.ofString(Long.toString(body)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() / 100 != 2) {
            failures.incrementAndGet();
            lastFailure.set(response.statusCode() + " " + response.body());
          }
        } catch (java.io.IOException e) {
          failures.incrementAndGet();
          lastFailure.set(e.toString());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (int i = 0; i < connections; i++) {
      due.add(STOP);
    }
    workers.shutdown();
    workers.awaitTermination(60, TimeUnit.SECONDS);
  }
}
