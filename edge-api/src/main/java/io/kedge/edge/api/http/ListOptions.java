package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.KubeStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The list and watch parameters of a GET, parsed and validated as kube-apiserver does ({@code
 * ValidateListOptions}): a malformed number is a 400; a combination it forbids is a 422 {@code
 * ListOptions.meta.k8s.io "" is invalid} naming every broken rule.
 */
record ListOptions(
    boolean watch,
    String resourceVersion,
    String resourceVersionMatch,
    boolean allowWatchBookmarks,
    boolean sendInitialEvents,
    long timeoutSeconds,
    long limit,
    String continueToken,
    String labelSelector,
    String fieldSelector) {

  /** A request kube-apiserver would refuse as invalid (422), with its Status. */
  static final class InvalidException extends RuntimeException {
    private final transient ObjectNode status;

    InvalidException(ObjectNode status) {
      super(status.path("message").asText());
      this.status = status;
    }

    ObjectNode status() {
      return status;
    }
  }

  /**
   * @param watchPath the request came on a legacy {@code /watch/} path, which is a watch whatever
   *     the parameters say
   * @throws IllegalArgumentException (400) for a parameter that does not parse
   * @throws InvalidException (422) for a combination kube-apiserver forbids
   */
  static ListOptions parse(QueryParams params, boolean watchPath) {
    boolean watch = watchPath || params.bool("watch");
    String match = params.string("resourceVersionMatch");
    String rv = params.string("resourceVersion");
    String continueToken = params.string("continue");
    boolean initialEventsSet = params.has("sendInitialEvents");
    long limit = params.int64("limit").orElse(0);
    if (limit < 0) {
      limit = 0; // kube-apiserver treats a negative limit as none
    }
    ListOptions options =
        new ListOptions(
            watch,
            rv,
            match,
            params.bool("allowWatchBookmarks"),
            params.bool("sendInitialEvents"),
            params.int64("timeoutSeconds").orElse(0),
            limit,
            continueToken,
            params.string("labelSelector"),
            params.string("fieldSelector"));
    List<String> errors = new ArrayList<>();
    if (watch) {
      if (initialEventsSet && !match.equals("NotOlderThan")) {
        errors.add(
            "resourceVersionMatch: Forbidden: sendInitialEvents requires setting"
                + " resourceVersionMatch to NotOlderThan");
      }
      if (!match.isEmpty()) {
        if (!initialEventsSet) {
          errors.add(
              "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless"
                  + " sendInitialEvents is provided");
        }
        if (!match.equals("NotOlderThan")) {
          errors.add(
              "resourceVersionMatch: Unsupported value: \""
                  + match
                  + "\": supported values: \"NotOlderThan\"");
        }
        if (!continueToken.isEmpty()) {
          errors.add(
              "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is"
                  + " provided");
        }
      }
    } else {
      if (!match.isEmpty()) {
        if (rv.isEmpty()) {
          errors.add(
              "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless"
                  + " resourceVersion is provided");
        }
        if (!continueToken.isEmpty()) {
          errors.add(
              "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is"
                  + " provided");
        }
        if (!match.equals("Exact") && !match.equals("NotOlderThan")) {
          errors.add(
              "resourceVersionMatch: Unsupported value: \""
                  + match
                  + "\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
        }
        if (match.equals("Exact") && rv.equals("0")) {
          errors.add(
              "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for"
                  + " resourceVersion \"0\"");
        }
      }
      if (initialEventsSet) {
        errors.add("sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list");
      }
    }
    if (!errors.isEmpty()) {
      ObjectNode status =
          KubeStatus.failure(
              422,
              "Invalid",
              "ListOptions.meta.k8s.io \"\" is invalid: "
                  + (errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]"));
      status.putObject("details").put("group", "meta.k8s.io").put("kind", "ListOptions");
      throw new InvalidException(status);
    }
    return options;
  }
}
