# Shared settings of the local control plane scripts (sourced by up, down, env).
# shellcheck shell=bash
cluster_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$cluster_dir/versions.env"
export GOTOOLCHAIN=local
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; fi

# Where the cluster keeps its state (PKI, etcd data, logs, pid files). `down` removes it.
MG_STATE=${MODELGATE_CLUSTER_DIR:-/tmp/modelgate-cluster}
MG_PKI=$MG_STATE/pki
MG_LOGS=$MG_STATE/logs
MG_RUN=$MG_STATE/run
MG_KUBECONFIG=$MG_STATE/kubeconfig
MG_BIN=${MG_BIN:-${MODELGATE_CACHE:-$HOME/.cache/modelgate}/bin-k8s$K8S_VERSION-etcd$ETCD_VERSION-kwok$KWOK_VERSION-helm$HELM_VERSION}

# Loopback ports, away from the well-known defaults so a developer's own cluster does not collide.
MG_ETCD_PORT=${MG_ETCD_PORT:-16379}
MG_ETCD_PEER_PORT=${MG_ETCD_PEER_PORT:-16380}
MG_APISERVER_PORT=${MG_APISERVER_PORT:-16443}
MG_KCM_PORT=${MG_KCM_PORT:-16257}
MG_SCHEDULER_PORT=${MG_SCHEDULER_PORT:-16259}
MG_KWOK_PORT=${MG_KWOK_PORT:-16247}
MG_SERVICE_CIDR=10.96.0.0/16
MG_SERVICE_IP=10.96.0.1
# kube-apiserver refuses a loopback advertise address, and it is only written into the
# `kubernetes` Endpoints (nothing here routes to it: no kube-proxy, no kubelet). A documentation
# address (RFC 5737 TEST-NET-2) is used so no real host is ever named.
MG_ADVERTISE_IP=198.51.100.10

mg_log() { echo "cluster: $*" >&2; }
mg_die() { echo "cluster: error: $*" >&2; exit 1; }

# Prints the pid of a component started by `up` if it is still alive.
mg_pid() {
  local f="$MG_RUN/$1.pid"
  [ -f "$f" ] || return 1
  local pid; pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

mg_kubectl() { "$MG_BIN/kubectl" --kubeconfig="$MG_KUBECONFIG" "$@"; }
