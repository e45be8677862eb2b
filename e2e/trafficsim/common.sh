# Shared settings of e2e/trafficsim/{up,down} (sourced).
# shellcheck shell=bash
MG_LOG_PREFIX=trafficsim
# shellcheck source=../prometheus/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../prometheus" && pwd)/common.sh"
MG_TRAFFICSIM_DIR=$MG_STATE/trafficsim       # per instance: NAME.args, NAME.port
MG_TRAFFICSIM_PORTS=${MG_TRAFFICSIM_PORTS:-16100-16199}
trafficsim_py=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/trafficsim.py

# ts_instance NAMESPACE KIND/NAME: the default instance name of a simulator.
ts_instance() {
  local kind=${2%%/*} name=${2#*/}
  kind=$(echo "$kind" | tr '[:upper:]' '[:lower:]')
  case "$kind" in
    httproute|httproutes) kind=httproute;;
    virtualservice|virtualservices|vs) kind=vs;;
    *) mg_die "route must be httproute/NAME or virtualservice/NAME, got '$2'";;
  esac
  echo "$1-$kind-$name"
}

# ts_stop INSTANCE: stops one simulator (its recorded pid only) and removes its scrape target.
ts_stop() {
  mg_stop "trafficsim-$1"
  rm -f "$MG_PROM_TARGETS/trafficsim-$1.json" "$MG_TRAFFICSIM_DIR/$1.args" "$MG_TRAFFICSIM_DIR/$1.port"
}
