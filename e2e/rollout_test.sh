#!/usr/bin/env bash
# End-to-end test of the ModelRollout controller (gate 4) on the REAL control plane, with the REAL
# Prometheus (e2e/prometheus, 1 s scrape) scraping the traffic simulator (e2e/trafficsim), which
# follows the HTTPRoute weights the operator writes. One operator (--namespace, no leader election)
# drives several independent serving stacks at once, one per scenario:
#   healthy     shadow, then two canary steps, promoted; the stable Deployment ends up running the
#               challenger, the canary is removed, the candidates are Production / Archived;
#   errors      the canary's error rate jumps at step 2 -> RolledBack, HTTPRoute canary weight 0;
#   latency     the canary's p99 rises 300 ms over the champion's -> RolledBack (relative threshold);
#   notraffic   the simulator sends nothing -> held (AnalysisInconclusive), never promoted, then
#               rolled back as onNoData: Fail says after noDataTimeout;
#   postpromo   a regression inside the post-promotion window -> the previous champion serves again;
#   abort       spec.abort mid-canary -> Aborted, weight 0; spec.abort back to false -> promoted;
#   restart     the operator is SIGKILLed mid-step and started again -> same step, same
#               stepStartedAt, and the next step starts when the stored deadline says;
#   istio       the healthy path through an Istio VirtualService (the simulator follows it): the
#               shadow is VirtualService mirror + mirrorPercentage, a step splits http[0].route[]
#               weights, promoted and completed with canary weight 0;
#   replicas    no mesh (traffic.replicas): a step is the replica ratio of the champion and canary
#               Deployments (4 replicas in all, the weight annotated on the canary), promoted
#               and completed (the champion back at 4 replicas, the canary removed);
#   replshadow  traffic.replicas with a shadow phase -> Invalid (names spec.shadow), nothing created;
# then, on their own (they stop the shared Prometheus for a while and bring it back):
#   outage      Prometheus stopped mid-canary -> held (AnalysisHeld), weight unchanged; promoted
#               once Prometheus is back;
#   failsafe    the same outage with outageTimeout 8s -> RolledBack, reason AnalysisUnavailable.
# Finally `kubectl describe mr` of the rolled-back rollout is printed, as a user sees it.
# No fixed sleeps: every wait polls with a deadline. Prints one line per check and
# "N passed, M failed"; exits non-zero on any failure.
. "$(dirname "$0")/lib/e2e.sh"
MG_LOG_PREFIX=rollout_test
# shellcheck source=prometheus/common.sh
. "$E2E_REPO/e2e/prometheus/common.sh"

sim_instances=()
rollout_cleanup() {
  local i
  for i in "${sim_instances[@]}"; do "$E2E_REPO/e2e/trafficsim/down" --instance "$i" 2>/dev/null || true; done
  sim_instances=()
  # The outage scenario stops the shared Prometheus: whatever happened, it is running again after us.
  "$E2E_REPO/e2e/prometheus/up" >/dev/null 2>&1 || true
}
trap 'rollout_cleanup; e2e_cleanup' EXIT
info() { echo "INFO: $*"; }

if ! kubectl get --raw /readyz >/dev/null 2>&1; then
  fail "API server is not ready (run e2e/cluster/up)"; e2e_finish
fi
if out=$("$E2E_REPO/e2e/prometheus/up" 2>&1); then
  pass "real Prometheus is ready on $MG_PROM_URL"
else
  fail "e2e/prometheus/up:"; echo "$out" | sed 's/^/      /' >&2; e2e_finish
fi
ns=$(new_namespace mg-rollout)
info "namespace $ns, logs in $E2E_LOGS"

