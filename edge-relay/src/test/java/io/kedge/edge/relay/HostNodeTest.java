package io.kedge.edge.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostNodeTest {
  private static final HostNode.Host HOST =
      new HostNode.Host(
          "linux",
          "arm64",
          "6.1.0-13-arm64",
          "Debian GNU/Linux 12 (bookworm)",
          "0123456789abcdef0123456789abcdef",
          "9c4a7a3e-7f2b-4a43-9d0e-2d5c2d9e2c11",
          4,
          3_981_234,
          Optional.of("10.0.3.7"));

  @Test
  void describesTheHostWhereAKubeletReportsIt() {
    JsonNode node = HostNode.describe("shop-7", HOST);

    assertThat(node.at("/metadata/name").asText()).isEqualTo("shop-7");
    assertThat(node.at("/metadata/labels").toString())
        .isEqualTo(
            "{\"kubernetes.io/hostname\":\"shop-7\",\"kubernetes.io/os\":\"linux\","
                + "\"kubernetes.io/arch\":\"arm64\",\"node-role.kubernetes.io/edge\":\"\","
                + "\"node-role.kubernetes.io/agent\":\"\"}");
    assertThat(node.at("/status/capacity").toString())
        .isEqualTo("{\"cpu\":\"4\",\"memory\":\"3981234Ki\",\"pods\":\"110\"}");
    assertThat(node.at("/status/allocatable")).isEqualTo(node.at("/status/capacity"));
    assertThat(node.at("/status/addresses").toString())
        .isEqualTo(
            "[{\"type\":\"InternalIP\",\"address\":\"10.0.3.7\"},"
                + "{\"type\":\"Hostname\",\"address\":\"shop-7\"}]");
    JsonNode info = node.at("/status/nodeInfo");
    assertThat(info.path("osImage").asText()).isEqualTo("Debian GNU/Linux 12 (bookworm)");
    assertThat(info.path("kernelVersion").asText()).isEqualTo("6.1.0-13-arm64");
    assertThat(info.path("operatingSystem").asText()).isEqualTo("linux");
    assertThat(info.path("architecture").asText()).isEqualTo("arm64");
    assertThat(info.path("machineID").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(info.path("bootID").asText()).isEqualTo("9c4a7a3e-7f2b-4a43-9d0e-2d5c2d9e2c11");
    // no kubelet, no runtime: left empty rather than made up
    assertThat(info.path("kubeletVersion").asText()).isEmpty();
    assertThat(info.path("containerRuntimeVersion").asText()).isEmpty();
  }

  @Test
  void aHostWithoutAnAddressIsNamedByItsHostNameAlone() {
    HostNode.Host host =
        new HostNode.Host("linux", "amd64", "6.18", "", "", "", 2, 1024, Optional.empty());

    assertThat(HostNode.describe("edge-1", host).at("/status/addresses").toString())
        .isEqualTo("[{\"type\":\"Hostname\",\"address\":\"edge-1\"}]");
  }

  @Test
  void namesOperatingSystemsAndArchitecturesAsGoDoes() {
    assertThat(HostNode.goOs("Linux")).isEqualTo("linux");
    assertThat(HostNode.goOs("Mac OS X")).isEqualTo("darwin");
    assertThat(HostNode.goOs("Windows 11")).isEqualTo("windows");
    assertThat(HostNode.goArch("amd64")).isEqualTo("amd64");
    assertThat(HostNode.goArch("x86_64")).isEqualTo("amd64");
    assertThat(HostNode.goArch("aarch64")).isEqualTo("arm64");
    assertThat(HostNode.goArch("arm")).isEqualTo("arm");
    assertThat(HostNode.goArch("i386")).isEqualTo("386");
    assertThat(HostNode.goArch("ppc64le")).isEqualTo("ppc64le");
    assertThat(HostNode.goArch("riscv64")).isEqualTo("riscv64");
  }

  @Test
  void readsTheHostsFiles() {
    assertThat(
            HostNode.osImage(
                "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"))
        .isEqualTo("Debian GNU/Linux 12 (bookworm)");
    assertThat(HostNode.osImage("PRETTY_NAME='Alpine Linux v3.20'\n"))
        .isEqualTo("Alpine Linux v3.20");
    assertThat(HostNode.osImage("PRETTY_NAME=Ubuntu\n")).isEqualTo("Ubuntu");
    assertThat(HostNode.osImage("NAME=x\n")).isEmpty();

    assertThat(HostNode.onlineCpus("0-3\n")).isEqualTo(4);
    assertThat(HostNode.onlineCpus("0-1,4,6-7")).isEqualTo(5);
    assertThat(HostNode.onlineCpus("0")).isEqualTo(1);
    assertThat(HostNode.onlineCpus("garbage")).isZero();

    assertThat(HostNode.memTotalKib("MemTotal:       24524312 kB\nMemFree: 1 kB\n"))
        .isEqualTo(24_524_312);
    assertThat(HostNode.memTotalKib("MemFree: 1 kB\n")).isZero();
  }
}
