#!/usr/bin/env python3
"""Writes the datasets of e2e/candidate_test.sh into the directory given as argv[1].

Deterministic (fixed seeds), small (a few hundred rows each) and plain CSV / JSON Lines, so a
reader can open them and see why each scenario ends the way it does.
"""
import json
import math
import os
import random
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


def training_rows(seed, null_share):
    rnd = random.Random(seed)
    lines = ["transaction_amount,account_age_days,platform,label"]
    for i in range(400):
        amount = "" if rnd.random() < null_share else f"{rnd.uniform(1, 500):.2f}"
        lines.append(f"{amount},{rnd.randint(0, 2000)},{rnd.choice(['mobile', 'desktop', 'tablet'])},{i % 2}")
    return "\n".join(lines) + "\n"


# Gate 1: clean training data, and the same with 30 % of the amounts missing.
write("train.csv", training_rows(1, 0.0))
write("train_nulls.csv", training_rows(2, 0.3))


def training_log(nan_at=None):
    lines = []
    for step in range(60):
        loss = 0.2 + 0.5 * math.exp(-step / 8.0)
        value = "NaN" if step == nan_at else f"{loss:.6f}"
        lines.append(f'{{"step": {step}, "loss": {value}, "grad_norm": {2.0 + math.sin(step):.4f}}}')
    lines.append('{"metrics": {"auc_roc": 0.87}}')
    return "\n".join(lines) + "\n"


# Gate 2: a converging log, and one whose loss is NaN at step 30.
write("train_log.jsonl", training_log())
write("train_log_nan.jsonl", training_log(nan_at=30))


def score(rnd, label, quality):
    """A score whose AUC grows with quality (0 = random, 1 = well separated)."""
    return min(1.0, max(0.0, rnd.gauss(0.5 + (label - 0.5) * quality, 0.2)))


def predictions(seed, rows, challenger_quality, champion_quality=None):
    """rows: [(platform, count)]; quality per platform from the dicts."""
    rnd = random.Random(seed)
    header = "platform,label,score" + (",champion_score" if champion_quality else "")
    lines = [header]
    for platform, count in rows:
        for i in range(count):
            label = i % 2
            line = f"{platform},{label},{score(rnd, label, challenger_quality[platform]):.5f}"
            if champion_quality:
                line += f",{score(rnd, label, champion_quality[platform]):.5f}"
            lines.append(line)
    return "\n".join(lines) + "\n"


mix = [("desktop", 500), ("mobile", 200)]
# Gate 3, scenario (a): a good challenger, a bit better than the champion everywhere.
write("eval_good.csv", predictions(3, mix, {"desktop": 0.7, "mobile": 0.7}, {"desktop": 0.6, "mobile": 0.6}))
# Scenario (d): better globally (desktop is most of the traffic) but much worse on mobile.
write("eval_slice_regression.csv",
      predictions(4, mix, {"desktop": 0.9, "mobile": 0.2}, {"desktop": 0.3, "mobile": 0.8}))
# Scenario (e): no champion score column; the champion's recorded metrics are the baseline.
write("eval_champion.csv", predictions(5, mix, {"desktop": 0.8, "mobile": 0.8}))
write("eval_challenger_worse.csv", predictions(6, mix, {"desktop": 0.5, "mobile": 0.5}))
