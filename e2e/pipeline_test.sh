#!/usr/bin/env bash
# End-to-end scenarios of the ModelPipeline controller (issue 10) on the real control plane, the
# way users work (kubectl apply / get / describe, kubectl modelgate trigger). The alert path
# (Prometheus -> Alertmanager -> webhook -> automatic rollout) is e2e/pipeline_alert_test.sh.
#   (a) bad specs: the API server refuses what the schema can say (Automatic without rolloutRef,
#       alerts without token); the operator sets Invalid naming the field for what it cannot (an
#       invalid cron, an unknown time zone, a placeholder typo, a rendered candidate the
#       ModelCandidate schema refuses); nothing is created
#   (b) `kubectl modelgate trigger --commit` creates a CodeChange candidate with the commit, once
#   (c) `@every 20s` with a 2h window: candidates whose rendered dataset URIs carry the window; a
#       champion that still wins ends ChampionRetained and nothing is rolled out
#   (d) concurrencyPolicy Forbid skips a trigger while a candidate is in gates 1-3 (Event, history);
#       Replace supersedes the running one
#   (e) the operator killed across two due times: exactly one run after restart, for the latest
#   (f) historyLimit deletes the oldest finished candidates, never the champion
. "$(dirname "$0")/lib/e2e.sh"
fixtures=$E2E_REPO/e2e/candidate

kubectl apply --server-side -f "$E2E_REPO/crds/" >/dev/null
kubectl wait --for=condition=Established crd/modelpipelines.modelgate.io crd/modelcandidates.modelgate.io --timeout=60s >/dev/null
ns=$(new_namespace mg-pipeline)
bin=$(mktemp -d /tmp/modelgate-plugin-bin.XXXXXX)
MODELGATE_BIN="$MODELGATE_BIN" "$E2E_REPO/scripts/install-plugin" "$bin" >/dev/null
export PATH="$bin:$PATH"

data=$E2E_LOGS/pipeline-data
python3 "$fixtures/make_data.py" "$data" >/dev/null
data_port=$(free_port)
python3 "$fixtures/data_server.py" "$data" "$data_port" 2>>"$E2E_LOGS/pipeline-data-server.log" &
e2e_pids+=("$!")
url="http://127.0.0.1:$data_port"
wait_until 20 "the data server answers" curl -sf "$url/eval_champion.csv"
kubectl -n "$ns" create configmap policies --from-file=eval.yaml="$fixtures/eval_policy.yaml" \
  --from-file=eval-improve.yaml="$fixtures/eval_policy_improve.yaml" >/dev/null

start_operator pipeline --namespace="$ns" --leader-elect=false --metrics-addr=0 \
  --health-addr="127.0.0.1:$(free_port)" --webhook-addr=0

cond() { jsonpath "mp/$1" "$ns" ".status.conditions[?(@.type==\"$2\")].$3"; }
mcs_of() { kubectl -n "$ns" get mc -l "modelgate.io/pipeline=$1" -o name 2>/dev/null | wc -l; }
phase_is() { field_is "mc/$1" "$ns" .status.phase "$2"; }
contains() { grep -qF -- "$2" <<<"$1"; }

# mp NAME MODEL EXTRA_SPEC_YAML TEMPLATE_YAML: applies a ModelPipeline.
mp() {
  kubectl -n "$ns" apply -f - <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelPipeline
metadata: {name: $1}
spec:
  model: $2
$3
  candidateTemplate:
$4
EOX
}
# A template whose data gate waits on an unreachable source: its candidates stay in gates 1-3.
stuck_template() {
  cat <<EOX
    artifact: {uri: "s3://models/{{model}}/{{version}}/"}
    gates:
      data:
        dataset: {uri: "http://127.0.0.1:$(free_port)/never.csv"}
        policy: {columns: {}}
    sourceRetry: {backoff: 5s, maxBackoff: 10s}
EOX
}

# --- (a) bad specs --------------------------------------------------------------------------------
out=$(mp bad-a1 fraud-a "  promotion: {mode: Automatic}" "$(stuck_template)" 2>&1)
check "(a) Automatic without rolloutRef is refused by the API server, naming the field" \
  contains "$out" "spec.promotion.rolloutRef"
