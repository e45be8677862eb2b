# Run e2e operators under the Helm chart's RBAC (sourced after e2e/lib/e2e.sh).
#
# chart_rbac_install NAMESPACE RELEASE [HELM_FLAGS...]
#   installs charts/modelgate into NAMESPACE with replicaCount=0 (the RBAC, ServiceAccount and
#   Service, no pods) and writes a kubeconfig that authenticates as the chart's ServiceAccount (a
#   bound token from `kubectl create token`) to $E2E_LOGS/RELEASE.kubeconfig; prints its path.
#   The release is uninstalled at exit (before the namespaces are deleted).
#
# chart_rbac_kubeconfig OPERATOR_FLAGS...
#   what start_operator uses when MODELGATE_E2E_RBAC=chart: reads --namespace,
#   --leader-elect, --leader-election-namespace and --leader-election-id from the operator's flags,
#   installs (once per distinct combination) a release whose RBAC matches them exactly — a Role in
#   the watched namespace when --namespace is given, a ClusterRole otherwise; the leader-election
#   Role for that Lease in the Lease's namespace — and prints the kubeconfig path.
#
# Nothing is granted beyond the chart's own RBAC, so a verb the operator needs but the chart lacks
# fails the test that exercises it.
# shellcheck shell=bash

CHART_DIR="$E2E_REPO/charts/modelgate"

# chart_rbac_write_kubeconfig NAMESPACE SERVICEACCOUNT FILE: a kubeconfig for the ServiceAccount,
# with the cluster (server, CA) of the current $KUBECONFIG.
chart_rbac_write_kubeconfig() {
  local ns=$1 sa=$2 file=$3 token server ca
  token=$(kubectl -n "$ns" create token "$sa" --duration=2h) || return 1
  server=$(kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.server}')
  ca=$(kubectl config view --minify --raw --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
  umask 077
  cat > "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: "$server", certificate-authority-data: "$ca"}
users:
- name: $sa
  user: {token: "$token"}
contexts:
- name: $sa
  context: {cluster: e2e, user: $sa, namespace: $ns}
current-context: $sa
EOF
}

chart_rbac_install() {
  local ns=$1 release=$2; shift 2
  helm install "$release" "$CHART_DIR" -n "$ns" --skip-crds --set replicaCount=0 "$@" \
    >>"$E2E_LOGS/helm-$release.log" 2>&1 || {
    echo "chart_rbac: helm install $release failed (log: $E2E_LOGS/helm-$release.log)" >&2
    return 1
  }
  echo "$ns $release" >> "$E2E_LOGS/.chart-releases"
  local sa; sa=$(kubectl -n "$ns" get serviceaccount -l "app.kubernetes.io/instance=$release" \
    -o jsonpath='{.items[0].metadata.name}')
  chart_rbac_write_kubeconfig "$ns" "$sa" "$E2E_LOGS/$release.kubeconfig" || return 1
  echo "$E2E_LOGS/$release.kubeconfig"
}

chart_rbac_kubeconfig() {
  local watch="" elect=false lease_ns=${POD_NAMESPACE:-default} lease_id=modelgate-operator arg
  while [ $# -gt 0 ]; do
    arg=$1; shift
    case $arg in
      --namespace=*) watch=${arg#*=} ;;
      --namespace) watch=$1; shift ;;
      --leader-elect|--leader-elect=true) elect=true ;;
      --leader-elect=false) elect=false ;;
      --leader-election-namespace=*) lease_ns=${arg#*=} ;;
      --leader-election-namespace) lease_ns=$1; shift ;;
      --leader-election-id=*) lease_id=${arg#*=} ;;
      --leader-election-id) lease_id=$1; shift ;;
    esac
  done
  local key="$watch|$elect|$lease_ns|$lease_id" cache="$E2E_LOGS/.chart-kubeconfigs"
  local known; known=$(grep -F "$key " "$cache" 2>/dev/null | head -n1 | sed 's/^.* //')
  [ -n "$known" ] && { echo "$known"; return 0; }

  local release ns flags=() count=0
  [ -f "$cache" ] && count=$(wc -l < "$cache")
  release="mg-rbac-$$-$((count))"
  [ -n "$watch" ] && flags+=(--set "watchNamespaces={$watch}")
  flags+=(--set "leaderElection.enabled=$elect" --set "leaderElection.leaseName=$lease_id")
  if [ "$elect" = true ]; then ns=$lease_ns; elif [ -n "$watch" ]; then ns=$watch; else ns=$(new_namespace mg-rbac); fi
  local file; file=$(chart_rbac_install "$ns" "$release" "${flags[@]}") || return 1
  echo "$key $file" >> "$cache"
  echo "$file"
}

# Uninstall the releases before e2e_cleanup deletes the namespaces (a release in a deleted
# namespace would leave its ClusterRole behind). The operators go first so that they do not log a
# burst of 403s while their RBAC disappears.
chart_rbac_cleanup() {
  local pid ns release
  for pid in "${e2e_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${e2e_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -f "$E2E_LOGS/.chart-releases" ]; then
    while read -r ns release; do
      helm uninstall "$release" -n "$ns" >/dev/null 2>&1 || true
    done < "$E2E_LOGS/.chart-releases"
    rm -f "$E2E_LOGS/.chart-releases"
  fi
}

# Chain chart_rbac_cleanup in front of e2e.sh's e2e_cleanup (run by the EXIT trap and by
# e2e_finish), once, without editing e2e.sh.
if ! declare -F e2e_cleanup_without_chart >/dev/null; then
  eval "$(declare -f e2e_cleanup | sed '1s/^e2e_cleanup/e2e_cleanup_without_chart/')"
  e2e_cleanup() { chart_rbac_cleanup; e2e_cleanup_without_chart; }
fi
