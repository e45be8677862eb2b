#!/usr/bin/env bash
# The MLflow model registry and the audit trail end to end (issue 11), against a REAL MLflow
# tracking server (e2e/mlflow/up: MLflow from PyPI, SQLite, proxied artifacts) and the real gate-4
# world (Prometheus, the traffic simulator following the HTTPRoute). MLflow's state is checked
# through its REST API (e2e/mlflow/rest), never through modelgate's own output.
#   (a) Ready candidates: alias challenger on the newest; the champion alias on the Production one;
#       modelgate.* tags on the version
#   (b) v43 promoted: champion -> v43's version, previous-champion -> v42's; the sync latency after
#       the promotion is measured; the audit run (experiment modelgate/fraud-detector) holds one
#       document per decision, with the trigger and the deciding numbers, the canary steps and a
#       pause/resume by the kubectl user (ManualAction, actor from modelgate.io/actor + managedFields)
#   (c) MLflow stopped, v44's canary fails: traffic goes back at once anyway (RolledBack, weight 0),
#       RegistrySynced=False names the registry; MLflow back -> the registry converges (tags say
#       RolledBack, the challenger alias is gone), nothing lost (the rolled-back record uploaded)
#   (d) a version MLflow does not have: RegistrySynced=False VersionNotFound, no crash
#   (e) basic auth: wrong credentials -> RegistryAuthFailed naming 401; right ones -> in step
. "$(dirname "$0")/lib/e2e.sh"
. "$E2E_REPO/e2e/mlflow/common.sh" 2>/dev/null || true
rest() { "$E2E_REPO/e2e/mlflow/rest" "$@"; }

kubectl apply --server-side -f "$E2E_REPO/crds/" >/dev/null
kubectl wait --for=condition=Established crd/modelcandidates.modelgate.io --timeout=60s >/dev/null
ns=$(new_namespace mg-registry)
# `kubectl modelgate` as users install it (for the pause/resume of (b)).
bin=$(mktemp -d /tmp/modelgate-plugin-bin.XXXXXX)
MODELGATE_BIN="$MODELGATE_BIN" "$E2E_REPO/scripts/install-plugin" "$bin" >/dev/null
export PATH="$bin:$PATH"
mlflow_url=$("$E2E_REPO/e2e/mlflow/up" | tail -n1)
mlflow_auth_url=$("$E2E_REPO/e2e/mlflow/up" --auth | tail -n1)
prom_url=$("$E2E_REPO/e2e/prometheus/up" | tail -n1)
model=fraud-detector-$ns   # one registered model per run: the MLflow state outlives the namespace

# The registered model and versions your training pipeline would have registered.
rest POST registered-models/create "{\"name\":\"$model\"}" >/dev/null
for v in 42 43 44; do
  rest POST model-versions/create "{\"name\":\"$model\",\"source\":\"s3://ml-models/fraud-detector/$v/\"}" >/dev/null
done

fraud_detector_world "$ns"

registry_block() {  # VERSION [URL] [SECRET]
  echo "  registry:"
  echo "    mlflow: {trackingUri: \"${2:-$mlflow_url}\", registeredModel: \"$model\", version: \"$1\"${3:+, credentialsSecretRef: {name: $3\}}}"
}
candidate_mc() {  # VERSION TRIGGER_YAML REGISTRY_VERSION [URL] [SECRET] [MODEL]
  kubectl -n "$ns" apply -f - >/dev/null <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelCandidate
metadata: {name: ${6:-fraud-detector}-v$1}
spec:
  model: ${6:-fraud-detector}
  version: "$1"
  artifact: {uri: "s3://ml-models/fraud-detector/$1/"}
  trigger: $2
  gates:
    data:
      dataset: {configMapKeyRef: {name: fraud-data, key: eval_predictions.csv}}
      baseline: {configMapKeyRef: {name: fraud-data, key: baseline_predictions.csv}}
      policyFrom: {configMapKeyRef: {name: fraud-policies, key: data.yaml}}
    evaluation:
      dataset: {configMapKeyRef: {name: fraud-data, key: eval_predictions.csv}}
      policyFrom: {configMapKeyRef: {name: fraud-policies, key: evaluation.yaml}}
$(registry_block "$3" "${4:-}" "${5:-}")
EOX
}
# v42 serves today: the Production champion, as a finished rollout leaves it.
kubectl -n "$ns" apply -f - >/dev/null <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelCandidate
metadata: {name: fraud-detector-v42}
spec:
  model: fraud-detector
  version: "42"
  artifact: {uri: "s3://ml-models/fraud-detector/42/"}
  trigger: {type: Manual, reason: "Serving before modelgate was installed"}
