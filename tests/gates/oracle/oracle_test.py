#!/usr/bin/env python3
"""Oracle test: every gate-3 metric and gate-1 statistic of modelgate against scikit-learn / SciPy.

Generates data with heavy ties, runs the real CLI (`modelgate gate evaluate|data --output json`),
and compares each value with the reference library to 1e-9. Run through run_oracle.sh, which
installs the references from PyPI into a virtual environment.

    python oracle_test.py /path/to/modelgate [--seed N] [--rows N]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance
from sklearn import metrics as skm

TOL = 1e-9
failures = []
checked = 0


def close(name, ours, reference):
    global checked
    checked += 1
    if ours is None or reference is None or not np.isfinite(reference):
        if not (ours is None and (reference is None or not np.isfinite(reference))):
            failures.append(f"{name}: modelgate {ours} vs reference {reference}")
        return
    if abs(ours - reference) > TOL:
        failures.append(f"{name}: modelgate {ours!r} vs reference {reference!r} (diff {abs(ours - reference):.3g})")


def run(binary, args):
    proc = subprocess.run([binary] + args + ["--output", "json"], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"modelgate {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return json.loads(proc.stdout)


def expected_top_k(scores, labels, k):
    """Expected positives among the top k under random tie-breaking (independent numpy version)."""
    order = np.sort(scores)[::-1]
    cut = order[k - 1]
    above = scores > cut
    tied = scores == cut
    return labels[above].sum() + (k - above.sum()) * labels[tied].sum() / tied.sum()


def fairness(scores, labels, groups, threshold, metric):
    rates = {}
    for g in sorted(set(groups)):
        mask = groups == g
        pred = scores[mask] >= threshold
        if metric == "equal_opportunity_difference":
            pos = labels[mask] == 1
            if pos.sum() == 0:
                continue
            rates[g] = pred[pos].mean()
        else:
            rates[g] = pred.mean()
    values = list(rates.values())
    if metric == "disparate_impact_ratio":
        return min(values) / max(values) if max(values) > 0 else None
    return max(values) - min(values)


def evaluate_oracle(binary, rng, rows, workdir):
    n = rows
    segment = rng.choice(["a", "b", "c"], size=n)
    group = rng.choice(["g1", "g2", "g3"], size=n, p=[0.5, 0.3, 0.2])
    labels = (rng.random(n) < 0.3).astype(int)
    # Heavy ties: two decimals only, and a block of identical scores.
    scores = np.clip(np.round(rng.normal(0.35 + 0.3 * labels, 0.2), 2), 0.0, 1.0)
    scores[: n // 10] = 0.5
    champion = np.clip(np.round(rng.normal(0.4 + 0.2 * labels, 0.25), 2), 0.0, 1.0)
    amount = np.round(rng.exponential(50, n), 1)
    frame = pd.DataFrame({"segment": segment, "grp": group, "label": labels, "score": scores,
                          "champion_score": champion, "amount": amount})
    data = os.path.join(workdir, "eval.csv")
    frame.to_csv(data, index=False)
    metric_lines = [
        "      auc_roc: {min: -1.0e9}", "      average_precision: {min: -1.0e9}",
        "      log_loss: {max: 1.0e9}", "      accuracy: {min: -1.0e9}", "      precision: {min: -1.0e9}",
        "      recall: {min: -1.0e9}", "      f1: {min: -1.0e9}", "      precision_at_k: {k: 25, min: -1.0e9}",
        "      recall_at_k: {k: 25, min: -1.0e9}", "      positive_rate: {min: -1.0e9}",
        "      count: {min: 0}", "      disparate_impact_ratio: {min: -1.0e9}",
        "      demographic_parity_difference: {max: 1.0e9}",
        "      equal_opportunity_difference: {max: 1.0e9}",
    ]
    policy_text = "columns: {protected_attribute: grp}\nslices:\n"
    for s in ["a", "b", "c"]:
        policy_text += f"  - name: seg_{s}\n    filter: \"segment == '{s}'\"\n    metrics:\n" + "\n".join(metric_lines) + "\n"
    policy_text += ("behavioral_tests:\n  - {name: dir, feature: amount, direction: positive}\n"
                    "  - {name: inv, input_pairs: [[score, champion_score]], max_flip_rate: 1}\n")
    policy = os.path.join(workdir, "eval.yaml")
    with open(policy, "w") as f:
        f.write(policy_text)
    report = run(binary, ["gate", "evaluate", "--policy", policy, "--data", data])
    for sl in report["slices"]:
        seg = sl["name"][len("seg_"):]
        mask = segment == seg
        y, s, c, g = labels[mask], scores[mask], champion[mask], group[mask]
        m = sl["metrics"]
        pred = (s >= 0.5).astype(int)
        for key, ref_fn in [
            ("auc_roc", lambda x: skm.roc_auc_score(y, x)),
            ("average_precision", lambda x: skm.average_precision_score(y, x)),
            ("log_loss", lambda x: skm.log_loss(y, x, labels=[0, 1])),
            ("accuracy", lambda x: skm.accuracy_score(y, (x >= 0.5).astype(int))),
            ("precision", lambda x: skm.precision_score(y, (x >= 0.5).astype(int), zero_division=0)),
            ("recall", lambda x: skm.recall_score(y, (x >= 0.5).astype(int), zero_division=0)),
            ("f1", lambda x: skm.f1_score(y, (x >= 0.5).astype(int), zero_division=0)),
            ("precision_at_k", lambda x: expected_top_k(x, y, 25) / 25),
            ("recall_at_k", lambda x: expected_top_k(x, y, 25) / y.sum()),
            ("positive_rate", lambda x: float(((x >= 0.5).astype(int)).mean())),
            ("count", lambda x: float(len(x))),
        ]:
            close(f"{sl['name']}.{key}", m[key]["value"], float(ref_fn(s)))
            close(f"{sl['name']}.{key}.champion", m[key]["champion"], float(ref_fn(c)))
        for key in ["disparate_impact_ratio", "demographic_parity_difference", "equal_opportunity_difference"]:
            close(f"{sl['name']}.{key}", m[key]["value"], fairness(s, y, g, 0.5, key))
        del pred
    directional = report["behavioral_tests"][0]["value"]
    close("behavioral.spearman", directional, float(stats.spearmanr(amount, scores).statistic))
    flips = float(((scores >= 0.5) != (champion >= 0.5)).mean())
    close("behavioral.flip_rate", report["behavioral_tests"][1]["value"], flips)

    # Regression metrics on a numeric label.
    target = np.round(rng.normal(10, 3, n), 1)
    prediction = np.round(target + rng.normal(0, 1.5, n), 1)
    reg = os.path.join(workdir, "reg.csv")
    pd.DataFrame({"label": target, "score": prediction}).to_csv(reg, index=False)
    reg_policy = os.path.join(workdir, "reg.yaml")
    with open(reg_policy, "w") as f:
        f.write("global_metrics:\n  rmse: {max: 1.0e9}\n  mae: {max: 1.0e9}\n  r2: {min: -1.0e9}\n")
    r = run(binary, ["gate", "evaluate", "--policy", reg_policy, "--data", reg])["global"]["metrics"]
    close("rmse", r["rmse"]["value"], float(np.sqrt(skm.mean_squared_error(target, prediction))))
    close("mae", r["mae"]["value"], float(skm.mean_absolute_error(target, prediction)))
    close("r2", r["r2"]["value"], float(skm.r2_score(target, prediction)))


def quantile_edges(sorted_values, bins):
    """modelgate's documented binning: edge i is the value with ceil(i/bins*n) values before it."""
    n = len(sorted_values)
    edges = []
    for i in range(1, bins):
        rank = int(np.ceil(i * n / bins))
        edge = sorted_values[min(n - 1, rank)]
        if not edges or edge > edges[-1]:
            edges.append(edge)
    if edges and edges[0] <= sorted_values[0]:
        edges = edges[1:]
    return np.array(edges)


