package io.kedge.mapper.opcua;

/** Where the mapper learns its devices: the edge API (Device, DeviceModel) or a profile file. */
public interface DeviceSource extends AutoCloseable {

  /** Told of every device as it appears, changes and goes. */
  interface Listener {
    void upsert(DeviceSpec device);

    void remove(String deviceId);

    /** A device that cannot be served, with the reason (named field). */
    void rejected(String deviceId, String reason);
  }

  void start(Listener listener);

  @Override
  void close();
}
