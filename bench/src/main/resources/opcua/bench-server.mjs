// The OPC UA server of `kedge bench opcua --server node-opcua`: node-opcua's server (not Milo's)
// with N Double variables (s=Bulk0 and on), a tenth of them changing every second, round robin, spread over the second.
// Each new value is the epoch millisecond of the change, so whoever receives it knows how long it
// took. Usage: node bench-server.mjs <items> <port> <pki-dir>. Prints
// "READY <url> <namespace index>" once it serves; runs until killed.
import path from "node:path";
import { OPCUAServer, OPCUACertificateManager, DataType, nodesets } from "node-opcua";

const [items, port, pkiDir] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const certificateManager = new OPCUACertificateManager({
  rootFolder: path.join(pkiDir, "server"),
  automaticallyAcceptUnknownCertificate: true,
});
await certificateManager.initialize();
const server = new OPCUAServer({
  port,
  hostname: "127.0.0.1",
  resourcePath: "/bench",
  nodeset_filename: [nodesets.standard],
  serverCertificateManager: certificateManager,
});
await server.initialize();
const addressSpace = server.engine.addressSpace;
const namespace = addressSpace.getOwnNamespace();
const folder = namespace.addFolder(addressSpace.rootFolder.objects, { browseName: "Bench" });
const variables = [];
for (let i = 0; i < items; i++) {
  const v = namespace.addVariable({
    organizedBy: folder,
    nodeId: "s=Bulk" + i,
    browseName: "Bulk" + i,
    dataType: "Double",
  });
  v.setValueFromSource({ dataType: DataType.Double, value: 0 });
  variables.push(v);
}
await server.start();
console.log("READY " + server.getEndpointUrl() + " " + namespace.index);

// the changes of a second are spread over it in steps of 10 ms, as devices change at any moment:
// all at once, they would keep one phase against the server's sampling timers
const perSecond = Math.max(1, Math.floor(items / 10));
const STEPS = 100;
let step = 0;
let changed = 0;
let next = Date.now();
function tick() {
  const s = step % STEPS;
  const count = Math.floor((perSecond * (s + 1)) / STEPS) - Math.floor((perSecond * s) / STEPS);
  for (let i = 0; i < count; i++, changed++) {
    variables[changed % items].setValueFromSource({ dataType: DataType.Double, value: Date.now() });
  }
  step++;
  next += 1000 / STEPS;
  setTimeout(tick, Math.max(0, next - Date.now()));
}
tick();
