#!/usr/bin/env bash
# End-to-end test of the CRDs against a real API server, the way a user works with kubectl:
#   1. installs crds/ (server-side apply) and waits until the three CRDs are Established and served;
#   2. applies every file of config/samples/ (all must be accepted);
#   3. applies every file of config/samples/invalid/ and checks the API server REJECTS it with a
#      message naming the field given in the file's `# expect-error: <field>` line (and containing
#      the `# expect-message: <text>` line when present);
#   4. checks the cases the schema must accept or refuse beyond files (a shadow with replicas
#      traffic is accepted; spec.model is immutable), the printer columns of `kubectl get mc,mr`
#      (with a status written through the status subresource), the `modelgate` category and
#      `kubectl explain`;
#   5. deletes the namespace it created (the CRDs stay installed: other tests use them).
# Uses $KUBECONFIG and kubectl from PATH; without KUBECONFIG, the local cluster of e2e/cluster/up.
# Prints one line per check, "N passed, M failed" at the end, and exits non-zero on any failure.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
ns="mg-crds-e2e-$$-$RANDOM"
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# Indents a block of command output under a FAIL line.
indent() { sed 's/^/      /' >&2; }

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

# poll SECONDS CMD...: runs CMD until it succeeds or the deadline passes (no fixed sleeps).
poll() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

cleanup() {
  if kubectl get namespace "$ns" >/dev/null 2>&1; then
    kubectl delete namespace "$ns" --wait=true --timeout=120s >/dev/null 2>&1 ||
      echo "warning: namespace $ns was not deleted within 120s" >&2
  fi
}
trap cleanup EXIT

[ -n "${KUBECONFIG:-}" ] || eval "$("$repo/e2e/cluster/env")"
command -v kubectl >/dev/null || { fail "kubectl not found in PATH (eval \"\$(e2e/cluster/env)\")"; finish; exit 1; }
if ! kubectl get --raw /readyz >/dev/null 2>&1; then
  fail "API server at $(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}' 2>/dev/null) is not ready"
  finish; exit 1
fi

# --- 1. install the CRDs --------------------------------------------------------------------------
if out=$(kubectl apply --server-side --force-conflicts -f "$repo/crds/" 2>&1); then
  pass "kubectl apply --server-side -f crds/"
else
  fail "kubectl apply --server-side -f crds/ failed:"; echo "$out" | indent
  finish; exit 1
fi
if out=$(kubectl wait --for=condition=Established --timeout=60s \
    crd/modelcandidates.modelgate.io crd/modelrollouts.modelgate.io crd/modelpipelines.modelgate.io 2>&1); then
  pass "the three CRDs are Established"
else
  fail "CRDs not Established within 60s:"; echo "$out" | indent
  finish; exit 1
fi
# Established does not mean kubectl's discovery knows the short names yet.
if poll 60 kubectl get mc,mr,mp --all-namespaces; then
  pass "short names mc, mr and mp are served"
else
  fail "kubectl get mc,mr,mp still fails 60s after the CRDs were Established:"
  kubectl get mc,mr,mp --all-namespaces 2>&1 | indent
fi

if ! out=$(kubectl create namespace "$ns" 2>&1); then
  fail "cannot create namespace $ns:"; echo "$out" | indent
  finish; exit 1
fi

# --- 2. the samples apply cleanly -----------------------------------------------------------------
if ! kubectl get crd httproutes.gateway.networking.k8s.io >/dev/null 2>&1; then
  fail "the Gateway API CRDs are not installed (config/samples/fraud-detector-serving.yaml needs HTTPRoute; e2e/cluster/up installs them)"
