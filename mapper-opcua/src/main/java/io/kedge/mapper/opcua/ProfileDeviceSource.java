package io.kedge.mapper.opcua;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** Devices from a KubeEdge {@code deviceProfile.json}, read once at start. */
public final class ProfileDeviceSource implements DeviceSource {
  private final Path file;

  public ProfileDeviceSource(Path file) {
    this.file = file;
  }

  @Override
  public void start(Listener listener) {
    JsonNode profile;
    try {
      profile = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "mapper.device-profile " + file + " cannot be read as JSON: " + e.getMessage(), e);
    }
    try {
      DeviceSpecs.fromProfile(profile).forEach(listener::upsert);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "mapper.device-profile " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {}
}
