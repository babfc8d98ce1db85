package io.kedge.cloud.rules;

import io.kedge.kube.objects.KubeStatus;
import io.kedge.schemas.RuleMessage;
import io.kedge.schemas.RuleResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * rest → servicebus: the request goes to its node as a {@link RuleMessage} naming the loopback
 * service, and the service's answer, coming back up the uplink, is the request's answer; no answer
 * within the timeout is a 504. An answer counts as the rule's success before the client hears it; a
 * timeout or a request Kafka did not take counts as a failure.
 */
final class ServicebusCall {
  private final RestIngress.Sender sender;
  private final RuleResponses responses;
  private final Duration timeout;

  ServicebusCall(RestIngress.Sender sender, RuleResponses responses, Duration timeout) {
    this.sender = sender;
    this.responses = responses;
    this.timeout = timeout;
  }

  void call(
      IngressExchange exchange,
      FullHttpRequest request,
      String node,
      RuleBook.Route route,
      String subPath) {
    RuleMessage message = message(request, node, route, subPath);
    CompletableFuture<RuleResponse> answer = responses.await(message.messageId(), node, timeout);
    sender
        .send(message, null)
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                answer.completeExceptionally(error);
              }
            });
    answer.whenComplete(
        (response, error) -> {
          if (error instanceof TimeoutException) {
            sender.count(route, "no answer from node " + node + " within the timeout");
            exchange.later(() -> exchange.reply(504, timedOut(node, route)));
          } else if (error != null) {
            String reason = "the message could not be stored in Kafka: " + error.getMessage();
            sender.count(route, reason);
            exchange.later(
                () -> exchange.reply(503, KubeStatus.failure(503, "ServiceUnavailable", reason)));
          } else {
            // counted before the client hears it, so a crash cannot lose an answer's count
            sender
                .count(route, null)
                .whenComplete(
                    (counted, e) ->
                        exchange.later(
                            () -> {
                              exchange.accepted();
                              exchange.send(relayed(response));
                            }));
          }
        });
  }

  private RuleMessage message(
      FullHttpRequest request, String node, RuleBook.Route route, String subPath) {
    Map<String, String> headers = new LinkedHashMap<>();
    request
        .headers()
        .forEach(
            h -> {
              if (!RuleMessage.hopByHop(h.getKey())) {
                headers.put(h.getKey(), h.getValue());
              }
            });
    headers.put(RuleMessage.METHOD_HEADER, request.method().name());
    headers.put(
        RuleMessage.DEADLINE_HEADER,
        Long.toString(System.currentTimeMillis() + timeout.toMillis()));
    String query = new QueryStringDecoder(request.uri()).rawQuery();
    String target =
        "http://127.0.0.1:"
            + route.targetProperties().path("service_port").asText()
            + RestPaths.join(route.targetResource().path("path").asText(), subPath)
            + (query.isEmpty() ? "" : "?" + query);
    return new RuleMessage(
        UUID.randomUUID().toString(),
        node,
        route.namespace(),
        route.name(),
        "servicebus",
        target,
        headers,
        ByteBufUtil.getBytes(request.content()));
  }

  private com.fasterxml.jackson.databind.JsonNode timedOut(String node, RuleBook.Route route) {
    return KubeStatus.failure(
        504,
        "Timeout",
        "the service of rule "
            + route.ruleKey()
            + " on node "
            + node
            + " did not answer within "
            + timeout.toSeconds()
            + " s");
  }

  private static FullHttpResponse relayed(RuleResponse answer) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(answer.code()),
            Unpooled.wrappedBuffer(answer.payload()));
    answer
        .headers()
        .forEach(
            (name, value) -> {
              if (!RuleMessage.hopByHop(name)) {
                response.headers().set(name, value);
              }
            });
    return response;
  }
}