out=$(mp bad-a2 fraud-a "  alerts: {enabled: true}" "$(stuck_template)" 2>&1)
check "(a) alerts.enabled without tokenSecretRef is refused, naming the field" contains "$out" "spec.alerts.tokenSecretRef"
out=$(mp bad-a3 fraud-a "  concurrencyPolicy: Sometimes" "$(stuck_template)" 2>&1)
check "(a) an unknown concurrencyPolicy is refused" contains "$out" "spec.concurrencyPolicy"
mp bad-cron fraud-a "  schedule: {cron: '0 25 * * *'}" "$(stuck_template)" >/dev/null
wait_until 20 "(a) an invalid cron: Invalid=True" field_is mp/bad-cron "$ns" '.status.conditions[?(@.type=="Invalid")].status' True
check "(a) ... naming spec.schedule.cron and the hour field" contains "$(cond bad-cron Invalid message)" "spec.schedule.cron '0 25 * * *': field 2 (hour): 25 is out of range 0-23"
mp bad-tz fraud-a "  schedule: {cron: '0 2 * * *', timeZone: Europe/Berln}" "$(stuck_template)" >/dev/null
wait_until 20 "(a) an unknown time zone: Invalid=True" field_is mp/bad-tz "$ns" '.status.conditions[?(@.type=="Invalid")].status' True
check "(a) ... naming spec.schedule.timeZone" contains "$(cond bad-tz Invalid message)" "Europe/Berln"
mp bad-tmpl fraud-a "" '    artifact: {uri: "s3://models/{{versoin}}/"}' >/dev/null
wait_until 20 "(a) a placeholder typo: Invalid=True" field_is mp/bad-tmpl "$ns" '.status.conditions[?(@.type=="Invalid")].status' True
check "(a) ... naming the field and the nearest placeholder" \
  contains "$(cond bad-tmpl Invalid message)" "spec.candidateTemplate.artifact.uri: unknown placeholder {{versoin}}; did you mean {{version}}?"
mp bad-render fraud-a "" '    artifact: {uri: "no-scheme"}' >/dev/null
wait_until 20 "(a) a rendered candidate the ModelCandidate schema refuses: Invalid=True" \
  field_is mp/bad-render "$ns" '.status.conditions[?(@.type=="Invalid")].status' True
check "(a) ... naming spec.candidateTemplate.artifact.uri" contains "$(cond bad-render Invalid message)" "spec.candidateTemplate.artifact.uri"
kubectl -n "$ns" annotate mp bad-tmpl modelgate.io/trigger='{"id":"a1","type":"Manual"}' >/dev/null
check "(a) Ready=False while invalid" field_is mp/bad-tmpl "$ns" '.status.conditions[?(@.type=="Ready")].status' False
check "(a) nothing was created by the invalid pipelines" [ "$(kubectl -n "$ns" get mc -o name | wc -l)" -eq 0 ]

# --- (b) kubectl modelgate trigger ---------------------------------------------------------------
mp code-b fraud-b "" "$(stuck_template)" >/dev/null
wait_until 20 "(b) the pipeline is Ready" field_is mp/code-b "$ns" '.status.conditions[?(@.type=="Ready")].status' True
out=$(kubectl modelgate -n "$ns" trigger code-b --commit 1a2b3c4d5e --reason "merge #812: new features" --wait --timeout 30s 2>&1)
check "(b) kubectl modelgate trigger --wait reports the created candidate" contains "$out" "Created fraud-b-v1"
check "(b) the candidate's trigger is CodeChange with the commit" field_is mc/fraud-b-v1 "$ns" .spec.trigger.commit 1a2b3c4d5e
check "(b) ... type CodeChange" field_is mc/fraud-b-v1 "$ns" .spec.trigger.type CodeChange
check "(b) ... the reason" field_is mc/fraud-b-v1 "$ns" .spec.trigger.reason "merge #812: new features"
check "(b) ... the pipeline" field_is mc/fraud-b-v1 "$ns" .spec.trigger.pipeline code-b
check "(b) ... the rendered artifact URI" field_is mc/fraud-b-v1 "$ns" .spec.artifact.uri "s3://models/fraud-b/1/"
wait_until 10 "(b) event TriggeredByCodeChange on the pipeline" events_exactly "$ns" code-b TriggeredByCodeChange 1
check "(b) one candidate" [ "$(mcs_of code-b)" -eq 1 ]
out=$(kubectl modelgate -n "$ns" trigger code-b --commit nothex 2>&1); rc=$?
check "(b) a commit that is not hexadecimal is refused by the plugin (exit 2), nothing written" \
  bash -c "[ $rc -eq 2 ] && [ \"\$(kubectl -n $ns get mp code-b -o jsonpath='{.metadata.annotations.modelgate\.io/trigger}' | grep -c nothex)\" = 0 ]"

