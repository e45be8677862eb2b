#!/usr/bin/env bash
# Checks the example workflow modelgate-gates.yaml against the real CLI, without GitHub:
#   1. it is valid YAML with the expected jobs (python3 + PyYAML);
#   2. every `modelgate gate <kind>` flag it uses is one `modelgate gate --help` documents;
#   3. its three gate steps, run as written (bash, env from the workflow) on the sample data of
#      config/samples/data, pass (exit 0); gate 3 on the fairness-regression sample is blocked
#      (exit 1, "Gate 3 blocked" annotation); a missing input is an input error (exit 2);
#   4. its "Apply the ModelCandidate" step, run with a kubectl stand-in that captures what it
#      applies, produces a ModelCandidate and a ConfigMap; with a reachable cluster that has the
#      CRDs (e.g. eval "$(e2e/cluster/env)"), both pass `kubectl apply --dry-run=server`.
# Usage: MODELGATE_BIN=build/operator/cmd/modelgate config/github-actions/check-workflow.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=$(realpath -e "${MODELGATE_BIN:-$repo/build/operator/cmd/modelgate}" 2>/dev/null) ||
  { echo "FAIL: modelgate binary not found at ${MODELGATE_BIN:-$repo/build/operator/cmd/modelgate} (set MODELGATE_BIN)"; exit 1; }
workflow=$here/modelgate-gates.yaml
[ -x "$bin" ] || { echo "FAIL: modelgate binary not found at $bin (set MODELGATE_BIN)"; exit 1; }
python3 -c 'import yaml' 2>/dev/null || { echo "FAIL: python3 with PyYAML is needed"; exit 1; }
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

work=$(mktemp -d /tmp/modelgate-gha.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The step scripts and the workflow-level env, as files.
python3 - "$workflow" "$work" <<'PY' || { echo "FAIL: $workflow is not the expected workflow"; exit 1; }
import sys, yaml
workflow, out = sys.argv[1], sys.argv[2]
doc = yaml.safe_load(open(workflow))
assert set(doc["jobs"]) == {"gates", "candidate"}, doc["jobs"].keys()
triggers = doc[True] if True in doc else doc["on"]   # PyYAML reads the key `on` as a boolean
assert {"push", "schedule", "workflow_dispatch"} <= set(triggers), triggers
with open(f"{out}/env.sh", "w") as f:
    for k, v in doc["env"].items():
        if "${{" not in str(v):
            f.write(f"export {k}={v!r}\n")
import re
flags = []
for job in doc["jobs"].values():
    for step in job["steps"]:
        if "run" in step and "name" in step:
            name = step["name"].split(":")[0].replace(" ", "_")
            open(f"{out}/step-{name}.sh", "w").write(step["run"])
            script = step["run"].replace("\\\n", " ")
            for m in re.finditer(r"modelgate gate (\w+)([^\n]*)", script):
                flags += [f"{m.group(1)} {f}" for f in re.findall(r"(--[a-z-]+)", m.group(2))]
open(f"{out}/flags.txt", "w").write("".join(f + "\n" for f in flags))
PY
pass "the workflow is valid YAML with jobs gates and candidate and the three triggers"

# 2. Flags against `modelgate gate --help`: its usage line for the kind, and its options lines.
help=$("$bin" gate --help 2>&1)
flags_ok=true
while read -r kind flag; do
  grep -E "modelgate gate $kind |^options|^data options" <<<"$help" | grep -q -- "$flag " ||
    grep -E "modelgate gate $kind |^options|^data options" <<<"$help" | grep -q -- "$flag\$" ||
    { flags_ok=false; echo "  gate $kind: $flag is not in modelgate gate --help" >&2; }
done < "$work/flags.txt"
[ -s "$work/flags.txt" ] && $flags_ok && pass "every modelgate gate flag in the workflow ($(wc -l < "$work/flags.txt") uses) is documented by modelgate gate --help" ||
  fail "the workflow uses flags modelgate gate --help does not document"

# 3. The gate steps on the samples.
mkdir -p "$work/bin" "$work/ws/gates" "$work/ws/out" "$work/ws/champion"
ln -s "$bin" "$work/bin/modelgate"
samples=$repo/config/samples/data
cp "$samples/data_policy.yaml" "$work/ws/gates/data.yaml"
cp "$samples/training_policy.yaml" "$work/ws/gates/training.yaml"
cp "$repo/config/eval_slices.yaml" "$work/ws/gates/eval_slices.yaml"
cp "$samples/eval_predictions.csv" "$work/ws/out/train.csv"
cp "$samples/eval_predictions.csv" "$work/ws/out/serving_sample.csv"
cp "$samples/training_log.jsonl" "$work/ws/out/training_log.jsonl"
cp "$samples/eval_predictions.csv" "$work/ws/out/eval_predictions.csv"
"$bin" profile --data "$samples/baseline_predictions.csv" --report "$work/ws/champion/train-profile.json" >/dev/null
# The champion's reports: gate 2 and 3 reports of the baseline predictions stand in for them.
"$bin" gate training --policy "$samples/training_policy.yaml" --log "$samples/training_log.jsonl" \
  --report "$work/ws/champion/training.json" >/dev/null
"$bin" gate evaluate --policy "$repo/config/eval_slices.yaml" --data "$samples/baseline_predictions.csv" \
  --report "$work/ws/champion/evaluation.json" >/dev/null

run_step() {  # STEP_FILE: runs it as GitHub would (bash -e), in the workspace; prints its output
  (cd "$work/ws" && . "$work/env.sh" && PATH="$work/bin:$PATH" && mkdir -p "$REPORTS" &&
   bash -e "$work/$1" 2>&1)
}
for step in step-Gate_1.sh step-Gate_2.sh step-Gate_3.sh; do
  out=$(run_step "$step"); rc=$?
  [ "$rc" -eq 0 ] && pass "$step passes on the samples" || { fail "$step exit $rc on the samples"; echo "$out" | tail -20; }
done
[ -s "$work/ws/reports/evaluation.json" ] && pass "the gate steps wrote their JSON reports" || fail "no reports/evaluation.json"

cp "$samples/eval_predictions_fairness_regression.csv" "$work/ws/out/eval_predictions.csv"
out=$(run_step step-Gate_3.sh); rc=$?
[ "$rc" -eq 1 ] && grep -q '::error title=Gate 3 blocked::' <<<"$out" &&
  pass "gate 3 on the fairness regression is blocked: exit 1 and a 'Gate 3 blocked' annotation" ||
  fail "gate 3 on the fairness regression: exit $rc"
rm "$work/ws/out/training_log.jsonl"
out=$(run_step step-Gate_2.sh); rc=$?
[ "$rc" -eq 2 ] && grep -q '::error title=Gate 2 input error::' <<<"$out" &&
  pass "gate 2 without its log is an input error: exit 2 and a 'Gate 2 input error' annotation" ||
  fail "gate 2 without its log: exit $rc"

# 4. The candidate step with a kubectl stand-in.
cat > "$work/bin/kubectl" <<EOF
#!/usr/bin/env bash
# Captures what the step applies; answers the rest.
case " \$* " in
  *" apply -f - "*) cat > "$work/applied-configmap.yaml" ;;
  *" apply -f candidate.json "*) cp candidate.json "$work/applied-candidate.json" ;;
  *" create configmap "*) exec "$(command -v kubectl || echo /bin/false)" "\$@" ;;
