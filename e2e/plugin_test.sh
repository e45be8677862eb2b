#!/usr/bin/env bash
# End-to-end test of the kubectl plugin against the real control plane, through kubectl itself:
# `kubectl modelgate …` finds kubectl-modelgate (a symlink to the built binary, made by
# scripts/install-plugin into this test's own bin dir) on PATH.
#   - status shows phase, steps with weights and soak, the current step and weight, the last
#     analysis challenger vs champion with verdicts, and conditions; -o json has the same data;
#   - promote sets the annotation modelgate.io/promote to a new token on every call;
#   - pause / resume / abort set spec.paused / spec.abort, and are refused (exit 1, object
#     unchanged) when the phase makes them meaningless;
#   - history shows the model's candidates in time order with trigger, phase, stage, the gate that
#     blocked a candidate and its reason, and the rollouts of each candidate;
#   - errors name the object (not found) or print the usage (wrong arguments).
# No operator runs here: the statuses are written by hand (kubectl patch --subresource=status), so
# the test checks what the plugin reads and writes, not what the controllers decide.
. "$(dirname "$0")/lib/e2e.sh"

kubectl apply --server-side -f "$E2E_REPO/crds/" >/dev/null
kubectl wait --for=condition=Established crd/modelcandidates.modelgate.io crd/modelrollouts.modelgate.io --timeout=60s >/dev/null

ns=$(new_namespace mg-plugin)
bin=$(mktemp -d /tmp/modelgate-plugin-bin.XXXXXX)
MODELGATE_BIN="$MODELGATE_BIN" "$E2E_REPO/scripts/install-plugin" "$bin" >/dev/null
export PATH="$bin:$PATH"

check "kubectl lists the plugin" bash -c "kubectl plugin list 2>/dev/null | grep -q '$bin/kubectl-modelgate'"

# status_patch KIND/NAME JSON: writes the status subresource by hand, as the operator would.
status_patch() { kubectl -n "$ns" patch "$1" --subresource=status --type=merge -p "$2" >/dev/null; }
mg() { kubectl modelgate -n "$ns" "$@"; }
# ran CMD...: runs CMD, keeping its output (stdout and stderr) in $out and its exit code in $rc.
ran() { out=$("$@" 2>&1); rc=$?; }
exited() { [ "$rc" -eq "$1" ] || { echo "--- exit code $rc, expected $1; output:" >&2; echo "$out" >&2; return 1; }; }
# out_has TEXT / out_matches ERE: the last output contains TEXT / has a line matching ERE.
out_has() { grep -qF -- "$1" <<<"$out" || { echo "--- expected: $1" >&2; echo "$out" >&2; return 1; }; }
out_matches() { grep -Eq -- "$1" <<<"$out" || { echo "--- expected a line matching: $1" >&2; echo "$out" >&2; return 1; }; }
out_lacks() { ! grep -qF -- "$1" <<<"$out"; }
# json_ok PYTHON_EXPR: the last output is JSON `v` for which the expression is true.
json_ok() { python3 -c "import json,sys; v=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" <<<"$out"; }

candidate() {  # NAME VERSION TRIGGER_TYPE [MODEL]
  kubectl -n "$ns" apply -f - >/dev/null <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelCandidate
metadata: {name: $1}
spec:
  model: ${4:-fraud-detector}
  version: "$2"
  artifact: {uri: "s3://models/fraud-detector/$2"}
  trigger: {type: $3, source: "e2e/plugin", reason: "plugin test $1"}
EOX
}
rollout() {  # NAME CANDIDATE
  kubectl -n "$ns" apply -f - >/dev/null <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelRollout
metadata: {name: $1}
spec:
  candidateRef: {name: $2}
  target: {deployment: fraud-detector, service: fraud-detector}
  traffic: {gatewayAPI: {httpRoute: fraud-detector}}
  shadow: {percent: 20, duration: 2m}
  canary:
    steps:
      - {weight: 10, soak: 5m}
      - {weight: 25, soak: 10m}
      - {weight: 50, soak: 10m}
  analysis:
    prometheus: {address: "http://prometheus.monitoring:9090"}
    interval: 1m
    metrics:
      - name: error-rate
        query: 'sum(rate(errors{variant="{{variant}}"}[{{interval}}]))'
        max: 0.05
        failureLimit: 1
        onNoData: Hold
      - name: latency-p99
        query: 'histogram_quantile(0.99, rate(latency_bucket{variant="{{variant}}"}[{{interval}}]))'
        maxRelativeIncreaseOverChampion: 0.1
        onNoData: Pause
EOX
}

