package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.WatchFilter;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.schemas.EventCodec;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * GET of one object and LIST of many, answered from the VIEW: as objects or Tables, paged with
 * {@code limit}/{@code continue} over the namespace/name order, at the VIEW's resourceVersion.
 */
final class ObjectReads {
  private final View view;
  private final Tables tables;

  ObjectReads(View view, Tables tables) {
    this.view = view;
    this.tables = tables;
  }

  FullHttpResponse get(ByteBufAllocator alloc, ResourceType type, ApiPath api, Presentation as) {
    if (!api.subresource().isEmpty() && !api.subresource().equals("status")) {
      return Responses.subresourceNotServed(alloc, type, api.subresource());
    }
    return view.get(type, type.namespaced() ? api.namespace() : "", api.name())
        .map(
            stored ->
                as.table()
                    ? Responses.json(
                        alloc,
                        HttpResponseStatus.OK,
                        tables.table(
                            type,
                            as.tableVersion(),
                            List.of(stored.object()),
                            as.include(),
                            EventCodec.json()
                                .createObjectNode()
                                .put("resourceVersion", Long.toString(stored.resourceVersion()))))
                    : Responses.json(alloc, HttpResponseStatus.OK, stored.json()))
        .orElseGet(
            () ->
                Responses.json(
                    alloc,
                    HttpResponseStatus.NOT_FOUND,
                    KubeStatus.notFound(type.qualifiedPlural(), api.name())));
  }

  FullHttpResponse list(
      ByteBufAllocator alloc,
      ResourceType type,
      WatchFilter filter,
      ListOptions options,
      Presentation as) {
    String rv = options.resourceVersion();
    String match = options.resourceVersionMatch();
    View.Snapshot snapshot = view.list(filter);
    if (!rv.isEmpty() && !rv.equals("0")) {
      long requested = ApiHandler.parseVersion(rv);
      if ("Exact".equals(match) && requested != snapshot.resourceVersion()) {
        return Responses.json(
            alloc,
            HttpResponseStatus.GONE,
            KubeStatus.expired(
                "the edge API serves lists only at its latest resourceVersion "
                    + snapshot.resourceVersion()));
      }
      if (requested > snapshot.resourceVersion()) {
        return Responses.json(
            alloc,
            HttpResponseStatus.GATEWAY_TIMEOUT,
            KubeStatus.failure(
                504,
                "Timeout",
                "Too large resource version: "
                    + requested
                    + ", current: "
                    + snapshot.resourceVersion()));
      }
    }
    List<View.Stored> items = snapshot.stored();
    long limit = options.limit();
    String continueToken = options.continueToken();
    int from = 0;
    if (!continueToken.isEmpty()) {
      String after = decodeContinue(continueToken);
      while (from < items.size() && nameKey(items.get(from)).compareTo(after) <= 0) {
        from++;
      }
    }
    int to = limit > 0 ? (int) Math.min(items.size(), from + limit) : items.size();
    ObjectNode list = EventCodec.json().createObjectNode();
    list.put("kind", type.kind() + "List").put("apiVersion", type.apiVersion());
    ObjectNode metadata = list.putObject("metadata");
    metadata.put("resourceVersion", Long.toString(snapshot.resourceVersion()));
    if (to < items.size()) {
      metadata.put("continue", encodeContinue(nameKey(items.get(to - 1))));
      metadata.put("remainingItemCount", items.size() - to);
    }
    List<View.Stored> page = items.subList(from, to);
    if (as.table()) {
      return Responses.json(
          alloc,
          HttpResponseStatus.OK,
          tables.table(
              type,
              as.tableVersion(),
              page.stream().map(View.Stored::object).toList(),
              as.include(),
              metadata));
    }
    return Responses.list(alloc, list, page.stream().map(View.Stored::json).toList());
  }

  private static String nameKey(View.Stored stored) {
    return stored.key().namespace() + "/" + stored.key().name();
  }

  private static String encodeContinue(String lastKey) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeContinue(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid continue token '" + token + "'");
    }
  }
}
