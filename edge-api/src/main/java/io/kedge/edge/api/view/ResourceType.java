package io.kedge.edge.api.view;

import java.util.List;

/**
 * A kind the edge API serves: its group/version, kind, plural resource name, scope, short names and
 * categories (e.g. {@code all}), as discovery reports them, and for a CRD version its {@code
 * additionalPrinterColumns} (empty for built-in kinds).
 */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    List<PrinterColumn> printerColumns) {

  /** A CRD's additional printer column: a JSONPath into the object, printed as {@code type}. */
  public record PrinterColumn(
      String name, String type, String format, String description, int priority, String jsonPath) {}

  public ResourceType {
    shortNames = List.copyOf(shortNames);
    categories = List.copyOf(categories);
    printerColumns = List.copyOf(printerColumns);
  }

  public ResourceType(
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced,
      List<String> shortNames) {
    this(group, version, kind, plural, namespaced, shortNames, List.of(), List.of());
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
