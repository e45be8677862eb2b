#!/usr/bin/env python3
"""One progress line for scripts/demo, from `kubectl get mc,mr -o json` on stdin.

  demo_status.py mc NAME   phase, current gate, and each finished gate's state and headline number
  demo_status.py mr NAME   phase, step, canary weight, shadow percent, and the last analysis values
                           of the challenger against the champion with their verdicts
Prints nothing when the object does not exist yet.
"""
import json
import sys

kind, name = sys.argv[1], sys.argv[2]
items = json.load(sys.stdin).get("items", [])
obj = next((i for i in items if i["metadata"]["name"] == name
            and i["kind"] == ("ModelCandidate" if kind == "mc" else "ModelRollout")), None)
if obj is None:
    sys.exit(0)
st = obj.get("status") or {}


def num(v):
    try:
        return f"{float(v):.4g}"
    except (TypeError, ValueError):
        return "-" if v in (None, "") else str(v)


if kind == "mc":
    parts = [f"{name}: {st.get('phase', 'Pending')}"]
    for g in st.get("gates", []):
        text = f"{g.get('name')}={g.get('state')}"
        auc = ((g.get("metrics") or {}).get("auc_roc") or {})
        if isinstance(auc, dict) and auc.get("value") is not None:
            text += f" (auc_roc {num(auc.get('value'))} vs champion {num(auc.get('champion'))})"
        parts.append(text)
    if st.get("stage"):
        parts.append(f"stage={st['stage']}")
    print("  ".join(parts))
else:
    phase = st.get("phase", "Pending")
    line = f"{name} -> {(st.get('challenger') or {}).get('name', obj['spec']['candidateRef']['name'])}: {phase}"
    if st.get("currentStep"):
        line += f"  step {st['currentStep']}/{len(obj['spec'].get('canary', {}).get('steps', []))}"
    line += f"  canary {st.get('canaryWeight', 0)}%"
    if st.get("shadowPercent"):
        line += f"  shadow {st['shadowPercent']}%"
    for a in st.get("analysis", []):
        line += (f"  | {a.get('name')}: {num(a.get('challengerValue'))} vs champion "
                 f"{num(a.get('championValue'))} {a.get('verdict', '')}")
    if phase in ("RolledBack", "Failed", "Aborted") and st.get("message"):
        line += f"\n    why: {st['message']}"
    print(line)
