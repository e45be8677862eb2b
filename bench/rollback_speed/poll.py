#!/usr/bin/env python3
"""One rollback-speed measurement (bench/rollback_speed/run.sh).

Polls, every 50 ms, (a) Prometheus for the canary's error ratio (the query the ModelRollout's
error-rate metric uses) until it crosses the metric's `max` -- the fault is then visible to the
operator -- and (b) the HTTPRoute until the canary backend's weight is 0. Prints
"<visible_unix> <zero_unix> <seconds>" on success, exits 1 after the deadline.
Usage: poll.py PROM_URL NAMESPACE ROUTE QUERY MAX DEADLINE_S
"""
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def prom_value(url, query):
    try:
        with urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode({"query": query}), timeout=2) as r:
            result = json.load(r)["data"]["result"]
        return float(result[0]["value"][1]) if result else None
    except Exception:  # an unreachable or restarting Prometheus is "not visible yet"
        return None


def canary_weight(ns, route):
    out = subprocess.run(["kubectl", "-n", ns, "get", "httproute", route, "-o", "json"],
                         capture_output=True, text=True, timeout=5)
    if out.returncode != 0:
        return None
    for ref in json.loads(out.stdout)["spec"]["rules"][0].get("backendRefs", []):
        if ref["name"] == route + "-canary":
            return ref.get("weight", 1)
    return 0


def main():
    prom, ns, route, query, limit, deadline = sys.argv[1:7]
    limit, end = float(limit), time.time() + float(deadline)
    visible = zero = None
    while time.time() < end and zero is None:
        now = time.time()
        if visible is None:
            v = prom_value(prom, query)
            if v is not None and v > limit:
                visible = now
        w = canary_weight(ns, route)
        if w == 0:
            zero = time.time()
        time.sleep(0.05)
    if zero is None:
        sys.exit(1)
    # The route can reach 0 before this poller saw the error ratio in Prometheus (the operator
    # polls too); then the fault was visible no later than when the weight was seen at 0.
    visible = zero if visible is None else min(visible, zero)
    print(f"{visible:.3f} {zero:.3f} {zero - visible:.3f}")


if __name__ == "__main__":
    main()
