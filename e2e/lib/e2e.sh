# Helpers for the end-to-end tests (sourced). They run against the local control plane of
# e2e/cluster/up with the same kubectl a user has; every wait has a deadline, none is a fixed sleep.
# shellcheck shell=bash
set -uo pipefail

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
eval "$("$E2E_REPO/e2e/cluster/env")"
MODELGATE_BIN=${MODELGATE_BIN:-$E2E_REPO/build/operator/cmd/modelgate}
# A test that runs no operator (e2e/alertmanager_test.sh) sets E2E_NEEDS_MODELGATE=0 first.
if [ "${E2E_NEEDS_MODELGATE:-1}" != 0 ] && [ ! -x "$MODELGATE_BIN" ]; then
  echo "e2e: modelgate binary not found at $MODELGATE_BIN (build first)" >&2; exit 1
fi
E2E_LOGS=${E2E_LOGS:-$(mktemp -d /tmp/modelgate-e2e-logs.XXXXXX)}

e2e_passed=0
e2e_failed=0
e2e_pids=()

pass() { e2e_passed=$((e2e_passed + 1)); echo "PASS: $*"; }
fail() { e2e_failed=$((e2e_failed + 1)); echo "FAIL: $*" >&2; }

# check DESCRIPTION CMD...: passes when CMD succeeds.
check() {
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every 0.25 s until it succeeds; fails the
# check with DESCRIPTION when the deadline passes. Returns CMD's last status.
wait_until() {
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  while ! "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      fail "$what (not true within ${secs}s)"
      return 1
    fi
    sleep 0.25
  done
  pass "$what"
}

# new_namespace PREFIX: creates a unique namespace, prints its name, deletes it at exit. The
# name is recorded in a file: callers use $(new_namespace …), a subshell whose variables are lost.
new_namespace() {
  local ns="$1-$$-$RANDOM"
  kubectl create namespace "$ns" >/dev/null
  echo "$ns" >> "$E2E_LOGS/.namespaces"
  echo "$ns"
}

# start_operator NAME [FLAGS...]: starts `modelgate run` in the background with its log in
# $E2E_LOGS/NAME.log; sets OPERATOR_PID. Stopped at exit.
# With MODELGATE_E2E_RBAC=chart it authenticates as the Helm chart's ServiceAccount (e2e/lib/chart_rbac.sh).
start_operator() {
  local name=$1; shift
  local kubeconfig=$KUBECONFIG
  if [ "${MODELGATE_E2E_RBAC:-}" = chart ]; then
    declare -F chart_rbac_kubeconfig >/dev/null || . "$E2E_REPO/e2e/lib/chart_rbac.sh"
    kubeconfig=$(chart_rbac_kubeconfig "$@") || { fail "start_operator $name: chart RBAC"; return 1; }
  fi
  # Several operators run on this one host: the webhook listener (default :8082) is off unless the
  # test asks for it.
  local webhook=(--webhook-addr=0) arg
  for arg in "$@"; do [[ $arg == --webhook-addr* ]] && webhook=(); done
  "$MODELGATE_BIN" run --kubeconfig="$kubeconfig" --log-format=json "${webhook[@]}" "$@" >>"$E2E_LOGS/$name.log" 2>&1 &
  OPERATOR_PID=$!
  e2e_pids+=("$OPERATOR_PID")
}

# A free loopback port, for operators' metrics/health endpoints. Ports are handed out from a
# per-test range and skipped when something listens there, so two calls never return the same one
# (asking the kernel for an ephemeral port twice can). The range stays below the kernel's
# ephemeral ports (32768 and up), where outgoing connections would make bind() fail, and a port
# with a socket in any state is skipped. The counter lives in a file because callers use
# $(free_port), a subshell.
echo $((20000 + ($$ % 120) * 100)) > "$E2E_LOGS/.next-port"
free_port() {
  local port; port=$(cat "$E2E_LOGS/.next-port")
  while ss -tanH "sport = :$port" 2>/dev/null | grep -q .; do port=$((port + 1)); done
  echo $((port + 1)) > "$E2E_LOGS/.next-port"
  echo "$port"
}

# jsonpath KIND/NAME NAMESPACE PATH: prints a field of an object.
jsonpath() { kubectl -n "$2" get "$1" -o jsonpath="{$3}" 2>/dev/null; }

# field_is KIND/NAME NAMESPACE PATH VALUE
field_is() { [ "$(jsonpath "$1" "$2" "$3")" = "$4" ]; }

# identity_of LOGNAME: the leader-election identity an operator started with start_operator logged.
identity_of() {
  grep '"msg":"leader election: campaigning"' "$E2E_LOGS/$1.log" | tail -n1 |
    sed -n 's/.*"identity":"\([^"]*\)".*/\1/p'
}

# event_count NAMESPACE OBJECT_NAME REASON: number of events.k8s.io Events (series counted).
event_count() {
  kubectl -n "$1" get events.events.k8s.io -o json 2>/dev/null | python3 -c '
import json, sys
name, reason = sys.argv[1], sys.argv[2]
total = 0
for e in json.load(sys.stdin)["items"]:
    if e.get("regarding", {}).get("name") == name and e.get("reason") == reason:
        total += (e.get("series") or {}).get("count", 1)
print(total)' "$2" "$3"
}

# events_at_least NAMESPACE OBJECT_NAME REASON N / events_exactly …
events_at_least() { [ "$(event_count "$1" "$2" "$3")" -ge "$4" ]; }
events_exactly() { [ "$(event_count "$1" "$2" "$3")" -eq "$4" ]; }

# A minimal ModelCandidate (no gates: every gate Skipped) in namespace $ns: candidate NAME VERSION
candidate() {
  kubectl -n "$ns" apply -f - >/dev/null <<EOX
apiVersion: modelgate.io/v1alpha1
kind: ModelCandidate
metadata: {name: $1}
spec:
  model: fraud-detector
  version: "$2"
  artifact: {uri: "s3://models/fraud-detector/$2"}
  trigger: {type: Manual, reason: "e2e"}
EOX
}

# fraud_detector_world NAMESPACE: the main job's world for fraud-detector in NAMESPACE — v42's
# serving stack (Deployment, Service, HTTPRoute) and the gates' data and policies as ConfigMaps
# fraud-data and fraud-policies (config/samples/data/, config/eval_slices.yaml).
fraud_detector_world() {
  kubectl -n "$1" apply -f "$E2E_REPO/config/samples/fraud-detector-serving.yaml" >/dev/null
  kubectl -n "$1" create configmap fraud-data --from-file="$E2E_REPO/config/samples/data/eval_predictions.csv" \
    --from-file="$E2E_REPO/config/samples/data/baseline_predictions.csv" \
    --from-file="$E2E_REPO/config/samples/data/training_log.jsonl" >/dev/null
  kubectl -n "$1" create configmap fraud-policies --from-file=data.yaml="$E2E_REPO/config/samples/data/data_policy.yaml" \
    --from-file=training.yaml="$E2E_REPO/config/samples/data/training_policy.yaml" \
    --from-file=evaluation.yaml="$E2E_REPO/config/eval_slices.yaml" >/dev/null
}

e2e_cleanup() {
  local pid
  for pid in "${e2e_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${e2e_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  local ns
  if [ -f "$E2E_LOGS/.namespaces" ]; then
    while read -r ns; do kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; done < "$E2E_LOGS/.namespaces"
    rm -f "$E2E_LOGS/.namespaces"
  fi
}

# e2e_finish: prints the tally and exits non-zero if anything failed or nothing was checked.
e2e_finish() {
  e2e_cleanup
  trap - EXIT
  echo "$e2e_passed passed, $e2e_failed failed"
  if [ "$e2e_failed" -ne 0 ]; then
    echo "operator logs: $E2E_LOGS" >&2
    exit 1
  fi
  [ "$e2e_passed" -gt 0 ] || exit 1
  exit 0
}
trap e2e_cleanup EXIT