# --- (d) Forbid, then Replace --------------------------------------------------------------------
out=$(kubectl modelgate -n "$ns" trigger code-b --reason "second try" --wait --timeout 30s 2>&1); rc=$?
check "(d) Forbid: a trigger while fraud-b-v1 is in gates 1-3 is Skipped (exit 1)" bash -c "[ $rc -eq 1 ]"
check "(d) ... the plugin says why" contains "$out" "fraud-b-v1 still in gates 1-3; concurrencyPolicy Forbid"
wait_until 10 "(d) event TriggerSkipped" events_at_least "$ns" code-b TriggerSkipped 1
check "(d) history records the skip" field_is mp/code-b "$ns" .status.history[0].result Skipped
check "(d) still one candidate" [ "$(mcs_of code-b)" -eq 1 ]
kubectl -n "$ns" patch mp code-b --type=merge -p '{"spec":{"concurrencyPolicy":"Replace"}}' >/dev/null
wait_until 10 "(d) the new generation is observed" field_is mp/code-b "$ns" .status.observedGeneration 2
out=$(kubectl modelgate -n "$ns" trigger code-b --reason "replace it" --wait --timeout 30s 2>&1)
check "(d) Replace: a new candidate is created" contains "$out" "Created fraud-b-v2"
wait_until 20 "(d) ... and the running one ends Superseded" phase_is fraud-b-v1 Superseded
check "(d) ... naming its successor" contains "$(jsonpath mc/fraud-b-v1 "$ns" .status.message)" "superseded by fraud-b-v2"
wait_until 10 "(d) event CandidateSuperseded" events_at_least "$ns" code-b CandidateSuperseded 1

# --- (c) schedule with a window; the champion wins -----------------------------------------------
kubectl -n "$ns" apply -f - >/dev/null <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelCandidate
metadata: {name: fraud-c-v7}
spec:
  model: fraud-c
  version: "7"
  artifact: {uri: "s3://models/fraud-c/7/"}
  trigger: {type: Manual, reason: "the champion"}
  gates:
    evaluation:
      dataset: {uri: "$url/eval_champion.csv"}
      policyFrom: {configMapKeyRef: {name: policies, key: eval.yaml}}
EOX
wait_until 60 "(c) the future champion is Ready" phase_is fraud-c-v7 Ready
kubectl -n "$ns" patch mc fraud-c-v7 --subresource=status --type=merge \
  -p '{"status":{"phase":"Production","stage":"Production"}}' >/dev/null
sched_template=$(cat <<EOX
    artifact: {uri: "s3://models/fraud-c/{{version}}/"}
    gates:
      evaluation:
        dataset: {uri: "$url/eval_challenger_worse.csv?from={{windowStart}}&to={{windowEnd}}"}
        policyFrom: {configMapKeyRef: {name: policies, key: eval-improve.yaml}}
EOX
)
mp sched-c fraud-c "  schedule: {cron: '@every 20s', window: 2h}
  promotion: {mode: Automatic, rolloutRef: {name: fraud-c}}" "$sched_template" >/dev/null
out=$(kubectl -n "$ns" apply -f - 2>&1 <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelRollout
metadata: {name: fraud-c}
spec:
  candidateRef: {name: fraud-c-v7}
  target: {deployment: fraud-c, container: server, service: fraud-c}
  traffic: {replicas: {}}
  canary: {steps: [{weight: 50, soak: 10s}]}
  analysis:
    prometheus: {address: "http://127.0.0.1:1"}
    interval: 5s
    metrics: [{name: m, query: "vector(0) * 0 + count(up{variant=\"{{variant}}\"})", max: 1, onNoData: Fail}]
EOX
)
check "(c) a ModelRollout for fraud-c names the champion" contains "$out" "modelrollout.modelgate.io/fraud-c created"
wait_until 20 "(c) nextScheduleTime is set" bash -c "[ -n \"\$(kubectl -n $ns get mp sched-c -o jsonpath='{.status.nextScheduleTime}')\" ]"
wait_until 40 "(c) the schedule makes fraud-c-v8" kubectl -n "$ns" get mc fraud-c-v8
check "(c) ... as a Scheduled trigger" field_is mc/fraud-c-v8 "$ns" .spec.trigger.type Scheduled
sched=$(jsonpath mc/fraud-c-v8 "$ns" .spec.trigger.scheduledTime)
start=$(python3 -c "import datetime as d,sys; t=d.datetime.strptime(sys.argv[1],'%Y-%m-%dT%H:%M:%SZ'); print((t-d.timedelta(hours=2)).strftime('%Y-%m-%dT%H:%M:%SZ'))" "$sched")
check "(c) the rendered dataset URI carries the 2h window ending at the scheduled time" \
  field_is mc/fraud-c-v8 "$ns" .spec.gates.evaluation.dataset.uri "$url/eval_challenger_worse.csv?from=$start&to=$sched"
