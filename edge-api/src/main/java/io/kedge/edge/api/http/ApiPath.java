package io.kedge.edge.api.http;

/**
 * A parsed Kubernetes resource path: {@code /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{sub}]]}
 * or {@code /apis/{group}/{version}/...}. The legacy {@code /watch/} prefix sets {@code watch}.
 */
record ApiPath(
    String group,
    String version,
    String namespace,
    String resource,
    String name,
    String subresource,
    boolean watch) {

  /** Parses {@code path}, or returns {@code null} when it is not a resource path. */
  static ApiPath parse(String path) {
    String[] parts = path.replaceAll("/+$", "").split("/");
    // parts[0] is "" (leading slash)
    int i = 1;
    String group;
    String version;
    if (parts.length > 2 && parts[1].equals("api")) {
      group = "";
      version = parts[2];
      i = 3;
    } else if (parts.length > 3 && parts[1].equals("apis")) {
      group = parts[2];
      version = parts[3];
      i = 4;
    } else {
      return null;
    }
    boolean watch = false;
    if (i < parts.length && parts[i].equals("watch")) {
      watch = true;
      i++;
    }
    String namespace = "";
    if (i + 1 < parts.length && parts[i].equals("namespaces") && i + 2 < parts.length) {
      namespace = parts[i + 1];
      i += 2;
    }
    if (i >= parts.length) {
      return null;
    }
    String resource = parts[i++];
    String name = i < parts.length ? parts[i++] : "";
    String sub = i < parts.length ? parts[i++] : "";
    if (i < parts.length) {
      return null;
    }
    return new ApiPath(group, version, namespace, resource, name, sub, watch);
  }
}
