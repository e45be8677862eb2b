#!/usr/bin/env bash
# Checks the example workflow modelgate-gates.yaml against the real CLI, without GitHub:
#   1. it is valid YAML with the expected jobs (python3 + PyYAML);
#   2. every `modelgate gate <kind>` flag it uses is one `modelgate gate --help` documents;
#   3. its three gate steps, run as written (bash, env from the workflow) on the sample data of
#      config/samples/data, pass (exit 0); gate 3 on the fairness-regression sample is blocked
#      (exit 1, "Gate 3 blocked" annotation); a missing input is an input error (exit 2);
#   4. its "Apply the ModelCandidate" step, run with a kubectl stand-in that captures what it
#      applies, produces a ModelCandidate and a ConfigMap; with a reachable cluster that has the
#      CRDs (e.g. eval "$(e2e/cluster/env)"), both pass `kubectl apply --dry-run=server`;
#   5. its "Install kubectl modelgate" and "Trigger the ModelPipeline" steps run only on a push to
#      main with MODEL_PIPELINE set (and "Apply the ModelCandidate" then does not); no step's script
#      interpolates ${{ }} (values come in through env); run as written with docker and kubectl
#      stand-ins, the trigger reaches the real `modelgate kubectl trigger` with the commit message
#      as one argument, unexpanded (quotes, $(…), backticks, newline), and the plugin accepts the
#      command line (exit 1 because the stand-in cluster is unreachable, not 2: a bad command line).
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
            assert "${{" not in step["run"], f"step {step['name']}: interpolates ${{{{ }}}}; pass values through env"
            script = step["run"].replace("\\\n", " ")
            for m in re.finditer(r"modelgate gate (\w+)([^\n]*)", script):
                flags += [f"{m.group(1)} {f}" for f in re.findall(r"(--[a-z-]+)", m.group(2))]
open(f"{out}/flags.txt", "w").write("".join(f + "\n" for f in flags))
on_push_with_pipeline = "github.event_name == 'push' && github.ref == 'refs/heads/main' && vars.MODEL_PIPELINE != ''"
steps = {st.get("name"): st for st in doc["jobs"]["candidate"]["steps"]}
trigger_steps = ["Install kubectl modelgate (from the operator's image)", "Trigger the ModelPipeline"]
assert list(steps)[-2:] == trigger_steps, list(steps)
for name in trigger_steps:
    assert steps[name].get("if") == "${{ " + on_push_with_pipeline + " }}", (name, steps[name].get("if"))
assert steps["Apply the ModelCandidate"].get("if") == "${{ !(" + on_push_with_pipeline + ") }}", steps["Apply the ModelCandidate"].get("if")
PY
pass "the workflow is valid YAML with jobs gates and candidate and the three triggers"
pass "no step script interpolates \${{ }}; on a push to main with MODEL_PIPELINE set the pipeline is triggered (last two steps) instead of a candidate applied"

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

# 5. The trigger steps with docker and kubectl stand-ins; the real plugin parses what they pass.
mkdir -p "$work/trigger-bin" "$work/runner"
image=registry.example.com/modelgate:check
cat > "$work/trigger-bin/docker" <<EOF
#!/usr/bin/env bash
# Records its arguments; \`docker run … IMAGE ARGS\` runs the real binary with ARGS and the mounted kubeconfig.
printf '%s\0' "\$@" > "$work/docker-args"
[ "\$1" = run ] || exit 0
shift
while [ \$# -gt 0 ]; do
  case \$1 in
    -v) kc=\${2%%:*}; shift 2 ;;
    --network|--user|-e) shift 2 ;;
    "$image") shift; break ;;
    *) shift ;;
  esac
done
KUBECONFIG=\$kc exec "$bin" "\$@"
EOF
cat > "$work/trigger-bin/kubectl" <<'EOF'
#!/usr/bin/env bash
# As kubectl does for a plugin: `kubectl modelgate ARGS` runs kubectl-modelgate ARGS from PATH.
[ "$1" = modelgate ] && { shift; exec kubectl-modelgate "$@"; }
exit 0
EOF
chmod +x "$work/trigger-bin/docker" "$work/trigger-bin/kubectl"
reason=$(printf 'fix: "quoted" $(touch %s/pwned) `touch %s/pwned` it'"'"'s\nsecond line' "$work" "$work")
unreachable='{"apiVersion": "v1", "kind": "Config", "current-context": "x",
  "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:9"}}],
  "users": [{"name": "u", "user": {"token": "t"}}],
  "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}]}'
: > "$work/github_path"
trigger_env() {
  . "$work/env.sh"
  export PATH="$work/trigger-bin:$PATH" RUNNER_TEMP="$work/runner" GITHUB_PATH="$work/github_path" \
    MODELGATE_IMAGE="$image" NAMESPACE=ml-prod PIPELINE=fraud-detector \
    TRIGGER_COMMIT=3f2a9c1d0e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c \
    TRIGGER_SOURCE=https://github.com/acme/fraud/actions/runs/1 TRIGGER_REASON="$reason" \
    KUBECONFIG_DATA="$unreachable"
}
out=$(cd "$work/ws" && trigger_env &&
  bash -e "$work/step-Install_kubectl_modelgate_(from_the_operator's_image).sh" 2>&1); rc=$?
[ "$rc" -eq 0 ] && [ -x "$work/runner/bin/kubectl-modelgate" ] && grep -qx "$work/runner/bin" "$work/github_path" &&
  pass "the install step writes kubectl-modelgate (a docker run of the image) and adds it to GITHUB_PATH" ||
  fail "the install step (exit $rc): $out"
out=$(cd "$work/ws" && trigger_env && export PATH="$(cat "$work/github_path"):$PATH" &&
  bash -e "$work/step-Trigger_the_ModelPipeline.sh" 2>&1); rc=$?
[ "$rc" -eq 1 ] && grep -q 'cannot reach the API server https://127.0.0.1:9' <<<"$out" &&
  grep -q '::error title=No candidate from fraud-detector::' <<<"$out" &&
  pass "the trigger step's command line is accepted by modelgate kubectl trigger (exit 1 only for the unreachable stand-in cluster) and annotated" ||
  fail "the trigger step (exit $rc): $out"
python3 - "$work/docker-args" "$image" "$work/runner/kubeconfig" "$reason" <<'PY' && [ ! -e "$work/pwned" ] &&
import sys
args = open(sys.argv[1]).read().split("\0")[:-1]
image, kubeconfig, reason = sys.argv[2], sys.argv[3], sys.argv[4]
i = args.index(image)
assert args[:i] == ["run", "--rm", "--network", "host", "--user", args[5],
                    "-v", kubeconfig + ":/tmp/kubeconfig:ro", "-e", "KUBECONFIG=/tmp/kubeconfig"], args[:i]
assert args[i + 1:] == ["kubectl", "-n", "ml-prod", "trigger", "fraud-detector",
                        "--commit", "3f2a9c1d0e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c",
                        "--source", "https://github.com/acme/fraud/actions/runs/1",
                        "--wait", "--timeout", "120s", "--reason", reason], args[i + 1:]
assert "\n" in reason and "$(touch" in reason and "`touch" in reason and '"quoted"' in reason
PY
  pass "the commit message reaches the plugin as one argument, unexpanded (quotes, \$(…), backticks, newline)" ||
  fail "the arguments the trigger step passed: $(tr '\0' ' ' < "$work/docker-args" 2>/dev/null)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
