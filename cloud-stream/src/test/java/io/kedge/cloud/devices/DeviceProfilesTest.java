package io.kedge.cloud.devices;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a node's device profile holds of its devices' twins. */
class DeviceProfilesTest {
  private static ObjectNode device(String reported) throws Exception {
    return (ObjectNode)
        EventCodec.json()
            .readTree(
                ("{'apiVersion':'devices.kubeedge.io/v1alpha2','kind':'Device','metadata':"
                        + "{'name':'press-1','namespace':'default'},'spec':{'deviceModelRef':"
                        + "{'name':'press'},'nodeSelector':{'nodeSelectorTerms':[{'matchExpressions':"
                        + "[{'key':'','operator':'In','values':['edge-1']}]}]}},'status':{'twins':"
                        + "[{'propertyName':'setpoint','desired':{'value':'21','metadata':"
                        + "{'type':'int'}},'reported':{'value':'%s','metadata':"
                        + "{'timestamp':'1733390000000'}}}]}}")
                    .formatted(reported)
                    .replace('\'', '"'));
  }

  private static String profileData(ObjectNode device) {
    Map<?, ObjectNode> profiles = DeviceProfiles.of(List.of(device), Map.of());
    assertThat(profiles).hasSize(1);
    return profiles.values().iterator().next().path("data").path(DeviceProfiles.KEY).asText();
  }

  @Test
  void twinsKeepTheirDesiredValueAndLeaveTheReportedOneOut() throws Exception {
    JsonNode twin =
        EventCodec.json()
            .readTree(profileData(device("20")))
            .path("deviceInstances")
            .path(0)
            .path("twins")
            .path(0);
    assertThat(twin.path("propertyName").asText()).isEqualTo("setpoint");
    assertThat(twin.at("/desired/value").asText()).isEqualTo("21");
    assertThat(twin.at("/desired/metadata/type").asText()).isEqualTo("int");
    assertThat(twin.has("reported")).isFalse();
  }

  @Test
  void aNewReportedValueLeavesTheProfileAsItWas() throws Exception {
    // the publisher rewrites a profile only when its data differs
    assertThat(profileData(device("22"))).isEqualTo(profileData(device("20")));
    ObjectNode changedDesired = device("20");
    ((ObjectNode) changedDesired.at("/status/twins/0/desired")).put("value", "25");
    assertThat(profileData(changedDesired)).isNotEqualTo(profileData(device("20")));
  }
}
