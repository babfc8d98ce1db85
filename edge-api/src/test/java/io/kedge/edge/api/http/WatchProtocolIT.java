package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.pod;
import static io.kedge.edge.api.view.TestObjects.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.Config;
import io.kubernetes.client.util.Watch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch protocol over HTTP with the official Java client's {@code Watch}: BOOKMARKs, 410
 * Expired for a resourceVersion older than the retained history, and the streaming list ({@code
 * sendInitialEvents}) ending with the {@code k8s.io/initial-events-end} bookmark.
 */
class WatchProtocolIT {
  private EdgeApiFixture edge;
  private CoreV1Api api;
  private ApiClient client;

  @BeforeEach
  void start() throws Exception {
    edge = new EdgeApiFixture(5);
    client = Config.fromUrl(edge.url());
    client.setHttpClient(
        client.getHttpClient().newBuilder().readTimeout(30, TimeUnit.SECONDS).build());
    api = new CoreV1Api(client);
  }

  @AfterEach
  void stop() {
    edge.close();
  }

  private Watch<V1Pod> watch(CoreV1Api.APIlistNamespacedPodRequest request) throws Exception {
    return Watch.createWatch(
        client,
        request.watch(true).buildCall(null),
        new TypeToken<Watch.Response<V1Pod>>() {}.getType());
  }

  @Test
  void bookmarksCarryTheCurrentResourceVersion() throws Exception {
    long rv = edge.append(upsert(pod("default", "a", "edge-1", "Running"), "1"));
    try (Watch<V1Pod> watch =
        watch(
            api.listNamespacedPod("default")
                .resourceVersion(Long.toString(rv))
                .allowWatchBookmarks(true))) {
      Watch.Response<V1Pod> event = watch.next();
      assertThat(event.type).isEqualTo("BOOKMARK");
      assertThat(Long.parseLong(event.object.getMetadata().getResourceVersion()))
          .isGreaterThanOrEqualTo(rv);
    }
  }

  @Test
  void aResourceVersionOlderThanTheHistoryIsExpired() throws Exception {
    long first = edge.append(upsert(pod("default", "a", "edge-1", "Pending"), "1"));
    for (int i = 0; i < 10; i++) {
      edge.append(
          upsert(pod("default", "a", "edge-1", i % 2 == 0 ? "Running" : "Pending"), "v" + i));
    }
    try (Watch<V1Pod> watch =
        watch(api.listNamespacedPod("default").resourceVersion(Long.toString(first)))) {
      Watch.Response<V1Pod> event = watch.next();
      assertThat(event.type).isEqualTo("ERROR");
      V1Status status = event.status;
      assertThat(status.getCode()).isEqualTo(410);
      assertThat(status.getReason()).isEqualTo("Expired");
    }
  }

  @Test
  void theStreamingListSendsEveryObjectThenTheInitialEventsEndBookmark() throws Exception {
    edge.append(upsert(pod("default", "a", "edge-1", "Running"), "1"));
    long last = edge.append(upsert(pod("default", "b", "edge-1", "Running"), "2"));
    List<String> seen = new ArrayList<>();
    try (Watch<V1Pod> watch =
        watch(
            api.listNamespacedPod("default")
                .sendInitialEvents(true)
                .resourceVersionMatch("NotOlderThan")
                .allowWatchBookmarks(true))) {
      while (seen.size() < 3) {
        Watch.Response<V1Pod> event = watch.next();
        if (event.type.equals("BOOKMARK")) {
          assertThat(event.object.getMetadata().getAnnotations())
              .containsEntry("k8s.io/initial-events-end", "true");
          assertThat(Long.parseLong(event.object.getMetadata().getResourceVersion()))
              .isGreaterThanOrEqualTo(last);
        }
        seen.add(
            event.type
                + " "
                + (event.object.getMetadata().getName() == null
                    ? ""
                    : event.object.getMetadata().getName()));
      }
    }
    assertThat(seen).containsExactly("ADDED a", "ADDED b", "BOOKMARK ");
  }

  @Test
  void aStreamingListWithoutResourceVersionMatchIsInvalid() {
    var error =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.kubernetes.client.openapi.ApiException.class,
            () ->
                watch(
                    api.listNamespacedPod("default")
                        .sendInitialEvents(true)
                        .allowWatchBookmarks(true)));
    assertThat(error.getCode()).isEqualTo(422);
    assertThat(error.getResponseBody())
        .contains("sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
  }
}
