/** The OPC UA device mapper speaking KubeEdge's MQTT device-twin contract. */
package io.kedge.mapper.opcua;