$(registry_block 1)
EOX
kubectl -n "$ns" patch mc fraud-detector-v42 --subresource=status --type=merge \
  -p '{"status":{"phase":"Production","stage":"Production","stageTransitionTime":"2026-12-01T00:00:00Z"}}' >/dev/null
candidate_mc 43 '{type: CodeChange, source: github.com/acme/fraud-detector@main, commit: 4f9d2c7e1b3a, reason: "PR #1287"}' 2
candidate_mc 44 '{type: Scheduled, source: nightly-retrain, reason: "nightly retraining"}' 3
kubectl -n "$ns" wait deployment/fraud-detector --for=condition=Available --timeout=60s >/dev/null

start_operator registry --namespace="$ns" --leader-elect=false --metrics-addr=0 --health-addr="127.0.0.1:$(free_port)"

alias_is() {  # ALIAS VERSION ["" = absent]
  local out; out=$(rest GET "registered-models/get?name=$model" 2>/dev/null) || return 1
  python3 -c '
import json, sys
aliases = {a["alias"]: a["version"] for a in json.load(sys.stdin)["registered_model"].get("aliases", [])}
sys.exit(0 if aliases.get(sys.argv[1], "") == sys.argv[2] else 1)' "$1" "$2" <<<"$out"
}
tag_is() {  # MLFLOW_VERSION KEY VALUE
  local out; out=$(rest GET "model-versions/get?name=$model&version=$1" 2>/dev/null) || return 1
  python3 -c '
import json, sys
tags = {t["key"]: t["value"] for t in json.load(sys.stdin)["model_version"].get("tags", [])}
sys.exit(0 if tags.get(sys.argv[1]) == sys.argv[2] else 1)' "$2" "$3" <<<"$out"
}
tag_present() {  # MLFLOW_VERSION KEY
  local out; out=$(rest GET "model-versions/get?name=$model&version=$1" 2>/dev/null) || return 1
  grep -q "\"key\": *\"$2\"" <<<"$out"
}
synced() { field_is "mc/$1" "$ns" '.status.conditions[?(@.type=="RegistrySynced")].status' "$2"; }
phase_is() { field_is "mc/$1" "$ns" .status.phase "$2"; }

# --- (a) Ready -> challenger ----------------------------------------------------------------------
wait_until 120 "(a) v43 and v44 pass gates 1-3" bash -c "kubectl -n $ns get mc fraud-detector-v43 fraud-detector-v44 -o jsonpath='{.items[*].status.phase}' | grep -qx 'Ready Ready'"
wait_until 30 "(a) MLflow: champion -> v42's version (1)" alias_is champion 1
wait_until 30 "(a) MLflow: challenger -> the newest Ready candidate, v44 (3)" alias_is challenger 3
wait_until 30 "(a) MLflow: version 2 is tagged modelgate.phase=Ready" tag_is 2 modelgate.phase Ready
check "(a) ... with its trigger (CodeChange, the commit)" tag_is 2 modelgate.trigger.commit 4f9d2c7e1b3a
check "(a) ... and gate 3's number against the champion" tag_present 2 modelgate.metric.auc_roc.champion
check "(a) RegistrySynced=True on v43" synced fraud-detector-v43 True

