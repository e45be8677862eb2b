#!/usr/bin/env bash
# Rollback-speed benchmark (issue 5, section 6) -- a benchmark, not a test: it prints a table and
# never fails on the numbers. On the real local control plane and the real Prometheus (1 s scrape),
# RUNS times (default 10): a fresh serving stack and ModelRollout (analysis interval INTERVAL,
# default 2s; error-rate max 0.05 over rate(...[5s])), wait until the canary serves its first step,
# inject a canary error rate of 0.5 into the traffic simulator, then measure the time from the
# fault being visible in Prometheus (the rollout's own error-ratio query above max) to the canary's
# weight being 0 in the HTTPRoute. Reports median and maximum with the interval used; the target is
# at most one analysis interval plus 2 seconds.
#   MODELGATE_BIN=build/operator/cmd/modelgate bench/rollback_speed/run.sh [RUNS] [INTERVAL]
set -uo pipefail
. "$(cd "$(dirname "$0")/../.." && pwd)/e2e/lib/e2e.sh"
MG_LOG_PREFIX=rollback_speed
. "$E2E_REPO/e2e/prometheus/common.sh"
runs=${1:-10}
interval=${2:-2s}
here=$E2E_REPO/bench/rollback_speed
sims=()
trap 'for i in "${sims[@]}"; do "$E2E_REPO/e2e/trafficsim/down" --instance "$i" >/dev/null 2>&1; done; e2e_cleanup' EXIT

"$E2E_REPO/e2e/prometheus/up" >/dev/null || { echo "prometheus did not start" >&2; exit 1; }
ns=$(new_namespace mg-rollback-bench)
start_operator bench --namespace "$ns" --leader-elect=false --metrics-addr=0 --health-addr=0

python3 - "$E2E_LOGS/train_log.jsonl" <<'PY'
import math, sys
with open(sys.argv[1], "w") as f:
    for step in range(60):
        f.write('{"step": %d, "loss": %.6f, "grad_norm": %.4f}\n' % (step, 0.2 + 0.5 * math.exp(-step / 8.0), 2.0 + math.sin(step)))
    f.write('{"metrics": {"auc_roc": 0.87}}\n')
PY
kubectl -n "$ns" create configmap training --from-file=log.jsonl="$E2E_LOGS/train_log.jsonl" \
  --from-file=policy.yaml="$E2E_REPO/e2e/candidate/training_policy.yaml" >/dev/null

results=()
for i in $(seq 1 "$runs"); do
  name=rb$i
  sel="namespace=\"$ns\", model=\"$name\", variant=\"{{variant}}\""
  kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $name}
spec:
  replicas: 2
  selector: {matchLabels: {app: $name}}
  template:
    metadata: {labels: {app: $name}}
    spec: {containers: [{name: server, image: "serving:1", env: [{name: MODEL_URI, value: "s3://m/$name/1"}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: $name}
spec: {selector: {app: $name}, ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: $name}
spec:
  rules: [{backendRefs: [{name: $name, port: 80, weight: 100}]}]
---
apiVersion: modelgate.io/v1alpha1
kind: ModelCandidate
metadata: {name: $name-v2}
spec:
  model: $name
  version: "2"
  artifact: {uri: "s3://m/$name/2", image: "serving:2"}
  trigger: {type: Manual}
  gates:
    training:
      log: {configMapKeyRef: {name: training, key: log.jsonl}}
      policyFrom: {configMapKeyRef: {name: training, key: policy.yaml}}
YAML
  sims+=("$ns-$name")
  url=$("$E2E_REPO/e2e/trafficsim/up" "$ns" "httproute/$name" "$name" --instance "$ns-$name" 2>/dev/null | tail -n1)
  kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: modelgate.io/v1alpha1
kind: ModelRollout
metadata: {name: $name}
spec:
  candidateRef: {name: $name-v2}
  target: {deployment: $name, service: $name}
  traffic: {gatewayAPI: {httpRoute: $name}}
  canary: {steps: [{weight: 50, soak: 10m}]}
  analysis:
    prometheus: {address: "$MG_PROM_URL", timeout: 2s}
    interval: $interval
    metrics:
      - name: error-rate
        query: 'sum(rate(http_requests_total{$sel, code="500"}[5s])) / sum(rate(http_requests_total{$sel}[5s]))'
        max: 0.05
        onNoData: Hold
YAML
  # Wait for the step's weight and for a first Success, so the fault is the only thing that changes.
  if ! wait_until 90 "run $i: canary at 50 % with a successful measurement" bash -c \
      "[ \"\$(kubectl -n $ns get mr $name -o jsonpath='{.status.canaryWeight}/{.status.analysis[0].verdict}')\" = 50/Success ]" >/dev/null; then
    echo "run $i: the canary never reached 50 % with a Success (see $E2E_LOGS)" >&2; continue
  fi
  curl -sf -X POST "$url/faults" -d '{"variant": "canary", "error_rate": 0.5}' >/dev/null
  query="sum(rate(http_requests_total{namespace=\"$ns\", model=\"$name\", variant=\"canary\", code=\"500\"}[5s])) / sum(rate(http_requests_total{namespace=\"$ns\", model=\"$name\", variant=\"canary\"}[5s]))"
  if line=$(python3 "$here/poll.py" "$MG_PROM_URL" "$ns" "$name" "$query" 0.05 60); then
    secs=${line##* }
    results+=("$secs")
    echo "run $i: fault visible in Prometheus -> canary weight 0 in the HTTPRoute: ${secs}s"
  else
    echo "run $i: no rollback within 60s" >&2
  fi
  "$E2E_REPO/e2e/trafficsim/down" --instance "$ns-$name" >/dev/null 2>&1
done

python3 - "$interval" "${results[@]}" <<'PY'
import statistics, sys
interval, values = sys.argv[1], sorted(float(v) for v in sys.argv[2:])
if not values:
    print("no successful run"); sys.exit(1)
secs = float(interval.rstrip("s"))
print()
print("| runs | analysis interval | median | max | target (interval + 2 s) |")
print("|---|---|---|---|---|")
print(f"| {len(values)} | {interval} | {statistics.median(values):.2f} s | {max(values):.2f} s | {secs + 2:.1f} s ({'met' if max(values) <= secs + 2 else 'NOT met'}) |")
PY
