#!/usr/bin/env python3
"""Deterministic generator of gate-3 evaluation data with the seed's columns.

Each row is one held-out prediction of a fraud model: the features the seed's slices filter on
(platform, region, account_age_days, transaction_amount), a protected attribute, the true label,
the challenger's score, the champion's score on the same row, and the challenger's scores on a
canonical and a perturbed (typo) version of the input for the invariance test.

Only the Python standard library is used, so the sample can be regenerated anywhere:

    python3 bench/gen_data.py --rows 600 --seed 9 --out config/samples/data/eval_predictions.csv
    python3 bench/gen_data.py --rows 10000000 --out /tmp/eval_10m.csv      # benchmark input

The same (rows, seed) always gives byte-identical output.
"""
import argparse
import csv
import math
import random
import sys

PLATFORMS = [("mobile", 0.45), ("desktop", 0.40), ("tablet", 0.15)]
REGIONS = [("EU", 0.35), ("US", 0.40), ("APAC", 0.15), ("LATAM", 0.10)]
MERCHANTS = ["Acme Corp", "Smith, Jones & Co", "Globex", "Initech", 'The "Corner" Shop', "Umbrella"]


def pick(rng, weighted):
    r = rng.random()
    total = 0.0
    for value, weight in weighted:
        total += weight
        if r < total:
            return value
    return weighted[-1][0]


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def generate(rows, seed, out):
    rng = random.Random(seed)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "platform", "region", "account_age_days", "transaction_amount",
                     "merchant", "protected_attribute", "label", "score", "champion_score",
                     "canonical", "perturbed"])
    for i in range(rows):
        platform = pick(rng, PLATFORMS)
        region = pick(rng, REGIONS)
        account_age_days = int(rng.expovariate(1 / 200.0))
        transaction_amount = round(math.exp(rng.gauss(3.5, 1.1)), 2)
        merchant = MERCHANTS[rng.randrange(len(MERCHANTS))]
        protected = "female" if rng.random() < 0.5 else "male"
        # The true fraud propensity: larger amounts and young accounts are riskier.
        risk = (-2.2 + 0.9 * (math.log(transaction_amount) - 3.5)
                + (1.0 if account_age_days < 30 else 0.0)
                + (0.3 if platform == "mobile" else 0.0)
                + rng.gauss(0, 0.6))
        label = 1 if rng.random() < sigmoid(3.0 * risk + 1.5) else 0
        # The challenger sees the risk with little noise; the champion with more.
        score = sigmoid(1.6 * risk + 1.2 + rng.gauss(0, 1.1))
        champion = sigmoid(1.6 * risk + 1.2 + rng.gauss(0, 1.2))
        perturbed = min(1.0, max(0.0, score + rng.gauss(0, 0.02)))
        writer.writerow([i, platform, region, account_age_days, f"{transaction_amount:.2f}",
                         merchant, protected, label, f"{score:.6f}", f"{champion:.6f}",
                         f"{score:.6f}", f"{perturbed:.6f}"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--out", default="-", help="output CSV path, or - for stdout")
    args = parser.parse_args()
    if args.out == "-":
        generate(args.rows, args.seed, sys.stdout)
    else:
        with open(args.out, "w", newline="") as f:
            generate(args.rows, args.seed, f)


if __name__ == "__main__":
    main()
