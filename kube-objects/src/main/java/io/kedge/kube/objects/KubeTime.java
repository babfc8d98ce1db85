package io.kedge.kube.objects;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Times as Kubernetes writes its {@code metav1.Time} fields (creationTimestamp, a condition's
 * lastTransitionTime...): RFC 3339 in UTC, to the second. Clients that compare or re-encode them
 * (client-go round-trips at second precision) then see what kube-apiserver would send.
 */
public final class KubeTime {
  private KubeTime() {}

  /** {@code instant} as Kubernetes writes it, e.g. {@code 2026-12-05T16:43:57Z}. */
  public static String of(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