# --- the objects ---------------------------------------------------------------------------------
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
candidate fraud-v1 1.0.0 Scheduled
status_patch mc/fraud-v1 '{"status":{"phase":"Production","stage":"Production","gates":[
  {"name":"DataValidation","state":"Passed"},{"name":"TrainingValidation","state":"Passed"},
  {"name":"OfflineEvaluation","state":"Passed"},{"name":"OnlineEvaluation","state":"Passed"}]}}'
candidate fraud-v2 2.0.0 DataDrift
status_patch mc/fraud-v2 '{"status":{"phase":"Rejected","stage":"Candidate","currentGate":"DataValidation",
  "message":"gate DataValidation failed","gates":[
  {"name":"DataValidation","state":"Failed","reason":"NullRateExceeded","message":"amount: null rate 0.31 > 0.01"},
  {"name":"TrainingValidation","state":"Skipped"}]}}'
candidate fraud-v3 3.0.0 Manual
status_patch mc/fraud-v3 '{"status":{"phase":"RollingOut","stage":"Staging","champion":{"name":"fraud-v1","version":"1.0.0"}}}'
rollout fraud-v3-rollout fraud-v3
status_patch mr/fraud-v3-rollout '{"status":{"phase":"Canary","message":"step 2 of 3","currentStep":2,
  "canaryWeight":25,"shadowPercent":0,"stepStartedAt":"'"$now"'","startedAt":"'"$now"'",
  "challenger":{"name":"fraud-v3","version":"3.0.0"},"champion":{"name":"fraud-v1","version":"1.0.0"},
  "analysis":[
    {"name":"error-rate","verdict":"Success","challengerValue":"0.012","championValue":"0.011",
     "challengerSamples":1200,"championSamples":4800,"threshold":"challenger <= 0.05","failures":0,"measuredAt":"'"$now"'"},
    {"name":"latency-p99","verdict":"Failure","challengerValue":"0.31","championValue":"0.20",
     "threshold":"challenger <= champion * 1.10 (0.22)","failures":1,"measuredAt":"'"$now"'"}],
  "conditions":[{"type":"Progressing","status":"True","reason":"CanaryStepStarted","message":"step 2",
    "lastTransitionTime":"'"$now"'"}]}}'

# --- status --------------------------------------------------------------------------------------
ran mg status fraud-v3-rollout
check "status exits 0" exited 0
check "status shows the phase" out_has "Phase:      Canary"
check "status shows challenger and champion" out_has "Challenger: fraud-v3 (version 3.0.0)"
check "status shows the current weight" out_has "Traffic:    canary weight 25%, shadow 0%"
check "status shows the current step and the soak time left" \
  out_matches "^Step: +2 of 3, started $now, (9m[0-9]+s|10m0s) left$"
check "status lists the shadow" out_matches '^  shadow +20% mirrored +2m +done$'
check "status lists the current step with weight and soak" out_matches '^  2 +25% +10m +current$'
check "status lists the next step" out_matches '^  3 +50% +10m +pending$'
check "status shows the last analysis challenger vs champion with the verdict" \
  out_matches '^  latency-p99 +Failure +0\.31 +0\.20 +- +challenger <= champion \* 1\.10 \(0\.22\) +1/0 '
check "status shows the sample counts" out_matches '^  error-rate +Success +0\.012 +0\.011 +1200/4800 '
check "status shows the conditions" out_matches '^  Progressing +True +CanaryStepStarted '
ran mg status fraud-v3-rollout -o json
check "status -o json carries the same data" \
  json_ok 'v["canaryWeight"] == 25 and v["steps"][2]["state"] == "current" and v["analysis"][1]["verdict"] == "Failure"'

# --- promote -------------------------------------------------------------------------------------
promote_token() { jsonpath mr/fraud-v3-rollout "$ns" '.metadata.annotations.modelgate\.io/promote'; }
ran mg promote fraud-v3-rollout
check "promote exits 0" exited 0
check "promote says what it did" out_has "promotion requested"
first=$(promote_token)
check "promote sets the annotation modelgate.io/promote" test -n "$first"
mg promote fraud-v3-rollout >/dev/null
second=$(promote_token)
check "a second promote writes a new token (the controller acts once per token)" \
  bash -c '[ -n "$1" ] && [ "$1" != "$2" ]' _ "$second" "$first"