fi
for f in "$repo"/config/samples/*.yaml; do
  rel=${f#"$repo"/}
  if out=$(kubectl -n "$ns" apply -f "$f" 2>&1); then
    pass "sample $rel is accepted"
  else
    fail "sample $rel was rejected:"; echo "$out" | indent
  fi
done

# --- 3. every invalid sample is rejected, naming the field ----------------------------------------
shopt -s nullglob
invalid_files=("$repo"/config/samples/invalid/*.yaml)
[ ${#invalid_files[@]} -gt 0 ] || fail "no files in config/samples/invalid/"
for f in "${invalid_files[@]}"; do
  rel=${f#"$repo"/}
  field=$(sed -n 's/^# expect-error: *//p' "$f" | head -n1)
  message=$(sed -n 's/^# expect-message: *//p' "$f" | head -n1)
  if [ -z "$field" ]; then
    fail "$rel has no '# expect-error: <field>' line at the top"
    continue
  fi
  if out=$(kubectl -n "$ns" apply -f "$f" 2>&1); then
    fail "$rel was ACCEPTED, expected a rejection naming $field:"; echo "$out" | indent
    kubectl -n "$ns" delete -f "$f" --ignore-not-found >/dev/null 2>&1
    continue
  fi
  if ! grep -q "is invalid" <<<"$out"; then
    fail "$rel failed, but not as a validation error from the API server:"; echo "$out" | indent
  elif ! grep -qF -- "$field:" <<<"$out"; then
    fail "$rel was rejected, but the error does not name $field:"; echo "$out" | indent
  elif [ -n "$message" ] && ! grep -qF -- "$message" <<<"$out"; then
    fail "$rel was rejected at $field, but without the text '$message':"; echo "$out" | indent
  else
    pass "$rel is rejected at $field"
  fi
done

