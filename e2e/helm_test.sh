#!/usr/bin/env bash
# End-to-end test of the Helm chart (charts/modelgate) on the real control plane:
#   - `helm lint` passes, and a bad value fails lint/template naming the value;
#   - the chart's crds/ are the files of crds/ (the symlink survives `helm package`);
#   - the rendered manifests (cluster-wide and single-namespace RBAC) pass a server-side dry run;
#   - `helm install` brings the Deployment to 2/2 (kwok runs the pods), `helm upgrade` switches to
#     namespace-scoped RBAC, `helm uninstall` leaves no RBAC behind;
#   - the real operator binary, authenticated as the chart's ServiceAccount, accepts a
#     ModelCandidate and a ModelRollout (status written, Events recorded, Lease taken), and fails
#     with Forbidden as soon as a verb it needs is removed from the chart's ClusterRole.
. "$(dirname "$0")/lib/e2e.sh"
. "$E2E_REPO/e2e/lib/chart_rbac.sh"

chart=$E2E_REPO/charts/modelgate
kubectl apply --server-side -f "$E2E_REPO/crds/" >/dev/null
kubectl wait --for=condition=Established crd/modelcandidates.modelgate.io crd/modelrollouts.modelgate.io --timeout=60s >/dev/null

# helm's output (and its notice about the crds symlink) goes to a log; the checks use the status.
quiet() { echo "+ $*" >>"$E2E_LOGS/helm.log"; "$@" >>"$E2E_LOGS/helm.log" 2>&1; }

# --- lint, schema, package -------------------------------------------------------------------
check "helm lint passes" quiet helm lint --strict "$chart"
lint_rejects() {  # SET EXPECTED_TEXT: lint and template both fail and name the value
  local out
  out=$(helm lint "$chart" --set "$1" 2>&1) && return 1
  grep -q -- "$2" <<<"$out" || { echo "$out" >&2; return 1; }
  out=$(helm template t "$chart" --set "$1" 2>&1) && return 1
  grep -q -- "$2" <<<"$out" || { echo "$out" >&2; return 1; }
}
check "a misspelt key fails lint and template, naming it" lint_rejects replicaz=2 "'replicaz' not allowed"
check "a bad log level fails, naming /logging/level" lint_rejects logging.level=loud "/logging/level"
check "two watch namespaces fail (the operator watches one or all)" lint_rejects 'watchNamespaces={a,b}' "/watchNamespaces"
check "allowPrivilegeEscalation=true is refused" lint_rejects securityContext.allowPrivilegeEscalation=true "/securityContext/allowPrivilegeEscalation"
check "2 replicas without leader election are refused" lint_rejects leaderElection.enabled=false "/leaderElection/enabled"
check "a gate input size without a binary unit is refused, naming /gates/maxBytes" lint_rejects gates.maxBytes=4GB "/gates/maxBytes"
check "a gate timeout without a unit is refused, naming /gates/timeout" lint_rejects gates.timeout=15 "/gates/timeout"
chart_args() {  # the operator container's args as rendered by the chart, one line
  helm template t "$chart" "$@" 2>/dev/null | python3 -c '
import sys, yaml
for d in yaml.safe_load_all(sys.stdin):
    if d and d.get("kind") == "Deployment":
        print(" ".join(d["spec"]["template"]["spec"]["containers"][0]["args"]))'
}
check "the Deployment passes the gate limits, maxRows as a whole number" \
  bash -c "grep -q -- '--gate-max-rows=500000000 --gate-max-bytes=8Gi --gate-timeout=1h' <<<\"$(chart_args --set gates.maxRows=500000000 --set gates.maxBytes=8Gi --set gates.timeout=1h)\""
# Every flag the chart renders is one `modelgate run` accepts: parsing passes and start-up fails
# only later, on the kubeconfig.
check "modelgate run accepts every argument the chart renders" \
  bash -c "'$MODELGATE_BIN' $(chart_args) --kubeconfig=/nonexistent 2>&1 | grep -q 'kubeconfig /nonexistent: file not found'"

pkg=$(mktemp -d "$E2E_LOGS/package.XXXX")
quiet helm package "$chart" -d "$pkg" >/dev/null
tar -xzmf "$pkg"/modelgate-*.tgz -C "$pkg"
check "the packaged chart's CRDs are crds/ byte for byte (one source of truth)" \
  diff -r "$E2E_REPO/crds" "$pkg/modelgate/crds"

rendered() { helm template "$@" 2>/dev/null; }
check "the ServiceMonitor is rendered only when enabled" \
  bash -c "! helm template t '$chart' 2>/dev/null | grep -q 'kind: ServiceMonitor' &&
           helm template t '$chart' --set serviceMonitor.enabled=true 2>/dev/null | grep -q 'kind: ServiceMonitor'"