# --- helpers ---------------------------------------------------------------------------------------
mr() { jsonpath "modelrollout/$1" "$ns" "$2"; }
mr_is() { [ "$(mr "$1" "$2")" = "$3" ]; }
mc_is() { [ "$(jsonpath "modelcandidate/$1" "$ns" "$2")" = "$3" ]; }
# route_weight NAME BACKEND: the weight the HTTPRoute gives BACKEND ("" when absent).
route_weight() {
  kubectl -n "$ns" get httproute "$1" -o json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
for ref in r["spec"]["rules"][0].get("backendRefs", []):
    if ref["name"] == sys.argv[1]:
        print(ref.get("weight", 1)); break' "$2"
}
route_weight_is() { [ "$(route_weight "$1" "$2")" = "$3" ]; }
canary_weight_zero() { local w; w=$(route_weight "$1" "$1-canary"); [ -z "$w" ] || [ "$w" = 0 ]; }
# vs_weight NAME HOST: the weight the VirtualService's http[0] gives destination HOST ("" when
# absent; an unset weight is 100 for a route's only destination, else 0, as Istio reads it).
vs_weight() {
  kubectl -n "$ns" get virtualservice "$1" -o json 2>/dev/null | python3 -c '
import json, sys
route = json.load(sys.stdin)["spec"]["http"][0].get("route", [])
for d in route:
    if d["destination"]["host"] == sys.argv[1]:
        print(d.get("weight", 100 if len(route) == 1 else 0)); break' "$2"
}
vs_weight_is() { [ "$(vs_weight "$1" "$2")" = "$3" ]; }
vs_canary_weight_zero() { local w; w=$(vs_weight "$1" "$1-canary"); [ -z "$w" ] || [ "$w" = 0 ]; }
# vs_mirror_is NAME HOST PERCENT: http[0] mirrors PERCENT % to HOST.
vs_mirror_is() {
  [ "$(jsonpath "virtualservice/$1" "$ns" '.spec.http[0].mirror.host')/$(jsonpath "virtualservice/$1" "$ns" '.spec.http[0].mirrorPercentage.value')" = "$2/$3" ]
}
# vs_split_follows_status NAME: in a canary step, http[0] sends status.canaryWeight to the canary
# and the rest to the champion, with no mirror left.
vs_split_follows_status() {
  local w; w=$(mr "$1" .status.canaryWeight)
  [ "$(mr "$1" .status.phase)" = Canary ] && [ -n "$w" ] && [ "$w" -gt 0 ] && [ "$w" -lt 100 ] &&
    vs_weight_is "$1" "$1-canary" "$w" && vs_weight_is "$1" "$1" $((100 - w)) &&
    [ -z "$(jsonpath "virtualservice/$1" "$ns" '.spec.http[0].mirror')" ]
}
# replica_split_follows_status NAME TOTAL: in a canary step, the canary Deployment has
# round(TOTAL x w / 100) replicas (at least 1), the champion the rest, and the canary carries the
# exact weight in modelgate.io/canary-weight (docs/traffic.md, replicas).
replica_split_follows_status() {
  local w a c s
  w=$(mr "$1" .status.canaryWeight)
  a=$(jsonpath "deployment/$1-canary" "$ns" '.metadata.annotations.modelgate\.io/canary-weight')
  c=$(jsonpath "deployment/$1-canary" "$ns" .spec.replicas)
  s=$(jsonpath "deployment/$1" "$ns" .spec.replicas)
  [ "$(mr "$1" .status.phase)" = Canary ] && [ -n "$w" ] && [ "$w" -gt 0 ] && [ "$w" -lt 100 ] && [ "$a" = "$w" ] &&
    python3 -c 'import sys; w, t, c, s = map(int, sys.argv[1:]); want = max(1, round(t * w / 100)); sys.exit(0 if (c, s) == (want, t - want) else 1)' "$w" "$2" "$c" "$s" &&
    echo "$1: weight $w -> champion $s + canary $c replicas" >> "$E2E_LOGS/replica-splits.log"
}
cond_is() { [ "$(mr "$1" ".status.conditions[?(@.type==\"$2\")].status")" = "$3" ]; }
events_of() { event_count "$ns" "$1" "$2"; }
has_event() { [ "$(events_of "$1" "$2")" -ge 1 ]; }
no_event() { [ "$(events_of "$1" "$2")" -eq 0 ]; }
deployment_gone() { ! kubectl -n "$ns" get deployment "$1" >/dev/null 2>&1; }
image_of() { jsonpath "deployment/$1" "$ns" '.spec.template.spec.containers[0].image'; }
sim_url() { cat "$E2E_LOGS/sim-$1.url"; }
fault() { curl -sf --max-time 3 -X POST "$(sim_url "$1")/faults" -d "$2" >/dev/null; }
sim_config() { curl -sf --max-time 3 -X POST "$(sim_url "$1")/config" -d "$2" >/dev/null; }

# stack NAME [KIND]: the champion's Deployment, Service and route, a Production ModelCandidate
# NAME-v1 (the champion) and a Ready ModelCandidate NAME-v2 (the challenger), and a simulator
# following the route (model label NAME). KIND is the route:
#   httproute       (default) an HTTPRoute NAME with the Service as its only backend;
#   virtualservice  an Istio VirtualService NAME (http[0].route[] to the Service's short host);
#   replicas        4 champion replicas and no mesh: nothing in the cluster routes by weight, so the
#                   simulator (which cannot count replicas) follows a test-owned HTTPRoute NAME with
#                   a fixed 75/25 champion/canary split that the operator never touches (traffic:
#                   replicas). It gives the analysis real per-variant series to judge; the split
#                   the operator writes is checked on the Deployments' replica counts instead.
stack() {
  local name=$1 kind=${2:-httproute} replicas=2 route
  [ "$kind" = replicas ] && replicas=4
  case "$kind" in
    httproute) route="apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: $name}
spec:
  parentRefs: [{name: inference-gateway}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /}}]
      backendRefs: [{name: $name, port: 80, weight: 100}]";;
    replicas) route="apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: $name}