# --- 4. what the schema must accept or refuse beyond files ----------------------------------------
# A shadow with replicas traffic cannot be served (no mirroring without a mesh), but it is the
# operator that reports it, as an Invalid condition: the schema must accept it.
if out=$(kubectl -n "$ns" apply -f - 2>&1 <<'EOF'
apiVersion: modelgate.io/v1alpha1
kind: ModelRollout
metadata:
  name: shadow-with-replicas
spec:
  candidateRef: {name: fraud-detector-v43}
  target: {deployment: fraud-detector, service: fraud-detector}
  traffic: {replicas: {}}
  shadow: {percent: 10, duration: 5m}
  canary:
    steps: [{weight: 20, soak: 5m}, {weight: 100, soak: 5m}]
  analysis:
    prometheus: {address: http://prometheus.monitoring:9090}
    metrics:
      - name: error-rate
        query: 'sum(rate(errors_total{variant="{{variant}}"}[{{interval}}]))'
        max: 0.05
        onNoData: Hold
EOF
); then
  pass "a shadow with replicas traffic is accepted by the schema (the operator reports it)"
else
  fail "a shadow with replicas traffic was rejected by the schema:"; echo "$out" | indent
fi

# Defaults are applied by the API server.
defaults=$(kubectl -n "$ns" get mr shadow-with-replicas \
  -o jsonpath='{.spec.analysis.interval} {.spec.analysis.outageTimeout} {.spec.analysis.metrics[0].failureLimit} {.spec.target.modelUriEnv} {.spec.abort}' 2>&1)
if [ "$defaults" = "1m 5m 0 MODEL_URI false" ]; then
  pass "defaults applied (interval 1m, outageTimeout 5m, failureLimit 0, modelUriEnv MODEL_URI, abort false)"
else
  fail "unexpected defaults: '$defaults' (want '1m 5m 0 MODEL_URI false')"
fi

if out=$(kubectl -n "$ns" patch mc fraud-detector-v43 --type=merge -p '{"spec":{"model":"another-model"}}' 2>&1); then
  fail "spec.model of a ModelCandidate could be changed (it must be immutable)"
elif grep -qF "spec.model:" <<<"$out" && grep -qF "immutable" <<<"$out"; then
  pass "spec.model is immutable"
else
  fail "changing spec.model failed, but not with an immutability error naming spec.model:"; echo "$out" | indent
fi

# --- printer columns, with a status written through the status subresource ------------------------
status_ok=1
kubectl -n "$ns" patch mc fraud-detector-v43 --subresource=status --type=merge -p '{"status":{
  "observedGeneration":1,"phase":"Evaluating","stage":"Candidate","currentGate":"OfflineEvaluation",
  "champion":{"name":"fraud-detector-v42","version":"42"},
  "gates":[{"name":"DataValidation","state":"Passed","startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:01:00Z",
            "checks":[{"name":"null_rate","passed":true,"value":0.001}],"metrics":{"psi":{"value":0.03}}},
           {"name":"OfflineEvaluation","state":"Running","slices":[{"name":"eu_region","rows":3000,"passed":false}]}],
  "conditions":[{"type":"Accepted","status":"True","reason":"Valid","message":"spec accepted","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}' \
  >/dev/null 2>&1 || status_ok=0
kubectl -n "$ns" patch mr fraud-detector --subresource=status --type=merge -p '{"status":{
  "phase":"Canary","currentStep":2,"canaryWeight":25,"shadowPercent":0,"stepStartedAt":"2026-01-01T00:00:00Z",
  "challenger":{"name":"fraud-detector-v43","version":"43"},
  "analysis":[{"name":"error-rate","verdict":"Success","challengerValue":"0.0012","championValue":"0.0011",
               "query":"sum(rate(...))","measuredAt":"2026-01-01T00:00:30Z","failures":0}]}}' \
  >/dev/null 2>&1 || status_ok=0
if [ $status_ok -eq 1 ]; then
  pass "status subresource accepts a status of both kinds"
else
  fail "writing status through the status subresource failed"
fi
slices=$(kubectl -n "$ns" get mc fraud-detector-v43 -o jsonpath='{.status.gates[1].slices[0].name}' 2>&1)
if [ "$slices" = eu_region ]; then
  pass "free-form gate results (slices) are preserved in status"
else
  fail "status.gates[].slices was pruned or not stored (got '$slices')"
fi

mc_table=$(kubectl -n "$ns" get mc fraud-detector-v43 2>&1)
mr_table=$(kubectl -n "$ns" get mr fraud-detector 2>&1)
# header_is TABLE COLUMNS...: the header row has exactly these column names, in this order.
header_is() {
  local header; header=$(head -n1 <<<"$1" | tr -s ' ')
  shift
  [ "$header" = "$*" ]
}
if header_is "$mc_table" NAME MODEL VERSION PHASE STAGE GATE AGE &&
   grep -qE '^fraud-detector-v43 +fraud-detector +43 +Evaluating +Candidate +OfflineEvaluation ' <<<"$mc_table"; then
  pass "kubectl get mc shows Model, Version, Phase, Stage, Gate, Age"
else
  fail "kubectl get mc does not show the expected columns and values:"; echo "$mc_table" | indent
fi
if header_is "$mr_table" NAME CANDIDATE PHASE STEP WEIGHT AGE &&
   grep -qE '^fraud-detector +fraud-detector-v43 +Canary +2 +25 ' <<<"$mr_table"; then
  pass "kubectl get mr shows Candidate, Phase, Step, Weight, Age"
else
  fail "kubectl get mr does not show the expected columns and values:"; echo "$mr_table" | indent
fi
both=$(kubectl -n "$ns" get mc,mr 2>&1)
if grep -q 'modelcandidate.modelgate.io/fraud-detector-v43' <<<"$both" &&
   grep -q 'modelrollout.modelgate.io/fraud-detector' <<<"$both"; then
  pass "kubectl get mc,mr lists both kinds"
else
  fail "kubectl get mc,mr:"; echo "$both" | indent
fi
category=$(kubectl -n "$ns" get modelgate 2>&1)
if grep -q 'modelcandidate.modelgate.io/fraud-detector-v43' <<<"$category" &&
   grep -q 'modelrollout.modelgate.io/fraud-detector' <<<"$category"; then
  pass "kubectl get modelgate (the category) lists both kinds"
else
  fail "kubectl get modelgate:"; echo "$category" | indent
fi
if explain=$(kubectl explain mr.spec.analysis.metrics.onNoData 2>&1) && grep -q 'no data never counts as success' <<<"$explain" &&
   explain=$(kubectl explain mc.spec.gates.evaluation.policyFrom 2>&1) && grep -q 'ConfigMap' <<<"$explain"; then
  pass "kubectl explain shows the field descriptions"
else
  fail "kubectl explain:"; echo "$explain" | indent
fi

# --- 5. clean up -----------------------------------------------------------------------------------
if kubectl delete namespace "$ns" --wait=true --timeout=120s >/dev/null 2>&1; then
  pass "namespace $ns and its objects deleted"
else
  fail "namespace $ns was not deleted within 120s"
fi

finish