no_wildcards() { ! rendered t "$chart" | grep -E '^\s*(resources|verbs|apiGroups):.*\*'; }
check "no RBAC rule uses a wildcard" no_wildcards

# --- server-side dry run ---------------------------------------------------------------------
ns=$(new_namespace mg-helm)
check "the rendered manifests pass a server-side dry run (cluster-wide RBAC)" \
  bash -c "helm template dry '$chart' -n $ns 2>/dev/null | kubectl apply --dry-run=server -f - >/dev/null"
check "the rendered manifests pass a server-side dry run (namespace-scoped RBAC)" \
  bash -c "helm template dry '$chart' -n $ns --set 'watchNamespaces={$ns}' 2>/dev/null | kubectl apply --dry-run=server -f - >/dev/null"

# --- install, upgrade, uninstall -------------------------------------------------------------
release=mg-helm-$$
deploy=$release-modelgate  # fullname: <release>-modelgate
check "helm install succeeds" quiet helm install "$release" "$chart" -n "$ns" --set image.tag=e2e
ready_2() { [ "$(jsonpath "deployment/$deploy" "$ns" .status.readyReplicas)" = 2 ]; }
wait_until 90 "the Deployment reaches 2/2 ready replicas" ready_2
check "the pods run as non-root, read-only root filesystem (emptyDir /tmp), no capabilities, seccomp RuntimeDefault" \
  bash -c "kubectl -n $ns get pods -l app.kubernetes.io/instance=$release -o json | python3 -c '
