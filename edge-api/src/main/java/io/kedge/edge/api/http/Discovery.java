package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.schemas.EventCodec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Discovery built from the known kinds, so kubectl and client libraries can map kinds to resources:
 * the legacy documents ({@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/{g}/{v}}, {@code
 * /version}) and the aggregated one ({@code apidiscovery.k8s.io/v2}) that current clients ask for
 * first, which answers all of a root in one request. KubeEdge's MetaServer answered these with 500,
 * which is why kubectl could not talk to it.
 */
final class Discovery {
  static final List<String> VERBS =
      List.of("create", "delete", "get", "list", "patch", "update", "watch");

  /** The media type of aggregated discovery, as an Accept range and as the answer's type. */
  static final String AGGREGATED =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

  /** What {@code serviceaccounts/<name>/token} creates. */
  private static final ResourceType TOKEN_REQUEST =
      new ResourceType("authentication.k8s.io", "v1", "TokenRequest", "", false, List.of());

  private final ResourceTypes types;
  private final String kedgeVersion;

  private static boolean hasToken(ResourceType type) {
    return type.group().isEmpty() && type.kind().equals("ServiceAccount");
  }

  Discovery(ResourceTypes types, String kedgeVersion) {
    this.types = types;
    this.kedgeVersion = kedgeVersion;
  }

