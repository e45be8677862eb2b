#!/usr/bin/env bash
# End-to-end test of the gate-4 data plane: the traffic simulator (e2e/trafficsim) following REAL
# routes on the local control plane, scraped every second by the REAL Prometheus server
# (e2e/prometheus). Against the API server and Prometheus' HTTP API it proves that
#   1. the sample serving stack (config/samples/fraud-detector-serving.yaml) is accepted and the
#      HTTPRoute, patched to fraud-detector 90 / fraud-detector-canary 10, is followed: Prometheus
#      shows sum by (variant)(rate(http_requests_total[10s])) in a 90/10 ratio;
#   2. patching the weights to 50/50 with kubectl moves the ratio in Prometheus, and a RequestMirror
#      filter (percent 20) gives the shadow 20 % of the traffic;
#   3. a canary fault injected at runtime (error rate 0.2, +300 ms) shows in Prometheus: the
#      canary's error ratio (the sample ModelRollout's query) rises above 0.2 - tolerance and its
#      p99 above the champion's; the time from injection to Prometheus showing it is printed (INFO);
#   4. canary weight 0 makes the canary's request rate in Prometheus drop to 0 (no new requests),
#      counters never reset;
#   5. an Istio VirtualService (70/30, mirror 10 %) is followed the same way.
# Prometheus is started if it is not running (and then stopped at the end); the simulators and the
# namespace are the test's own. No fixed sleeps: every wait polls with a deadline.
# Prints one line per check, "N passed, M failed" at the end, and exits non-zero on any failure.
. "$(dirname "$0")/lib/e2e.sh"
MG_LOG_PREFIX=dataplane_test
# shellcheck source=prometheus/common.sh
. "$E2E_REPO/e2e/prometheus/common.sh"

sim_instances=()
prom_started=0
dp_cleanup() {
  local i
  for i in "${sim_instances[@]}"; do "$E2E_REPO/e2e/trafficsim/down" --instance "$i" 2>/dev/null || true; done
  sim_instances=()
  if [ "$prom_started" = 1 ]; then "$E2E_REPO/e2e/prometheus/down" 2>/dev/null || true; prom_started=0; fi
}
trap 'dp_cleanup; e2e_cleanup' EXIT

info() { echo "INFO: $*"; }
quiet() { "$@" >/dev/null; }
last_values=$E2E_LOGS/dataplane-last-values

# prom_check QUERY PYEXPR: runs an instant query on Prometheus; PYEXPR is evaluated with `v`, a dict
# from the `variant` label ("" when absent) to the float value. Succeeds when PYEXPR is true. The
# values seen are kept in $last_values for the failure message.
prom_check() {
  curl -sf --max-time 3 --get --data-urlencode "query=$1" "$MG_PROM_URL/api/v1/query" 2>/dev/null |
    python3 -c '
import json, math, sys
expr, out = sys.argv[1], sys.argv[2]
d = json.load(sys.stdin)
v = {r["metric"].get("variant", ""): float(r["value"][1]) for r in d["data"]["result"]}
open(out, "w").write(json.dumps(v) + "\n")
try:
    ok = bool(eval(expr, {"math": math}, {"v": v}))
except (KeyError, ZeroDivisionError):
    ok = False
sys.exit(0 if ok else 1)' "$2" "$last_values"
}

# sim_check URL PYEXPR: PYEXPR over `s`, the simulator's /state.
sim_check() {
  curl -sf --max-time 3 "$1/state" 2>/dev/null |
    python3 -c 'import json, sys; s = json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"
}

# wait_prom SECONDS DESCRIPTION QUERY PYEXPR: wait_until on prom_check, with the values on failure.
wait_prom() {
  if wait_until "$1" "$2" prom_check "$3" "$4"; then return 0; fi
  echo "      query: $3" >&2
  echo "      last values: $(cat "$last_values" 2>/dev/null)" >&2
  return 1
}

