// An OPC UA server written with node-opcua (not Milo), for the mapper's compatibility test.
// Usage: node server.mjs <port> <pki-dir> [<user> <password>]
// Prints "READY <endpoint-url> <namespace-index> <certificate.pem>" once it listens, then
// "VALUE <name> <DataType> <value>" whenever a variable changes (a client's write included).
// Reads "set <name> <json value>" lines on stdin to change a variable's value.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import {
  OPCUAServer,
  OPCUACertificateManager,
  DataType,
  MessageSecurityMode,
  SecurityPolicy,
  makeAccessLevelFlag,
  nodesets,
} from "node-opcua";

const [port, pkiDir, user, password] = process.argv.slice(2);
const certificateManager = new OPCUACertificateManager({
  rootFolder: path.join(pkiDir, "server"),
  automaticallyAcceptUnknownCertificate: true,
});
await certificateManager.initialize();

const server = new OPCUAServer({
  port: Number(port),
  hostname: "127.0.0.1",
  resourcePath: "/node-opcua",
  nodeset_filename: [nodesets.standard],
  serverCertificateManager: certificateManager,
  securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
  securityModes: [MessageSecurityMode.None, MessageSecurityMode.SignAndEncrypt],
  allowAnonymous: !user,
  userManager: user ? { isValidUser: (u, p) => u === user && p === password } : undefined,
});
await server.initialize();

const addressSpace = server.engine.addressSpace;
const namespace = addressSpace.getOwnNamespace();
const machine = namespace.addObject({
  organizedBy: addressSpace.rootFolder.objects,
  browseName: "Machine",
});
const variables = {};
function variable(name, dataType, value, writable) {
  const v = namespace.addVariable({
    componentOf: machine,
    nodeId: "s=" + name,
    browseName: name,
    dataType,
    accessLevel: makeAccessLevelFlag(writable ? "CurrentRead | CurrentWrite" : "CurrentRead"),
    userAccessLevel: makeAccessLevelFlag(writable ? "CurrentRead | CurrentWrite" : "CurrentRead"),
  });
  v.setValueFromSource({ dataType: DataType[dataType], value });
  v.on("value_changed", (dataValue) => {
    const shown = dataValue.value.value instanceof Date
      ? dataValue.value.value.toISOString()
      : String(dataValue.value.value);
    console.log("VALUE " + name + " " + DataType[dataValue.value.dataType] + " " + shown);
  });
  variables[name] = v;
}
variable("Temperature", "Double", 21.0, false);
variable("Setpoint", "Int32", 20, true);
variable("Switch", "Boolean", false, true);
variable("Speed", "Float", 1.5, true);
variable("Count", "UInt32", 7, true);
variable("Label", "String", "idle", true);
variable("LastService", "DateTime", new Date("2024-01-01T00:00:00Z"), true);

await server.start();
const certificate = path.join(pkiDir, "server-certificate.pem");
fs.writeFileSync(
  certificate,
  "-----BEGIN CERTIFICATE-----\n" +
    server.getCertificate().toString("base64").replace(/(.{64})/g, "$1\n") +
    "\n-----END CERTIFICATE-----\n",
);
console.log("READY " + server.getEndpointUrl() + " " + namespace.index + " " + certificate);

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const [command, name, ...rest] = line.trim().split(" ");
  if (command !== "set" || !variables[name]) {
    console.log("UNKNOWN " + line);
    return;
  }
  const v = variables[name];
  v.setValueFromSource({ dataType: v.dataTypeObj.basicDataType, value: JSON.parse(rest.join(" ")) });
});
process.stdin.on("end", async () => {
  await server.shutdown(0);
  process.exit(0);
});
