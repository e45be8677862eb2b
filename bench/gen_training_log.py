#!/usr/bin/env python3
"""Deterministic sample training log for gate 2 (JSON Lines, one object per step, then final metrics).

    python3 bench/gen_training_log.py --steps 200 --out config/samples/data/training_log.jsonl
    python3 bench/gen_training_log.py --nan-at 150 --out /tmp/diverged.jsonl   # a diverged run

Python's json module writes NaN as the bare token NaN, which modelgate accepts in training logs.
"""
import argparse
import json
import math
import random


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--nan-at", type=int, default=-1, help="step from which the loss is NaN")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, "w") as f:
        for step in range(args.steps):
            loss = 0.25 + 0.45 * math.exp(-step / 30.0) + rng.gauss(0, 0.003)
            grad_norm = 0.5 + 4.0 * math.exp(-step / 40.0) + abs(rng.gauss(0, 0.05))
            if 0 <= args.nan_at <= step:
                loss = float("nan")
            f.write(json.dumps({"step": step, "loss": round(loss, 6),
                                "grad_norm": round(grad_norm, 6)}) + "\n")
        f.write(json.dumps({"metrics": {"auc_roc": 0.874, "f1": 0.61, "val_loss": 0.262}}) + "\n")


if __name__ == "__main__":
    main()