def data_oracle(binary, rng, rows, workdir):
    base = pd.DataFrame({"x": np.round(rng.normal(0, 1, rows), 2),
                         "c": rng.choice(["p", "q", "r", "s"], size=rows, p=[0.4, 0.3, 0.2, 0.1])})
    cur = pd.DataFrame({"x": np.round(rng.normal(0.2, 1.1, rows + 37), 2),
                        "c": rng.choice(["p", "q", "r", "t"], size=rows + 37, p=[0.3, 0.3, 0.3, 0.1])})
    base_path, cur_path = os.path.join(workdir, "base.csv"), os.path.join(workdir, "cur.csv")
    base.to_csv(base_path, index=False)
    cur.to_csv(cur_path, index=False)
    policy = os.path.join(workdir, "data.yaml")
    with open(policy, "w") as f:
        f.write("drift:\n  bins: 10\n  columns: [x, c]\n  psi: {max: 1.0e9}\n  ks: {max: 1.0e9}\n"
                "  js: {max: 1.0e9}\n  linf: {max: 1.0e9}\n")
    report = run(binary, ["gate", "data", "--policy", policy, "--data", cur_path, "--baseline", base_path])
    st = report["drift"]["statistics"]
    close("ks.x", st["ks"]["columns"]["x"]["value"], float(stats.ks_2samp(base.x, cur.x).statistic))
    b_sorted = np.sort(base.x.values)
    edges = quantile_edges(b_sorted, 10)
    b_counts = np.bincount(np.searchsorted(edges, base.x.values, side="right"), minlength=len(edges) + 1)
    c_counts = np.bincount(np.searchsorted(edges, cur.x.values, side="right"), minlength=len(edges) + 1)
    bp, cp = b_counts / b_counts.sum(), c_counts / c_counts.sum()
    close("js.x", st["js"]["columns"]["x"]["value"], float(distance.jensenshannon(bp, cp, base=2) ** 2))
    fb, fc = np.maximum(bp, 1e-4), np.maximum(cp, 1e-4)
    close("psi.x", st["psi"]["columns"]["x"]["value"], float(np.sum((fc - fb) * np.log(fc / fb))))
    cats = sorted(set(base.c) | set(cur.c))
    bp = np.array([(base.c == k).mean() for k in cats])
    cp = np.array([(cur.c == k).mean() for k in cats])
    close("js.c", st["js"]["columns"]["c"]["value"], float(distance.jensenshannon(bp, cp, base=2) ** 2))
    close("linf.c", st["linf"]["columns"]["c"]["value"], float(np.max(np.abs(bp - cp))))
    fb, fc = np.maximum(bp, 1e-4), np.maximum(cp, 1e-4)
    close("psi.c", st["psi"]["columns"]["c"]["value"], float(np.sum((fc - fb) * np.log(fc / fb))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(args.rounds):
            evaluate_oracle(args.binary, rng, args.rows, workdir)
            data_oracle(args.binary, rng, args.rows, workdir)
    if failures:
        print(f"ORACLE FAILED: {len(failures)} of {checked} comparisons differ by more than {TOL}")
        for f in failures:
            print("  " + f)
        sys.exit(1)
    print(f"oracle passed: {checked} comparisons with scikit-learn / SciPy within {TOL}")


if __name__ == "__main__":
    main()
