#!/usr/bin/env bash
# End-to-end test of the alert path: a drift gauge -> the REAL Prometheus (e2e/prometheus, rule
# FeatureDriftHigh of e2e/prometheus/rules/drift.yml) -> the REAL Alertmanager (e2e/alertmanager)
# -> an HTTP webhook with a bearer token (e2e/alertmanager/receiver.py stands in for the operator's
# endpoint). No Kubernetes cluster is needed: the gauge comes from the real traffic simulator
# (e2e/trafficsim/trafficsim.py, POST /drift) started directly, with no route to follow (its
# kubectl reader is `false`, so it serves no traffic, only the gauge), scraped through a file_sd
# target of its own. It proves that
#   1. Prometheus loads the repo's drift rule and a rule file the test drops into $MG_PROM_RULES,
#      and discovers the Alertmanager; `e2e/alertmanager/up --receiver` registers three webhooks
#      (by namespace, by a `pipeline` label, and one matching nothing of ours) and refuses bad ones;
#   2. raising the gauge above 0.2 makes FeatureDriftHigh fire in Prometheus (/api/v1/alerts) and
#      the receiver get a webhook v4 payload with status firing, the rule's and the series' labels,
#      the summary annotation and "Authorization: Bearer <token from the credentials file>"; the
#      gauge -> first notification latency is printed (INFO);
#   3. Alertmanager repeats the notification (same groupKey) after repeat_interval, not sooner;
#   4. the pipeline route gets the test's own alert, the third route gets nothing;
#   5. lowering the gauge resolves the alert and no firing notification follows (watched for one
#      repeat_interval + group_interval + 2 s after Alertmanager shows it resolved);
#   6. the receivers and the rule file are removed again.
# Prometheus and Alertmanager are started if they are not running (and then stopped at the end).
# No fixed sleeps: every wait polls with a deadline. Prints one line per check, "N passed,
# M failed" at the end, and exits non-zero on any failure.
E2E_NEEDS_MODELGATE=0
. "$(dirname "$0")/lib/e2e.sh"
MG_LOG_PREFIX=alertmanager_test
# shellcheck source=alertmanager/common.sh
. "$E2E_REPO/e2e/alertmanager/common.sh"

