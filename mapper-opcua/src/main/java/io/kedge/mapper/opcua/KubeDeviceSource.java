package io.kedge.mapper.opcua;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Devices from the node's edge API: fabric8 informers on Device and DeviceModel. The edge API
 * serves them from the node's log, so they are there offline too, and the informers never re-list
 * after a cloud link cut. A Device is served when its nodeSelector names this node.
 */
public final class KubeDeviceSource implements DeviceSource {
  private static final Logger LOG = LoggerFactory.getLogger(KubeDeviceSource.class);
  static final ResourceDefinitionContext DEVICES = context("Device", "devices");
  static final ResourceDefinitionContext MODELS = context("DeviceModel", "devicemodels");

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final String node;
  private final KubernetesClient client;
  private final Map<String, JsonNode> devices = new ConcurrentHashMap<>();
  private final Map<String, JsonNode> models = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
  private Listener listener;

  public KubeDeviceSource(MapperConfig config) {
    this.node = config.node();
    ConfigBuilder builder = new ConfigBuilder().withMasterUrl(config.edgeApi());
    if (!config.edgeApiCa().isEmpty()) {
      builder.withCaCertFile(config.edgeApiCa());
    }
    if (!config.edgeApiTokenFile().isEmpty()) {
      builder.withOauthToken(token(config.edgeApiTokenFile()));
    }
    this.client = new KubernetesClientBuilder().withConfig(builder.build()).build();
  }

  private static ResourceDefinitionContext context(String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("devices.kubeedge.io")
        .withVersion("v1alpha2")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }

  private static String token(String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "mapper.edge-api-token-file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void start(Listener listener) {
    this.listener = listener;
    // models first, so that the first devices come with their types
    informers.add(
        client.genericKubernetesResources(MODELS).inAnyNamespace().inform(handler(models)));
    informers.add(
        client.genericKubernetesResources(DEVICES).inAnyNamespace().inform(handler(devices)));
  }

  private ResourceEventHandler<GenericKubernetesResource> handler(Map<String, JsonNode> store) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource object) {
        changed(store, object, false);
      }

      @Override
      public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource object) {
        changed(store, object, false);
      }

      @Override
      public void onDelete(GenericKubernetesResource object, boolean unknownFinalState) {
        changed(store, object, true);
      }
    };
  }

  private synchronized void changed(
      Map<String, JsonNode> store, GenericKubernetesResource object, boolean deleted) {
    JsonNode json = toJson(object);
    String key = key(json);
    if (deleted) {
      store.remove(key);
    } else {
      store.put(key, json);
    }
    if (store == devices) {
      refresh(key);
    } else {
      // a model change touches every device of that model
      String namespace = json.path("metadata").path("namespace").asText();
      String model = json.path("metadata").path("name").asText();
      devices.forEach(
          (deviceKey, device) -> {
            if (namespace.equals(device.path("metadata").path("namespace").asText())
                && model.equals(device.path("spec").path("deviceModelRef").path("name").asText())) {
              refresh(deviceKey);
            }
          });
    }
  }

  private void refresh(String deviceKey) {
    JsonNode device = devices.get(deviceKey);
    String id = deviceKey.substring(deviceKey.indexOf('/') + 1);
    if (device == null || !boundHere(device)) {
      listener.remove(id);
      return;
    }
    String namespace = device.path("metadata").path("namespace").asText();
    JsonNode model =
        models.get(
            namespace + "/" + device.path("spec").path("deviceModelRef").path("name").asText());
    try {
      listener.upsert(DeviceSpecs.fromKube(device, model));
    } catch (IllegalArgumentException e) {
      listener.rejected(id, e.getMessage());
    }
  }

  /** KubeEdge's binding: a match expression whose values name the node (any key). */
  private boolean boundHere(JsonNode device) {
    for (JsonNode term : device.path("spec").path("nodeSelector").path("nodeSelectorTerms")) {
      for (JsonNode expression : term.path("matchExpressions")) {
        for (JsonNode value : expression.path("values")) {
          if (node.equals(value.asText())) {
            return true;
          }
        }
      }
    }
    LOG.debug("device {} is not bound to node {}", key(device), node);
    return false;
  }

  private JsonNode toJson(GenericKubernetesResource object) {
    try {
      return JSON.readTree(client.getKubernetesSerialization().asJson(object));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("fabric8 gave unreadable JSON: " + e.getMessage(), e);
    }
  }

  private static String key(JsonNode object) {
    return object.path("metadata").path("namespace").asText()
        + "/"
        + object.path("metadata").path("name").asText();
  }

  /** True once both informers have listed. */
  public boolean synced() {
    return informers.size() == 2 && informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public synchronized void close() {
    informers.forEach(SharedIndexInformer::close);
    client.close();
  }
}
