package io.kedge.schemas;

/** The typed {@code data} of a kedge event; one record per {@link EventType}. */
public sealed interface EventData
    permits ResourceUpsert,
        ResourceDelete,
        ResyncRequest,
        ResyncBegin,
        ResyncEnd,
        WriteRequest,
        WriteResponse,
        RuleMessage,
        RuleResponse,
        EventbusMessage,
        TwinReport,
        DeviceState,
        NodeHeartbeat,
        ReferrerNodes {

  /** The type this data is carried as. */
  EventType type();
}