spec:
  parentRefs: [{name: inference-gateway}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /}}]
      backendRefs: [{name: $name, port: 80, weight: 75}, {name: $name-canary, port: 80, weight: 25}]";;
    virtualservice) route="apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: $name}
spec:
  hosts: [$name.example.com]
  http:
    - name: predict
      timeout: 2s
      route:
        - destination: {host: $name, port: {number: 80}}";;
    *) return 1;;
  esac
  kubectl -n "$ns" apply -f - >/dev/null <<EOF || return 1
apiVersion: apps/v1
kind: Deployment
metadata: {name: $name, labels: {app.kubernetes.io/name: $name}}
spec:
  replicas: $replicas
  selector: {matchLabels: {app.kubernetes.io/name: $name}}
  template:
    metadata: {labels: {app.kubernetes.io/name: $name}}
    spec:
      containers:
        - name: server
          image: registry.example.com/serving:1.0
          env: [{name: MODEL_URI, value: "s3://models/$name/1/"}]
---
apiVersion: v1
kind: Service
metadata: {name: $name}
spec:
  selector: {app.kubernetes.io/name: $name}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
$route
---
apiVersion: modelgate.io/v1alpha1
kind: ModelCandidate
metadata: {name: $name-v1}
spec:
  model: $name
  version: "1"
  artifact: {uri: "s3://models/$name/1/", image: registry.example.com/serving:1.0}
  trigger: {type: Manual, reason: "e2e champion"}
---
apiVersion: modelgate.io/v1alpha1
kind: ModelCandidate
metadata: {name: $name-v2}
spec:
  model: $name
  version: "2"
  artifact: {uri: "s3://models/$name/2/", image: registry.example.com/serving:2.0}
  trigger: {type: Manual, reason: "e2e challenger"}
  gates:
    training:
      log: {configMapKeyRef: {name: training, key: log.jsonl}}
      policyFrom: {configMapKeyRef: {name: training, key: policy.yaml}}
EOF
  # The champion is set up as a finished rollout would have left it (Production); the challenger
  # passes a real gate 2 (a converging training log) in the candidate controller and becomes Ready.
  kubectl -n "$ns" patch modelcandidate "$name-v1" --subresource=status --type=merge \
    -p '{"status":{"observedGeneration":1,"phase":"Production","stage":"Production"}}' >/dev/null || return 1
  sim_instances+=("$ns-$name")
  local url sim_route=httproute/$name
  [ "$kind" = virtualservice ] && sim_route=virtualservice/$name
  url=$("$E2E_REPO/e2e/trafficsim/up" "$ns" "$sim_route" "$name" --instance "$ns-$name" --seed 7 \
          2>>"$E2E_LOGS/trafficsim-up.log" | tail -n1) || return 1
  [ -n "$url" ] || return 1
  echo "$url" > "$E2E_LOGS/sim-$name.url"
}

# rollout NAME [STEPS] [YAML-SNIPPET for spec, e.g. shadow / postPromotion] [TIMEOUTS]: a
# ModelRollout of NAME-v2 with error-rate and latency analysis every 2s; defaults: steps 25 % and
# 50 % of 8s each. The traffic provider is $MR_TRAFFIC (default: the HTTPRoute NAME).
rollout() {
  local name=$1 steps=${2:-'[{weight: 25, soak: 8s}, {weight: 50, soak: 8s}]'} extra=${3:-} timeouts=${4:-'outageTimeout: 5m
    noDataTimeout: 12s'}
  local sel='namespace="{{namespace}}", model="{{model}}", variant="{{variant}}"'
  kubectl -n "$ns" apply -f - >/dev/null <<EOF
apiVersion: modelgate.io/v1alpha1
kind: ModelRollout
metadata: {name: $name}
spec:
  candidateRef: {name: $name-v2}
  target: {deployment: $name, container: server, service: $name}
  traffic: ${MR_TRAFFIC:-"{gatewayAPI: {httpRoute: $name}}"}
  canary:
    steps: $steps
  progressDeadline: 1m
$extra
  analysis:
    prometheus: {address: "$MG_PROM_URL", timeout: 2s}
    interval: 2s
    $timeouts
    sampleCountQuery: 'sum(increase(http_requests_total{$sel}[5s]))'
    metrics:
      - name: error-rate
        query: 'sum(rate(http_requests_total{$sel, code="500"}[5s])) / sum(rate(http_requests_total{$sel}[5s]))'
        max: 0.05
        maxIncreaseOverChampion: 0.02
        minSamples: 20
        onNoData: Fail
      - name: latency-p99
        query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{$sel}[5s])))'
        maxRelativeIncreaseOverChampion: 1.0
        minSamples: 20
        onNoData: Fail
