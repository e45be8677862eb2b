#!/usr/bin/env bash
# End-to-end check of the e2e MLflow (e2e/mlflow): the REAL MLflow tracking server and model
# registry from PyPI, driven only through its REST API with e2e/mlflow/rest. No Kubernetes cluster
# is needed. It proves that
#   1. `e2e/mlflow/up` installs (first run on a machine) or reuses the cached venv and starts the
#      plain instance, `up --auth` the basic-auth one; both answer /health, a second `up` keeps the
#      running server and prints its URL last; time to healthy and RSS are printed (INFO);
#   2. the registry: a registered model with two versions (s3:// sources), alias champion set to
#      v1, moved to v2 and read back, a version tag set and read, transition-stage to Staging;
#      `rest` fails (exit 1, status and body on stderr) on a non-2xx answer;
#   3. tracking: experiment modelgate/fraud-detector, a run whose artifact_uri is
#      mlflow-artifacts:/<experiment>/<run>/artifacts, log-batch params/metrics/tags, an artifact
#      PUT through the proxy and read back with artifacts/list and get-artifact;
#   4. basic auth: no credentials and a wrong password get 401 (health stays open); the non-admin
#      user modelgate sets an alias and a tag on a model admin created; `e2e/mlflow/grant MODEL
#      DENY` withdraws that model (403) and `grant --revoke` gives it back; it cannot create users;
#   5. `down --auth`, `down` and `down --all` stop the servers (process groups) and remove their
#      state, the venv cache stays (only for instances this test started: running ones are kept).
# No fixed sleeps: every wait has a deadline. Prints one line per check, "N passed, M failed" at
# the end, and exits non-zero on any failure.
E2E_NEEDS_MODELGATE=0
. "$(dirname "$0")/lib/e2e.sh"
MG_LOG_PREFIX=mlflow_test
# shellcheck source=mlflow/common.sh
. "$E2E_REPO/e2e/mlflow/common.sh"

info() { echo "INFO: $*"; }
R=$E2E_REPO/e2e/mlflow/rest
G=$E2E_REPO/e2e/mlflow/grant
main_started=0 auth_started=0
suffix=$$-$RANDOM
model=fraud-detector-$suffix          # unique: an instance that was already running is reused
auth_model=auth-model-$suffix
experiment=modelgate/fraud-detector
last=$E2E_LOGS/mlflow-test-last

mlflow_test_cleanup() {
  if [ "$auth_started" = 1 ]; then "$E2E_REPO/e2e/mlflow/down" --auth 2>/dev/null || true; auth_started=0; fi
  if [ "$main_started" = 1 ]; then "$E2E_REPO/e2e/mlflow/down" 2>/dev/null || true; main_started=0; fi
}
finish() { mlflow_test_cleanup; e2e_finish; }
trap 'mlflow_test_cleanup; e2e_cleanup' EXIT

