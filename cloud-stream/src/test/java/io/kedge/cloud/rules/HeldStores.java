package io.kedge.cloud.rules;

import io.kedge.schemas.RuleMessage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A REST ingress sender for tests: each message to a node's topic is recorded and stays unstored
 * until the test completes its future; the rest is stored at once.
 */
final class HeldStores implements RestIngress.Sender {
  final LinkedBlockingQueue<RuleMessage> messages = new LinkedBlockingQueue<>();
  final LinkedBlockingQueue<CompletableFuture<Void>> stores = new LinkedBlockingQueue<>();

  @Override
  public CompletableFuture<Void> send(RuleMessage message, RuleBook.Route countFor) {
    messages.add(message);
    CompletableFuture<Void> stored = new CompletableFuture<>();
    stores.add(stored);
    return stored;
  }

  @Override
  public CompletableFuture<Void> sendToTopic(
      String topic, String key, byte[] payload, RuleBook.Route rule) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> count(RuleBook.Route rule, String error) {
    return CompletableFuture.completedFuture(null);
  }
}
