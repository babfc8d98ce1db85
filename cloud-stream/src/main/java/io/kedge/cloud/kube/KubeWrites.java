package io.kedge.cloud.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.kube.objects.ObjectWrites;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteRequest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Applies an edge write to the Kubernetes API as the edge client asked it: the same verb, path,
 * subresource, patch type, body, dry run and field manager, through fabric8's HTTP client (so the
 * kubeconfig's credentials and TLS apply). The API server's own answer comes back unchanged: the
 * object, or a Status with its real code (404, 409, 422...).
 */
public final class KubeWrites {
  private static final String JSON = "application/json";

  private final KubernetesClient client;
  private final KubeKinds kinds;
  private final Duration timeout;

  public KubeWrites(KubernetesClient client, KubeKinds kinds, Duration timeout) {
    this.client = client;
    this.kinds = kinds;
    this.timeout = timeout;
  }

  /** The Kubernetes API's answer. */
  public record Result(int code, JsonNode body) {
    public boolean succeeded() {
      return code >= 200 && code < 300;
    }
  }

  public Result apply(WriteRequest request) {
    ObjectKey key = request.key();
    Optional<KubeKind> found = kinds.find(key.apiVersion(), key.kind());
    if (found.isEmpty()) {
      return new Result(
          404,
          KubeStatus.failure(
              404,
              "NotFound",
              "the cloud's Kubernetes API does not serve " + key.apiVersion() + "/" + key.kind()));
    }
    KubeKind kind = found.get();
    String path =
        switch (request.operation()) {
          case CREATE ->
              request.subresource().isEmpty()
                  ? kind.collectionPath(key.namespace())
                  : kind.objectPath(key.namespace(), key.name(), request.subresource());
          case UPDATE, PATCH, DELETE ->
              kind.objectPath(key.namespace(), key.name(), request.subresource());
        };
    String url = client.getMasterUrl().toString().replaceAll("/+$", "") + path + query(request);
    String body =
        request.body() == null || request.body().isNull() ? "" : request.body().toString();
    HttpRequest.Builder http = client.getHttpClient().newHttpRequestBuilder().uri(url);
    switch (request.operation()) {
      case CREATE -> http.post(JSON, body);
      case UPDATE -> http.put(JSON, body);
      case PATCH -> http.method("PATCH", request.patchType(), body);
      case DELETE -> http.delete(JSON, body.isEmpty() ? "{}" : body);
    }
    return send(client.getHttpClient(), http.header("Accept", JSON).build(), key);
  }

  /** Reads the object {@code key} names from the cluster (200 with it, 404, ...). */
  public Result read(ObjectKey key) {
    Optional<KubeKind> found = kinds.find(key.apiVersion(), key.kind());
    if (found.isEmpty()) {
      return new Result(404, KubeStatus.notFound(key.kind(), key.name()));
    }
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "")
            + found.get().objectPath(key.namespace(), key.name(), "");
    return send(
        client.getHttpClient(),
        client.getHttpClient().newHttpRequestBuilder().uri(url).header("Accept", JSON).build(),
        key);
  }

  private Result send(HttpClient http, HttpRequest request, ObjectKey key) {
    HttpResponse<byte[]> response;
    try {
      response =
          http.sendAsync(request, byte[].class).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unavailable(key, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      return unavailable(key, e.getCause() == null ? e.toString() : e.getCause().toString());
    }
    byte[] bytes = response.body();
    try {
      return new Result(response.code(), EventCodec.readJson(bytes));
    } catch (IOException | RuntimeException e) {
      String text = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
      return new Result(
          response.code(),
          KubeStatus.failure(response.code(), "InternalError", "Kubernetes API answered: " + text));
    }
  }

  private Result unavailable(ObjectKey key, String why) {
    return new Result(
        503,
        KubeStatus.failure(
            503,
            "ServiceUnavailable",
            "the cloud's Kubernetes API did not apply the write to "
                + ObjectWrites.resourceName(key)
                + " "
                + key.name()
                + ": "
                + why));
  }

  private static String query(WriteRequest request) {
    List<String> params = new ArrayList<>();
    if (request.dryRun()) {
      params.add("dryRun=All");
    }
    if (!request.fieldManager().isEmpty()) {
      params.add(
          "fieldManager=" + URLEncoder.encode(request.fieldManager(), StandardCharsets.UTF_8));
    }
    if (request.force()) {
      params.add("force=true");
    }
    return params.isEmpty() ? "" : "?" + String.join("&", params);
  }
}