check "(c) trigger.window is recorded" field_is mc/fraud-c-v8 "$ns" .spec.trigger.window.start "$start"
wait_until 60 "(c) the challenger that does not beat the champion ends ChampionRetained" phase_is fraud-c-v8 ChampionRetained
check "(c) the data server was asked for the window" grep -qF "from=$start&to=$sched" "$E2E_LOGS/pipeline-data-server.log"
wait_until 40 "(c) the next run comes 20 s later (fraud-c-v9)" kubectl -n "$ns" get mc fraud-c-v9
check "(c) nothing was rolled out: the rollout still names the champion" field_is mr/fraud-c "$ns" .spec.candidateRef.name fraud-c-v7
check "(c) the pipeline shows the champion" field_is mp/sched-c "$ns" .status.champion.version 7

# --- (e) operator killed across two due times ---------------------------------------------------
mp restart-e fraud-e "  schedule: {cron: '@every 15s'}
  concurrencyPolicy: Allow" '    artifact: {uri: "s3://models/fraud-e/{{version}}/"}' >/dev/null
wait_until 30 "(e) the first scheduled run (fraud-e-v1)" kubectl -n "$ns" get mc fraud-e-v1
kill -9 "$OPERATOR_PID"; wait "$OPERATOR_PID" 2>/dev/null
next=$(jsonpath mp/restart-e "$ns" .status.nextScheduleTime)
next_epoch=$(date -d "$next" +%s)
# Two due times pass while no operator runs.
wait_until 60 "(e) two due times passed with the operator down" bash -c "[ \$(date +%s) -ge $((next_epoch + 16)) ]"
check "(e) nothing ran while it was down" [ "$(mcs_of restart-e)" -eq 1 ]
start_operator pipeline-restarted --namespace="$ns" --leader-elect=false --metrics-addr=0 \
  --health-addr="127.0.0.1:$(free_port)" --webhook-addr=0
wait_until 30 "(e) after the restart one run starts (fraud-e-v2)" kubectl -n "$ns" get mc fraud-e-v2
check "(e) ... for the latest due time, not the first" \
  bash -c "[ \"\$(kubectl -n $ns get mc fraud-e-v2 -o jsonpath='{.spec.trigger.scheduledTime}')\" = \"$(date -u -d "@$((next_epoch + 15))" +%Y-%m-%dT%H:%M:%SZ)\" ]"
check "(e) ... saying it stands for 2 due runs" contains "$(jsonpath mc/fraud-e-v2 "$ns" .spec.trigger.reason)" "latest of 2 runs"
check "(e) exactly one run after the restart (no burst)" [ "$(mcs_of restart-e)" -eq 2 ]

# --- (f) historyLimit ----------------------------------------------------------------------------
kubectl -n "$ns" patch mp sched-c --type=merge -p '{"spec":{"historyLimit":{"succeeded":1}}}' >/dev/null
wait_until 60 "(f) historyLimit succeeded: 1 keeps one ChampionRetained candidate" \
  bash -c "[ \$(kubectl -n $ns get mc -l modelgate.io/pipeline=sched-c -o jsonpath='{range .items[?(@.status.phase==\"ChampionRetained\")]}{.metadata.name} {end}' | wc -w) -le 1 ]"
check "(f) the oldest were deleted (fraud-c-v8 is gone)" bash -c "! kubectl -n $ns get mc fraud-c-v8 >/dev/null 2>&1"
check "(f) the champion is never deleted" phase_is fraud-c-v7 Production
wait_until 10 "(f) event CandidateDeleted" events_at_least "$ns" sched-c CandidateDeleted 1

echo "--- kubectl describe mp code-b (excerpt) ---"
kubectl -n "$ns" describe mp code-b | sed -n '/^Status:/,$p' | head -40
e2e_finish
