// The official Kubernetes JavaScript client (@kubernetes/client-node) against an edge API: an
// informer with a label selector, and merge patches that move pods in and out of its selection.
// Usage: node informer.mjs <server-url> <namespace> <selector> [<pod>=<app> ...]
// Prints one line per event ("add NAME", "update NAME", "delete NAME"), "synced", then "done".
import * as k8s from '@kubernetes/client-node';

const [server, namespace, selector, ...relabels] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'edge', server, skipTLSVerify: true }],
  users: [{ name: 'edge' }],
  contexts: [{ name: 'edge', cluster: 'edge', user: 'edge' }],
  currentContext: 'edge',
});
const api = kc.makeApiClient(k8s.CoreV1Api);
const informer = k8s.makeInformer(
  kc,
  `/api/v1/namespaces/${namespace}/pods`,
  () => api.listNamespacedPod({ namespace, labelSelector: selector }),
  selector,
);
const waiters = [];
const seen = [];
const record = (line) => {
  seen.push(line);
  console.log(line);
  waiters.splice(0).forEach((w) => w());
};
const until = (line, ms) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${line}" within ${ms} ms; saw ${seen}`)), ms);
    const check = () => {
      if (seen.includes(line)) {
        clearTimeout(timer);
        resolve();
      } else {
        waiters.push(check);
      }
    };
    check();
  });
informer.on('add', (o) => record(`add ${o.metadata.name}`));
informer.on('update', (o) => record(`update ${o.metadata.name}`));
informer.on('delete', (o) => record(`delete ${o.metadata.name}`));
informer.on('error', (e) => console.log(`error ${e}`));
await informer.start();
console.log('synced');
const [key, value] = selector.split('=');
for (const relabel of relabels) {
  const [name, app] = relabel.split('=');
  await api.patchNamespacedPod(
    { name, namespace, body: { metadata: { labels: { [key]: app } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await until(`${app === value ? 'add' : 'delete'} ${name}`, 20000);
}
console.log('done');
await informer.stop();
process.exit(0);
