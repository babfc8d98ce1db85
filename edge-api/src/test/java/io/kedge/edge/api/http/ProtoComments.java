package io.kedge.edge.api.http;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.kubernetes.client.proto.V1;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' comments on its types and fields, read from the sources of the official client's
 * protobuf models (client-java-proto's sources jar, a test dependency): protoc copies each comment
 * of Kubernetes' {@code generated.proto} into the javadoc of the generated code. They describe
 * every field, also those whose type is another message, which the client's OpenAPI models leave
 * without a description (Swagger 2 allows no description beside a {@code $ref}).
 */
final class ProtoComments {
  private static final String PACKAGE = "io/kubernetes/client/proto/";
  private static final Pattern BUILDER_INTERFACE =
      Pattern.compile("^\\s*public interface (\\w+)OrBuilder extends");
  private static final Pattern FIELD = Pattern.compile("<code>.* (\\w+) = \\d+;</code>");
  private static final Pattern TYPE = Pattern.compile("Protobuf type \\{@code ([\\w.]+)\\}");
  private static final Pattern ENTITY = Pattern.compile("&(#\\d+|lt|gt|amp|quot);");

  /**
   * One comment: the message, the field's JSON name ({@code ""} for the message itself), and
   * whether the field holds a number or a string written by a type of its own (IntOrString,
   * Quantity), for which the client's models carry the type's description instead of the field's.
   */
  record Comment(Descriptor message, String jsonName, String text, boolean scalarType) {}

  /**
   * A field's strategic merge patch tags ({@code +patchStrategy=merge}, {@code
   * +patchMergeKey=name}), which kubectl reads from the OpenAPI document as {@code
   * x-kubernetes-patch-strategy} and {@code x-kubernetes-patch-merge-key}; mergeKey may be null.
   */
  record PatchTags(Descriptor message, String jsonName, String strategy, String mergeKey) {}

  private static final Pattern TAG =
      Pattern.compile("^\\s*\\+(patchStrategy|patchMergeKey)=(\\S+)");

  /**
   * A field's or (with {@code jsonName} {@code ""}) a message's server-side apply tags: {@code
   * +listType}, {@code +listMapKey} (one per key), {@code +mapType}, {@code +structType}, each name
   * to its values in order.
   */
  record ApplyTags(Descriptor message, String jsonName, Map<String, List<String>> tags) {}

  private static final Pattern APPLY_TAG =
      Pattern.compile("^\\s*\\+(listType|listMapKey|mapType|structType)=(\\S+)");

  private static final Set<String> SCALAR_TYPES =
      Set.of(
          "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
          "k8s.io.apimachinery.pkg.api.resource.Quantity");

  private ProtoComments() {}

  /** Every comment in the sources, in their order. */
  static List<Comment> all() throws Exception {
    List<Comment> comments = new ArrayList<>();
    readSources(comments, new ArrayList<>(), new ArrayList<>());
    return comments;
  }

  /** Every field's patch tags in the sources, in their order. */
  static List<PatchTags> patchTags() throws Exception {
    List<PatchTags> tags = new ArrayList<>();
    readSources(new ArrayList<>(), tags, new ArrayList<>());
    return tags;
  }

  /** Every field's and message's server-side apply tags in the sources, in their order. */
  static List<ApplyTags> applyTags() throws Exception {
    List<ApplyTags> tags = new ArrayList<>();
    readSources(new ArrayList<>(), new ArrayList<>(), tags);
    return tags;
  }

  private static void readSources(
      List<Comment> comments, List<PatchTags> tags, List<ApplyTags> applyTags) throws Exception {
    URL anchor = ProtoComments.class.getClassLoader().getResource(PACKAGE + "V1.java");
    if (anchor == null) {
      throw new IllegalStateException(
          "client-java-proto's sources jar is not on the test classpath");
    }
    JarURLConnection connection = (JarURLConnection) anchor.openConnection();
    try (JarFile sources = new JarFile(connection.getJarFileURL().getPath())) {
      for (JarEntry entry : Collections.list(sources.entries())) {
        String name = entry.getName();
        if (name.startsWith(PACKAGE) && name.endsWith(".java")) {
          String outer = name.substring(PACKAGE.length(), name.length() - ".java".length());
          try (BufferedReader lines =
              new BufferedReader(
                  new InputStreamReader(sources.getInputStream(entry), StandardCharsets.UTF_8))) {
            read(outer, lines, comments, tags, applyTags);
          }
        }
      }
    }
  }

  private static void read(
      String outer,
      BufferedReader lines,
      List<Comment> comments,
      List<PatchTags> tags,
      List<ApplyTags> applyTags)
      throws Exception {
    Set<String> seen = new HashSet<>(); // each field's javadoc repeats per accessor
    Descriptor message = null;
    List<String> pre = null; // the lines of the last <pre> block
    List<String> text = List.of();
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      Matcher builder = BUILDER_INTERFACE.matcher(line);
      if (builder.find()) {
        message = descriptor(outer, builder.group(1));
        continue;
      }
      String doc = javadocText(line);
      if (doc == null) {
        continue;
      }
      if (doc.trim().equals("<pre>")) {
        pre = new ArrayList<>();
      } else if (doc.trim().equals("</pre>")) {
        text = pre == null ? List.of() : pre;
        pre = null;
      } else if (pre != null) {
        pre.add(doc);
      } else {
        Matcher field = FIELD.matcher(doc);
        Matcher type = TYPE.matcher(doc);
        if (field.find() && message != null && !text.isEmpty()) {
          FieldDescriptor described = message.findFieldByName(field.group(1));
          if (described != null
              && !ProtobufBodies.inline(described)
              && seen.add(described.getFullName())) {
            boolean scalarType =
                described.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && SCALAR_TYPES.contains(described.getMessageType().getFullName());
            add(comments, message, ProtobufBodies.jsonName(described), text, scalarType);
            addTags(tags, message, ProtobufBodies.jsonName(described), text);
            addApplyTags(applyTags, message, ProtobufBodies.jsonName(described), text);
          }
          text = List.of();
        } else if (type.find() && !text.isEmpty()) {
          Descriptor typed = descriptor(outer, simpleName(type.group(1)));
          if (typed != null && typed.getFullName().equals(type.group(1))) {
            add(comments, typed, "", text, false);
            addApplyTags(applyTags, typed, "", text);
          }
          text = List.of();
        }
      }
    }
  }

  private static void add(
      List<Comment> comments,
      Descriptor message,
      String json,
      List<String> lines,
      boolean scalarType) {
    String formatted = formatted(lines);
    if (!formatted.isEmpty()) {
      comments.add(new Comment(message, json, formatted, scalarType));
    }
  }

  private static void addTags(
      List<PatchTags> tags, Descriptor message, String json, List<String> lines) {
    String strategy = null;
    String mergeKey = null;
    for (String line : lines) {
      Matcher tag = TAG.matcher(line);
      if (!tag.find()) {
        continue;
      }
      if (tag.group(1).equals("patchStrategy")) {
        strategy = tag.group(2);
      } else {
        mergeKey = tag.group(2);
      }
    }
    if (strategy != null) {
      tags.add(new PatchTags(message, json, strategy, mergeKey));
    }
  }

  private static void addApplyTags(
      List<ApplyTags> tags, Descriptor message, String json, List<String> lines) {
    Map<String, List<String>> found = new TreeMap<>();
    for (String line : lines) {
      Matcher tag = APPLY_TAG.matcher(line);
      if (tag.find()) {
        found.computeIfAbsent(tag.group(1), t -> new ArrayList<>()).add(tag.group(2));
      }
    }
    if (!found.isEmpty()) {
      tags.add(new ApplyTags(message, json, found));
    }
  }

  /** A javadoc line's text after {@code *} and one space, unescaped; null if not a doc line. */
  private static String javadocText(String line) {
    String trimmed = line.stripLeading();
    if (!trimmed.startsWith("*") || trimmed.startsWith("*/")) {
      return null;
    }
    String text = trimmed.substring(1);
    return unescaped(text.startsWith(" ") ? text.substring(1) : text);
  }

  /** protoc escapes {@code < > & @ \ /* *}{@code /} in javadoc as HTML entities. */
  private static String unescaped(String text) {
    Matcher entity = ENTITY.matcher(text);
    StringBuilder out = new StringBuilder();
    while (entity.find()) {
      String name = entity.group(1);
      String character =
          switch (name) {
            case "lt" -> "<";
            case "gt" -> ">";
            case "amp" -> "&";
            case "quot" -> "\"";
            default -> String.valueOf((char) Integer.parseInt(name.substring(1)));
          };
      entity.appendReplacement(out, Matcher.quoteReplacement(character));
    }
    return entity.appendTail(out).toString();
  }

  /**
   * A Go comment as Kubernetes' OpenAPI generator writes it into a description: lines of a
   * paragraph joined by a space, paragraphs apart by a blank line, indented lines (lists, examples)
   * on lines of their own, generator markers ({@code +optional}), one-line TODOs and everything
   * after {@code ---} left out.
   */
  static String formatted(List<String> lines) {
    StringBuilder out = new StringBuilder();
    for (String raw : lines) {
      if (raw.trim().startsWith("---")) {
        break;
      }
      String line = raw.stripTrailing();
      String leading = line.stripLeading();
      if (line.isEmpty()) {
        dropLast(out);
        out.append("\n\n");
      } else if (leading.startsWith("TODO") || leading.startsWith("+")) {
        continue;
      } else if (line.startsWith(" ") || line.startsWith("\t")) {
        dropLast(out);
        out.append('\n').append(line).append('\n');
      } else {
        out.append(line).append(' ');
      }
    }
    return out.toString().stripTrailing();
  }

  private static void dropLast(StringBuilder out) {
    if (!out.isEmpty()) {
      out.setLength(out.length() - 1);
    }
  }

  private static String simpleName(String fullName) {
    return fullName.substring(fullName.lastIndexOf('.') + 1);
  }

  /** The message {@code outer$name} of client-java-proto, or null where there is none. */
  private static Descriptor descriptor(String outer, String name) throws Exception {
    try {
      Class<?> type =
          Class.forName(
              V1.class.getPackageName() + "." + outer + "$" + name,
              false,
              ProtoComments.class.getClassLoader());
      return (Descriptor) type.getMethod("getDescriptor").invoke(null);
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      return null;
    }
  }
}