# --- (b) promotion -------------------------------------------------------------------------------
sim_url=$("$E2E_REPO/e2e/trafficsim/up" "$ns" httproute/fraud-detector fraud-detector --seed 11 | tail -n1)
sed -e "s|PROMETHEUS_URL|$prom_url|" "$E2E_REPO/config/demo/rollout.yaml" | kubectl -n "$ns" apply -f - >/dev/null
promoted() { [ "$(kubectl -n "$ns" get mr fraud-detector -o jsonpath='{.status.phase}')" = Promoted ]; }
completed() { [ "$(kubectl -n "$ns" get mr fraud-detector -o jsonpath='{.status.conditions[?(@.type=="Completed")].status}')" = True ]; }
# A human pauses and resumes v43's canary with the plugin: manual actions in the audit trail.
in_canary() { field_is mr/fraud-detector "$ns" .status.phase Canary; }
wait_until 120 "(b) v43's canary starts" in_canary
out=$(kubectl modelgate -n "$ns" pause fraud-detector 2>&1)
check "(b) kubectl modelgate pause: $out" grep -q "paused" <<<"$out"
wait_until 30 "(b) the rollout is Paused" field_is mr/fraud-detector "$ns" .status.phase Paused
kubectl modelgate -n "$ns" resume fraud-detector >/dev/null
wait_until 180 "(b) the rollout promotes v43" promoted
promoted_at=$(date +%s.%N)
wait_until 60 "(b) MLflow: champion -> v43's version (2)" alias_is champion 2
synced_at=$(date +%s.%N)
echo "INFO: promotion (phase Promoted seen) -> champion alias moved in MLflow: $(python3 -c "print(round($synced_at - $promoted_at, 2))") s (polled every 0.25 s)"
wait_until 30 "(b) MLflow: previous-champion -> v42's version (1)" alias_is previous-champion 1
check "(b) MLflow: version 2 tagged stage Production" tag_is 2 modelgate.stage Production
exp=$(rest GET "experiments/get-by-name?experiment_name=modelgate/$model" | python3 -c 'import json,sys; print(json.load(sys.stdin)["experiment"]["experiment_id"])')
check "(b) the audit experiment modelgate/$model exists" [ -n "$exp" ]
run_of() {  # CANDIDATE -> run id
  rest POST runs/search "{\"experiment_ids\":[\"$exp\"],\"filter\":\"tags.\`modelgate.candidate\` = '$ns/$1'\"}" |
    python3 -c 'import json,sys; r=json.load(sys.stdin).get("runs",[]); print(r[0]["info"]["run_id"] if r else "")'
}
artifacts_of() { rest GET "artifacts/list?run_id=$1&path=audit" | python3 -c 'import json,sys; [print(f["path"]) for f in json.load(sys.stdin).get("files",[])]'; }
run43=$(run_of fraud-detector-v43)
check "(b) one run for v43" [ -n "$run43" ]
has_record() { local list; list=$(artifacts_of "$1"); grep -q -- "$2" <<<"$list"; }
wait_until 60 "(b) v43's audit run holds its promoted record" has_record "$run43" promoted
for r in gate-DataValidation gate-OfflineEvaluation verdict-Ready rollout-started CanaryStepStarted Paused Resumed; do
  check "(b) ... and the $r record" has_record "$run43" "$r"
