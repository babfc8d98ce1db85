package io.kedge.edge.api.view;

import java.util.List;

/**
 * A kind the edge API serves: its group/version, kind, plural resource name, scope and short names,
 * as discovery reports them.
 */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    boolean namespaced,
    List<String> shortNames) {

  public ResourceType {
    shortNames = List.copyOf(shortNames);
  }

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public String singular() {
    return kind.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The plural with its group, as Kubernetes names a resource in messages: {@code pods}, {@code
   * devices.devices.kubeedge.io}.
   */
  public String qualifiedPlural() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /** {@code group/version/plural}, the key the API routes by. */
  public String gvr() {
    return group + "/" + version + "/" + plural;
  }
}
