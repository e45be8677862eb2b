# Shared settings of the e2e Prometheus scripts (sourced by e2e/prometheus/{up,down} and
# e2e/trafficsim/{up,down}). Builds on the cluster's settings: the state lives under the cluster
# state dir ($MODELGATE_CLUSTER_DIR or /tmp/modelgate-cluster), logs and pid files next to the
# control plane's.
# shellcheck shell=bash
# shellcheck source=../cluster/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../cluster" && pwd)/common.sh"

# Messages name the script family instead of "cluster".
MG_LOG_PREFIX=${MG_LOG_PREFIX:-prometheus}
mg_log() { echo "$MG_LOG_PREFIX: $*" >&2; }
mg_die() { echo "$MG_LOG_PREFIX: error: $*" >&2; exit 1; }

MG_PROMETHEUS=${MG_PROMETHEUS:-/usr/bin/prometheus}     # the Debian package's server binary
MG_PROMETHEUS_PORT=${MG_PROMETHEUS_PORT:-16090}
MG_PROM_DIR=$MG_STATE/prometheus                      # config, TSDB data, scrape targets
MG_PROM_TARGETS=$MG_PROM_DIR/targets                  # file_sd: one JSON file per simulator
MG_PROM_URL=http://127.0.0.1:$MG_PROMETHEUS_PORT
# Alert rules: every *.yml of the repo's e2e/prometheus/rules/ (e.g. drift.yml) and of
# $MG_PROM_RULES, where tests drop their own rule files (then run `up` again: it reloads).
MG_PROM_REPO_RULES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/rules
MG_PROM_RULES=$MG_PROM_DIR/rules
# Prometheus sends its alerts to the e2e Alertmanager (e2e/alertmanager/up) on this port; when no
# Alertmanager runs there, only firing alerts make Prometheus log failed sends.
MG_ALERTMANAGER_PORT=${MG_ALERTMANAGER_PORT:-16093}

# mg_port_holder PORT: prints who listens on a loopback TCP port (empty when free).
mg_port_holder() {
  local line; line=$(ss -ltnpH "sport = :$1" 2>/dev/null | head -n1)
  [ -n "$line" ] || return 0
  local who; who=$(echo "$line" | sed -n 's/.*users:((\(.*\))).*/\1/p')
  echo "${who:-an unknown process (run ss -ltnp as its owner to see it)}"
}

# mg_stop NAME: stops the process recorded in $MG_RUN/NAME.pid (and only that one).
mg_stop() {
  local name=$1 pid
  if pid=$(mg_pid "$name"); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    mg_log "stopped $name ($pid)"
  fi
  rm -f "$MG_RUN/$name.pid"
}