done
me=$(kubectl auth whoami -o jsonpath='{.status.userInfo.username}')
paused_doc=$(rest GET "/get-artifact?run_uuid=$run43&path=$(artifacts_of "$run43" | grep -- -Paused- | head -n1)")
check "(b) the pause is a ManualAction by the kubectl user ($me) via kubectl-modelgate" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["decision"]["type"] == "ManualAction" and d["decision"]["rollout"] == "fraud-detector", d["decision"]
assert d["actor"] == {"kind": "user", "name": sys.argv[2], "via": "kubectl-modelgate"}, d["actor"]
assert list(d)[:4] == ["apiVersion", "kind", "id", "time"], list(d)' "$paused_doc" "$me"
step_doc=$(rest GET "/get-artifact?run_uuid=$run43&path=$(artifacts_of "$run43" | grep -- -CanaryStepStarted- | head -n1)")
check "(b) a canary step is a RolloutStep by the operator, with its weight" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["decision"]["type"] == "RolloutStep" and d["decision"]["canaryWeight"] > 0, d["decision"]
assert d["actor"] == {"kind": "operator", "name": "modelgate"}, d["actor"]' "$step_doc"
doc=$(rest GET "/get-artifact?run_uuid=$run43&path=$(artifacts_of "$run43" | grep promoted | head -n1)")
check "(b) the promoted record names the decision, the trigger and the spec digest" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["apiVersion"] == "modelgate.io/audit/v1" and d["decision"]["type"] == "Promoted", d["decision"]
assert d["trigger"]["type"] == "CodeChange" and d["trigger"]["commit"] == "4f9d2c7e1b3a"
assert d["spec"]["digest"].startswith("sha256:") and len(d["spec"]["digest"]) == 71' "$doc"
gate_doc=$(rest GET "/get-artifact?run_uuid=$run43&path=$(artifacts_of "$run43" | grep gate-OfflineEvaluation | head -n1)")
check "(b) the gate-3 record has the deciding metric against the champion" python3 -c '
import json, sys
d = json.loads(sys.argv[1]); m = d["metrics"]["auc_roc"]
assert "value" in m and "champion" in m, m' "$gate_doc"
check "(b) the operator logged each record exactly once (JSON log), v43's verdict among them" python3 -c '
import collections, json, sys
seen = collections.Counter()
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("msg") == "audit record":
        seen[(e["audit"]["candidate"], e["audit"]["id"])] += 1
twice = {k: n for k, n in seen.items() if n > 1}
assert not twice, twice
assert seen[("fraud-detector-v43", "verdict-Ready-g1")] == 1' "$E2E_LOGS/registry.log"

wait_until 120 "(b) the promotion completes (post-promotion window over)" completed

# --- (c) MLflow down during a rollback -----------------------------------------------------------
kill -TERM -- "-$(cat "$MG_RUN/mlflow.pid")" 2>/dev/null
wait_until 40 "(c) MLflow is down" bash -c "! curl -sf --max-time 1 $mlflow_url/health"
curl -sf -X POST "$sim_url/faults" -d '{"variant":"canary","error_rate":0.3}' >/dev/null
kubectl -n "$ns" patch mr fraud-detector --type=merge -p '{"spec":{"candidateRef":{"name":"fraud-detector-v44"}}}' >/dev/null
rolled_back() { field_is mr/fraud-detector "$ns" .status.phase RolledBack && field_is mr/fraud-detector "$ns" .status.canaryWeight 0; }
wait_until 120 "(c) the failing canary is rolled back with MLflow down (weight 0)" rolled_back
wait_until 60 "(c) v44: RegistrySynced=False" synced fraud-detector-v44 False
check "(c) ... naming the registry and why" bash -c \
  "kubectl -n $ns get mc fraud-detector-v44 -o jsonpath='{.status.conditions[?(@.type==\"RegistrySynced\")].message}' | grep -q '$mlflow_url'"
check "(c) ... and the rolled-back record waits in status.registry.pendingAudit" bash -c \
  "kubectl -n $ns get mc fraud-detector-v44 -o jsonpath='{.status.registry.pendingAudit[*].id}' | grep -q rolled-back"