# --- pause / resume ------------------------------------------------------------------------------
check "pause exits 0" mg pause fraud-v3-rollout
check "pause sets spec.paused" field_is mr/fraud-v3-rollout "$ns" .spec.paused true
ran mg pause fraud-v3-rollout
check "pausing again exits 0" exited 0
check "pausing again changes nothing and says so" out_has "already paused"
status_patch mr/fraud-v3-rollout '{"status":{"phase":"Paused"}}'
ran mg status fraud-v3-rollout
check "status shows the pause request" out_has "Requested:  paused (spec.paused)"
check "resume exits 0" mg resume fraud-v3-rollout
check "resume clears spec.paused" field_is mr/fraud-v3-rollout "$ns" .spec.paused false
ran mg resume fraud-v3-rollout
check "resume of a rollout Paused by its analysis exits 1" exited 1
check "and says why" out_has "is Paused by its analysis, not by spec.paused"

# --- abort ---------------------------------------------------------------------------------------
status_patch mr/fraud-v3-rollout '{"status":{"phase":"Canary"}}'
check "abort exits 0" mg abort fraud-v3-rollout
check "abort sets spec.abort" field_is mr/fraud-v3-rollout "$ns" .spec.abort true
status_patch mr/fraud-v3-rollout '{"status":{"phase":"Aborted","canaryWeight":0,"finishedAt":"'"$now"'","message":"aborted by spec.abort"}}'
rv_before=$(jsonpath mr/fraud-v3-rollout "$ns" .metadata.resourceVersion)
ran mg abort fraud-v3-rollout
check "abort of an ended rollout exits 1" exited 1
check "and says it has ended" out_has "has already ended (Aborted)"
ran mg promote fraud-v3-rollout
check "promote of an aborted rollout exits 1" exited 1
check "and names the phase" out_has "is Aborted; promote applies"
ran mg pause fraud-v3-rollout
check "pause of an aborted rollout exits 1" exited 1
check "refused commands leave the object unchanged" \
  field_is mr/fraud-v3-rollout "$ns" .metadata.resourceVersion "$rv_before"

# --- history -------------------------------------------------------------------------------------
candidate other-v1 1.0.0 Manual churn
ran mg history fraud-detector
check "history exits 0" exited 0
check "history names the model, the count and the champion" \
  out_has "Model fraud-detector in namespace $ns: 3 candidates, champion fraud-v1 (version 1.0.0)"
check "history lists the candidates oldest first" \
  bash -c '[ "$(grep -o "fraud-v[0-9]  version" <<<"$1" | tr "\n" " ")" = "fraud-v1  version fraud-v2  version fraud-v3  version " ]' _ "$out"
check "history leaves other models out" out_lacks other-v1
check "history shows the trigger" out_has "trigger:  DataDrift from e2e/plugin: plugin test fraud-v2"
check "history shows the blocking gate and its reason" \
  out_has "blocked:  DataValidation Failed (NullRateExceeded: amount: null rate 0.31 > 0.01)"
check "history shows the rollout of a candidate" out_has "rollout:  fraud-v3-rollout Aborted, step 2, weight 0%"
ran mg history fraud-detector -o json
check "history -o json carries the same data" \
  json_ok '[c["name"] for c in v["candidates"]] == ["fraud-v1", "fraud-v2", "fraud-v3"] and v["candidates"][1]["blockedBy"]["reason"] == "NullRateExceeded" and v["candidates"][2]["rollouts"][0]["phase"] == "Aborted"'

# --- errors --------------------------------------------------------------------------------------
ran mg status no-such-rollout
check "a missing rollout exits 1" exited 1
check "and is named with its namespace" out_has "error: modelrollout \"no-such-rollout\" not found in namespace \"$ns\""
ran mg history no-such-model
check "a model without candidates exits 1" exited 1
check "and the models there are listed" out_has 'no modelcandidates of model "no-such-model" (spec.model)'
check "(churn and fraud-detector)" out_has "models there: churn, fraud-detector"
ran mg status
check "a missing argument exits 2" exited 2
check "and prints the reason and the usage" out_matches '^usage: kubectl modelgate'
ran mg frobnicate x
check "an unknown command exits 2" exited 2
check "and is named" out_has "unknown command 'frobnicate'"
ran kubectl modelgate --kubeconfig /nonexistent/kubeconfig -n "$ns" status x
check "a bad --kubeconfig exits 1" exited 1
check "and is named" out_has "/nonexistent/kubeconfig"
ran "$MODELGATE_BIN" kubectl -n "$ns" status fraud-v3-rollout
check "modelgate kubectl … is the same plugin" out_has "Phase:      Aborted"

rm -rf "$bin"
e2e_finish