# rj PYEXPR REST-ARGS...: calls `rest REST-ARGS...` and checks PYEXPR over `d`, the JSON answer
# (kept in $last, with rest's stderr, for messages).
rj() {
  local expr=$1; shift
  "$R" "$@" >"$last" 2>"$last.err" || { cat "$last.err" >>"$last"; return 1; }
  python3 -c '
import json, sys
d = json.load(open(sys.argv[2]))
try:
    ok = bool(eval("(" + sys.argv[1] + "\n)"))
except (KeyError, IndexError, TypeError, ValueError):
    ok = False
sys.exit(0 if ok else 1)' "$expr" "$last"
}
# rget PYEXPR REST-ARGS...: prints PYEXPR over `d`, the JSON answer of `rest REST-ARGS...`.
rget() {
  local expr=$1; shift
  "$R" "$@" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$expr"
}
# rfails STATUS PATTERN REST-ARGS...: `rest` exits 1 and says "HTTP STATUS" and PATTERN on stderr.
rfails() {
  local status=$1 pat=$2 rc=0; shift 2
  "$R" "$@" >"$last" 2>"$last.err" || rc=$?
  [ "$rc" = 1 ] && head -n1 "$last.err" | grep -q "^HTTP $status " && grep -q -- "$pat" "$last.err"
}
show_last() { echo "      last: $(head -c 600 "$last" 2>/dev/null)" >&2; }
# http_code URL [CURL-ARGS...]: the status of a plain GET.
http_code() { local u=$1; shift; curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$u"; }

# --- 1. the world ---------------------------------------------------------------------------------
venv_cold=1; mlflow_installed && venv_cold=0
for which in main auth; do
  mlflow_instance "$which"
  flag=; [ "$which" = main ] || flag=--auth
  if pid=$(mlflow_pid "$inst_name"); then
    info "$inst_name already running (pid $pid); it is left running"
  elif [ "$which" = main ]; then main_started=1; else auth_started=1; fi
  t0=$SECONDS
  if out=$("$E2E_REPO/e2e/mlflow/up" $flag 2>&1) && [ "$(echo "$out" | tail -n1)" = "$inst_url" ]; then
    pass "e2e/mlflow/up${flag:+ $flag}: real MLflow $inst_name is healthy, URL $inst_url printed last"
  else
    fail "e2e/mlflow/up${flag:+ $flag}:"; echo "$out" | sed 's/^/      /' >&2; finish
  fi
  if [ "$which" = main ] && [ "$venv_cold" = 1 ]; then
    info "cold venv: installed $(cat "$MG_MLFLOW_MARKER"); size $(du -sh "$MG_MLFLOW_VENV" | cut -f1)"
  fi
  started_here=$main_started; [ "$which" = main ] || started_here=$auth_started
  if [ "$started_here" = 1 ] && [ -f "$inst_dir/startup-seconds" ]; then
    info "$inst_name: time to /health 200: $(cat "$inst_dir/startup-seconds") s (whole up: $((SECONDS - t0)) s); RSS at healthy: $(mlflow_rss "$(mlflow_pid "$inst_name")") MiB (process tree)"
  fi
done
check "the venv cache has its install marker ($MG_MLFLOW_MARKER)" test -f "$MG_MLFLOW_MARKER"
pid_before=$(mlflow_pid mlflow)
check "a second e2e/mlflow/up keeps the running server (pid $pid_before) and prints its URL last" \
  bash -c "[ \"\$('$E2E_REPO/e2e/mlflow/up' 2>/dev/null | tail -n1)\" = '$MG_MLFLOW_URL' ] && [ \"\$(cat '$MG_RUN/mlflow.pid')\" = '$pid_before' ]"
check "GET /version is $MG_MLFLOW_VERSION" bash -c "[ \"\$(curl -sf --max-time 5 '$MG_MLFLOW_URL/version')\" = '$MG_MLFLOW_VERSION' ]"
check "the servers listen on loopback only (127.0.0.1:$MG_MLFLOW_PORT, 127.0.0.1:$MG_MLFLOW_AUTH_PORT)" \
  bash -c "ss -ltnH | awk '{print \$4}' | grep -E ':($MG_MLFLOW_PORT|$MG_MLFLOW_AUTH_PORT)\$' | sort | tr '\n' ' ' | grep -qx '127.0.0.1:$MG_MLFLOW_PORT 127.0.0.1:$MG_MLFLOW_AUTH_PORT '"
check "no job runner / huey consumers (MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false): 2 processes" \
  bash -c "[ \$(ps -s $pid_before -o pid= | wc -l) -le 2 ]"

# --- 2. the registry ------------------------------------------------------------------------------
check "registered-models/create $model (with a tag)" \
  rj "d['registered_model']['name'] == '$model'" POST registered-models/create \
  "{\"name\":\"$model\",\"description\":\"e2e\",\"tags\":[{\"key\":\"team\",\"value\":\"fraud\"}]}"
for v in 1 2; do
  check "model-versions/create $model v$v from s3://models/$model/$v: version \"$v\", READY" \
    rj "d['model_version']['version'] == '$v' and d['model_version']['status'] == 'READY' and d['model_version']['source'] == 's3://models/$model/$v'" \
    POST model-versions/create "{\"name\":\"$model\",\"source\":\"s3://models/$model/$v\"}" || show_last
done
check "alias champion -> v1" rj 'd == {}' POST registered-models/alias "{\"name\":\"$model\",\"alias\":\"champion\",\"version\":\"1\"}"
check "GET registered-models/alias champion is v1" \
  rj "d['model_version']['version'] == '1' and d['model_version']['aliases'] == ['champion']" \
  GET registered-models/alias "{\"name\":\"$model\",\"alias\":\"champion\"}"
check "alias champion moved to v2" rj 'd == {}' POST registered-models/alias "{\"name\":\"$model\",\"alias\":\"champion\",\"version\":\"2\"}"
check "GET registered-models/alias champion is v2 now" \
  rj "d['model_version']['version'] == '2'" GET registered-models/alias "{\"name\":\"$model\",\"alias\":\"champion\"}"
check "registered-models/get shows aliases [champion -> 2] and the tag" \
  rj "d['registered_model']['aliases'] == [{'alias': 'champion', 'version': '2'}] and d['registered_model']['tags'] == [{'key': 'team', 'value': 'fraud'}]" \
  GET registered-models/get "{\"name\":\"$model\"}" || show_last
check "model-versions/get v1 has no alias any more" \
  rj "'aliases' not in d['model_version']" GET model-versions/get "{\"name\":\"$model\",\"version\":\"1\"}"
check "model-versions/set-tag v2 modelgate.io/validated=true" \
  rj 'd == {}' POST model-versions/set-tag "{\"name\":\"$model\",\"version\":\"2\",\"key\":\"modelgate.io/validated\",\"value\":\"true\"}"
check "model-versions/get v2 has the tag" \
  rj "{'key': 'modelgate.io/validated', 'value': 'true'} in d['model_version']['tags']" \
  GET model-versions/get "{\"name\":\"$model\",\"version\":\"2\"}"
check "model-versions/transition-stage v2 -> Staging" \
  rj "d['model_version']['current_stage'] == 'Staging'" POST model-versions/transition-stage \
  "{\"name\":\"$model\",\"version\":\"2\",\"stage\":\"Staging\",\"archive_existing_versions\":false}"
check "get-latest-versions Staging is v2" \
  rj "[v['version'] for v in d['model_versions']] == ['2']" GET registered-models/get-latest-versions \
  "{\"name\":\"$model\",\"stages\":[\"Staging\"]}"
check "rest fails on 404 (unknown model): exit 1, 'HTTP 404' and the JSON error on stderr" \
  rfails 404 RESOURCE_DOES_NOT_EXIST GET registered-models/get '{"name":"no-such-model"}'
check "rest fails on 400 (unknown alias: 400 INVALID_PARAMETER_VALUE, not 404)" \
  rfails 400 INVALID_PARAMETER_VALUE GET registered-models/alias "{\"name\":\"$model\",\"alias\":\"nope\"}"

# --- 3. tracking: experiment, run, params/metrics/tags, an artifact through the proxy -----------
if ! exp_id=$(rget "d['experiment']['experiment_id']" GET experiments/get-by-name "{\"experiment_name\":\"$experiment\"}" 2>/dev/null); then
  exp_id=$(rget "d['experiment_id']" POST experiments/create "{\"name\":\"$experiment\"}") || exp_id=
fi
check "experiment $experiment exists (id ${exp_id:-none}), artifact_location mlflow-artifacts:/$exp_id" \
  rj "d['experiment']['artifact_location'] == 'mlflow-artifacts:/$exp_id'" GET experiments/get-by-name "{\"experiment_name\":\"$experiment\"}"
now_ms=$(($(date +%s%N) / 1000000))
run_id=$(rget "d['run']['info']['run_id']" POST runs/create \
  "{\"experiment_id\":\"$exp_id\",\"run_name\":\"promote-$suffix\",\"start_time\":$now_ms,\"tags\":[{\"key\":\"modelgate.io/action\",\"value\":\"promote\"}]}") || run_id=
check "runs/create: a RUNNING run (${run_id:-none})" [ -n "$run_id" ]
check "the run's artifact_uri is mlflow-artifacts:/$exp_id/$run_id/artifacts" \
  rj "d['run']['info']['artifact_uri'] == 'mlflow-artifacts:/$exp_id/$run_id/artifacts'" GET runs/get "{\"run_id\":\"$run_id\"}"
check "runs/log-batch: 2 params, 2 metrics, 1 tag" rj 'd == {}' POST runs/log-batch "{\"run_id\":\"$run_id\",
  \"params\":[{\"key\":\"model\",\"value\":\"$model\"},{\"key\":\"version\",\"value\":\"2\"}],
  \"metrics\":[{\"key\":\"auc\",\"value\":0.91,\"timestamp\":$now_ms,\"step\":0},{\"key\":\"latency_p99_ms\",\"value\":41.5,\"timestamp\":$now_ms,\"step\":0}],
  \"tags\":[{\"key\":\"modelgate.io/namespace\",\"value\":\"fraud\"}]}"
check "runs/get returns the params, metrics and tags" \
  rj "{p['key']: p['value'] for p in d['run']['data']['params']} == {'model': '$model', 'version': '2'} and
      {m['key']: m['value'] for m in d['run']['data']['metrics']} == {'auc': 0.91, 'latency_p99_ms': 41.5} and
      {'key': 'modelgate.io/namespace', 'value': 'fraud'} in d['run']['data']['tags'] and
      {'key': 'modelgate.io/action', 'value': 'promote'} in d['run']['data']['tags']" \
  GET runs/get "{\"run_id\":\"$run_id\"}" || show_last
art=$E2E_LOGS/event-0001.json
printf '{"event":"promote","model":"%s","version":"2","alias":"champion"}\n' "$model" >"$art"
art_path=$exp_id/$run_id/artifacts/audit/event-0001.json   # artifact_uri without mlflow-artifacts:/
check "PUT /api/2.0/mlflow-artifacts/artifacts/$art_path" \
  "$R" PUT "/api/2.0/mlflow-artifacts/artifacts/$art_path" "@$art"
check "artifacts/list of the run (path audit) has audit/event-0001.json with its size" \
  rj "d['root_uri'] == 'mlflow-artifacts:/$exp_id/$run_id/artifacts' and
      d['files'] == [{'path': 'audit/event-0001.json', 'is_dir': False, 'file_size': $(wc -c <"$art")}]" \
  GET artifacts/list "{\"run_id\":\"$run_id\",\"path\":\"audit\"}" || show_last
check "get-artifact returns the same bytes" \
  bash -c "'$R' GET '/get-artifact?run_uuid=$run_id&path=audit/event-0001.json' | cmp -s - '$art'"
check "the proxy stored it under the state dir ($MG_MLFLOW_MAIN_DIR/artifacts/$art_path)" \
  cmp -s "$MG_MLFLOW_MAIN_DIR/artifacts/$art_path" "$art"
check "runs/update FINISHED" rj "d['run_info']['status'] == 'FINISHED'" POST runs/update \
  "{\"run_id\":\"$run_id\",\"status\":\"FINISHED\",\"end_time\":$(($(date +%s%N) / 1000000))}"

# --- 4. basic auth ---------------------------------------------------------------------------------
admin=(--auth admin)
check "auth: the password files and the secret key are 0600 in a 0700 dir" \
  bash -c "[ \"\$(stat -c %a '$MG_MLFLOW_AUTH_DIR' '$MG_MLFLOW_AUTH_DIR/admin-password' '$MG_MLFLOW_AUTH_DIR/modelgate-password' '$MG_MLFLOW_AUTH_DIR/secret-key' | tr '\n' ' ')\" = '700 600 600 600 ' ]"
check "auth: /health answers 200 without credentials" [ "$(http_code "$MG_MLFLOW_AUTH_URL/health")" = 200 ]
check "auth: the API without credentials -> 401 with WWW-Authenticate: Basic" \
  bash -c "curl -s -D - -o /dev/null --max-time 10 '$MG_MLFLOW_AUTH_URL/api/2.0/mlflow/registered-models/search' | tr -d '\r' |
           grep -qi '^www-authenticate: Basic' && [ \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 '$MG_MLFLOW_AUTH_URL/api/2.0/mlflow/registered-models/search')\" = 401 ]"
wrong=$E2E_LOGS/wrong-password
(umask 077; echo "not-the-password-$RANDOM" >"$wrong")
check "auth: a wrong password -> 401" rfails 401 "not authenticated" --auth "modelgate:$wrong" GET registered-models/search
check "auth: the artifact proxy also needs credentials (401)" \
  [ "$(http_code "$MG_MLFLOW_AUTH_URL/api/2.0/mlflow-artifacts/artifacts?path=x")" = 401 ]
check "auth: users/current as modelgate: a non-admin basic-auth user" \
  rj "d['is_basic_auth'] and d['user']['username'] == 'modelgate' and d['user']['is_admin'] is False" \
  --auth modelgate GET users/current
check "auth: admin creates $auth_model with v1, v2" bash -c "
  '$R' --auth admin POST registered-models/create '{\"name\":\"$auth_model\"}' >/dev/null &&
  '$R' --auth admin POST model-versions/create '{\"name\":\"$auth_model\",\"source\":\"s3://models/$auth_model/1\"}' >/dev/null &&
  '$R' --auth admin POST model-versions/create '{\"name\":\"$auth_model\",\"source\":\"s3://models/$auth_model/2\"}' >/dev/null"
check "auth: modelgate sets alias champion -> v1 on admin's model" rj 'd == {}' \
  --auth modelgate POST registered-models/alias "{\"name\":\"$auth_model\",\"alias\":\"champion\",\"version\":\"1\"}"
check "auth: modelgate sets a version tag on admin's model" rj 'd == {}' \
  --auth modelgate POST model-versions/set-tag "{\"name\":\"$auth_model\",\"version\":\"1\",\"key\":\"modelgate.io/validated\",\"value\":\"true\"}"
check "auth: admin reads champion -> v1 with the tag" \
  rj "d['model_version']['version'] == '1' and {'key': 'modelgate.io/validated', 'value': 'true'} in d['model_version']['tags']" \
  "${admin[@]}" GET registered-models/alias "{\"name\":\"$auth_model\",\"alias\":\"champion\"}"
check "auth: e2e/mlflow/grant $auth_model DENY" "$G" "$auth_model" DENY
check "auth: ... then modelgate's alias move -> 403 Permission denied" \
  rfails 403 "Permission denied" --auth modelgate POST registered-models/alias "{\"name\":\"$auth_model\",\"alias\":\"champion\",\"version\":\"2\"}"
check "auth: e2e/mlflow/grant --revoke $auth_model (twice: idempotent)" bash -c "'$G' --revoke '$auth_model' && '$G' --revoke '$auth_model'"
check "auth: ... then modelgate moves champion -> v2" rj 'd == {}' \
  --auth modelgate POST registered-models/alias "{\"name\":\"$auth_model\",\"alias\":\"champion\",\"version\":\"2\"}"
check "auth: e2e/mlflow/grant refuses a bad permission, naming the valid ones" \
  bash -c "! out=\$('$G' '$auth_model' WRITE 2>&1) && echo \"\$out\" | grep -q \"Valid permissions are\""
check "auth: modelgate cannot create users (403)" \
  rfails 403 "Permission denied" --auth modelgate POST users/create '{"username":"intruder","password":"intruder-password-1"}'

for which in main auth; do
  mlflow_instance "$which"
  info "$inst_name: RSS after the checks: $(mlflow_rss "$(mlflow_pid "$inst_name")") MiB (process tree: $(ps -s "$(mlflow_pid "$inst_name")" -o pid= | wc -l) processes)"
done

# --- 5. down --------------------------------------------------------------------------------------
auth_was_ours=$auth_started
if [ "$auth_started" = 1 ]; then
  auth_pid=$(mlflow_pid mlflow-auth)
  t0=$SECONDS
  check "e2e/mlflow/down --auth" bash -c "'$E2E_REPO/e2e/mlflow/down' --auth >>'$E2E_LOGS/mlflow-down.log' 2>&1"
  auth_started=0
  info "mlflow-auth stopped in $((SECONDS - t0)) s"
  check "... its process group is gone, its port free, its state ($MG_MLFLOW_AUTH_DIR) removed" \
    bash -c "! kill -0 -- -$auth_pid 2>/dev/null && [ -z \"\$(ss -ltnH 'sport = :$MG_MLFLOW_AUTH_PORT')\" ] && [ ! -e '$MG_MLFLOW_AUTH_DIR' ]"
  check "... the plain instance is still healthy" [ "$(curl -s --max-time 5 "$MG_MLFLOW_URL/health")" = OK ]
else
  info "the basic-auth instance was running before: not stopped"
fi
if [ "$main_started" = 1 ]; then
  main_pid=$(mlflow_pid mlflow)
  # --all only when this test started both (it would stop a basic-auth instance kept running).
  all=; gone=$MG_MLFLOW_MAIN_DIR
  if [ "$auth_was_ours" = 1 ]; then all=--all gone=$MG_MLFLOW_DIR; fi
  check "e2e/mlflow/down $all" bash -c "'$E2E_REPO/e2e/mlflow/down' $all >>'$E2E_LOGS/mlflow-down.log' 2>&1"
  main_started=0
  check "... its process group is gone, its port free, $gone removed" \
    bash -c "! kill -0 -- -$main_pid 2>/dev/null && [ -z \"\$(ss -ltnH 'sport = :$MG_MLFLOW_PORT')\" ] && [ ! -e '$gone' ]"
  check "... the venv cache stays ($MG_MLFLOW_VENV)" test -f "$MG_MLFLOW_MARKER"
else
  info "the plain instance was running before: not stopped"
fi

finish
