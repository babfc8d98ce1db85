package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.kube.authorization.NodeRestriction;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.authorization.NodeSignatures;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How far the cloud trusts what edge nodes send: who wrote an upstream event (its node's signature,
 * when {@code verifier} is set) and what that node may write ({@code restriction}). Refusals are
 * counted in {@code rejections}.
 */
public record NodeTrust(
    NodeSignatures.Verifier verifier, NodeRestriction restriction, UpstreamRejections rejections) {

  /**
   * Why an upstream record about node {@code claimed} is refused, as {@code "reason: detail"}
   * naming the claimed and the signing node, or null when it is accepted (signed by {@code
   * claimed}, or signatures are not checked). A refusal is counted.
   */
  public String refusal(String key, byte[] value, Headers headers, String claimed) {
    if (verifier == null) {
      return null;
    }
    NodeSignatures.Verdict verdict = verifier.verify(key, value, headers);
    String reason;
    String detail;
    if (verdict instanceof NodeSignatures.Refused refused) {
      reason = refused.reason();
      detail =
          refused.detail()
              + "; it claims node "
              + (claimed.isEmpty() ? refused.claimed() : claimed)
              // a revoked key did belong to the node it names: its holder is that node's past
              + (reason.equals("revoked-key") ? "" : ", its real node is unknown");
    } else {
      String signer = ((NodeSignatures.Signed) verdict).node();
      if (claimed.isEmpty() || claimed.equals(signer)) {
        return null;
      }
      reason = "node-mismatch";
      detail = "it claims node " + claimed + ", but node " + signer + " signed it";
    }
    rejections.refused(reason);
    return reason + ": " + detail;
  }

  /**
   * Why the request's node may not make {@code request} ({@link NodeRestriction#forbidden}),
   * decided on the router's stores: {@code stored} reads an object, {@code placements} tells which
   * nodes' pods use a claim.
   */
  String forbidden(
      WriteRequest request,
      JsonNode current,
      Function<ObjectKey, JsonNode> stored,
      KeyValueStore<String, String> placements) {
    return restriction.forbidden(
        request.node(),
        request,
        current,
        stored,
        (node, key) -> Holdings.placedOn(placements, node, key));
  }

  /**
   * Refuses a write its node may not make: counted, logged, and answered 403 with the rule to the
   * node that asked.
   */
  void refuseWrite(
      org.apache.kafka.streams.processor.api.ProcessorContext<String, Object> context,
      org.apache.kafka.streams.state.KeyValueStore<String, String> nodes,
      io.kedge.schemas.WriteRequest request,
      String why) {
    rejections.refused("forbidden");
    LOG.warn(
        "write {} from node {}: {} {} refused: {}",
        request.requestId(),
        request.node(),
        request.operation(),
        request.key(),
        why);
    RouterOutputs.answer(
        context,
        nodes,
        request.node(),
        new io.kedge.schemas.WriteResponse(
            request.requestId(), 403, NodeRestriction.status(request.key(), why)));
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeTrust.class);

  /** Every node trusted: no signatures, every write applied (embedded clouds, tests). */
  public static NodeTrust trusting() {
    return new NodeTrust(null, new NodeRestriction(NodeWriteRules.ALL), new UpstreamRejections());
  }

  /**
   * Signatures checked when {@code secret} is set; writes limited to the node's and {@code rules}.
   */
  public static NodeTrust of(byte[] secret, NodeWriteRules rules) {
    return of(secret, NodeSignatures.Generations.NONE, rules);
  }

  /** The same, refusing keys older than each node's current one in {@code generations}. */
  public static NodeTrust of(
      byte[] secret, NodeSignatures.Generations generations, NodeWriteRules rules) {
    return new NodeTrust(
        secret == null ? null : new NodeSignatures.Verifier(secret, generations),
        new NodeRestriction(rules),
        new UpstreamRejections());
  }
}
