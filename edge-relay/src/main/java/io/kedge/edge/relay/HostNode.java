package io.kedge.edge.relay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;

/**
 * The Node an edge node registers with: the labels KubeEdge's edgecore sets, and what the host says
 * of itself where a kubelet would report it (system info, addresses, CPU, memory, a kubelet's
 * default of 110 pods). Without it {@code kubectl describe node} divides by a missing capacity and
 * {@code get nodes -o wide} shows {@code <unknown>}. A kubelet on the node replaces the status with
 * its own at its first status update.
 */
public final class HostNode {
  /** A kubelet's default {@code maxPods}. */
  static final String PODS = "110";

  private HostNode() {}

  /** The Node {@code node} registers with, described from this host. */
  public static ObjectNode describe(String node) {
    return describe(node, ThisHost.HOST);
  }

  /** This host, read once: {@code kedge local} describes every node it runs from it. */
  private static final class ThisHost {
    static final Host HOST = Host.read();
  }

  static ObjectNode describe(String node, Host host) {
    ObjectNode object = EventCodec.json().createObjectNode();
    object.put("apiVersion", "v1").put("kind", "Node");
    ObjectNode labels = object.putObject("metadata").put("name", node).putObject("labels");
    labels.put("kubernetes.io/hostname", node);
    labels.put("kubernetes.io/os", host.os());
    labels.put("kubernetes.io/arch", host.arch());
    labels.put("node-role.kubernetes.io/edge", "");
    labels.put("node-role.kubernetes.io/agent", "");
    ObjectNode status = object.putObject("status");
    ObjectNode capacity = status.putObject("capacity");
    capacity.put("cpu", Integer.toString(host.cpus()));
    capacity.put("memory", host.memoryKib() + "Ki");
    capacity.put("pods", PODS);
    status.set("allocatable", capacity.deepCopy());
    ArrayNode addresses = status.putArray("addresses");
    host.internalIp()
        .ifPresent(ip -> addresses.addObject().put("type", "InternalIP").put("address", ip));
    addresses.addObject().put("type", "Hostname").put("address", node);
    status
        .putObject("nodeInfo")
        .put("machineID", host.machineId())
        .put("systemUUID", "")
        .put("bootID", host.bootId())
        .put("kernelVersion", host.kernel())
        .put("osImage", host.osImage())
        .put("containerRuntimeVersion", "")
        .put("kubeletVersion", "")
        .put("kubeProxyVersion", "")
        .put("operatingSystem", host.os())
        .put("architecture", host.arch());
    return object;
  }

  /** What a host says of itself, as a kubelet names it. */
  record Host(
      String os,
      String arch,
      String kernel,
      String osImage,
      String machineId,
      String bootId,
      int cpus,
      long memoryKib,
      Optional<String> internalIp) {

    static Host read() {
      return new Host(
          goOs(System.getProperty("os.name", "")),
          goArch(System.getProperty("os.arch", "")),
          System.getProperty("os.version", ""),
          HostNode.osImage(readText(Path.of("/etc/os-release")).orElse("")),
          readText(Path.of("/etc/machine-id")).orElse("").strip(),
          readText(Path.of("/proc/sys/kernel/random/boot_id")).orElse("").strip(),
          readText(Path.of("/sys/devices/system/cpu/online"))
              .map(HostNode::onlineCpus)
              .filter(n -> n > 0)
              .orElse(Runtime.getRuntime().availableProcessors()),
          readText(Path.of("/proc/meminfo"))
              .map(HostNode::memTotalKib)
              .filter(n -> n > 0)
              .orElseGet(HostNode::jvmVisibleMemoryKib),
          HostNode.internalIp());
    }
  }

  /**
   * Go's {@code GOOS} for Java's {@code os.name}, as the {@code kubernetes.io/os} label takes it.
   */
  static String goOs(String osName) {
    String name = osName.toLowerCase(Locale.ROOT);
    if (name.startsWith("mac") || name.startsWith("darwin")) {
      return "darwin";
    }
    if (name.startsWith("windows")) {
      return "windows";
    }
    return name.isBlank() ? "linux" : name.replaceAll("[^a-z0-9]", "");
  }

  /** Go's {@code GOARCH} for Java's {@code os.arch}. */
  static String goArch(String osArch) {
    String arch = osArch.toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "386";
      case "arm", "armv7l", "armv6l" -> "arm";
      default -> arch.replaceAll("[^a-z0-9]", "");
    };
  }

  /** {@code PRETTY_NAME} of an os-release file, as a kubelet reports its OS image. */
  static String osImage(String osRelease) {
    for (String line : osRelease.split("\n")) {
      if (line.startsWith("PRETTY_NAME=")) {
        String value = line.substring("PRETTY_NAME=".length()).strip();
        if (value.length() >= 2
            && (value.startsWith("\"") || value.startsWith("'"))
            && value.endsWith(value.substring(0, 1))) {
          value = value.substring(1, value.length() - 1);
        }
        return value;
      }
    }
    return "";
  }

  /** How many processors a kernel's CPU list ({@code 0-3,6,8-9}) names. */
  static int onlineCpus(String list) {
    int count = 0;
    for (String part : list.strip().split(",")) {
      if (part.isBlank()) {
        continue;
      }
      try {
        int dash = part.indexOf('-');
        int first = Integer.parseInt((dash < 0 ? part : part.substring(0, dash)).strip());
        int last = dash < 0 ? first : Integer.parseInt(part.substring(dash + 1).strip());
        count += last - first + 1;
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return count;
  }

  /** {@code MemTotal} of {@code /proc/meminfo}, in KiB (0 when absent). */
  static long memTotalKib(String meminfo) {
    for (String line : meminfo.split("\n")) {
      if (line.startsWith("MemTotal:")) {
        String[] fields = line.substring("MemTotal:".length()).strip().split("\\s+");
        try {
          return Long.parseLong(fields[0]);
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static long jvmVisibleMemoryKib() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize()
        / 1024;
  }

  /**
   * The host's address as a kubelet without {@code --node-ip} picks it: the host name's address
   * when that is not a loopback one, else the first IPv4 address of an interface that is up.
   */
  private static Optional<String> internalIp() {
    try {
      InetAddress byName = InetAddress.getLocalHost();
      if (!byName.isLoopbackAddress() && byName instanceof Inet4Address) {
        return Optional.of(byName.getHostAddress());
      }
    } catch (IOException e) {
      // no resolvable host name: look at the interfaces
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
            return Optional.of(address.getHostAddress());
          }
        }
      }
    } catch (SocketException e) {
      // no interfaces to read: the Node says only its host name
    }
    return Optional.empty();
  }

  private static Optional<String> readText(Path file) {
    try {
      return Optional.of(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