esac
exit 0
EOF
chmod +x "$work/bin/kubectl"
out=$(cd "$work/ws" && . "$work/env.sh" && export PATH="$work/bin:$PATH" NAMESPACE=ml-prod \
  ARTIFACT_URI=https://models.example.com/fraud-detector/7/model ARTIFACT_BASE_URL=https://models.example.com \
  MODEL_VERSION=7 TRIGGER_TYPE=CodeChange TRIGGER_SOURCE=https://github.com/acme/fraud/actions/runs/1 \
  TRIGGER_COMMIT=3f2a9c1d0e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c TRIGGER_REASON='fix: "quoted" reason: with colon' \
  KUBECONFIG_DATA="$(printf 'apiVersion: v1\nkind: Config\n')" RUNNER_TEMP="$work" && bash -e "$work/step-Apply_the_ModelCandidate.sh" 2>&1); rc=$?
if [ "$rc" -eq 0 ] && [ -s "$work/applied-candidate.json" ] && [ -s "$work/applied-configmap.yaml" ]; then
  pass "the candidate step builds a ModelCandidate and a policies ConfigMap"
else
  fail "the candidate step (exit $rc): $out"
fi
python3 - "$work/applied-candidate.json" <<'PY' && pass "the ModelCandidate has the trigger, commit, artifact and the three gates" || fail "the ModelCandidate's content"
import json, sys
mc = json.load(open(sys.argv[1]))
s = mc["spec"]
assert mc["metadata"]["name"] == "fraud-detector-v7", mc["metadata"]
assert s["trigger"] == {"type": "CodeChange", "source": "https://github.com/acme/fraud/actions/runs/1",
                        "commit": "3f2a9c1d0e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c",
                        "reason": 'fix: "quoted" reason: with colon'}, s["trigger"]
assert s["artifact"]["uri"] == "https://models.example.com/fraud-detector/7/model"
assert set(s["gates"]) == {"data", "training", "evaluation"}
assert s["gates"]["evaluation"]["dataset"]["uri"] == "https://models.example.com/fraud-detector/7/eval_predictions.csv"
assert s["gates"]["evaluation"]["policyFrom"]["configMapKeyRef"] == {"name": "fraud-detector-v7-policies", "key": "eval_slices.yaml"}
PY

if kubectl get crd modelcandidates.modelgate.io >/dev/null 2>&1; then
  ns=default
  kubectl -n "$ns" apply --dry-run=server -f "$work/applied-candidate.json" >/dev/null 2>"$work/dry.err" &&
    pass "the API server accepts the ModelCandidate (server-side dry run: schema and CEL rules)" ||
    fail "the API server refuses the ModelCandidate: $(cat "$work/dry.err")"
  # (Its namespace ml-prod does not exist here: the same object in $ns.)
  sed '/^  namespace: /d' "$work/applied-configmap.yaml" |
    kubectl -n "$ns" apply --dry-run=server -f - >/dev/null 2>"$work/dry.err" &&
    pass "the API server accepts the policies ConfigMap (server-side dry run)" ||
    fail "the API server refuses the ConfigMap: $(cat "$work/dry.err")"
  scheduled=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["spec"]["trigger"]["type"]="Scheduled"; print(json.dumps(m))' "$work/applied-candidate.json")
  kubectl -n "$ns" apply --dry-run=server -f - <<<"$scheduled" >/dev/null 2>"$work/dry.err" &&
    pass "a Scheduled trigger is accepted too" || fail "Scheduled trigger refused: $(cat "$work/dry.err")"
else
  echo "SKIP: server-side dry run (no cluster with the modelgate CRDs; eval \"\$(e2e/cluster/env)\" first)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
