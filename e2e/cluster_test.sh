#!/usr/bin/env bash
# End-to-end test of the local control plane itself (e2e/cluster/up), with kubectl as users run it:
#   - `kubectl version` reports the pinned server version (versions.env);
#   - a Deployment of 3 replicas reaches 3/3 Ready (scheduler binds, kwok runs the pods, KCM's
#     ReplicaSet and Deployment controllers report);
#   - deleting the owner garbage-collects its dependents (ReplicaSet and Pods);
#   - the Gateway API HTTPRoute and Istio VirtualService CRDs are installed;
#   - `up` is idempotent: a second run keeps every component and prints the kubeconfig path last.
. "$(dirname "$0")/lib/e2e.sh"
. "$E2E_REPO/e2e/cluster/versions.env"

server_version() { kubectl version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])'; }
check "kubectl version shows the pinned server version v$K8S_VERSION" [ "$(server_version)" = "v$K8S_VERSION" ]

ns=$(new_namespace mg-cluster)
kubectl -n "$ns" create deployment smoke --image=registry.local/smoke:1 --replicas=3 >/dev/null
ready_replicas() { [ "$(jsonpath deploy/smoke "$ns" .status.readyReplicas)" = 3 ]; }
wait_until 90 "a Deployment of 3 replicas reaches 3/3 Ready" ready_replicas
pods_running() { [ "$(kubectl -n "$ns" get pods -l app=smoke --field-selector=status.phase=Running --no-headers | wc -l)" = 3 ]; }
check "its 3 pods are Running on the kwok node" pods_running

kubectl -n "$ns" delete deployment smoke --cascade=background >/dev/null
dependents_gone() { [ -z "$(kubectl -n "$ns" get replicasets,pods -l app=smoke --no-headers 2>/dev/null)" ]; }
wait_until 60 "deleting the owner garbage-collects its ReplicaSet and Pods" dependents_gone

crd_installed() { kubectl get crd "$1" >/dev/null; }
check "the Gateway API HTTPRoute CRD is installed" crd_installed httproutes.gateway.networking.k8s.io
check "the Istio VirtualService CRD is installed" crd_installed virtualservices.networking.istio.io

pids_before=$(cat "${MODELGATE_CLUSTER_DIR:-/tmp/modelgate-cluster}"/run/*.pid | sort | tr '\n' ' ')
last_line=$("$E2E_REPO/e2e/cluster/up" 2>/dev/null | tail -n1)
pids_after=$(cat "${MODELGATE_CLUSTER_DIR:-/tmp/modelgate-cluster}"/run/*.pid | sort | tr '\n' ' ')
check "a second 'up' keeps every running component" [ "$pids_before" = "$pids_after" ]
check "the last line 'up' prints is the kubeconfig path" [ "$last_line" = "$KUBECONFIG" ]

e2e_finish
