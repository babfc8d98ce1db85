package io.kedge.cloud.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kedge.schemas.NodeNames;
import io.kedge.schemas.ObjectKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads Kubernetes manifests (multi-document YAML or JSON; a file or a directory of {@code .yaml},
 * {@code .yml} and {@code .json} files) and validates each document. Namespaced objects without a
 * namespace get {@code default}, as kubectl does. Unknown kinds are accepted: CRDs are first-class,
 * and the router places them by the {@code kedge.io/node} label.
 */
public final class ManifestReader {
  /** Built-in kinds that have no namespace; any other kind is treated as namespaced. */
  static final Set<String> CLUSTER_SCOPED =
      Set.of(
          "/Node",
          "/Namespace",
          "/PersistentVolume",
          "apiextensions.k8s.io/CustomResourceDefinition",
          "rbac.authorization.k8s.io/ClusterRole",
          "rbac.authorization.k8s.io/ClusterRoleBinding",
          "storage.k8s.io/StorageClass",
          "storage.k8s.io/CSIDriver",
          "storage.k8s.io/CSINode",
          "storage.k8s.io/VolumeAttachment",
          "node.k8s.io/RuntimeClass",
          "scheduling.k8s.io/PriorityClass",
          "admissionregistration.k8s.io/MutatingWebhookConfiguration",
          "admissionregistration.k8s.io/ValidatingWebhookConfiguration");

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * Reads every manifest under {@code path}.
   *
   * @throws ManifestException listing every invalid document; then nothing should be applied
   */
  public List<Manifest> read(Path path) {
    List<Path> files = files(path);
    List<Manifest> manifests = new ArrayList<>();
    List<ManifestException.Problem> problems = new ArrayList<>();
    for (Path file : files) {
      readFile(file, manifests, problems);
    }
    Map<ObjectKey, Manifest> seen = new LinkedHashMap<>();
    for (Manifest manifest : manifests) {
      Manifest before = seen.put(manifest.key(), manifest);
      if (before != null) {
        problems.add(
            new ManifestException.Problem(
                manifest.file().toString(),
                manifest.document(),
                "metadata.name",
                manifest.key()
                    + " is also defined in "
                    + before.file()
                    + " document "
                    + before.document()));
      }
    }
    if (!problems.isEmpty()) {
      throw new ManifestException(problems);
    }
    return manifests;
  }

  private static List<Path> files(Path path) {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new ManifestException(
          List.of(
              new ManifestException.Problem(path.toString(), 0, "", "no such file or directory")));
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ManifestException(
          List.of(
              new ManifestException.Problem(
                  path.toString(), 0, "", "cannot list: " + e.getMessage())));
    }
  }

  private void readFile(Path file, List<Manifest> out, List<ManifestException.Problem> problems) {
    int index = 0;
    try (JsonParser parser = YAML.getFactory().createParser(file.toFile());
        MappingIterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class)) {
      while (docs.hasNextValue()) {
        index++;
        JsonNode doc = docs.nextValue();
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue; // an empty document between separators
        }
        if (!doc.isObject()) {
          problems.add(
              new ManifestException.Problem(file.toString(), index, "", "is not a YAML mapping"));
          continue;
        }
        if ("List".equals(doc.path("kind").asText()) && doc.path("items").isArray()) {
          for (JsonNode item : doc.path("items")) {
            validate(file, index, item, out, problems);
          }
        } else {
          validate(file, index, doc, out, problems);
        }
      }
    } catch (IOException | RuntimeException e) {
      problems.add(
          new ManifestException.Problem(
              file.toString(),
              Math.max(index, 1),
              "",
              "is not valid YAML or JSON: " + firstLine(e.getMessage())));
    }
  }

  private static void validate(
      Path file,
      int index,
      JsonNode doc,
      List<Manifest> out,
      List<ManifestException.Problem> problems) {
    String name = file.toString();
    int before = problems.size();
    String apiVersion = doc.path("apiVersion").asText("");
    String kind = doc.path("kind").asText("");
    JsonNode metadata = doc.path("metadata");
    String objectName = metadata.path("name").asText("");
    if (apiVersion.isEmpty()) {
      problems.add(new ManifestException.Problem(name, index, "apiVersion", "is required"));
    } else if (!apiVersion.matches("([a-z0-9.-]+/)?v[0-9]+((alpha|beta)[0-9]+)?")) {
      problems.add(
          new ManifestException.Problem(
              name, index, "apiVersion", "'" + apiVersion + "' is not group/version or version"));
    }
    if (kind.isEmpty()) {
      problems.add(new ManifestException.Problem(name, index, "kind", "is required"));
    } else if (!kind.matches("[A-Z][A-Za-z0-9]*")) {
      problems.add(
          new ManifestException.Problem(
              name, index, "kind", "'" + kind + "' is not a Kubernetes kind"));
    }
    if (objectName.isEmpty()) {
      problems.add(new ManifestException.Problem(name, index, "metadata.name", "is required"));
    } else if (!NodeNames.isValid(objectName)) {
      problems.add(
          new ManifestException.Problem(
              name,
              index,
              "metadata.name",
              "'"
                  + abbreviate(objectName)
                  + "' must be a DNS subdomain of at most 253 characters"));
    }
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    boolean clusterScoped = CLUSTER_SCOPED.contains(group + "/" + kind);
    String namespace = metadata.path("namespace").asText("");
    if (clusterScoped && !namespace.isEmpty()) {
      problems.add(
          new ManifestException.Problem(
              name,
              index,
              "metadata.namespace",
              kind + " is cluster-scoped and takes no namespace"));
    } else if (!namespace.isEmpty()
        && (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches())) {
      problems.add(
          new ManifestException.Problem(
              name,
              index,
              "metadata.namespace",
              "'" + abbreviate(namespace) + "' must be a DNS label of at most 63 characters"));
    }
    String nodeName = doc.path("spec").path("nodeName").asText("");
    if (kind.equals("Pod")
        && group.isEmpty()
        && !nodeName.isEmpty()
        && !NodeNames.isValid(nodeName)) {
      problems.add(
          new ManifestException.Problem(
              name,
              index,
              "spec.nodeName",
              "'" + abbreviate(nodeName) + "' is not a valid node name"));
    }
    if (problems.size() > before) {
      return;
    }
    ObjectNode object = doc.deepCopy();
    if (!clusterScoped && namespace.isEmpty()) {
      namespace = "default";
      object.withObject("metadata").put("namespace", namespace);
    }
    object.withObject("metadata").remove("resourceVersion");
    String version =
        apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
    out.add(
        new Manifest(
            file,
            index,
            new ObjectKey(group, version, kind, clusterScoped ? "" : namespace, objectName),
            object));
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
