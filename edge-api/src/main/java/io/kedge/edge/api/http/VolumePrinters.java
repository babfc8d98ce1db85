package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.edge.api.http.KindPrinters.Column;
import io.kedge.kube.objects.Quantities;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * kube-apiserver's columns for what a kubelet reads to mount a pod's volumes: PersistentVolumes,
 * PersistentVolumeClaims and VolumeAttachments. Quantities are printed in their canonical form and
 * access modes abbreviated in Kubernetes' fixed order, as kube-apiserver prints them.
 */
final class VolumePrinters {
  private static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
  private static final String UNSET = "<unset>";

  private VolumePrinters() {}

  static KindPrinters.Printer persistentVolumes() {
    return KindPrinters.printer(
        List.of(
            column(
                "Capacity", 0, "capacity is the description of the persistent volume's resources."),
            column("Access Modes", 0, "accessModes contains all ways the volume can be mounted."),
            column(
                "Reclaim Policy",
                0,
                "persistentVolumeReclaimPolicy defines what happens to a persistent volume when"
                    + " released from its claim."),
            column(
                "Status",
                0,
                "phase indicates if a volume is available, bound to a claim, or released by a"
                    + " claim."),
            column(
                "Claim",
                0,
                "claimRef is part of a bi-directional binding between PersistentVolume and"
                    + " PersistentVolumeClaim."),
            column("StorageClass", 0, "StorageClass of the pv"),
            column("VolumeAttributesClass", 0, "VolumeAttributesClass of the pv"),
            column(
                "Reason",
                0,
                "reason is a brief CamelCase string that describes any failure and is meant for"
                    + " machine parsing and tidy display in the CLI."),
            KindPrinters.AGE,
            column(
                "VolumeMode",
                1,
                "volumeMode defines if a volume is intended to be used with a formatted filesystem"
                    + " or to remain in raw block state.")),
        (pv, cells, age) -> {
          JsonNode spec = pv.path("spec");
          JsonNode claim = spec.path("claimRef");
          cells.add(Quantities.canonical(spec.path("capacity").path("storage").asText("0")));
          cells.add(accessModes(spec.path("accessModes")));
          cells.add(spec.path("persistentVolumeReclaimPolicy").asText(""));
          cells.add(phase(pv));
          cells.add(
              claim.isObject()
                  ? claim.path("namespace").asText("") + "/" + claim.path("name").asText("")
                  : "");
          cells.add(storageClass(pv, spec.path("storageClassName").asText("")));
          cells.add(spec.path("volumeAttributesClassName").asText(UNSET));
          cells.add(pv.path("status").path("reason").asText(""));
          cells.add(age.apply(KindPrinters.created(pv)));
          cells.add(spec.path("volumeMode").asText(UNSET));
        });
  }

  static KindPrinters.Printer persistentVolumeClaims() {
    return KindPrinters.printer(
        List.of(
            column("Status", 0, "phase represents the current phase of PersistentVolumeClaim."),
            column(
                "Volume",
                0,
                "volumeName is the binding reference to the PersistentVolume backing this claim."),
            column(
                "Capacity",
                0,
                "capacity represents the actual resources of the underlying volume."),
            column(
                "Access Modes",
                0,
                "accessModes contains the actual access modes the volume backing the PVC has."),
            column("StorageClass", 0, "StorageClass of the pvc"),
            column("VolumeAttributesClass", 0, "VolumeAttributesClass of the pvc"),
            KindPrinters.AGE,
            column(
                "VolumeMode",
                1,
                "volumeMode defines what type of volume is required by the claim.")),
        (pvc, cells, age) -> {
          JsonNode spec = pvc.path("spec");
          String volume = spec.path("volumeName").asText("");
          JsonNode status = pvc.path("status");
          cells.add(phase(pvc));
          cells.add(volume);
          cells.add(
              volume.isEmpty()
                  ? ""
                  : Quantities.canonical(status.path("capacity").path("storage").asText("0")));
          cells.add(volume.isEmpty() ? "" : accessModes(status.path("accessModes")));
          cells.add(storageClass(pvc, spec.path("storageClassName").asText("")));
          cells.add(spec.path("volumeAttributesClassName").asText(UNSET));
          cells.add(age.apply(KindPrinters.created(pvc)));
          cells.add(spec.path("volumeMode").asText(UNSET));
        });
  }

  static KindPrinters.Printer volumeAttachments() {
    return KindPrinters.printer(
        List.of(
            column(
                "Attacher",
                0,
                "attacher indicates the name of the volume driver that MUST handle this request."),
            column(
                "PV",
                0,
                "persistentVolumeName represents the name of the persistent volume to attach."),
            column(
                "Node", 0, "nodeName represents the node that the volume should be attached to."),
            column("Attached", 0, "attached indicates the volume is successfully attached."),
            KindPrinters.AGE),
        (attachment, cells, age) -> {
          JsonNode spec = attachment.path("spec");
          cells.add(spec.path("attacher").asText(""));
          cells.add(spec.path("source").path("persistentVolumeName").asText(""));
          cells.add(spec.path("nodeName").asText(""));
          cells.add(attachment.path("status").path("attached").asBoolean(false));
          cells.add(age.apply(KindPrinters.created(attachment)));
        });
  }

  /** The phase, or Terminating once deletion has begun. */
  private static String phase(JsonNode object) {
    return object.path("metadata").hasNonNull("deletionTimestamp")
        ? "Terminating"
        : object.path("status").path("phase").asText("");
  }

  /** The beta annotation first, as Kubernetes' storage class helpers decide. */
  private static String storageClass(JsonNode object, String fromSpec) {
    JsonNode annotation = object.path("metadata").path("annotations").get(BETA_STORAGE_CLASS);
    return annotation != null ? annotation.asText("") : fromSpec;
  }

  /** {@code RWO,ROX,RWX,RWOP}: each mode present once, in that order. */
  static String accessModes(JsonNode modes) {
    Set<String> present = new LinkedHashSet<>();
    modes.forEach(mode -> present.add(mode.asText()));
    List<String> shown = new ArrayList<>();
    String[][] order = {
      {"ReadWriteOnce", "RWO"},
      {"ReadOnlyMany", "ROX"},
      {"ReadWriteMany", "RWX"},
      {"ReadWriteOncePod", "RWOP"}
    };
    for (String[] mode : order) {
      if (present.contains(mode[0])) {
        shown.add(mode[1]);
      }
    }
    return String.join(",", shown);
  }

  private static Column column(String name, int priority, String description) {
    return new Column(name, priority, description);
  }
}
