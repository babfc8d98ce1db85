package io.kedge.runtime.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Started components, closed in reverse start order; a failing close does not stop the others. */
public final class Components implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Components.class);

  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /** Registers a started component; returns it for chaining. */
  public <T extends AutoCloseable> T add(T component) {
    started.push(component);
    return component;
  }

  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      AutoCloseable component = started.pop();
      try {
        component.close();
      } catch (Exception e) {
        LOG.warn("error closing {}: {}", component, e.toString());
      }
    }
  }
}
