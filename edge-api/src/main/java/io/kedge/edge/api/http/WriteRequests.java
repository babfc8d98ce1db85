package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.write.EdgeWrites;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.WriteOperation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.OptionalLong;
import java.util.Set;

/** How an HTTP write request maps to a write: its operation, body and media type. */
final class WriteRequests {
  static final Set<String> PATCH_TYPES =
      Set.of(
          "application/json-patch+json",
          "application/merge-patch+json",
          "application/strategic-merge-patch+json",
          WriteRequests.APPLY);

  private WriteRequests() {}

  /** The subresource a POST on an object creates: a ServiceAccount's TokenRequest. */
  static final String TOKEN = "token";

  /**
   * The operation of {@code method} on an object ({@code name} set), its {@code subresource}, or a
   * collection; null when the edge API does not serve it.
   */
  static WriteOperation operation(HttpMethod method, String name, String subresource) {
    boolean object = !name.isEmpty();
    if (method.equals(HttpMethod.POST)) {
      return object == subresource.equals(TOKEN) ? WriteOperation.CREATE : null;
    }
    if (subresource.equals(TOKEN)) {
      return null; // a token request is only created
    }
    if (!object) {
      return null; // deletecollection and collection updates are not served
    }
    if (method.equals(HttpMethod.PUT)) {
      return WriteOperation.UPDATE;
    }
    if (method.equals(HttpMethod.PATCH)) {
      return WriteOperation.PATCH;
    }
    if (method.equals(HttpMethod.DELETE)) {
      return WriteOperation.DELETE;
    }
    return null;
  }

  static final String JSON = "application/json";
  static final String YAML = "application/yaml";
  static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
  static final String APPLY = "application/apply-patch+yaml";

  /** A body in a media type the edge API takes that still cannot be read as an object (415). */
  static final class UndecodableException extends RuntimeException {
    UndecodableException(String message) {
      super(message);
    }
  }

  /**
   * The write a request asks for, its query parameters read as kube-apiserver reads them.
   *
   * @throws IllegalArgumentException (a 400) for a bad parameter or a body that does not parse
   * @throws UndecodableException (a 415) for a protobuf object this edge API has no model of
   */
  static EdgeWrites.Write parse(
      FullHttpRequest request,
      QueryStringDecoder uri,
      ResourceType type,
      ApiPath api,
      WriteOperation operation,
      String mediaType) {
    QueryParams params = new QueryParams(uri);
    boolean dryRun = params.dryRun();
    params.fieldValidation();
    JsonNode body = body(request.content(), mediaType);
    if (operation == WriteOperation.DELETE) {
      params.propagationPolicy();
      body = withGracePeriod(body, params.int64("gracePeriodSeconds"));
    }
    return new EdgeWrites.Write(
        operation,
        type,
        api.namespace(),
        api.name(),
        api.subresource(),
        operation == WriteOperation.PATCH ? mediaType : "",
        body,
        dryRun,
        fieldManager(params, request),
        params.bool("force"));
  }

  /**
   * DeleteOptions with the {@code gracePeriodSeconds} query parameter ({@code curl -X DELETE
   * ...?gracePeriodSeconds=0}) where the body does not set one, as kube-apiserver reads the
   * parameters into the options the body may then override.
   */
  private static JsonNode withGracePeriod(JsonNode body, OptionalLong seconds) {
    if (seconds.isEmpty() || (body != null && !body.isObject())) {
      return body; // a body that is not an object is refused where it is read
    }
    ObjectNode options =
        body == null ? EventCodec.json().createObjectNode() : ((ObjectNode) body).deepCopy();
    if (!options.hasNonNull("gracePeriodSeconds")) {
      options.put("gracePeriodSeconds", seconds.getAsLong());
    }
    return options;
  }

  /**
   * The manager a write's fields are recorded under: the {@code fieldManager} parameter, else the
   * User-Agent up to its first slash, as kube-apiserver derives it ({@code kubectl}, {@code
   * kube-controller-manager}).
   */
  static String fieldManager(QueryParams params, FullHttpRequest request) {
    String named = params.string("fieldManager");
    if (!named.isEmpty()) {
      if (named.length() > 128) {
        throw new IllegalArgumentException(
            "fieldManager: Too long: may not be more than 128 bytes");
      }
      return named;
    }
    String agent = request.headers().get(HttpHeaderNames.USER_AGENT, "");
    int slash = agent.indexOf('/');
    String prefix = slash < 0 ? agent : agent.substring(0, slash);
    return prefix.length() > 128 ? prefix.substring(0, 128) : prefix;
  }

  /** Why {@code mediaType} cannot carry {@code operation}, or null when it can. */
  static String unsupportedMediaType(WriteOperation operation, String mediaType) {
    if (operation == WriteOperation.PATCH) {
      return PATCH_TYPES.contains(mediaType)
          ? null
          : "the patch type '"
              + mediaType
              + "' is not supported: use one of "
              + String.join(", ", PATCH_TYPES.stream().sorted().toList());
    }
    if (mediaType.isEmpty()
        || mediaType.equals(JSON)
        || mediaType.equals(YAML)
        || mediaType.equals(PROTOBUF)
        || mediaType.equals("*/*")) {
      return null;
    }
    return "the media type '"
        + mediaType
        + "' is not supported: use "
        + JSON
        + ", "
        + YAML
        + " or "
        + PROTOBUF;
  }

  /**
   * The body as JSON, or null when there is none: JSON and patches as sent, YAML and Kubernetes
   * protobuf converted.
   *
   * @throws IllegalArgumentException (a 400) when it does not parse as its media type says
   * @throws UndecodableException (a 415) for a protobuf object this edge API has no model of
   */
  static JsonNode body(ByteBuf content, String mediaType) {
    if (!content.isReadable()) {
      return null;
    }
    if (mediaType.equals(PROTOBUF)) {
      return ProtobufBodies.decode(ByteBufUtil.getBytes(content));
    }
    boolean yaml = mediaType.equals(YAML) || mediaType.equals(APPLY);
    try (ByteBufInputStream in = new ByteBufInputStream(content.duplicate())) {
      return (yaml ? YAML_MAPPER : EventCodec.json()).readTree((java.io.InputStream) in);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "the request body is not valid "
              + (yaml ? "YAML" : "JSON")
              + ": "
              + e.getMessage().split("\n")[0]);
    }
  }

  private static final YAMLMapper YAML_MAPPER = new YAMLMapper();
}
