package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-apiserver's columns for Endpoints and EndpointSlices, which kube-proxy reads on a node: the
 * first three addresses (with their ports) and how many more.
 */
final class EndpointsPrinters {
  private static final int SHOWN = 3;

  private EndpointsPrinters() {}

  /** Endpoints: {@code ip:port} for each port of each subset, or the bare IPs of a headless one. */
  static KindPrinters.Printer endpoints() {
    return KindPrinters.printer(
        List.of(
            new KindPrinters.Column(
                "Endpoints",
                0,
                "The set of all endpoints is the union of all subsets. Addresses are placed into"
                    + " subsets according to the IPs they share."),
            KindPrinters.AGE),
        (endpoints, cells, age) -> {
          cells.add(formatEndpoints(endpoints));
          cells.add(age.apply(KindPrinters.created(endpoints)));
        });
  }

  /** EndpointSlices: address type, ports (number, else name, else {@code *}), addresses. */
  static KindPrinters.Printer endpointSlices() {
    return KindPrinters.printer(
        List.of(
            new KindPrinters.Column(
                "AddressType",
                0,
                "addressType specifies the type of address carried by this EndpointSlice."),
            new KindPrinters.Column(
                "Ports",
                0,
                "ports specifies the list of network ports exposed by each endpoint in this slice."),
            new KindPrinters.Column(
                "Endpoints", 0, "endpoints is a list of unique endpoints in this slice."),
            KindPrinters.AGE),
        (slice, cells, age) -> {
          cells.add(slice.path("addressType").asText(""));
          List<String> ports = new ArrayList<>();
          for (JsonNode port : slice.path("ports")) {
            ports.add(
                port.hasNonNull("port")
                    ? port.path("port").asText()
                    : port.hasNonNull("name") ? port.path("name").asText() : "*");
          }
          cells.add(firstThree(ports, "<unset>"));
          List<String> addresses = new ArrayList<>();
          for (JsonNode endpoint : slice.path("endpoints")) {
            endpoint.path("addresses").forEach(a -> addresses.add(a.asText()));
          }
          cells.add(firstThree(addresses, "<unset>"));
          cells.add(age.apply(KindPrinters.created(slice)));
        });
  }

  private static String formatEndpoints(JsonNode endpoints) {
    JsonNode subsets = endpoints.path("subsets");
    if (subsets.isEmpty()) {
      return "<none>";
    }
    List<String> all = new ArrayList<>();
    for (JsonNode subset : subsets) {
      JsonNode addresses = subset.path("addresses");
      if (subset.path("ports").isEmpty()) {
        addresses.forEach(a -> all.add(a.path("ip").asText())); // a headless service's
        continue;
      }
      for (JsonNode port : subset.path("ports")) {
        addresses.forEach(a -> all.add(hostPort(a.path("ip").asText(), port.path("port").asInt())));
      }
    }
    return firstThree(all, "");
  }

  /** Go's {@code net.JoinHostPort}: IPv6 addresses in brackets. */
  private static String hostPort(String ip, int port) {
    return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
  }

  /** The first three, then {@code + N more...}; {@code none} when there are none. */
  private static String firstThree(List<String> values, String none) {
    if (values.isEmpty()) {
      return none;
    }
    String shown = String.join(",", values.subList(0, Math.min(SHOWN, values.size())));
    return values.size() > SHOWN ? shown + " + " + (values.size() - SHOWN) + " more..." : shown;
  }
}
