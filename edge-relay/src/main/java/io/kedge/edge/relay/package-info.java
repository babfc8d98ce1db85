/**
 * The edge deployable: Kafka link, durable log, resync and uplink; hosts the edge API in-process.
 */
package io.kedge.edge.relay;
