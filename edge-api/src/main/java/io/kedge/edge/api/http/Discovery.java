package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.schemas.EventCodec;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Legacy discovery documents ({@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/{g}/{v}},
 * {@code /version}) built from the known kinds, so kubectl and client libraries can map kinds to
 * resources. KubeEdge's MetaServer answered these with 500, which is why kubectl could not talk to
 * it.
 */
final class Discovery {
  static final List<String> VERBS =
      List.of("create", "delete", "get", "list", "patch", "update", "watch");

  private final ResourceTypes types;
  private final String kedgeVersion;

  Discovery(ResourceTypes types, String kedgeVersion) {
    this.types = types;
    this.kedgeVersion = kedgeVersion;
  }

  ObjectNode version() {
    ObjectNode v = EventCodec.json().createObjectNode();
    v.put("major", "1").put("minor", "35").put("gitVersion", "v1.35.0-kedge." + kedgeVersion);
    v.put("gitCommit", "").put("gitTreeState", "clean").put("buildDate", "");
    v.put("goVersion", "java" + System.getProperty("java.version")).put("compiler", "kedge");
    v.put("platform", "linux/amd64");
    return v;
  }

  ObjectNode coreVersions(String serverAddress) {
    ObjectNode v = EventCodec.json().createObjectNode();
    v.put("kind", "APIVersions");
    v.putArray("versions").add("v1");
    v.putArray("serverAddressByClientCIDRs")
        .addObject()
        .put("clientCIDR", "0.0.0.0/0")
        .put("serverAddress", serverAddress);
    return v;
  }

  ObjectNode groups() {
    Map<String, List<ResourceType>> byGroup =
        types.all().stream()
            .filter(t -> !t.group().isEmpty())
            .collect(Collectors.groupingBy(ResourceType::group, TreeMap::new, Collectors.toList()));
    ObjectNode list = EventCodec.json().createObjectNode();
    list.put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    byGroup.forEach(
        (group, groupTypes) -> {
          ObjectNode g = groups.addObject();
          g.put("name", group);
          ArrayNode versions = g.putArray("versions");
          List<String> names =
              groupTypes.stream()
                  .map(ResourceType::version)
                  .distinct()
                  .sorted(Comparator.reverseOrder())
                  .toList();
          for (String version : names) {
            versions.addObject().put("groupVersion", group + "/" + version).put("version", version);
          }
          g.putObject("preferredVersion")
              .put("groupVersion", group + "/" + names.get(0))
              .put("version", names.get(0));
        });
    return list;
  }

  /** The APIResourceList of one group/version, or {@code null} when nothing is served there. */
  ObjectNode resources(String group, String version) {
    List<ResourceType> served =
        types.all().stream()
            .filter(t -> t.group().equals(group) && t.version().equals(version))
            .sorted(Comparator.comparing(ResourceType::plural))
            .toList();
    if (served.isEmpty()) {
      return null;
    }
    ObjectNode list = EventCodec.json().createObjectNode();
    list.put("kind", "APIResourceList").put("apiVersion", "v1");
    list.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode resources = list.putArray("resources");
    for (ResourceType type : served) {
      ObjectNode r = resources.addObject();
      r.put("name", type.plural())
          .put("singularName", type.singular())
          .put("namespaced", type.namespaced());
      r.put("kind", type.kind());
      ArrayNode verbs = r.putArray("verbs");
      VERBS.forEach(verbs::add);
      if (!type.shortNames().isEmpty()) {
        ArrayNode shortNames = r.putArray("shortNames");
        type.shortNames().forEach(shortNames::add);
      }
      ObjectNode status = resources.addObject();
      status
          .put("name", type.plural() + "/status")
          .put("singularName", "")
          .put("namespaced", type.namespaced());
      status.put("kind", type.kind());
      status.putArray("verbs").add("get").add("patch").add("update");
    }
    return list;
  }
}
