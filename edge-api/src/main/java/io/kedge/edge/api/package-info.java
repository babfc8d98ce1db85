/**
 * The VIEW (state materialized from log entries) and the Kubernetes-compatible edge API. Knows
 * nothing of Kafka.
 */
package io.kedge.edge.api;