info() { echo "INFO: $*"; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$1" "$2"; }
seconds_of() { python3 -c '
import re, sys
m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", sys.argv[1])
print(float(m[1]) * {"ms": 0.001, "s": 1, "m": 60}[m[2]])' "$1"; }

ns=mg-am-$$-$RANDOM                 # a label value only: no Kubernetes namespace is created
model=fraud-detector
feature=transaction_amount
pipeline=$ns/fraud-pipeline
rx_log=$E2E_LOGS/receiver.jsonl
token_file=$E2E_LOGS/webhook-token
target=$MG_PROM_TARGETS/am-test-$ns.json
rule=$MG_PROM_RULES/am-test-$ns.yml
r_drift=am-$ns-drift r_pipeline=am-$ns-pipeline r_other=am-$ns-other
repeat_s=$(seconds_of "$MG_AM_REPEAT_INTERVAL")
group_interval_s=$(seconds_of "$MG_AM_GROUP_INTERVAL")
prom_started=0 am_started=0

am_test_cleanup() {
  local r
  for r in "$r_drift" "$r_pipeline" "$r_other"; do
    "$E2E_REPO/e2e/alertmanager/down" --receiver "$r" >/dev/null 2>&1 || true
  done
  if [ -e "$rule" ] || [ -e "$target" ]; then
    rm -f "$rule" "$target"
    if [ "$prom_started" = 0 ] && mg_pid prometheus >/dev/null; then
      "$E2E_REPO/e2e/prometheus/up" >/dev/null 2>&1 || true   # reload without the test's rule
    fi
  fi
  if [ "$prom_started" = 1 ]; then "$E2E_REPO/e2e/prometheus/down" 2>/dev/null || true; prom_started=0; fi
  if [ "$am_started" = 1 ]; then "$E2E_REPO/e2e/alertmanager/down" 2>/dev/null || true; am_started=0; fi
}
finish() { am_test_cleanup; e2e_finish; }
trap 'am_test_cleanup; e2e_cleanup' EXIT

last=$E2E_LOGS/alertmanager-test-last
# json_check URL PYEXPR: PYEXPR over `d`, the JSON document at URL (kept in $last for messages).
json_check() {
  curl -sf --max-time 3 "$1" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
open(sys.argv[2], "w").write(json.dumps(d)[:2000] + "\n")
try:
    ok = bool(eval("(" + sys.argv[1] + "\n)"))
except (KeyError, IndexError, TypeError, ValueError):
    ok = False
sys.exit(0 if ok else 1)' "$2" "$last"
}
# prom_query_check QUERY PYEXPR: PYEXPR over `r`, the result vector of an instant query.
prom_query_check() {
  curl -sf --max-time 3 --get --data-urlencode "query=$1" "$MG_PROM_URL/api/v1/query" 2>/dev/null |
    python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
open(sys.argv[2], "w").write(json.dumps(r) + "\n")
try:
    ok = bool(eval("(" + sys.argv[1] + "\n)"))
except (KeyError, IndexError, TypeError, ValueError):
    ok = False
sys.exit(0 if ok else 1)' "$2" "$last"
}
# prom_alerts PYEXPR: PYEXPR over `a`, Prometheus' active (pending/firing) alerts of namespace $ns.
prom_alerts() {
  json_check "$MG_PROM_URL/api/v1/alerts" \
    "(lambda a: $1)([x for x in d['data']['alerts'] if x['labels'].get('namespace') == '$ns'])"
}
# am_alerts PYEXPR: PYEXPR over `a`, the Alertmanager's active alerts of namespace $ns.
am_alerts() {
  json_check "$MG_AM_URL/api/v2/alerts?active=true&silenced=false&inhibited=false" \
    "(lambda a: $1)([x for x in d if x['labels'].get('namespace') == '$ns' and x['status']['state'] == 'active'])"
}
# rx PATH PYEXPR [print]: PYEXPR over `n`, the POSTs the receiver logged for PATH (oldest first;
# each {"time", "path", "authorization", "body"}). Checks it, or prints it with "print".
rx() {
  python3 - "$rx_log" "$@" <<'PY'
import json, sys
log, path, expr = sys.argv[1:4]
n = []
try:
    with open(log) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue  # a line being written
            if e["path"] == path:
                n.append(e)
except FileNotFoundError:
    pass
try:
    v = eval("(" + expr + "\n)")
except (KeyError, IndexError, TypeError, ValueError) as ex:
    v = None if len(sys.argv) > 4 else False
if len(sys.argv) > 4:
    print(v)
    sys.exit(0)
sys.exit(0 if v else 1)
PY
}
set_drift() {
  curl -sf --max-time 3 -X POST "$sim_url/drift" -d "{\"feature\": \"$feature\", \"psi\": $1}" >/dev/null
}

# --- 1. the world ---------------------------------------------------------------------------------
for what in prometheus alertmanager; do
  if mg_pid "$what" >/dev/null; then
    info "$what already running (pid $(mg_pid "$what")); it is left running"
  elif [ "$what" = prometheus ]; then prom_started=1; else am_started=1; fi
  if out=$("$E2E_REPO/e2e/$what/up" 2>&1); then
    pass "real $what is ready on $(echo "$out" | tail -n1)"
  else
    fail "e2e/$what/up:"; echo "$out" | sed 's/^/      /' >&2; finish
  fi
done
pid_before=$(mg_pid alertmanager)
check "a second e2e/alertmanager/up keeps the running Alertmanager and prints its URL last" \
  bash -c "[ \"\$('$E2E_REPO/e2e/alertmanager/up' 2>/dev/null | tail -n1)\" = '$MG_AM_URL' ] &&
           [ \"\$(cat '$MG_RUN/alertmanager.pid')\" = '$pid_before' ]"
check "Alertmanager runs without clustering (no gossip port)" \
  json_check "$MG_AM_URL/api/v2/status" 'd["cluster"]["status"] == "disabled"'

# the gauge: the traffic simulator, without a route (no traffic) and without a cluster
sim_port=$(free_port)
python3 -u "$E2E_REPO/e2e/trafficsim/trafficsim.py" --namespace "$ns" --route httproute/none \
  --model "$model" --port "$sim_port" --reader kubectl --kubectl "$(command -v false)" \
  --poll-interval 3600 --rate 0 >>"$E2E_LOGS/trafficsim.log" 2>&1 &
e2e_pids+=("$!")
sim_url=http://127.0.0.1:$sim_port
wait_until 20 "the traffic simulator serves $sim_url/metrics (no cluster, no route)" \
  curl -sf --max-time 2 "$sim_url/healthz" || finish
printf '[{"targets": ["127.0.0.1:%s"], "labels": {"trafficsim": "am-test-%s"}}]\n' "$sim_port" "$ns" >"$target.tmp"
mv "$target.tmp" "$target"

# the receiver
rx_port=$(free_port)
python3 -u "$E2E_REPO/e2e/alertmanager/receiver.py" --port "$rx_port" --log "$rx_log" \
  >>"$E2E_LOGS/receiver.log" 2>&1 &
e2e_pids+=("$!")
rx_url=http://127.0.0.1:$rx_port
wait_until 20 "the webhook receiver listens on $rx_url" curl -sf --max-time 2 "$rx_url/healthz" || finish
token=$(python3 -c 'import secrets; print("mg-e2e-" + secrets.token_hex(16))')
(umask 077; printf '%s\n' "$token" >"$token_file")

# the test's own rule: the same gauge, with a `pipeline` label to route by
cat >"$rule" <<EOF
groups:
  - name: am-test-$ns
    rules:
      - alert: E2EPipelineDrift
        expr: modelgate_feature_drift_psi{namespace="$ns"} > 0.2
        for: 1s
        labels:
          pipeline: "$pipeline"
        annotations:
          summary: "pipeline $pipeline: {{ \$labels.feature }} drifted"
EOF
if out=$("$E2E_REPO/e2e/prometheus/up" 2>&1); then pass "e2e/prometheus/up reloads with the test's rule file"
else fail "e2e/prometheus/up with $rule:"; echo "$out" | sed 's/^/      /' >&2; fi
check "Prometheus loaded FeatureDriftHigh (repo rule) and group am-test-$ns (test rule file)" \
  json_check "$MG_PROM_URL/api/v1/rules" \
  "'FeatureDriftHigh' in {r['name'] for g in d['data']['groups'] for r in g['rules']} and
   'am-test-$ns' in {g['name'] for g in d['data']['groups']}"
wait_until 30 "Prometheus discovered the Alertmanager on 127.0.0.1:$MG_ALERTMANAGER_PORT" \
  json_check "$MG_PROM_URL/api/v1/alertmanagers" \
  "any('127.0.0.1:$MG_ALERTMANAGER_PORT' in a['url'] for a in d['data']['activeAlertmanagers'])"

register() {
  "$E2E_REPO/e2e/alertmanager/up" --receiver "$1" --url "$rx_url/$2" --token-file "$token_file" \
    "${@:3}" >>"$E2E_LOGS/alertmanager-up.log" 2>&1
}
check "register receiver $r_drift: namespace=\"$ns\", alertname=\"FeatureDriftHigh\"" \
  register "$r_drift" drift --match "namespace=\"$ns\"" --match 'alertname="FeatureDriftHigh"'
check "register receiver $r_pipeline: pipeline=\"$pipeline\"" \
  register "$r_pipeline" pipeline --match "pipeline=\"$pipeline\""
check "register receiver $r_other: namespace=\"$ns-other\" (matches nothing of ours)" \
  register "$r_other" other --match "namespace=\"$ns-other\""
check "Alertmanager's loaded config has the three receivers with the bearer credentials file" \
  json_check "$MG_AM_URL/api/v2/status" \
  "all(r in d['config']['original'] for r in ('$r_drift', '$r_pipeline', '$r_other', 'credentials_file: $token_file'))"
refused() { # refused PATTERN ARGS...: `up --receiver` fails and says PATTERN
  local pat=$1; shift
  ! out=$("$E2E_REPO/e2e/alertmanager/up" "$@" 2>&1) && echo "$out" | grep -q -- "$pat"
}
check "a non-loopback webhook URL is refused, naming it" \
  refused "is not a loopback address" --receiver "am-$ns-bad" --url http://192.0.2.1/x --match a=b
check "a missing credentials file is refused, naming it" \
  refused "/nonexistent/token does not exist" --receiver "am-$ns-bad" --url "$rx_url/bad" \
  --token-file /nonexistent/token --match a=b
check "a bad matcher is refused by amtool check-config" \
  refused "amtool check-config refused" --receiver "am-$ns-bad" --url "$rx_url/bad" --match 'a=~"('
check "the refused receivers were not registered" \
  json_check "$MG_AM_URL/api/v2/status" "'am-$ns-bad' not in d['config']['original'] and '$r_other' in d['config']['original']"

wait_until 30 "Prometheus scrapes the simulator (target up)" \
  prom_query_check "up{trafficsim=\"am-test-$ns\"}" 'r[0]["value"][1] == "1"'
check "POST /drift psi 0.1 (below the threshold)" set_drift 0.1
wait_until 30 "Prometheus shows modelgate_feature_drift_psi{namespace,model,feature} = 0.1" \
  prom_query_check "modelgate_feature_drift_psi{namespace=\"$ns\"}" \
  "r[0]['metric']['model'] == '$model' and r[0]['metric']['feature'] == '$feature' and r[0]['value'][1] == '0.1'"
check "no alert at PSI 0.1" prom_alerts 'a == []'

# --- 2. raise the gauge ---------------------------------------------------------------------------
t_raise=$(now)
check "POST /drift psi 0.35" set_drift 0.35
wait_until 30 "FeatureDriftHigh fires in Prometheus (/api/v1/alerts) with severity page, model, feature, summary" \
  prom_alerts "any(x['labels']['alertname'] == 'FeatureDriftHigh' and x['state'] == 'firing'
               and x['labels']['severity'] == 'page' and x['labels']['model'] == '$model'
               and x['labels']['feature'] == '$feature'
               and x['annotations']['summary'] == 'PSI of $feature is 0.35 for $model' for x in a)" ||
  echo "      last: $(cat "$last")" >&2
t_firing=$(now)
if wait_until 30 "the receiver gets a notification at /drift" rx /drift 'len(n) >= 1'; then
  t_first=$(rx /drift 'n[0]["time"]' print)
  info "gauge raised -> Prometheus shows the alert firing: <= $(elapsed "$t_raise" "$t_firing") s (scrape 1s, eval 1s, for 2s)"
  info "gauge raised -> first webhook notification received: $(elapsed "$t_raise" "$t_first") s (+ group_wait $MG_AM_GROUP_WAIT)"
fi
b='n[0]["body"]'
check "webhook payload version 4, status firing, receiver $r_drift, a groupKey" \
  rx /drift "$b['version'] == '4' and $b['status'] == 'firing' and $b['receiver'] == '$r_drift' and $b['groupKey']"
check "one alert, firing, labels alertname/severity/namespace/model/feature" \
  rx /drift "len($b['alerts']) == 1 and $b['alerts'][0]['status'] == 'firing' and
             {k: $b['alerts'][0]['labels'].get(k) for k in ('alertname', 'severity', 'namespace', 'model', 'feature')} ==
             {'alertname': 'FeatureDriftHigh', 'severity': 'page', 'namespace': '$ns', 'model': '$model', 'feature': '$feature'}"
check "annotation summary 'PSI of $feature is 0.35 for $model'" \
  rx /drift "$b['alerts'][0]['annotations']['summary'] == 'PSI of $feature is 0.35 for $model'"
check "the request carries Authorization: Bearer <the credentials file's token>" \
  rx /drift "n[0]['authorization'] == 'Bearer $token'"

# --- 3. the repeat --------------------------------------------------------------------------------
slack=5
if wait_until "$(python3 -c "import math; print(math.ceil($repeat_s + $group_interval_s + $slack + 1))")" \
     "a repeat notification arrives within repeat_interval ($MG_AM_REPEAT_INTERVAL) + group_interval + ${slack}s" \
     rx /drift 'len(n) >= 2'; then
  info "first -> repeat notification: $(rx /drift 'round(n[1]["time"] - n[0]["time"], 2)' print) s"
  check "the repeat has the same groupKey and the same alert (startsAt, labels)" \
    rx /drift "n[1]['body']['groupKey'] == n[0]['body']['groupKey'] and n[1]['body']['status'] == 'firing' and
               [(x['labels'], x['startsAt']) for x in n[1]['body']['alerts']] == [(x['labels'], x['startsAt']) for x in n[0]['body']['alerts']]"
  check "the repeat came after repeat_interval, not sooner (no duplicates in between)" \
    rx /drift "n[1]['time'] - n[0]['time'] >= $repeat_s - 0.5"
fi

# --- 4. the other routes --------------------------------------------------------------------------
wait_until 20 "the pipeline route gets E2EPipelineDrift{pipeline=\"$pipeline\"} with the bearer token" \
  rx /pipeline "len(n) >= 1 and all(x['labels']['alertname'] == 'E2EPipelineDrift' and x['labels']['pipeline'] == '$pipeline'
                for x in n[0]['body']['alerts']) and n[0]['authorization'] == 'Bearer $token' and n[0]['body']['status'] == 'firing'"
check "the route for namespace=\"$ns-other\" got nothing" rx /other 'len(n) == 0'
check "no request went anywhere else" \
  python3 -c 'import json, sys; sys.exit(0 if all(json.loads(l)["path"] in ("/drift", "/pipeline") for l in open(sys.argv[1])) else 1)' "$rx_log"

# --- 5. lower the gauge ---------------------------------------------------------------------------
t_lower=$(now)
check "POST /drift psi 0.05" set_drift 0.05
wait_until 30 "the alert leaves Prometheus' active alerts" prom_alerts 'a == []'
wait_until 30 "Alertmanager shows no active alert of namespace $ns (resolved)" am_alerts 'a == []'
t_resolved=$(now)
info "gauge lowered -> resolved in Alertmanager: $(elapsed "$t_lower" "$t_resolved") s"
quiet_for=$(python3 -c "print($repeat_s + $group_interval_s + 2)")
count_resolved=$(rx /drift 'len(n)' print)
# A negative check: watch one whole repeat cycle, failing at once if a firing notification comes.
quiet=1 deadline_us=$(python3 -c "print(int(($t_resolved + $quiet_for) * 1e6))")
while [ "${EPOCHREALTIME/./}" -lt "$deadline_us" ]; do
  if rx /drift "any(e['time'] > $t_resolved + 1 and e['body']['status'] == 'firing' for e in n)"; then quiet=0; break; fi
  sleep 0.5
done
check "no firing notification for ${quiet_for}s after the alert resolved ($count_resolved in total before)" [ "$quiet" = 1 ]

# --- 6. unregister --------------------------------------------------------------------------------
for r in "$r_drift" "$r_pipeline" "$r_other"; do
  check "e2e/alertmanager/down --receiver $r" \
    bash -c "'$E2E_REPO/e2e/alertmanager/down' --receiver '$r' >>'$E2E_LOGS/alertmanager-up.log' 2>&1"
done
check "Alertmanager's loaded config no longer has the test's receivers" \
  json_check "$MG_AM_URL/api/v2/status" "'am-$ns-' not in d['config']['original']"
rm -f "$rule" "$target"
check "e2e/prometheus/up reloads without the test's rule file" bash -c "'$E2E_REPO/e2e/prometheus/up' >/dev/null 2>&1"
check "Prometheus no longer has the test's rule group am-test-$ns, still FeatureDriftHigh" \
  json_check "$MG_PROM_URL/api/v1/rules" \
  "'am-test-$ns' not in {g['name'] for g in d['data']['groups']} and
   'FeatureDriftHigh' in {r['name'] for g in d['data']['groups'] for r in g['rules']}"

finish
