#!/usr/bin/env bash
# Tests of the Argo CD resource customizations in config/argocd/ with lua5.1 (Debian package
# lua5.1), in the layout and test-file format of the argo-cd repository (see run_tests.lua):
#   1. yaml_subset_test.lua: the test-file reader reads what it claims and refuses the rest;
#   2. every customization under config/argocd/resource_customizations/<group>/<kind>: its
#      health_test.yaml and actions/action_test.yaml cases;
#   3. the runner has teeth: every case of testdata/must_fail (all wrong on purpose) is reported
#      as FAIL and the run exits 1;
#   4. config/argocd/argocd-cm.sh embeds exactly the tested Lua files (checked when python3 with
#      PyYAML is at hand, otherwise reported as skipped).
# Exits 1 if anything fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
lua=${LUA:-lua5.1}
command -v "$lua" >/dev/null || { echo "FAIL: $lua not found (apt-get install lua5.1)"; exit 1; }
status=0

echo "== yaml_subset"
"$lua" "$here/yaml_subset_test.lua" || status=1

echo "== customizations"
dirs=()
for d in "$repo"/config/argocd/resource_customizations/*/*/; do dirs+=("${d%/}"); done
[ "${#dirs[@]}" -gt 0 ] || { echo "FAIL: no customizations under config/argocd/resource_customizations"; exit 1; }
(cd "$repo/config/argocd/resource_customizations" && "$lua" "$here/run_tests.lua" "${dirs[@]#"$repo/config/argocd/resource_customizations/"}") || status=1

echo "== the runner fails wrong expectations"
out=$(cd "$here/testdata/must_fail" && "$lua" "$here/run_tests.lua" example.io/Widget 2>&1); rc=$?
expected_failures=$(grep -c '' <<<"$(grep -E '^\s*(- healthStatus:|- inputPath:|- action:)' "$here"/testdata/must_fail/example.io/Widget/{health_test.yaml,actions/action_test.yaml})")
if [ "$rc" -eq 1 ] && ! grep -q '^PASS' <<<"$out" && [ "$(grep -c '^FAIL' <<<"$out")" -eq "$expected_failures" ]; then
  echo "PASS: all $expected_failures wrong cases were reported as FAIL (exit 1)"
else
  echo "FAIL: the runner did not fail every wrong case (exit $rc, expected $expected_failures FAIL lines):"
  echo "$out"
  status=1
fi

echo "== argocd-cm.sh"
if python3 -c 'import yaml' 2>/dev/null; then
  "$repo/config/argocd/argocd-cm.sh" | python3 -c '
import sys, yaml
root = sys.argv[1] + "/config/argocd/resource_customizations/modelgate.io/"
data = yaml.safe_load(sys.stdin)["data"]
def same(text, path):
    if text != open(root + path).read():
        sys.exit("FAIL: argocd-cm.sh does not embed " + path + " verbatim")
for kind in ("ModelCandidate", "ModelRollout"):
    same(data["resource.customizations.health.modelgate.io_" + kind], kind + "/health.lua")
actions = yaml.safe_load(data["resource.customizations.actions.modelgate.io_ModelRollout"])
same(actions["discovery.lua"], "ModelRollout/actions/discovery.lua")
names = [d["name"] for d in actions["definitions"]]
if names != ["promote", "abort", "pause", "resume"]:
    sys.exit("FAIL: argocd-cm.sh actions are " + str(names))
for d in actions["definitions"]:
    same(d["action.lua"], "ModelRollout/actions/" + d["name"] + "/action.lua")
print("PASS: argocd-cm.sh embeds the tested health checks and the 4 actions verbatim")
' "$repo" || status=1
else
  echo "SKIP: argocd-cm.sh content check (python3 with PyYAML not installed)"
fi

[ "$status" -eq 0 ] && echo "argocd customizations: all tests passed" || echo "argocd customizations: FAILED"
exit "$status"
