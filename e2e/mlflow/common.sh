# Shared settings of e2e/mlflow/{up,down,rest,grant} (sourced). Builds on e2e/prometheus/common.sh
# (and so on the cluster's): state under $MG_STATE/mlflow, logs and pid files next to Prometheus'.
# The MLflow venv is NOT state: it is cached per version under $MODELGATE_CACHE and survives `down`.
# shellcheck shell=bash
MG_LOG_PREFIX=${MG_LOG_PREFIX:-mlflow}
# shellcheck source=../prometheus/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../prometheus" && pwd)/common.sh"

# The pinned MLflow (PyPI), with the [auth] extra (Flask-WTF) that --app-name basic-auth needs.
MG_MLFLOW_VERSION=${MG_MLFLOW_VERSION:-3.17.2}
MG_MLFLOW_PYTHON=${MG_MLFLOW_PYTHON:-python3}   # the interpreter the venv is made from
MG_MLFLOW_VENV=${MG_MLFLOW_VENV:-${MODELGATE_CACHE:-$HOME/.cache/modelgate}/mlflow-venv-$MG_MLFLOW_VERSION}
MG_MLFLOW_MARKER=$MG_MLFLOW_VENV/.modelgate-installed   # written only after a verified install
MG_MLFLOW_PORT=${MG_MLFLOW_PORT:-16500}                  # the plain instance
MG_MLFLOW_AUTH_PORT=${MG_MLFLOW_AUTH_PORT:-16501}        # the --app-name basic-auth instance
MG_MLFLOW_URL=http://127.0.0.1:$MG_MLFLOW_PORT
MG_MLFLOW_AUTH_URL=http://127.0.0.1:$MG_MLFLOW_AUTH_PORT
MG_MLFLOW_DIR=$MG_STATE/mlflow             # main/ and auth/ (one per instance), the lock files
MG_MLFLOW_MAIN_DIR=$MG_MLFLOW_DIR/main     # mlflow.db (SQLite), artifacts/ (proxied artifacts)
MG_MLFLOW_AUTH_DIR=$MG_MLFLOW_DIR/auth     # the same + basic_auth.ini, basic_auth.db, secret-key,
                                           # admin-password, modelgate-password (all 0600)
MG_MLFLOW_AUTH_USER=modelgate              # the non-admin user the operator logs in as
MG_MLFLOW_HEALTH_TIMEOUT=${MG_MLFLOW_HEALTH_TIMEOUT:-180}   # start-up is 15-40 s on 2 busy cores
MG_MLFLOW_STOP_TIMEOUT=${MG_MLFLOW_STOP_TIMEOUT:-30}        # SIGTERM -> SIGKILL of the group

# mlflow_instance main|auth: sets the instance's name (pid file and log: $MG_RUN/NAME.pid,
# $MG_LOGS/NAME.log), port, URL and state dir in inst_name, inst_port, inst_url, inst_dir.
mlflow_instance() {
  case "$1" in
    main) inst_name=mlflow inst_port=$MG_MLFLOW_PORT inst_url=$MG_MLFLOW_URL inst_dir=$MG_MLFLOW_MAIN_DIR;;
    auth) inst_name=mlflow-auth inst_port=$MG_MLFLOW_AUTH_PORT inst_url=$MG_MLFLOW_AUTH_URL inst_dir=$MG_MLFLOW_AUTH_DIR;;
    *) mg_die "unknown mlflow instance '$1'";;
  esac
}

# mlflow_pid NAME: like mg_pid (the pid of $MG_RUN/NAME.pid if alive), but a zombie counts as
# gone: a killed server stays <defunct> until init reaps it, which takes a second or two here.
mlflow_pid() {
  local pid; pid=$(mg_pid "$1") || return 1
  case "$(ps -o stat= -p "$pid" 2>/dev/null)" in Z*|"") return 1;; esac
  echo "$pid"
}

# mlflow_installed: the cached venv is complete (marker present) and its interpreter still runs.
mlflow_installed() {
  [ -f "$MG_MLFLOW_MARKER" ] && [ -x "$MG_MLFLOW_VENV/bin/mlflow" ] &&
    "$MG_MLFLOW_VENV/bin/python" -c '' 2>/dev/null
}