  /**
   * Whether an Accept header prefers aggregated discovery (v2) to the legacy documents: ranges are
   * taken in order; the first this server can answer wins (v2beta1 it cannot).
   */
  static boolean wantsAggregated(String accept) {
    if (accept == null) {
      return false;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String media = parts[0].trim().toLowerCase(Locale.ROOT);
      Map<String, String> params = new TreeMap<>();
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].trim().split("=", 2);
        if (kv.length == 2) {
          params.put(kv[0].trim(), kv[1].trim());
        }
      }
      if (!media.equals("application/json") && !media.equals("*/*")) {
        continue;
      }
      if (!params.containsKey("g")) {
        return false; // plain JSON comes first
      }
      if ("apidiscovery.k8s.io".equals(params.get("g"))
          && "v2".equals(params.get("v"))
          && "APIGroupDiscoveryList".equals(params.get("as"))) {
        return true;
      }
    }
    return false;
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

  /** Served versions of each named group, newest first. */
  private Map<String, List<String>> groupVersions() {
    Map<String, List<String>> byGroup =
        types.all().stream()
            .filter(t -> !t.group().isEmpty())
            .collect(
                Collectors.groupingBy(
                    ResourceType::group,
                    TreeMap::new,
                    Collectors.mapping(
                        ResourceType::version, Collectors.toCollection(ArrayList::new))));
    AccessReviews.REVIEWS.forEach(
        review -> byGroup.computeIfAbsent(review.group(), group -> new ArrayList<>()).add("v1"));
    byGroup.replaceAll(
        (group, versions) ->
            versions.stream().distinct().sorted(Comparator.reverseOrder()).toList());
    return byGroup;
  }

  ObjectNode groups() {
    ObjectNode list = EventCodec.json().createObjectNode();
    list.put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    groupVersions()
        .forEach(
            (group, names) -> {
              ObjectNode g = groups.addObject();
              g.put("name", group);
              ArrayNode versions = g.putArray("versions");
              for (String version : names) {
                versions
                    .addObject()
                    .put("groupVersion", group + "/" + version)
                    .put("version", version);
              }
              g.putObject("preferredVersion")
                  .put("groupVersion", group + "/" + names.get(0))
                  .put("version", names.get(0));
            });
    return list;
  }

  private List<ResourceType> served(String group, String version) {
    return types.all().stream()
        .filter(t -> t.group().equals(group) && t.version().equals(version))
        .sorted(Comparator.comparing(ResourceType::plural))
        .toList();
  }

  /** The reviews (resources created, never stored) of a group-version. */
  private static List<AccessReviews.Review> reviews(String group, String version) {
    return AccessReviews.REVIEWS.stream()
        .filter(review -> version.equals("v1") && review.group().equals(group))
        .toList();
  }

  /** The APIResourceList of one group/version, or {@code null} when nothing is served there. */
  ObjectNode resources(String group, String version) {
    List<ResourceType> served = served(group, version);
    if (served.isEmpty() && reviews(group, version).isEmpty()) {
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
      addNames(r, type);
      ObjectNode status = resources.addObject();
      status
          .put("name", type.plural() + "/status")
          .put("singularName", "")
          .put("namespaced", type.namespaced());
      status.put("kind", type.kind());
      status.putArray("verbs").add("get").add("patch").add("update");
      if (hasToken(type)) {
        ObjectNode token = resources.addObject();
        token
            .put("name", type.plural() + "/token")
            .put("singularName", "")
            .put("namespaced", true)
            .put("group", TOKEN_REQUEST.group())
            .put("version", TOKEN_REQUEST.version())
            .put("kind", TOKEN_REQUEST.kind());
        token.putArray("verbs").add("create");
      }
    }
    for (AccessReviews.Review review : reviews(group, version)) {
      ObjectNode r = resources.addObject();
      r.put("name", review.plural())
          .put("singularName", review.kind().toLowerCase(Locale.ROOT))
          .put("namespaced", false)
          .put("kind", review.kind());
      r.putArray("verbs").add("create");
    }
    return list;
  }

  private static void addNames(ObjectNode resource, ResourceType type) {
    if (!type.shortNames().isEmpty()) {
      ArrayNode shortNames = resource.putArray("shortNames");
      type.shortNames().forEach(shortNames::add);
    }
    if (!type.categories().isEmpty()) {
      ArrayNode categories = resource.putArray("categories");
      type.categories().forEach(categories::add);
    }
  }

  /**
   * The aggregated discovery document ({@code APIGroupDiscoveryList}) of {@code /api} ({@code core}
   * true: the legacy group, named "") or of {@code /apis} (every named group).
   */
  ObjectNode aggregated(boolean core) {
    ObjectNode list = EventCodec.json().createObjectNode();
    list.put("kind", "APIGroupDiscoveryList").put("apiVersion", "apidiscovery.k8s.io/v2");
    list.putObject("metadata");
    ArrayNode items = list.putArray("items");
    Map<String, List<String>> groups = new TreeMap<>();
    if (core) {
      groups.put("", List.of("v1"));
    } else {
      groups.putAll(groupVersions());
    }
    groups.forEach(
        (group, versions) -> {
          ObjectNode item = items.addObject();
          item.putObject("metadata").put("name", group);
          ArrayNode versionList = item.putArray("versions");
          for (String version : versions) {
            ObjectNode v = versionList.addObject();
            v.put("version", version);
            ArrayNode resources = v.putArray("resources");
            for (ResourceType type : served(group, version)) {
              ObjectNode r =
                  resource(resources, type.plural(), type.singular(), group, version, type.kind());
              r.put("scope", type.namespaced() ? "Namespaced" : "Cluster");
              ArrayNode verbs = r.putArray("verbs");
              VERBS.forEach(verbs::add);
              addNames(r, type);
              ArrayNode subresources = r.putArray("subresources");
              ObjectNode status = subresources.addObject();
              status.put("subresource", "status");
              status
                  .putObject("responseKind")
                  .put("group", group)
                  .put("version", version)
                  .put("kind", type.kind());
              status.putArray("verbs").add("get").add("patch").add("update");
              if (hasToken(type)) {
                ObjectNode token = subresources.addObject();
                token.put("subresource", "token");
                token
                    .putObject("responseKind")
                    .put("group", TOKEN_REQUEST.group())
                    .put("version", TOKEN_REQUEST.version())
                    .put("kind", TOKEN_REQUEST.kind());
                token.putArray("verbs").add("create");
              }
            }
            for (AccessReviews.Review review : reviews(group, version)) {
              ObjectNode r =
                  resource(
                      resources,
                      review.plural(),
                      review.kind().toLowerCase(Locale.ROOT),
                      group,
                      version,
                      review.kind());
              r.put("scope", "Cluster");
              r.putArray("verbs").add("create");
            }
            v.put("freshness", "Current");
          }
        });
    return list;
  }

  private static ObjectNode resource(
      ArrayNode resources,
      String plural,
      String singular,
      String group,
      String version,
      String kind) {
    ObjectNode r = resources.addObject();
    r.put("resource", plural);
    r.putObject("responseKind").put("group", group).put("version", version).put("kind", kind);
    r.put("singularResource", singular);
    return r;
  }
}
