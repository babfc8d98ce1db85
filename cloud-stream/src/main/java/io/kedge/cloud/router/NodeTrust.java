package io.kedge.cloud.router;

import io.kedge.schemas.authorization.NodeRestriction;
import io.kedge.schemas.authorization.NodeSignatures;
import io.kedge.schemas.authorization.NodeWriteRules;

/**
 * How far the cloud trusts what edge nodes send: who wrote an upstream event (its node's signature,
 * when {@code verifier} is set) and what that node may write ({@code restriction}). Refusals are
 * counted in {@code rejections}.
 */
public record NodeTrust(
    NodeSignatures.Verifier verifier, NodeRestriction restriction, UpstreamRejections rejections) {

  /** Every node trusted: no signatures, every write applied (embedded clouds, tests). */
  public static NodeTrust trusting() {
    return new NodeTrust(null, new NodeRestriction(NodeWriteRules.ALL), new UpstreamRejections());
  }

  /**
   * Signatures checked when {@code secret} is set; writes limited to the node's and {@code rules}.
   */
  public static NodeTrust of(byte[] secret, NodeWriteRules rules) {
    return new NodeTrust(
        secret == null ? null : new NodeSignatures.Verifier(secret),
        new NodeRestriction(rules),
        new UpstreamRejections());
  }
}