# mlflow_install: installs mlflow[auth]==$MG_MLFLOW_VERSION from PyPI into $MG_MLFLOW_VENV unless
# a complete one is cached. Serialised across state dirs by a lock next to the venv. A failed or
# interrupted install leaves no marker, so the next call starts again from an empty venv.
mlflow_install() {
  mlflow_installed && return 0
  local cache log start took
  cache=$(dirname "$MG_MLFLOW_VENV")
  mkdir -p "$cache" "$MG_LOGS"
  log=$MG_LOGS/mlflow-install.log
  exec 8>"$MG_MLFLOW_VENV.lock"
  flock -w 900 8 || mg_die "another mlflow install holds $MG_MLFLOW_VENV.lock (for more than 900 s)"
  if mlflow_installed; then exec 8>&-; return 0; fi   # installed while we waited
  command -v "$MG_MLFLOW_PYTHON" >/dev/null || mg_die "$MG_MLFLOW_PYTHON not found (set MG_MLFLOW_PYTHON)"
  case "$MG_MLFLOW_VENV" in /|"") mg_die "refusing to use '$MG_MLFLOW_VENV' as the venv";; esac
  rm -rf "$MG_MLFLOW_VENV"
  mg_log "installing mlflow[auth]==$MG_MLFLOW_VERSION from PyPI into $MG_MLFLOW_VENV (first run on this machine: ~90 s, ~850 MB); log: $log"
  start=$SECONDS
  "$MG_MLFLOW_PYTHON" -m venv "$MG_MLFLOW_VENV" >>"$log" 2>&1 ||
    mg_die "'$MG_MLFLOW_PYTHON -m venv $MG_MLFLOW_VENV' failed (python3-venv missing? scripts/install-deps): $(tail -n 5 "$log")"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$MG_MLFLOW_VENV/bin/pip" install --no-input --progress-bar off \
    "mlflow[auth]==$MG_MLFLOW_VERSION" >>"$log" 2>&1 ||
    mg_die "pip install mlflow[auth]==$MG_MLFLOW_VERSION failed; last lines of $log:
$(tail -n 15 "$log")"
  local got
  got=$("$MG_MLFLOW_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("mlflow"), m.version("Flask-WTF"))' 2>>"$log") ||
    mg_die "mlflow does not import from $MG_MLFLOW_VENV; see $log"
  [ "${got%% *}" = "$MG_MLFLOW_VERSION" ] || mg_die "$MG_MLFLOW_VENV has mlflow ${got%% *}, not $MG_MLFLOW_VERSION"
  took=$((SECONDS - start))
  echo "mlflow[auth]==$MG_MLFLOW_VERSION (Flask-WTF ${got#* }) installed $(date -u +%FT%TZ) in ${took}s" >"$MG_MLFLOW_MARKER"
  mg_log "installed mlflow $MG_MLFLOW_VERSION in ${took}s ($(du -sh "$MG_MLFLOW_VENV" 2>/dev/null | cut -f1))"
  exec 8>&-
}

# mlflow_rss PID: resident memory (MiB) summed over the server's session (setsid: the CLI parent,
# the uvicorn/gunicorn worker and anything they spawn).
mlflow_rss() {
  ps -s "$1" -o rss= 2>/dev/null | awk '{s += $1} END {printf "%d\n", s / 1024}'
}

# mlflow_stop NAME: stops the server recorded in $MG_RUN/NAME.pid and its whole process group
# (it was started with setsid: pid = pgid): SIGTERM, then SIGKILL after $MG_MLFLOW_STOP_TIMEOUT s.
mlflow_stop() {
  local name=$1 pid deadline
  if pid=$(mlflow_pid "$name"); then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + MG_MLFLOW_STOP_TIMEOUT))
    while kill -0 -- "-$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 -- "-$pid" 2>/dev/null; then
      kill -KILL -- "-$pid" 2>/dev/null || true
      mg_log "killed $name ($pid) after ${MG_MLFLOW_STOP_TIMEOUT}s (SIGTERM was not enough)"
    else
      mg_log "stopped $name ($pid)"
    fi
  fi
  rm -f "$MG_RUN/$name.pid"
}
