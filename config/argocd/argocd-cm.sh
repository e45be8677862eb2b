#!/usr/bin/env bash
# Prints the argocd-cm entries for modelgate's health checks and actions, built from the Lua files
# under resource_customizations/ (the ones tests/argocd/run_tests.sh tests), so what you install
# cannot drift from what is tested:
#   config/argocd/argocd-cm.sh > modelgate-argocd-cm.yaml
#   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file modelgate-argocd-cm.yaml
# docs/argocd.md explains the health mapping and the actions.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
custom=$here/resource_customizations/modelgate.io

# indent N FILE: FILE's lines indented by N spaces (empty lines stay empty).
indent() { awk -v pad="$(printf '%*s' "$1" '')" '{ print (length($0) ? pad $0 : "") }' "$2"; }

echo "data:"
for kind in ModelCandidate ModelRollout; do
  echo "  resource.customizations.health.modelgate.io_$kind: |"
  indent 4 "$custom/$kind/health.lua"
done
echo "  resource.customizations.actions.modelgate.io_ModelRollout: |"
echo "    discovery.lua: |"
indent 6 "$custom/ModelRollout/actions/discovery.lua"
echo "    definitions:"
for action in promote abort pause resume; do
  echo "    - name: $action"
  echo "      action.lua: |"
  indent 8 "$custom/ModelRollout/actions/$action/action.lua"
done