import json, sys
pods = json.load(sys.stdin)[\"items\"]
assert len(pods) == 2, len(pods)
for p in pods:
    s = p[\"spec\"]; c = s[\"containers\"][0][\"securityContext\"]
    assert s[\"securityContext\"][\"runAsNonRoot\"] and c[\"runAsNonRoot\"]
    assert c[\"readOnlyRootFilesystem\"] and not c[\"allowPrivilegeEscalation\"]
    assert c[\"capabilities\"][\"drop\"] == [\"ALL\"]
    assert c[\"seccompProfile\"][\"type\"] == \"RuntimeDefault\"
    env = {e[\"name\"]: e for e in s[\"containers\"][0][\"env\"]}
    assert env[\"POD_NAMESPACE\"][\"valueFrom\"][\"fieldRef\"][\"fieldPath\"] == \"metadata.namespace\"
    tmp = [v for v in s[\"volumes\"] if v[\"name\"] == \"tmp\"]
    assert tmp and \"emptyDir\" in tmp[0], s[\"volumes\"]
    args = s[\"containers\"][0][\"args\"]
    assert \"--leader-elect=true\" in args, args
'"
clusterrole=$release-modelgate-$ns
cluster_rbac_exists() { kubectl get clusterrole/"$clusterrole" clusterrolebinding/"$clusterrole" >/dev/null; }
check "cluster-wide install: a ClusterRole and a ClusterRoleBinding" cluster_rbac_exists
# (No endpoints controller runs in the test control plane: compare the selector with the pods.)
service_selects_pods() {
  local selector
  selector=$(kubectl -n "$ns" get service "$deploy-metrics" -o json |
    python3 -c 'import json,sys; print(",".join(f"{k}={v}" for k,v in json.load(sys.stdin)["spec"]["selector"].items()))')
  [ "$(kubectl -n "$ns" get pods -l "$selector" -o name | wc -l)" = 2 ] &&
    [ "$(jsonpath "service/$deploy-metrics" "$ns" '.spec.ports[0].targetPort')" = metrics ]
}
check "the metrics Service selects the two operator pods, port metrics" service_selects_pods

check "helm upgrade to namespace-scoped RBAC succeeds" \
  quiet helm upgrade "$release" "$chart" -n "$ns" --reuse-values --set "watchNamespaces={$ns}" --set logging.level=debug
check "after the upgrade the ClusterRole is gone and a Role exists in the watched namespace" \
  bash -c "! kubectl get clusterrole/$clusterrole 2>/dev/null && kubectl -n $ns get role/$deploy rolebinding/$deploy >/dev/null"
upgraded() { kubectl -n "$ns" get deployment "$deploy" -o jsonpath='{.spec.template.spec.containers[0].args}' | grep -q -- "--namespace=$ns"; }
check "after the upgrade the operator runs with --namespace" upgraded
wait_until 90 "the upgraded Deployment is back to 2/2" \
  bash -c "[ \"\$(kubectl -n $ns get deployment $deploy -o jsonpath='{.status.updatedReplicas}/{.status.readyReplicas}')\" = 2/2 ]"

check "helm uninstall succeeds" quiet helm uninstall "$release" -n "$ns" --wait
leftovers() {
  kubectl get clusterrole,clusterrolebinding -l "app.kubernetes.io/instance=$release" -o name
  kubectl -n "$ns" get role,rolebinding,serviceaccount,deployment,service -l "app.kubernetes.io/instance=$release" -o name
}
no_leftovers() { [ -z "$(leftovers)" ]; }
check "helm uninstall leaves no RBAC, ServiceAccount, Deployment or Service behind" no_leftovers
crd_kept() { kubectl get crd modelcandidates.modelgate.io >/dev/null; }
check "helm uninstall keeps the CRDs (deleting them would delete every candidate)" crd_kept

# --- the operator under the chart's RBAC -----------------------------------------------------
# The chart's RBAC with no pods; the real operator on this host authenticates with a token of the
# chart's ServiceAccount. Cluster-wide RBAC, watching only this test's namespace.
rbac_release=mg-rbac-$$
kubeconfig=$(chart_rbac_install "$ns" "$rbac_release" --set leaderElection.leaseName=modelgate-operator)
check "the chart's RBAC is installed and a ServiceAccount kubeconfig written" test -s "$kubeconfig"
sa=$(kubectl --kubeconfig "$kubeconfig" auth whoami -o jsonpath='{.status.userInfo.username}' 2>/dev/null)
check "the kubeconfig authenticates as the chart's ServiceAccount ($sa)" \
  [ "$sa" = "system:serviceaccount:$ns:$rbac_release-modelgate" ]
check "the ServiceAccount cannot list or watch Secrets, only get one by name (least privilege)" \
  bash -c "[ \"\$(kubectl --kubeconfig '$kubeconfig' auth can-i list secrets -A)\" = no ] &&
           [ \"\$(kubectl --kubeconfig '$kubeconfig' auth can-i watch secrets -A)\" = no ] &&
           [ \"\$(kubectl --kubeconfig '$kubeconfig' auth can-i get secrets -n $ns)\" = yes ]"
check "the ServiceAccount cannot delete ModelRollouts or ModelPipelines (least privilege)" \
  bash -c "[ \"\$(kubectl --kubeconfig '$kubeconfig' auth can-i delete modelrollouts.modelgate.io -n $ns)\" = no ] &&
           [ \"\$(kubectl --kubeconfig '$kubeconfig' auth can-i delete modelpipelines.modelgate.io -n $ns)\" = no ]"
check "the ServiceAccount can create and delete ModelCandidates (a ModelPipeline's candidates and history limit)" \
  bash -c "[ \"\$(kubectl --kubeconfig '$kubeconfig' auth can-i delete modelcandidates.modelgate.io -n $ns)\" = yes ]"

accepted() { field_is "$1" "$ns" '.status.conditions[?(@.type=="Accepted")].status' True; }

health=$(free_port)
run_operator() {  # LOGNAME
  "$MODELGATE_BIN" run --kubeconfig="$kubeconfig" --log-format=json --namespace="$ns" \
    --leader-elect --leader-election-namespace="$ns" --leader-election-id=modelgate-operator \
    --health-addr="127.0.0.1:$health" --metrics-addr=0 --webhook-addr=0 >>"$E2E_LOGS/$1.log" 2>&1 &
  OPERATOR_PID=$!
  e2e_pids+=("$OPERATOR_PID")
}
run_operator chart-sa
wait_until 30 "the operator with the chart's token becomes ready (/readyz)" curl -sf "http://127.0.0.1:$health/readyz"
has_holder() { [ -n "$(jsonpath lease/modelgate-operator "$ns" .spec.holderIdentity)" ]; }
wait_until 30 "it takes the leader-election Lease (get/create/update on leases)" has_holder
candidate fraud-v1 1
wait_until 30 "a ModelCandidate is accepted (status subresource written)" accepted mc/fraud-v1
wait_until 20 "an Accepted Event is recorded (events.k8s.io create)" events_at_least "$ns" fraud-v1 Accepted 1
kubectl -n "$ns" apply -f - >/dev/null <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelRollout
metadata: {name: fraud-detector}
spec:
  candidateRef: {name: fraud-v1}
  target: {deployment: fraud-detector, container: model, service: fraud-detector}
  traffic: {gatewayAPI: {httpRoute: fraud-detector}}
  canary: {steps: [{weight: 10, soak: 1m}]}
  analysis:
    interval: 30s
    prometheus: {address: "http://127.0.0.1:9090"}
    metrics:
    - name: error-rate
      query: 'sum(rate(errors{variant="{{variant}}"}[1m]))'
      max: 0.05
      onNoData: Hold
EOX
wait_until 30 "a ModelRollout is accepted" accepted mr/fraud-detector
wait_until 20 "an Accepted Event is recorded for the rollout" events_at_least "$ns" fraud-detector Accepted 1
check "no request of the operator was forbidden" bash -c "! grep -q Forbidden '$E2E_LOGS/chart-sa.log'"

# The negative checks: without one verb the operator fails, and says why.
original=$E2E_LOGS/clusterrole.json
kubectl get clusterrole "$rbac_release-modelgate-$ns" -o json > "$original"
without_verb() {  # RESOURCE VERB: replaces the ClusterRole with one lacking VERB on RESOURCE
  python3 - "$original" "$1" "$2" <<'PY' | kubectl replace -f - >/dev/null
import json, sys
role, resource, verb = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
role["metadata"].pop("resourceVersion", None)
removed = 0
for rule in role["rules"]:
    if resource in rule["resources"] and verb in rule["verbs"]:
        rule["verbs"].remove(verb); removed += 1
assert removed, f"no rule grants {verb} on {resource}"
json.dump(role, sys.stdout)
PY
}
restore_role() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["metadata"].pop("resourceVersion",None); json.dump(r,sys.stdout)' \
    "$original" | kubectl replace -f - >/dev/null
}
forbidden_logged() {  # LOGNAME TEXT: a log line reports Forbidden with TEXT (fixed string)
  grep Forbidden "$E2E_LOGS/$1.log" | grep -qF -- "$2"
}

check "remove 'update' on modelcandidates/status from the ClusterRole" without_verb modelcandidates/status update
candidate fraud-v2 2
wait_until 30 "without it the status write is Forbidden (logged)" forbidden_logged chart-sa 'cannot update resource \"modelcandidates/status\"'
not_accepted() { ! accepted "$1"; }
check "and the candidate is not accepted" not_accepted mc/fraud-v2
restore_role
kubectl -n "$ns" patch mc fraud-v2 --type=merge -p '{"spec":{"trigger":{"reason":"helm e2e, retry"}}}' >/dev/null
wait_until 60 "with the verb restored the same candidate is accepted" accepted mc/fraud-v2

check "remove 'create' on events from the ClusterRole" without_verb events create
candidate fraud-v3 3
wait_until 30 "the candidate is still accepted (events are best-effort)" accepted mc/fraud-v3
wait_until 30 "but the Event create is Forbidden (logged)" forbidden_logged chart-sa 'cannot create resource \"events\"'
check "and no Accepted Event exists for it" events_exactly "$ns" fraud-v3 Accepted 0
restore_role

# Leader election: a Role limited to the Lease's name; another Lease name is refused.
kill -TERM "$OPERATOR_PID"; wait "$OPERATOR_PID"
"$MODELGATE_BIN" run --kubeconfig="$kubeconfig" --log-format=json --namespace="$ns" \
  --leader-elect --leader-election-namespace="$ns" --leader-election-id=some-other-lease \
  --health-addr=0 --metrics-addr=0 --webhook-addr=0 >>"$E2E_LOGS/other-lease.log" 2>&1 &
e2e_pids+=("$!")
wait_until 30 "a Lease name the chart was not installed with is Forbidden" forbidden_logged other-lease 'cannot get resource \"leases\"'

# --- start_operator under MODELGATE_E2E_RBAC=chart (what the other e2e tests use) -------------
lib_ns=$(new_namespace mg-helm-lib)
lib_health=$(free_port)
MODELGATE_E2E_RBAC=chart start_operator lib --namespace="$lib_ns" --leader-elect \
  --leader-election-namespace="$lib_ns" --leader-election-id="lib-lease-$$" \
  --health-addr="127.0.0.1:$lib_health" --metrics-addr=0
check "start_operator with MODELGATE_E2E_RBAC=chart installs a namespace-scoped release (a Role, no ClusterRole)" \
  bash -c "kubectl -n $lib_ns get role -l app.kubernetes.io/instance -o name | grep -q . &&
           [ -z \"\$(kubectl get clusterrole -l app.kubernetes.io/instance=mg-rbac-$$-0 -o name)\" ]"
wait_until 30 "that operator becomes ready" curl -sf "http://127.0.0.1:$lib_health/readyz"
lib_leader() { [ -n "$(jsonpath "lease/lib-lease-$$" "$lib_ns" .spec.holderIdentity)" ]; }
wait_until 30 "it takes its own Lease under the chart's leader-election Role" lib_leader
ns=$lib_ns candidate lib-v1 1
lib_accepted() { field_is mc/lib-v1 "$lib_ns" '.status.conditions[?(@.type=="Accepted")].status' True; }
wait_until 30 "and accepts a ModelCandidate in the watched namespace" lib_accepted
check "no request of that operator was forbidden" bash -c "! grep -q Forbidden '$E2E_LOGS/lib.log'"

e2e_finish