now() { echo "$EPOCHREALTIME"; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$1" "$2"; }

# --- 0. the world ---------------------------------------------------------------------------------
if ! kubectl get --raw /readyz >/dev/null 2>&1; then
  fail "API server is not ready (run e2e/cluster/up)"; e2e_finish
fi
ns=$(new_namespace mg-dataplane)
route=fraud-detector

if mg_pid prometheus >/dev/null; then
  info "Prometheus already running (pid $(mg_pid prometheus)); it is left running"
else
  prom_started=1
fi
if out=$("$E2E_REPO/e2e/prometheus/up" 2>&1); then
  pass "real Prometheus ($MG_PROMETHEUS) is ready on $MG_PROM_URL"
else
  fail "e2e/prometheus/up:"; echo "$out" | sed 's/^/      /' >&2; e2e_finish
fi
check "Prometheus scrapes and evaluates every 1s" \
  bash -c "curl -sf '$MG_PROM_URL/api/v1/status/config' | grep -q 'scrape_interval: 1s' &&
           curl -sf '$MG_PROM_URL/api/v1/status/config' | grep -q 'evaluation_interval: 1s'"

# --- 1. serving stack, HTTPRoute at 90/10 --------------------------------------------------------
check "kubectl apply config/samples/fraud-detector-serving.yaml" \
  quiet kubectl -n "$ns" apply -f "$E2E_REPO/config/samples/fraud-detector-serving.yaml"
kubectl -n "$ns" create service clusterip fraud-detector-canary --tcp=80:8080 >/dev/null
kubectl -n "$ns" create service clusterip fraud-detector-shadow --tcp=80:8080 >/dev/null
wait_until 120 "the champion Deployment is Available (kwok)" \
  kubectl -n "$ns" wait --for=condition=Available deployment/fraud-detector --timeout=5s
check "HTTPRoute patched to fraud-detector 90 / fraud-detector-canary 10" \
  quiet kubectl -n "$ns" patch httproute "$route" --type=json -p '[
    {"op": "replace", "path": "/spec/rules/0/backendRefs",
     "value": [{"name": "fraud-detector", "port": 80, "weight": 90},
               {"name": "fraud-detector-canary", "port": 80, "weight": 10}]}]'

hr_instance=$ns-hr
sim_instances+=("$hr_instance")
if url=$("$E2E_REPO/e2e/trafficsim/up" "$ns" "httproute/$route" fraud-detector --instance "$hr_instance" \
           --seed 42 2>>"$E2E_LOGS/trafficsim-up.log" | tail -n1) && [ -n "$url" ]; then
  pass "traffic simulator for httproute/$route is up at $url"
else
  fail "e2e/trafficsim/up (see $E2E_LOGS/trafficsim-up.log)"; e2e_finish
fi
sel="namespace=\"$ns\",trafficsim=\"$hr_instance\""
by_variant="sum by (variant)(rate(http_requests_total{$sel}[10s]))"
share='v["canary"] / (v["canary"] + v["champion"])'

wait_until 15 "the simulator follows the HTTPRoute's weights (champion 90, canary 10)" \
  sim_check "$url" 's["weights"] == {"champion": 90, "canary": 10}'
wait_prom 60 "Prometheus scrapes the simulator (target up)" "up{trafficsim=\"$hr_instance\"}" 'v[""] == 1'
wait_prom 60 "Prometheus shows champion/canary requests in a 90/10 ratio" \
  "$by_variant" "abs($share - 0.10) < 0.02 and v['champion'] + v['canary'] > 150"
check "no shadow traffic without a mirror" prom_check "$by_variant" '"shadow" not in v'