curl -sf -X DELETE "$sim_url/faults" >/dev/null || true
"$E2E_REPO/e2e/mlflow/up" >/dev/null
wait_until 120 "(c) MLflow back: v44 RegistrySynced=True" synced fraud-detector-v44 True
wait_until 30 "(c) MLflow: version 3 tagged RolledBack" tag_is 3 modelgate.phase RolledBack
check "(c) MLflow: the challenger alias is gone (no candidate in Staging)" alias_is challenger ""
check "(c) MLflow: champion still v43's version" alias_is champion 2
run44=$(run_of fraud-detector-v44)
wait_until 30 "(c) nothing lost: v44's rolled-back record is in MLflow" has_record "$run44" rolled-back
check "(c) ... and no longer pending" bash -c "[ -z \"\$(kubectl -n $ns get mc fraud-detector-v44 -o jsonpath='{.status.registry.pendingAudit}')\" ]"

# --- (d) a version MLflow does not have -----------------------------------------------------------
candidate_mc 45 '{type: Manual, reason: "unregistered"}' 99
wait_until 60 "(d) a version MLflow does not have: RegistrySynced=False VersionNotFound" \
  field_is mc/fraud-detector-v45 "$ns" '.status.conditions[?(@.type=="RegistrySynced")].reason' VersionNotFound
check "(d) ... the message names the version" bash -c \
  "kubectl -n $ns get mc fraud-detector-v45 -o jsonpath='{.status.conditions[?(@.type==\"RegistrySynced\")].message}' | grep -q 'no version 99'"
check "(d) the operator is still running" kill -0 "$OPERATOR_PID"

# --- (e) basic auth --------------------------------------------------------------------------------
rest --auth admin POST registered-models/create "{\"name\":\"$model\"}" >/dev/null
rest --auth admin POST model-versions/create "{\"name\":\"$model\",\"source\":\"s3://ml-models/fraud-auth/1/\"}" >/dev/null
kubectl -n "$ns" create secret generic mlflow-wrong --from-literal=username=modelgate --from-literal=password=not-the-password >/dev/null
candidate_mc 1 '{type: Manual, reason: "auth"}' 1 "$mlflow_auth_url" mlflow-wrong fraud-auth
wait_until 60 "(e) wrong credentials: RegistrySynced=False RegistryAuthFailed" \
  field_is mc/fraud-auth-v1 "$ns" '.status.conditions[?(@.type=="RegistrySynced")].reason' RegistryAuthFailed
check "(e) ... naming HTTP 401, without the password" bash -c \
  "m=\$(kubectl -n $ns get mc fraud-auth-v1 -o jsonpath='{.status.conditions[?(@.type==\"RegistrySynced\")].message}'); grep -q 401 <<<\"\$m\" && ! grep -q not-the-password <<<\"\$m\""
check "(e) the password is not in the operator's log" bash -c "! grep -q not-the-password '$E2E_LOGS/registry.log'"
kubectl -n "$ns" create secret generic mlflow-right --from-literal=username=modelgate \
  --from-file=password="$MG_MLFLOW_AUTH_DIR/modelgate-password" >/dev/null
kubectl -n "$ns" patch mc fraud-auth-v1 --type=merge -p '{"spec":{"registry":{"mlflow":{"credentialsSecretRef":{"name":"mlflow-right"}}}}}' >/dev/null
wait_until 90 "(e) right credentials: RegistrySynced=True" synced fraud-auth-v1 True
check "(e) MLflow (auth): the version is tagged by the operator's user" bash -c \
  "'$E2E_REPO/e2e/mlflow/rest' --auth admin GET 'model-versions/get?name=$model&version=1' | grep -q modelgate.candidate"

"$E2E_REPO/e2e/trafficsim/down" "$ns" httproute/fraud-detector >/dev/null 2>&1 || true
echo "--- MLflow: registered model $model (REST) ---"
rest GET "registered-models/get?name=$model" | python3 -c 'import json,sys; m=json.load(sys.stdin)["registered_model"]; print("aliases:", m.get("aliases"))'
e2e_finish
