package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.StatusWrites;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Status writes (the rules' counters write a Rule's status beside the users who change and delete
 * it): they change the status of the object as the router holds it, and nothing else.
 */
class StatusWritesRoutingTest extends RouterTestBase {
  private void writeStatus(ObjectNode object) {
    send(StatusWrites.SUBJECT, new ResourceUpsert(ObjectKey.of(object), "", object));
  }

  @Test
  void aStatusWriteChangesOnlyTheStatus() {
    upsert(node("edge-1"));
    ObjectNode web = pod("web", "edge-1");
    upsert(web);
    events("edge-1");

    // written from an older copy: its spec is stale, its status new
    ObjectNode stale = web.deepCopy();
    stale.withObject("spec").putArray("containers").addObject().put("name", "old");
    stale.putObject("status").put("phase", "Running");
    writeStatus(stale);

    List<KedgeEvent> routed = events("edge-1");
    assertThat(routed).hasSize(1);
    ObjectNode pod = ((ResourceUpsert) routed.get(0).data()).object();
    assertThat(pod.at("/status/phase").asText()).isEqualTo("Running");
    assertThat(pod.at("/spec/containers/0/name").asText()).isEqualTo("app");
    assertThat(pod.at("/spec/containers").size()).isEqualTo(1);
  }

  @Test
  void aSourceUpsertWithoutStatusKeepsTheStatusReported() {
    upsert(node("edge-1"));
    ObjectNode web = pod("web", "edge-1");
    upsert(web);
    ObjectNode running = web.deepCopy();
    running.putObject("status").put("phase", "Running");
    writeStatus(running);
    events("edge-1");

    // the manifest applied again, as when the cloud starts, with a changed label
    ObjectNode again = web.deepCopy();
    again.withObject("metadata").withObject("labels").put("tier", "front");
    upsert(again);
    List<KedgeEvent> routed = events("edge-1");
    assertThat(routed).hasSize(1);
    ObjectNode pod = ((ResourceUpsert) routed.get(0).data()).object();
    assertThat(pod.at("/metadata/labels/tier").asText()).isEqualTo("front");
    assertThat(pod.at("/status/phase").asText()).isEqualTo("Running");

    // a source that states a status sets it
    ObjectNode stated = web.deepCopy();
    stated.putObject("status").put("phase", "Failed");
    upsert(stated);
    assertThat(
            ((ResourceUpsert) events("edge-1").get(0).data()).object().at("/status/phase").asText())
        .isEqualTo("Failed");
  }

  @Test
  void aStatusWriteAfterTheDeleteDoesNotBringTheObjectBack() {
    upsert(node("edge-1"));
    ObjectNode web = pod("web", "edge-1");
    upsert(web);
    delete(web);
    assertThat(received("edge-1"))
        .containsExactly("upsert Node/edge-1", "upsert Pod/web", "delete Pod/web");

    ObjectNode counted = web.deepCopy();
    counted.putObject("status").put("phase", "Succeeded");
    writeStatus(counted);
    assertThat(received("edge-1")).isEmpty();

    upsert(web); // created again: routed as new, without the old status
    List<KedgeEvent> routed = events("edge-1");
    assertThat(routed).hasSize(1);
    assertThat(((ResourceUpsert) routed.get(0).data()).object().at("/status/phase").asText())
        .isNotEqualTo("Succeeded");
  }

  @Test
  void aStatusWriteForAnotherUidIsDropped() {
    upsert(node("edge-1"));
    ObjectNode web = pod("web", "edge-1");
    web.withObject("metadata").put("uid", "first");
    upsert(web);
    events("edge-1");

    ObjectNode other = web.deepCopy();
    other.withObject("metadata").put("uid", "second");
    other.putObject("status").put("phase", "Failed");
    writeStatus(other);
    assertThat(received("edge-1")).isEmpty();
  }
}
