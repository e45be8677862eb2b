#!/usr/bin/env python3
"""The pandas + scikit-learn equivalent of modelgate's gate 3 (config/eval_slices.yaml) and a gate-1
drift profile, for the benchmark. It computes the same numbers the same way (exact AUC, tie-averaged
precision@k, directional Spearman, flip rate, four-fifths ratio; PSI/KS/JS on baseline deciles) and
prints them as JSON so the runner can check both tools agree.

    python baseline_pandas.py evaluate DATA.csv
    python baseline_pandas.py parse DATA.csv
    python baseline_pandas.py drift BASELINE.csv DATA.csv
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance
from sklearn.metrics import roc_auc_score


def top_k_precision(scores, labels, k):
    order = np.sort(scores)[::-1]
    cut = order[k - 1]
    above = scores > cut
    tied = scores == cut
    return (labels[above].sum() + (k - above.sum()) * labels[tied].sum() / tied.sum()) / k


def evaluate(path):
    df = pd.read_csv(path)
    out = {"rows": len(df), "global_auc": roc_auc_score(df.label, df.score),
           "global_champion_auc": roc_auc_score(df.label, df.champion_score)}
    slices = {"mobile_users": df.platform == "mobile", "new_accounts": df.account_age_days < 30,
              "eu_region": df.region == "EU"}
    for name, mask in slices.items():
        s = df[mask]
        out[name + "_auc"] = roc_auc_score(s.label, s.score)
        if name == "new_accounts":
            out[name + "_p_at_10"] = top_k_precision(s.score.values, s.label.values, 10)
        if name == "eu_region":
            rates = (s.score >= 0.5).groupby(s.protected_attribute).mean()
            out[name + "_di"] = rates.min() / rates.max()
    out["flip_rate"] = float(((df.canonical >= 0.5) != (df.perturbed >= 0.5)).mean())
    out["spearman"] = float(stats.spearmanr(df.transaction_amount, df.score).statistic)
    return out


def parse(path):
    # The parsing share of gate 3: read the file, keep label and score, check they are finite numbers.
    df = pd.read_csv(path, usecols=["label", "score"])
    if not np.isfinite(df.label).all() or not np.isfinite(df.score).all():
        raise SystemExit("bad label or score")
    return {"rows": len(df)}


def drift(base_path, path):
    base, cur = pd.read_csv(base_path), pd.read_csv(path)
    out = {}
    for col in ["account_age_days", "transaction_amount"]:
        b, c = np.sort(base[col].dropna().values), cur[col].dropna().values
        edges = np.unique(np.quantile(b, np.arange(1, 10) / 10, method="higher"))
        bp = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1) / len(b)
        cp = np.bincount(np.searchsorted(edges, c, side="right"), minlength=len(edges) + 1) / len(c)
        fb, fc = np.maximum(bp, 1e-4), np.maximum(cp, 1e-4)
        out[col + "_psi"] = float(np.sum((fc - fb) * np.log(fc / fb)))
        out[col + "_ks"] = float(stats.ks_2samp(b, c).statistic)
        out[col + "_js"] = float(distance.jensenshannon(bp, cp, base=2) ** 2)
    for col in ["platform", "region"]:
        bp = base[col].value_counts(normalize=True)
        cp = cur[col].value_counts(normalize=True)
        keys = sorted(set(bp.index) | set(cp.index))
        b = np.array([bp.get(k, 0.0) for k in keys])
        c = np.array([cp.get(k, 0.0) for k in keys])
        out[col + "_linf"] = float(np.max(np.abs(b - c)))
    return out


if __name__ == "__main__":
    if sys.argv[1] == "evaluate":
        print(json.dumps(evaluate(sys.argv[2])))
    elif sys.argv[1] == "parse":
        print(json.dumps(parse(sys.argv[2])))
    else:
        print(json.dumps(drift(sys.argv[2], sys.argv[3])))
