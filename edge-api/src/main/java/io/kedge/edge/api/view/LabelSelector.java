package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector ({@code a=b,c!=d,e in (x,y),f notin (z),g,!h,i>1,j<5}) parsed into a
 * predicate on an object's {@code metadata.labels}, with kube-apiserver's grammar and its
 * validation of keys and values.
 */
public final class LabelSelector implements Predicate<JsonNode> {
  private enum Op {
    EQUALS,
    NOT_EQUALS,
    IN,
    NOT_IN,
    EXISTS,
    DOES_NOT_EXIST,
    GREATER_THAN,
    LESS_THAN
  }

  private record Requirement(String key, Op op, Set<String> values) {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = io.kedge.schemas.NodeNames.DNS_SUBDOMAIN;
  private static final Pattern VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Whether this selector has no requirement, and so selects every object. */
  public boolean isEverything() {
    return requirements.isEmpty();
  }

  public static LabelSelector everything() {
    return new LabelSelector(List.of());
  }

  /**
   * @throws IllegalArgumentException naming the part that cannot be parsed
   */
  public static LabelSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return everything();
    }
    return new LabelSelector(List.copyOf(new Parser(selector).selector()));
  }

  @Override
  public boolean test(JsonNode object) {
    JsonNode labels = object.path("metadata").path("labels");
    for (Requirement r : requirements) {
      JsonNode value = labels.get(r.key());
      boolean has = value != null && !value.isNull();
      String text = has ? value.asText() : null;
      boolean ok =
          switch (r.op()) {
            case EQUALS, IN -> has && r.values().contains(text);
            case NOT_EQUALS, NOT_IN -> !has || !r.values().contains(text);
            case EXISTS -> has;
            case DOES_NOT_EXIST -> !has;
            case GREATER_THAN, LESS_THAN -> has && compares(r, text);
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Gt and Lt compare integers; a label value that is not one matches neither. */
  private static boolean compares(Requirement r, String text) {
    long label;
    try {
      label = Long.parseLong(text);
    } catch (NumberFormatException e) {
      return false;
    }
    long bound = Long.parseLong(r.values().iterator().next());
    return r.op() == Op.GREATER_THAN ? label > bound : label < bound;
  }

  /**
   * kube-apiserver's selector grammar: requirements separated by commas; each is {@code !key},
   * {@code key}, {@code key op value} ({@code =}, {@code ==}, {@code !=}, {@code >}, {@code <}) or
   * {@code key in|notin (values)}. Whitespace separates tokens and is otherwise ignored.
   */
  private static final class Parser {
    private final String selector;
    private final List<String> tokens = new ArrayList<>();
    private int at;

    Parser(String selector) {
      this.selector = selector;
      lex();
    }

    /** Operators and parentheses are tokens; any other run of non-space characters is a word. */
    private void lex() {
      int i = 0;
      while (i < selector.length()) {
        char c = selector.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (selector.startsWith("!=", i) || selector.startsWith("==", i)) {
          tokens.add(selector.substring(i, i + 2));
          i += 2;
        } else if ("!=<>(),".indexOf(c) >= 0) {
          tokens.add(String.valueOf(c));
          i++;
        } else {
          int start = i;
          while (i < selector.length()
              && !Character.isWhitespace(selector.charAt(i))
              && "!=<>(),".indexOf(selector.charAt(i)) < 0) {
            i++;
          }
          tokens.add(selector.substring(start, i));
        }
      }
    }

    List<Requirement> selector() {
      List<Requirement> requirements = new ArrayList<>();
      while (true) {
        requirements.add(requirement());
        String next = next();
        if (next == null) {
          return requirements;
        }
        if (!next.equals(",")) {
          throw fail("expected ',' or the end, found '" + next + "'");
        }
      }
    }

    private Requirement requirement() {
      String first = next();
      if ("!".equals(first)) {
        return new Requirement(key(next()), Op.DOES_NOT_EXIST, Set.of());
      }
      String key = key(first);
      String op = peek();
      if (op == null || op.equals(",")) {
        return new Requirement(key, Op.EXISTS, Set.of());
      }
      next();
      return switch (op) {
        case "=", "==" -> new Requirement(key, Op.EQUALS, Set.of(value(optionalWord())));
        case "!=" -> new Requirement(key, Op.NOT_EQUALS, Set.of(value(optionalWord())));
        case ">" -> new Requirement(key, Op.GREATER_THAN, Set.of(integer(next())));
        case "<" -> new Requirement(key, Op.LESS_THAN, Set.of(integer(next())));
        case "in" -> new Requirement(key, Op.IN, values());
        case "notin" -> new Requirement(key, Op.NOT_IN, values());
        default -> throw fail("expected an operator after '" + key + "', found '" + op + "'");
      };
    }

    /** {@code (a, b, ...)}: values may be empty ({@code ()}, {@code (a,)}), never unseparated. */
    private Set<String> values() {
      if (!"(".equals(next())) {
        throw fail("expected '(' after in/notin");
      }
      Set<String> values = new java.util.HashSet<>();
      while (true) {
        values.add(value(optionalWord()));
        String next = next();
        if (")".equals(next)) {
          return values;
        }
        if (!",".equals(next)) {
          throw fail(
              next == null
                  ? "the value list is not closed"
                  : "expected ',' or ')' in the value list, found '" + next + "'");
        }
      }
    }

    /** The next token when it is a word, else "" (an empty value), leaving the token. */
    private String optionalWord() {
      String next = peek();
      if (next == null || isSymbol(next)) {
        return "";
      }
      return next();
    }

    private String key(String key) {
      if (key == null || isSymbol(key)) {
        throw fail("expected a label key, found " + (key == null ? "the end" : "'" + key + "'"));
      }
      int slash = key.indexOf('/');
      String name = slash < 0 ? key : key.substring(slash + 1);
      String prefix = slash < 0 ? null : key.substring(0, slash);
      if (name.length() > 63
          || !NAME.matcher(name).matches()
          || (prefix != null
              && (prefix.isEmpty()
                  || prefix.length() > 253
                  || !DNS_SUBDOMAIN.matcher(prefix).matches()))) {
        throw fail("invalid label key '" + key + "'");
      }
      return key;
    }

    private String value(String value) {
      if (value.length() > 63 || !VALUE.matcher(value).matches()) {
        throw fail("invalid label value '" + value + "'");
      }
      return value;
    }

    private String integer(String value) {
      try {
        Long.parseLong(value == null ? "" : value);
        return value;
      } catch (NumberFormatException e) {
        throw fail("'" + value + "' is not an integer (> and < compare integers)");
      }
    }

    private static boolean isSymbol(String token) {
      return token.length() <= 2 && "!=<>(),".indexOf(token.charAt(0)) >= 0;
    }

    private String peek() {
      return at < tokens.size() ? tokens.get(at) : null;
    }

    private String next() {
      return at < tokens.size() ? tokens.get(at++) : null;
    }

    private IllegalArgumentException fail(String why) {
      return new IllegalArgumentException("label selector '" + selector + "': " + why);
    }
  }
}
