package io.kedge.kube.objects;

import io.kedge.schemas.NodeNames;
import io.kedge.schemas.ObjectKey;
import java.util.regex.Pattern;

/**
 * The names kube-apiserver accepts for a new object, by kind: a Service's is a DNS-1035 label, a
 * Namespace's a DNS-1123 label, every other kind's a DNS-1123 subdomain. Besides clients'
 * expectations, a Node's name becomes part of its Kafka topic's, and a name outside these rules
 * could not be one.
 */
public final class ObjectNames {
  private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String SUBDOMAIN = NodeNames.DNS_SUBDOMAIN.pattern();
  private static final String DNS1035 = "[a-z]([-a-z0-9]*[a-z0-9])?";

  private enum Rule {
    SUBDOMAIN(
        ObjectNames.SUBDOMAIN,
        253,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-'"
            + " or '.', and must start and end with an alphanumeric character (e.g."
            + " 'example.com', regex used for validation is '"
            + ObjectNames.SUBDOMAIN
            + "')"),
    LABEL(
        ObjectNames.LABEL,
        63,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-',"
            + " and must start and end with an alphanumeric character (e.g. 'my-name',  or"
            + " '123-abc', regex used for validation is '"
            + ObjectNames.LABEL
            + "')"),
    DNS1035(
        ObjectNames.DNS1035,
        63,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an"
            + " alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or"
            + " 'abc-123', regex used for validation is '"
            + ObjectNames.DNS1035
            + "')");

    private final Pattern pattern;
    private final int maxLength;
    private final String message;

    Rule(String regex, int maxLength, String message) {
      this.pattern = Pattern.compile(regex);
      this.maxLength = maxLength;
      this.message = message;
    }
  }

  private ObjectNames() {}

  /**
   * Why {@code key}'s name is not one kube-apiserver would accept for its kind, as it words it
   * ({@code metadata.name: Invalid value: "Bad_Name": ...}); null when it is.
   */
  public static String invalid(ObjectKey key) {
    Rule rule = rule(key);
    String name = key.name();
    String why = null;
    if (!rule.pattern.matcher(name).matches()) {
      why = rule.message;
    } else if (name.length() > rule.maxLength) {
      why = "must be no more than " + rule.maxLength + " characters";
    }
    return why == null ? null : "metadata.name: Invalid value: \"" + name + "\": " + why;
  }

  private static Rule rule(ObjectKey key) {
    if (!key.group().isEmpty()) {
      return Rule.SUBDOMAIN;
    }
    return switch (key.kind()) {
      case "Service" -> Rule.DNS1035;
      case "Namespace" -> Rule.LABEL;
      default -> Rule.SUBDOMAIN;
    };
  }
}
