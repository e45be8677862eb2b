# Shared settings of e2e/alertmanager/{up,down} (sourced). Builds on e2e/prometheus/common.sh (and
# so on the cluster's): state under $MG_STATE/alertmanager, log and pid file next to Prometheus'.
# shellcheck shell=bash
MG_LOG_PREFIX=${MG_LOG_PREFIX:-alertmanager}
# shellcheck source=../prometheus/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../prometheus" && pwd)/common.sh"

MG_ALERTMANAGER=${MG_ALERTMANAGER:-/usr/bin/prometheus-alertmanager}  # Debian's prometheus-alertmanager
MG_AMTOOL=${MG_AMTOOL:-/usr/bin/amtool}                               # same package
# MG_ALERTMANAGER_PORT (16093) is set by e2e/prometheus/common.sh: Prometheus sends alerts there.
MG_AM_DIR=$MG_STATE/alertmanager          # alertmanager.yml (generated), data/ (nflog, silences)
MG_AM_RECEIVERS=$MG_AM_DIR/receivers      # one NAME.json per webhook receiver (see README.md)
MG_AM_URL=http://127.0.0.1:$MG_ALERTMANAGER_PORT
# Short timings so tests see notifications, and repeats of them, within seconds.
MG_AM_GROUP_WAIT=${MG_AM_GROUP_WAIT:-1s}
MG_AM_GROUP_INTERVAL=${MG_AM_GROUP_INTERVAL:-2s}
MG_AM_REPEAT_INTERVAL=${MG_AM_REPEAT_INTERVAL:-10s}
amconfig_py=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/amconfig.py

# am_reload: POST /-/reload (Alertmanager answers once the new config is applied or refused).
am_reload() {
  local out code
  out=$(curl -s --max-time 10 -X POST -w '\n%{http_code}' "$MG_AM_URL/-/reload" 2>&1) || true
  code=${out##*$'\n'}
  [ "$code" = 200 ] || mg_die "reload of alertmanager on $MG_AM_URL failed (HTTP ${code:-none}): ${out%$'\n'*}; see $MG_LOGS/alertmanager.log"
}
