"""The official Kubernetes Python client against an edge API: a list, then a watch (the client
sends watch=True) with a label selector, while merge patches move pods in and out of it.

Usage: python3 watch.py <server-url> <namespace> <selector> [<pod>=<value> ...]
Prints "listed <names>", one line per watch event ("ADDED name", "DELETED name"), then "done".
"""
import sys
import threading

from kubernetes import client, watch

server, namespace, selector, *relabels = sys.argv[1:]
configuration = client.Configuration()
configuration.host = server
api = client.CoreV1Api(client.ApiClient(configuration))
key = selector.split("=")[0]

pods = api.list_namespaced_pod(namespace, label_selector=selector)
print("listed " + ",".join(sorted(p.metadata.name for p in pods.items)), flush=True)


def relabel():
    for item in relabels:
        name, value = item.split("=")
        api.patch_namespaced_pod(name, namespace, {"metadata": {"labels": {key: value}}})


threading.Timer(0.5, relabel).start()
seen = 0
stream = watch.Watch()
for event in stream.stream(
    api.list_namespaced_pod,
    namespace,
    label_selector=selector,
    resource_version=pods.metadata.resource_version,
    timeout_seconds=30,
):
    print(event["type"] + " " + event["object"].metadata.name, flush=True)
    seen += 1
    if seen >= len(relabels):
        stream.stop()
print("done", flush=True)
