package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What kube-apiserver's defaulting sets on every PersistentVolume and PersistentVolumeClaim it
 * stores: phase Pending until a binder says otherwise, the Filesystem volume mode, and a volume's
 * Retain reclaim policy. {@code kubectl get -o wide} and the kubelet read them.
 */
final class VolumeDefaults {
  private VolumeDefaults() {}

  /** Fills the defaults of a PersistentVolume or PersistentVolumeClaim where they are absent. */
  static void fill(String kind, ObjectNode object) {
    boolean volume = kind.equals("PersistentVolume");
    if (!volume && !kind.equals("PersistentVolumeClaim")) {
      return;
    }
    ObjectNode spec = object.withObject("spec");
    ObjectDefaults.putIfAbsent(spec, "volumeMode", "Filesystem");
    if (volume) {
      ObjectDefaults.putIfAbsent(spec, "persistentVolumeReclaimPolicy", "Retain");
    }
    ObjectDefaults.putIfAbsent(object.withObject("status"), "phase", "Pending");
  }
}
