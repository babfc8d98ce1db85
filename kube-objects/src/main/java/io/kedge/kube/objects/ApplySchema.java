package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * How server-side apply sees each part of an object: structs field by field unless atomic, maps key
 * by key unless atomic, lists atomic, as sets, or as maps keyed by some of their elements' fields.
 * For built-in kinds it follows Kubernetes' tags ({@code +listType}, {@code +listMapKey}, {@code
 * +mapType}, {@code +structType}, and a list's patch tags where it has no list type), as
 * kube-apiserver does, from a resource generated from the Kubernetes models ({@code
 * ApplySchemaTest} in edge-api writes it). Other kinds (custom resources) have no schema here:
 * their lists are told apart by field name ({@link FieldSet.ListType}).
 */
public final class ApplySchema {
  /** The generated resource beside this class: message name to its struct and fields. */
  public static final String RESOURCE = "apply-schema.json.gz";

  private static final JsonNode TYPES = load();

  private ApplySchema() {}

  private static JsonNode load() {
    try (InputStream in = ApplySchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return EventCodec.json().createObjectNode();
      }
      return EventCodec.json().readTree(new GZIPInputStream(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /**
   * The model of {@code apiVersion} {@code kind} as the Kubernetes protobuf models name it: {@code
   * k8s.io.api.<group>.<version>.<Kind>}, the group's first label ({@code core} for the core
   * group).
   */
  public static String modelName(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "core" : apiVersion.substring(0, slash).split("\\.")[0];
    String version = apiVersion.substring(slash + 1);
    return "k8s.io.api." + group + "." + version + "." + kind;
  }

  /**
   * Whether {@code apiVersion} {@code kind} is built into Kubernetes (a strategic merge patch
   * applies to it), not a custom resource: the Kubernetes models have it, or it belongs to the API
   * server's own extension groups.
   */
  public static boolean isBuiltIn(String apiVersion, String kind) {
    if (apiVersion.startsWith("apiextensions.k8s.io/")
        || apiVersion.startsWith("apiregistration.k8s.io/")) {
      return true;
    }
    return TYPES.has(modelName(apiVersion, kind));
  }

  /** The shape of {@code object}, from its apiVersion and kind. */
  static Shape of(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    String kind = object.path("kind").asText("");
    if (apiVersion.isEmpty() || kind.isEmpty()) {
      return Shape.unknown("");
    }
    String name = modelName(apiVersion, kind);
    return TYPES.has(name) ? Shape.struct(name, false) : Shape.unknown("");
  }

  /** What a value is to server-side apply. */
  static final class Shape {
    private enum Kind {
      SCALAR,
      STRUCT,
      MAP,
      LIST,
      UNTYPED,
      UNKNOWN
    }

    private final Kind kind;
    private final boolean atomic;
    private final JsonNode spec; // the field's entry, or the struct's type entry
    private final String field; // for an unknown shape: the field's name

    private Shape(Kind kind, boolean atomic, JsonNode spec, String field) {
      this.kind = kind;
      this.atomic = atomic;
      this.spec = spec;
      this.field = field;
    }

    static Shape unknown(String field) {
      return new Shape(Kind.UNKNOWN, false, null, field);
    }

    private static Shape struct(String type, boolean atomic) {
      JsonNode spec = TYPES.path(type);
      return new Shape(Kind.STRUCT, atomic || spec.path("atomic").asBoolean(false), spec, "");
    }

    /** The shape an entry of the resource describes; null entries are scalars. */
    private static Shape from(JsonNode entry, String field) {
      if (entry == null || entry.isMissingNode()) {
        return SCALAR;
      }
      boolean atomic = entry.path("atomic").asBoolean(false);
      return switch (entry.path("kind").asText("")) {
        case "struct" -> struct(entry.path("type").asText(""), atomic);
        case "map" -> new Shape(Kind.MAP, atomic, entry, field);
        case "list" -> new Shape(Kind.LIST, false, entry, field);
        case "untyped" -> UNTYPED;
        default -> unknown(field);
      };
    }

    private static final Shape SCALAR = new Shape(Kind.SCALAR, true, null, "");
    private static final Shape UNTYPED = new Shape(Kind.UNTYPED, false, null, "");

    /** Whether a value of this shape is owned whole: an atomic struct or map, or a scalar. */
    boolean atomic() {
      return atomic;
    }

    /** Whether nothing is known of it (a custom resource's part): lists go by field name. */
    boolean unknown() {
      return kind == Kind.UNKNOWN;
    }

    /** The shape of field (or map key) {@code name} of an object of this shape. */
    Shape child(String name) {
      return switch (kind) {
        case STRUCT -> from(spec.path("fields").get(name), name);
        case SCALAR -> SCALAR;
        case MAP -> from(spec.get("values"), name);
        case UNTYPED -> UNTYPED;
        case LIST -> unknown(name);
        case UNKNOWN -> unknown(name);
      };
    }

    /** The shape of a list's elements. */
    Shape items() {
      return switch (kind) {
        case LIST -> from(spec.get("items"), field);
        case UNTYPED -> UNTYPED;
        default -> unknown(field);
      };
    }

    /**
     * How a list of this shape merges; {@code sample} (its elements) decides for an unknown shape,
     * as {@link FieldSet.ListType#byName} does.
     */
    FieldSet.ListType listType(ArrayNode sample) {
      if (kind == Kind.UNKNOWN) {
        return FieldSet.ListType.byName(field, sample);
      }
      if (kind != Kind.LIST) {
        return FieldSet.ListType.ATOMIC;
      }
      return switch (spec.path("list").asText("atomic")) {
        case "map" -> {
          List<String> keys = new ArrayList<>();
          spec.path("keys").forEach(k -> keys.add(k.asText()));
          yield new FieldSet.ListType(List.copyOf(keys), false);
        }
        case "set" -> FieldSet.ListType.SET;
        default -> FieldSet.ListType.ATOMIC;
      };
    }
  }
}
