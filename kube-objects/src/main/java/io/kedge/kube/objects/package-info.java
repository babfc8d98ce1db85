/**
 * Kubernetes object semantics shared by the cloud (which applies edge writes in standalone mode)
 * and the edge (which applies edge-owned writes locally while offline): create, update, patch and
 * delete with optimistic concurrency, and Kubernetes {@code Status} errors.
 */
package io.kedge.kube.objects;