EOF
}

# --- the world -------------------------------------------------------------------------------------
# Gate 2 inputs of every challenger: a converging training log and its policy, in a ConfigMap.
python3 - "$E2E_LOGS/train_log.jsonl" <<'PY'
import math, sys
with open(sys.argv[1], "w") as f:
    for step in range(60):
        f.write('{"step": %d, "loss": %.6f, "grad_norm": %.4f}\n' % (step, 0.2 + 0.5 * math.exp(-step / 8.0), 2.0 + math.sin(step)))
    f.write('{"metrics": {"auc_roc": 0.87}}\n')
PY
kubectl -n "$ns" create configmap training --from-file=log.jsonl="$E2E_LOGS/train_log.jsonl" \
  --from-file=policy.yaml="$E2E_REPO/e2e/candidate/training_policy.yaml" >/dev/null
for s in healthy errors latency notraffic postpromo abort restart outage failsafe istio:virtualservice replicas:replicas replshadow:replicas; do
  if ! stack "${s%%:*}" "$([ "${s#*:}" = "$s" ] || echo "${s#*:}")"; then fail "serving stack $s"; e2e_finish; fi
done
pass "twelve serving stacks (Deployment, Service, HTTPRoute or VirtualService, champion and challenger candidates, simulator)"
sim_config notraffic '{"rate": 0}'

op_metrics=$(free_port)
start_operator rollout-op --namespace "$ns" --leader-elect=false --metrics-addr="127.0.0.1:$op_metrics" --health-addr=0
wait_until 30 "the operator serves /metrics" curl -sf "http://127.0.0.1:$op_metrics/metrics"

# --- group 1 ---------------------------------------------------------------------------------------
rollout healthy '[{weight: 25, soak: 8s}, {weight: 50, soak: 8s}]' '  shadow: {percent: 20, duration: 6s}
  postPromotion: {window: 4s}'
# errors and latency inject their fault once the test sees the step they fail in; those steps are
# long so that the (sequential) checks of the scenarios before them never make the test miss it.
# The rollback comes at the first failing measurement, so the long soak does not slow the test.
rollout errors '[{weight: 25, soak: 8s}, {weight: 50, soak: 90s}]'
rollout latency '[{weight: 25, soak: 120s}, {weight: 50, soak: 8s}]'
rollout notraffic
MR_TRAFFIC='{istio: {virtualService: istio}}' rollout istio '[{weight: 25, soak: 8s}, {weight: 50, soak: 8s}]' \
  '  shadow: {percent: 20, duration: 6s}'
MR_TRAFFIC='{replicas: {}}' rollout replicas
MR_TRAFFIC='{replicas: {}}' rollout replshadow '[{weight: 25, soak: 8s}]' '  shadow: {percent: 20, duration: 6s}'
pass "seven ModelRollouts applied (healthy, errors, latency, notraffic, istio, replicas, replshadow); the others start with their scenario"

wait_until 30 "the challenger of a running rollout (healthy-v2) is RollingOut" mc_is healthy-v2 .status.phase RollingOut

# istio: the shadow is the VirtualService's mirror, a canary step its route weights.
wait_until 30 "istio: shadowing, the VirtualService mirrors 20 % to istio-shadow" \
  bash -c "[ \"\$(kubectl -n $ns get mr istio -o jsonpath='{.status.phase}')\" = Shadowing ] && [ \"\$(kubectl -n $ns get vs istio -o jsonpath='{.spec.http[0].mirror.host}/{.spec.http[0].mirrorPercentage.value}')\" = istio-shadow/20 ]"
check "istio: the champion keeps all the traffic during the shadow" vs_weight_is istio istio 100
wait_until 10 "istio: the simulator follows the VirtualService's mirror (requests reach the shadow)" \
  bash -c "curl -sf --max-time 3 \"\$(cat $E2E_LOGS/sim-istio.url)/state\" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"totals\"][\"shadow\"][\"requests\"] > 0 else 1)'"
wait_until 40 "istio: a canary step splits http[0].route[] as status.canaryWeight says (no mirror)" vs_split_follows_status istio
check "istio: untouched fields of the route stay (name, timeout)" \
  bash -c "[ \"\$(kubectl -n $ns get vs istio -o jsonpath='{.spec.http[0].name}/{.spec.http[0].timeout}')\" = predict/2s ]"

# replicas: a step is the replica ratio of the two Deployments.
wait_until 30 "replicas: championReplicas 4 recorded" mr_is replicas .status.championReplicas 4
wait_until 40 "replicas: a canary step sets the replica counts as the weight says (canary-weight annotation, round(4 x w / 100))" \
  replica_split_follows_status replicas 4

# replshadow: the replicas provider cannot mirror -> Invalid, naming spec.shadow.
wait_until 30 "replshadow: condition Invalid" cond_is replshadow Invalid True
check "replshadow: the Invalid message names spec.shadow" \
  bash -c "kubectl -n $ns get mr replshadow -o jsonpath='{.status.conditions[?(@.type==\"Invalid\")].message}' | grep -q 'spec.shadow'"
check "replshadow: no shadow Deployment was created" deployment_gone replshadow-shadow

# errors: the canary's error rate jumps at step 2.
if wait_until 60 "errors reaches canary step 2 (weight 50 in the HTTPRoute)" route_weight_is errors errors-canary 50; then
  fault errors '{"variant": "canary", "error_rate": 0.3}'
  pass "fault injected into errors: canary error_rate 0.3"
  wait_until 30 "errors is RolledBack" mr_is errors .status.phase RolledBack
  check "errors: HTTPRoute canary weight is 0" canary_weight_zero errors
  check "errors: the champion backend has weight 100" route_weight_is errors errors 100
  check "errors: status.canaryWeight 0" mr_is errors .status.canaryWeight 0
  check "errors: rollbackReason AnalysisFailed" mr_is errors .status.rollbackReason AnalysisFailed
  check "errors: the message names the metric" bash -c "kubectl -n $ns get mr errors -o jsonpath='{.status.message}' | grep -q error-rate"
  check "errors: ModelCandidate errors-v2 is RolledBack" mc_is errors-v2 .status.phase RolledBack
  check "errors: the champion errors-v1 stays Production" mc_is errors-v1 .status.stage Production
  wait_until 20 "errors: the canary Deployment is removed" deployment_gone errors-canary
  for reason in AnalysisFailed RollbackStarted RolledBack; do
    wait_until 10 "errors: Event $reason" has_event errors "$reason"
  done
  check "errors: never promoted" no_event errors Promoted
fi

# latency: +300 ms on the canary at step 1.
if wait_until 90 "latency reaches canary step 1 (weight 25)" route_weight_is latency latency-canary 25; then
  fault latency '{"variant": "canary", "latency_ms": 300}'
  wait_until 40 "latency is RolledBack after a p99 regression vs the champion" mr_is latency .status.phase RolledBack
  check "latency: the message names latency-p99 and the relative threshold" \
    bash -c "kubectl -n $ns get mr latency -o jsonpath='{.status.message}' | grep -q 'latency-p99.*maxRelativeIncreaseOverChampion'"
  check "latency: HTTPRoute canary weight is 0" canary_weight_zero latency
fi

# notraffic: held, never promoted, then onNoData Fail.
wait_until 60 "notraffic: held with an AnalysisInconclusive Event" has_event notraffic AnalysisInconclusive
wait_until 60 "notraffic: rolled back after noDataTimeout (onNoData Fail)" mr_is notraffic .status.rollbackReason AnalysisNoData
check "notraffic: held (AnalysisInconclusive) before it rolled back" bash -c "kubectl -n $ns get mr notraffic -o json | python3 -c '
import json, sys
reasons = [h[\"reason\"] for h in json.load(sys.stdin)[\"status\"][\"history\"]]
assert reasons.index(\"AnalysisInconclusive\") < reasons.index(\"RollbackStarted\"), reasons'"
check "notraffic: never promoted" no_event notraffic Promoted

# restart: SIGKILL the operator mid-step, start it again.
rollout restart '[{weight: 25, soak: 20s}, {weight: 50, soak: 4s}]'
if wait_until 60 "restart reaches canary step 1 (weight 25)" route_weight_is restart restart-canary 25 &&
   wait_until 20 "restart: step 1 recorded in the status" mr_is restart .status.canaryWeight 25; then
  started=$(mr restart .status.stepStartedAt)
  kill -9 "$OPERATOR_PID"
  wait "$OPERATOR_PID" 2>/dev/null
  pass "operator SIGKILLed mid-step (stepStartedAt $started)"
  start_operator rollout-op-2 --namespace "$ns" --leader-elect=false --metrics-addr="127.0.0.1:$op_metrics" --health-addr=0
  wait_until 30 "the restarted operator serves /metrics" curl -sf "http://127.0.0.1:$op_metrics/metrics"
  wait_until 30 "the restarted operator measured restart again (a newer measuredAt)" \
    bash -c "[ \"\$(kubectl -n $ns get mr restart -o jsonpath='{.status.analysis[0].measuredAt}')\" \> '$started' ]"
  check "restart: same step (1) after the restart" mr_is restart .status.currentStep 1
  check "restart: same stepStartedAt after the restart" mr_is restart .status.stepStartedAt "$started"
  if wait_until 60 "restart: step 2 starts" mr_is restart .status.currentStep 2; then
    check "restart: step 2 started 20s (the stored soak) after step 1, not later than 20s + 2 intervals" python3 -c "
from datetime import datetime
p = lambda s: datetime.fromisoformat(s.replace('Z', '+00:00'))
d = (p('$(mr restart .status.stepStartedAt)') - p('$started')).total_seconds()
print('step 1 lasted', d, 's')
raise SystemExit(0 if 20 <= d <= 25 else 1)"
  fi
fi

# abort, then retry.
rollout abort '[{weight: 25, soak: 30s}, {weight: 50, soak: 4s}]' '  postPromotion: {window: 2s}'
if wait_until 60 "abort reaches canary step 1 (weight 25)" route_weight_is abort abort-canary 25; then
  kubectl -n "$ns" patch mr abort --type=merge -p '{"spec":{"abort":true}}' >/dev/null
  wait_until 30 "abort: Aborted after spec.abort" mr_is abort .status.phase Aborted
  check "abort: HTTPRoute canary weight is 0" canary_weight_zero abort
  check "abort: the candidate is Ready again (an abort is not a verdict)" mc_is abort-v2 .status.phase Ready
  kubectl -n "$ns" patch mr abort --type=merge -p '{"spec":{"abort":false, "canary":{"steps":[{"weight":25,"soak":"4s"},{"weight":50,"soak":"4s"}]}}}' >/dev/null
  wait_until 30 "abort: the retry starts again (RolloutRestarted)" has_event abort RolloutRestarted
  wait_until 90 "abort: the retry is promoted" mr_is abort .status.phase Promoted
fi

# post-promotion regression.
rollout postpromo '[{weight: 50, soak: 6s}]' '  postPromotion: {window: 2m}'
if wait_until 90 "postpromo is Promoted" mr_is postpromo .status.phase Promoted; then
  check "postpromo: the challenger is Production, the champion Archived" \
    bash -c "[ \"\$(kubectl -n $ns get mc postpromo-v2 -o jsonpath='{.status.stage}')\" = Production ] && [ \"\$(kubectl -n $ns get mc postpromo-v1 -o jsonpath='{.status.stage}')\" = Archived ]"
  check "postpromo: previousChampion recorded" mr_is postpromo .status.previousChampion.name postpromo-v1
  check "postpromo: the challenger serves 100 %" route_weight_is postpromo postpromo-canary 100
  fault postpromo '{"variant": "canary", "error_rate": 0.3}'
  wait_until 30 "postpromo: rolled back inside the post-promotion window" mr_is postpromo .status.phase RolledBack
  wait_until 10 "postpromo: PostPromotionRollback Event" has_event postpromo PostPromotionRollback
  check "postpromo: the previous champion serves again (weight 100)" route_weight_is postpromo postpromo 100
  check "postpromo: postpromo-v1 is Production again" mc_is postpromo-v1 .status.stage Production
  check "postpromo: postpromo-v2 is RolledBack" mc_is postpromo-v2 .status.phase RolledBack
  check "postpromo: the stable Deployment still runs the previous champion" \
    bash -c "[ \"\$(kubectl -n $ns get deployment postpromo -o jsonpath='{.spec.template.spec.containers[0].image}')\" = registry.example.com/serving:1.0 ]"
fi

# healthy: promoted through shadow and both steps, then finalised.
wait_until 120 "healthy: promoted and finished" bash -c "[ -n \"\$(kubectl -n $ns get mr healthy -o jsonpath='{.status.finishedAt}')\" ]"
check "healthy: phase Promoted" mr_is healthy .status.phase Promoted
for reason in RolloutStarted ShadowStarted ShadowCompleted CanaryStepStarted CanaryStepAdvanced Promoted StableUpdated PromotionCompleted; do
  wait_until 10 "healthy: Event $reason" has_event healthy "$reason"
done
# Two steps started, once each. Counted in status.history (the record); Events are best-effort and
# the restart scenario SIGKILLs the operator that runs every scenario, which may drop queued ones.
check "healthy: two CanaryStepStarted transitions in status.history" bash -c "kubectl -n $ns get mr healthy -o json | python3 -c '
import json, sys
h = json.load(sys.stdin)[\"status\"][\"history\"]
n = sum(1 for x in h if x[\"reason\"] == \"CanaryStepStarted\")
assert n == 2, h'"
check "healthy: the stable Deployment runs the challenger's image" bash -c "[ \"\$(kubectl -n $ns get deployment healthy -o jsonpath='{.spec.template.spec.containers[0].image}')\" = registry.example.com/serving:2.0 ]"
check "healthy: the stable Deployment runs the challenger's MODEL_URI" bash -c "kubectl -n $ns get deployment healthy -o jsonpath='{.spec.template.spec.containers[0].env}' | grep -q 's3://models/healthy/2/'"
check "healthy: the stable backend has weight 100 again" route_weight_is healthy healthy 100
check "healthy: canary weight 0" canary_weight_zero healthy
check "healthy: no mirror left in the HTTPRoute" bash -c "! kubectl -n $ns get httproute healthy -o jsonpath='{.spec.rules[0].filters}' | grep -q RequestMirror"
wait_until 20 "healthy: canary and shadow Deployments removed" bash -c "! kubectl -n $ns get deployment healthy-canary healthy-shadow 2>/dev/null | grep -q healthy-"
check "healthy: healthy-v2 Production, healthy-v1 Archived" \
  bash -c "[ \"\$(kubectl -n $ns get mc healthy-v2 -o jsonpath='{.status.phase}/{.status.stage}')\" = Production/Production ] && [ \"\$(kubectl -n $ns get mc healthy-v1 -o jsonpath='{.status.phase}/{.status.stage}')\" = Archived/Archived ]"
check "healthy: status.analysis has both metrics with values and verdicts" \
  bash -c "kubectl -n $ns get mr healthy -o json | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"status\"][\"analysis\"]; assert {x[\"name\"] for x in a} == {\"error-rate\", \"latency-p99\"}; assert all(x[\"verdict\"] == \"Success\" and x[\"championValue\"] != \"\" and \"query\" in x for x in a)'"
# The running operator (restarted above) exports the last value of each metric it measured; it
# measured the restart scenario's canary at least (healthy may have finished before the restart).
check "the operator exports modelgate_analysis_metric_value for the rollouts" \
  bash -c "curl -sf http://127.0.0.1:$op_metrics/metrics | grep -q 'modelgate_analysis_metric_value{.*rollout=\"restart\".*variant=\"canary\"\|modelgate_analysis_metric_value{.*variant=\"canary\".*rollout=\"restart\"'"

# istio: promoted and finished like healthy.
wait_until 120 "istio: promoted and finished" bash -c "[ -n \"\$(kubectl -n $ns get mr istio -o jsonpath='{.status.finishedAt}')\" ]"
check "istio: phase Promoted" mr_is istio .status.phase Promoted
check "istio: condition Completed" cond_is istio Completed True
check "istio: the stable Deployment runs the challenger's image" bash -c "[ \"\$(kubectl -n $ns get deployment istio -o jsonpath='{.spec.template.spec.containers[0].image}')\" = registry.example.com/serving:2.0 ]"
check "istio: istio-v2 Production, istio-v1 Archived" \
  bash -c "[ \"\$(kubectl -n $ns get mc istio-v2 -o jsonpath='{.status.phase}/{.status.stage}')\" = Production/Production ] && [ \"\$(kubectl -n $ns get mc istio-v1 -o jsonpath='{.status.stage}')\" = Archived ]"
wait_until 20 "istio: the canary Deployment is removed" deployment_gone istio-canary
check "istio: the VirtualService's canary weight is 0" vs_canary_weight_zero istio
check "istio: the champion host has weight 100 again" vs_weight_is istio istio 100
check "istio: no mirror left in the VirtualService" bash -c "[ -z \"\$(kubectl -n $ns get vs istio -o jsonpath='{.spec.http[0].mirror}{.spec.http[0].mirrorPercentage}')\" ]"

# replicas: promoted, the stable Deployment updated to the challenger.
wait_until 120 "replicas: promoted (phase Promoted, promotedAt set)" \
  bash -c "[ \"\$(kubectl -n $ns get mr replicas -o jsonpath='{.status.phase}')\" = Promoted ] && [ -n \"\$(kubectl -n $ns get mr replicas -o jsonpath='{.status.promotedAt}')\" ]"
check "replicas: the history records Promoted at canary weight 100" bash -c "kubectl -n $ns get mr replicas -o json | python3 -c '
import json, sys
h = json.load(sys.stdin)[\"status\"][\"history\"]
assert any(x[\"reason\"] == \"Promoted\" and x[\"canaryWeight\"] == 100 for x in h), h'"
check "replicas: replicas-v2 Production, replicas-v1 Archived" \
  bash -c "[ \"\$(kubectl -n $ns get mc replicas-v2 -o jsonpath='{.status.phase}/{.status.stage}')\" = Production/Production ] && [ \"\$(kubectl -n $ns get mc replicas-v1 -o jsonpath='{.status.stage}')\" = Archived ]"
wait_until 30 "replicas: the stable Deployment runs the challenger's image (StableUpdated)" \
  bash -c "[ \"\$(kubectl -n $ns get deployment replicas -o jsonpath='{.spec.template.spec.containers[0].image}')\" = registry.example.com/serving:2.0 ]"
# The finalisation once got stuck here: a retried effect applied weight 0 to an already deleted
# canary Deployment and failed with NotFound forever (fixed in the replicas router; unit test
# ReplicasRouterTest.WeightZeroWithoutACanaryDeploymentGivesTheChampionEverything).
wait_until 120 "replicas: promoted and finished" bash -c "[ -n \"\$(kubectl -n $ns get mr replicas -o jsonpath='{.status.finishedAt}')\" ]"
check "replicas: condition Completed" cond_is replicas Completed True
wait_until 20 "replicas: the canary Deployment is removed" deployment_gone replicas-canary
check "replicas: the champion Deployment is back at 4 replicas" field_is deployment/replicas "$ns" .spec.replicas 4
check "replshadow: never started (no RolloutStarted Event)" no_event replshadow RolloutStarted

# --- group 2: Prometheus outage ----------------------------------------------------------------------
rollout outage '[{weight: 25, soak: 10s}, {weight: 50, soak: 4s}]'
rollout failsafe '[{weight: 25, soak: 60s}]' '' 'outageTimeout: 8s
    noDataTimeout: 1m'
if wait_until 60 "outage reaches step 1 (weight 25)" route_weight_is outage outage-canary 25 &&
   wait_until 60 "failsafe reaches step 1 (weight 25)" route_weight_is failsafe failsafe-canary 25 &&
   wait_until 20 "outage: a first measurement" bash -c "[ -n \"\$(kubectl -n $ns get mr outage -o jsonpath='{.status.analysis[0].measuredAt}')\" ]"; then
  "$E2E_REPO/e2e/prometheus/down" >/dev/null 2>&1
  pass "Prometheus stopped mid-canary"
  wait_until 30 "outage: held with an AnalysisHeld Event (a monitoring outage)" has_event outage AnalysisHeld
  wait_until 30 "failsafe: rolled back after outageTimeout" mr_is failsafe .status.phase RolledBack
  check "failsafe: reason AnalysisUnavailable (not a model failure)" mr_is failsafe .status.rollbackReason AnalysisUnavailable
  check "failsafe: canary weight 0" canary_weight_zero failsafe
  check "outage: still at step 1 with weight 25 while Prometheus is down" \
    bash -c "[ \"\$(kubectl -n $ns get mr outage -o jsonpath='{.status.phase}/{.status.currentStep}')\" = Canary/1 ] && [ \"\$(kubectl -n $ns get httproute outage -o jsonpath='{.spec.rules[0].backendRefs[1].weight}')\" = 25 ]"
  if "$E2E_REPO/e2e/prometheus/up" >/dev/null 2>&1; then pass "Prometheus started again"; else fail "Prometheus restart"; fi
  wait_until 120 "outage: resumed and promoted once Prometheus is back" mr_is outage .status.phase Promoted
  check "outage: never rolled back" no_event outage RollbackStarted
fi

echo "---- kubectl describe mr errors ----"
kubectl -n "$ns" describe mr errors | sed 's/^/    /'
echo "------------------------------------"
rollout_cleanup
e2e_finish