# --- 2. 50/50 and a 20 % mirror -------------------------------------------------------------------
check "kubectl patch HTTPRoute to 50/50 with a RequestMirror of 20 % to fraud-detector-shadow" \
  quiet kubectl -n "$ns" patch httproute "$route" --type=json -p '[
    {"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 50},
    {"op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 50},
    {"op": "add", "path": "/spec/rules/0/filters", "value": [{"type": "RequestMirror",
      "requestMirror": {"backendRef": {"name": "fraud-detector-shadow", "port": 80}, "percent": 20}}]}]'
wait_until 15 "the simulator follows the new weights and the mirror" \
  sim_check "$url" 's["weights"] == {"champion": 50, "canary": 50} and s["mirrors"][0]["variant"] == "shadow" and s["mirrors"][0]["percent"] == 20'
wait_prom 60 "Prometheus shows the ratio following to 50/50" "$by_variant" "abs($share - 0.50) < 0.03"
wait_prom 60 "Prometheus shows the shadow receiving 20 % of the traffic (mirrored)" "$by_variant" \
  'abs(v["shadow"] / (v["canary"] + v["champion"]) - 0.20) < 0.03'

# --- 3. a canary fault ----------------------------------------------------------------------------
err_ratio="sum by (variant)(rate(http_requests_total{$sel,code=~\"5..\"}[10s])) / sum by (variant)(rate(http_requests_total{$sel}[10s]))"
p99="histogram_quantile(0.99, sum by (variant, le)(rate(http_request_duration_seconds_bucket{$sel}[10s])))"
check "no errors before the fault" prom_check "$err_ratio" 'v["canary"] == 0 and v["champion"] == 0'
injected=0.2 tolerance=0.05
t_fault=$(now)
if curl -sf --max-time 3 -X POST "$url/faults" \
     -d "{\"variant\": \"canary\", \"error_rate\": $injected, \"latency_ms\": 300}" >/dev/null; then
  pass "fault injected: canary error_rate $injected, +300 ms"
else
  fail "POST $url/faults"
fi
check "the simulator reports the fault" sim_check "$url" 's["faults"]["canary"]["error_rate"] == 0.2'
# Poll by hand (deadline 60 s) to time the first visibility and the full error ratio.
t_visible= t_full=
deadline=$((SECONDS + 60))
while [ $SECONDS -lt $deadline ]; do
  if [ -z "$t_visible" ] && prom_check "$err_ratio" 'v["canary"] > 0'; then t_visible=$(now); fi
  if prom_check "$err_ratio" "v['canary'] > $injected - $tolerance"; then t_full=$(now); break; fi
  sleep 0.1
done
if [ -n "$t_full" ]; then
  pass "Prometheus shows the canary's error ratio above $injected - $tolerance"
  [ -n "$t_visible" ] || t_visible=$t_full
  info "fault -> first errors visible in Prometheus (error ratio > 0): $(elapsed "$t_fault" "$t_visible") s"
  info "fault -> error ratio over [10s] above $(python3 -c "print(round($injected - $tolerance, 6))"): $(elapsed "$t_fault" "$t_full") s (scrape 1s, rate window 10s)"
else
  fail "Prometheus did not show the canary's error ratio above $injected - $tolerance within 60s (last: $(cat "$last_values"))"
fi
check "the champion's error ratio stays 0" prom_check "$err_ratio" 'v["champion"] == 0'
wait_prom 60 "Prometheus shows the canary's p99 latency above 0.3 s and above the champion's" "$p99" \
  'v["canary"] > 0.3 and v["champion"] < 0.2'
check "the error counter matches the code=\"5..\" requests" prom_check \
  "sum(http_request_errors_total{$sel,variant=\"canary\"}) - sum(http_requests_total{$sel,variant=\"canary\",code=\"500\"})" \
  'v[""] == 0'
check "DELETE /faults clears the fault" bash -c "curl -sf --max-time 3 -X DELETE '$url/faults' | grep -qx '{}'"

# --- 4. canary at weight 0 ------------------------------------------------------------------------
check "kubectl patch HTTPRoute: canary weight 0, mirror removed" \
  quiet kubectl -n "$ns" patch httproute "$route" --type=json -p '[
    {"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 100},
    {"op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 0},
    {"op": "remove", "path": "/spec/rules/0/filters"}]'
wait_until 15 "the simulator follows canary weight 0" \
  sim_check "$url" 's["weights"] == {"champion": 100, "canary": 0} and s["mirrors"] == []'
wait_prom 60 "Prometheus shows the canary's request rate drop to 0 (champion serves all)" "$by_variant" \
  'v["canary"] == 0 and v["shadow"] == 0 and v["champion"] > 150'
check "the counters never reset" prom_check "sum(resets(http_requests_total{$sel}[5m]))" 'v[""] == 0'

# --- 5. Istio VirtualService ----------------------------------------------------------------------
check "kubectl apply an Istio VirtualService (70/30, mirror 10 % to the shadow)" \
  quiet kubectl -n "$ns" apply -f - <<EOF
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: fraud-detector-mesh
spec:
  hosts: [fraud-detector]
  http:
    - route:
        - destination: {host: fraud-detector.$ns.svc.cluster.local}
          weight: 70
        - destination: {host: fraud-detector-canary}
          weight: 30
      mirror: {host: fraud-detector-shadow}
      mirrorPercentage: {value: 10.0}
EOF
vs_instance=$ns-vs
sim_instances+=("$vs_instance")
if vs_url=$("$E2E_REPO/e2e/trafficsim/up" "$ns" virtualservice/fraud-detector-mesh fraud-detector \
              --instance "$vs_instance" --service fraud-detector --seed 42 \
              2>>"$E2E_LOGS/trafficsim-up.log" | tail -n1) && [ -n "$vs_url" ]; then
  pass "traffic simulator for virtualservice/fraud-detector-mesh is up at $vs_url"
  wait_until 15 "the simulator follows the VirtualService (champion 70, canary 30, mirror 10 %)" \
    sim_check "$vs_url" 's["weights"] == {"champion": 70, "canary": 30} and s["mirrors"][0]["variant"] == "shadow" and s["mirrors"][0]["percent"] == 10'
  vs_by_variant="sum by (variant)(rate(http_requests_total{namespace=\"$ns\",trafficsim=\"$vs_instance\"}[10s]))"
  wait_prom 60 "Prometheus shows the VirtualService's 70/30 ratio and the 10 % mirror" "$vs_by_variant" \
    "abs($share - 0.30) < 0.03 and abs(v['shadow'] / (v['canary'] + v['champion']) - 0.10) < 0.03"
else
  fail "e2e/trafficsim/up for the VirtualService (see $E2E_LOGS/trafficsim-up.log)"
fi

dp_cleanup
e2e_finish
