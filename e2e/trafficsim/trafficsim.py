#!/usr/bin/env python3
"""Traffic simulator: the e2e data plane for gate 4 (Python 3 standard library only).

No real pods serve under kwok, so this process plays the part of the gateway and the model servers:

* it follows the weights of a REAL route object read from the API server every --poll-interval
  seconds: a Gateway API HTTPRoute (spec.rules[i].backendRefs[].{name,weight} and RequestMirror
  filters with `percent` / `fraction`) or an Istio VirtualService (http[i].route[].{destination.host,
  weight}, `mirror` + `mirrorPercentage.value`, `mirrors[]`);
* backend / host names map to variants (`<svc>` -> champion, `<svc>-canary` -> canary,
  `<svc>-shadow` -> shadow by default; --champion-backend/--canary-backend/--shadow-backend/--map);
* it simulates --rate requests per second split by those weights (a deterministic fractional
  split, no randomness), plus the mirrored share for the mirror target;
* every simulated request is counted in Prometheus text metrics on a loopback port:
    http_requests_total{namespace,model,variant,code}          counter (code "200" or "500")
    http_request_errors_total{namespace,model,variant}          counter
    http_request_duration_seconds_bucket/_sum/_count{...,le}    histogram
  A variant's series appear with its first request (its code="500" series is created at 0 at the
  same time, so an error-ratio query has a numerator); a variant at weight 0 gets no new requests,
  so its counters stay flat: rate() is 0, and a variant that never had traffic has no series.
* errors are deterministic: with error rate r, a per-variant accumulator marks a request as an
  error each time it crosses 1 (r = 0.2 -> exactly every 5th request). Latencies come from a
  seeded RNG per variant (--seed), so runs are repeatable.

Control endpoint on the same port:
  GET    /metrics            Prometheus text format
  GET    /state              JSON: route read status, weights, mirror, expected and observed
                             per-variant rates, totals, faults
  GET    /healthz            "ok"
  GET    /faults             the fault table
  POST   /faults             {"variant":"canary","error_rate":0.2,"latency_ms":300,
                              "latency_factor":1.0}  (variant may be "*"; fields optional;
                             error_rate replaces the base error rate, latency_ms is added and
                             latency_factor multiplies the simulated latency)
  DELETE /faults[?variant=canary]
  POST   /config             {"rate": 0}  changes the total request rate at runtime
  GET    /drift              the drift gauges set: {"feature": psi, ...}
  POST   /drift              {"feature":"transaction_amount","psi":0.35} (or a list of them):
                             sets modelgate_feature_drift_psi{namespace,model,feature}, a gauge
                             the drift alert (e2e/prometheus/rules/drift.yml) watches
  DELETE /drift[?feature=F]  removes that feature's gauge (all without ?feature)
"""

import argparse
import base64
import bisect
import collections
import http.client
import ipaddress
import json
import os
import random
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VARIANTS = ("champion", "canary", "shadow")
DEFAULT_BUCKETS = "0.005,0.01,0.025,0.05,0.075,0.1,0.15,0.2,0.25,0.3,0.4,0.5,0.75,1,1.5,2.5,5,10"


def log(msg):
    ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z"
    print(f"{ts} trafficsim: {msg}", file=sys.stderr, flush=True)


def is_loopback(host):
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ------------------------------------------------------------------------------------------------
# Reading the route from the API server
# ------------------------------------------------------------------------------------------------

KINDS = {
    "httproute": ("gateway.networking.k8s.io", "httproutes", "HTTPRoute"),
    "httproutes": ("gateway.networking.k8s.io", "httproutes", "HTTPRoute"),
    "virtualservice": ("networking.istio.io", "virtualservices", "VirtualService"),
    "virtualservices": ("networking.istio.io", "virtualservices", "VirtualService"),
    "vs": ("networking.istio.io", "virtualservices", "VirtualService"),
}
DEFAULT_VERSIONS = {"HTTPRoute": "v1", "VirtualService": "v1"}


class NotFound(Exception):
    pass


class HttpsReader:
    """GETs the route over HTTPS with the kubeconfig's credentials (client cert, token, CA)."""

    def __init__(self, kubectl, kubeconfig, path):
        self.path = path
        cmd = [kubectl, "config", "view", "--minify", "--raw", "-o", "json"]
        if kubeconfig:
            cmd.insert(1, f"--kubeconfig={kubeconfig}")
        cfg = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        cluster = cfg["clusters"][0]["cluster"]
        user = (cfg.get("users") or [{}])[0].get("user", {})
        url = urllib.parse.urlsplit(cluster["server"])
        if url.scheme != "https":
            raise SystemExit(f"API server {cluster['server']}: only https is supported")
        if not is_loopback(url.hostname or ""):
            raise SystemExit(f"API server {cluster['server']} is not a loopback address")
        self.host, self.port = url.hostname, url.port or 443
        self.prefix = url.path.rstrip("/")
        self.tmp = tempfile.mkdtemp(prefix="trafficsim-")
        os.chmod(self.tmp, 0o700)

        def material(key):  # a file path, or inline base64 data written to a private file
            if user.get(key + "-data") or cluster.get(key + "-data"):
                data = base64.b64decode(user.get(key + "-data") or cluster.get(key + "-data"))
                p = os.path.join(self.tmp, key)
                with open(os.open(p, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
                    f.write(data)
                return p
            return user.get(key) or cluster.get(key)

        ctx = ssl.create_default_context(cafile=material("certificate-authority"))
        if cluster.get("insecure-skip-tls-verify"):
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        cert, key = material("client-certificate"), material("client-key")
        if cert and key:
            ctx.load_cert_chain(cert, key)
        self.ctx = ctx
        self.headers = {"Accept": "application/json", "User-Agent": "modelgate-trafficsim"}
        if user.get("token"):
            self.headers["Authorization"] = "Bearer " + user["token"]
        self.conn = None

    def get(self):
        for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                                            timeout=3)
                self.conn.request("GET", self.prefix + self.path, headers=self.headers)
                resp = self.conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
                continue
            if resp.status == 404:
                raise NotFound(self.path)
            if resp.status != 200:
                raise RuntimeError(f"GET {self.path}: HTTP {resp.status}: {body[:200]!r}")
            return json.loads(body)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def cleanup(self):
        self.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class KubectlReader:
    """Runs `kubectl get -o json` for every read (slower; --reader=kubectl)."""

    def __init__(self, kubectl, kubeconfig, resource, namespace, name):
        self.cmd = [kubectl, "-n", namespace, "get", resource, name, "-o", "json",
                    "--request-timeout=3s"]
        if kubeconfig:
            self.cmd.insert(1, f"--kubeconfig={kubeconfig}")

    def get(self):
        r = subprocess.run(self.cmd, capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            if "NotFound" in r.stderr or "not found" in r.stderr:
                raise NotFound(r.stderr.strip())
            raise RuntimeError(r.stderr.strip())
        return json.loads(r.stdout)

    def cleanup(self):
        pass


def _percent_of_mirror(rm):
    """RequestMirror: `percent`, or `fraction` {numerator, denominator=100}; neither -> 100 %."""
    if rm.get("percent") is not None:
        return float(rm["percent"])
    frac = rm.get("fraction")
    if frac:
        den = float(frac.get("denominator", 100) or 100)
        return 100.0 * float(frac.get("numerator", 0)) / den
    return 100.0


def parse_httproute(obj, rule_index):
    """-> (backends [(name, weight)], mirrors [(name, percent, scope backend or None)])."""
    rules = (obj.get("spec") or {}).get("rules") or []
    if rule_index >= len(rules):
        return [], []
    rule = rules[rule_index]
    backends, mirrors = [], []
    for br in rule.get("backendRefs") or []:
        weight = br.get("weight", 1)  # Gateway API default weight is 1
        backends.append((br["name"], int(weight if weight is not None else 1)))
        for f in br.get("filters") or []:  # a per-backend mirror applies to that backend's share
            if f.get("type") == "RequestMirror" and f.get("requestMirror"):
                rm = f["requestMirror"]
                mirrors.append((rm["backendRef"]["name"], _percent_of_mirror(rm), br["name"]))
    for f in rule.get("filters") or []:
        if f.get("type") == "RequestMirror" and f.get("requestMirror"):
            rm = f["requestMirror"]
            mirrors.append((rm["backendRef"]["name"], _percent_of_mirror(rm), None))
    return backends, mirrors


def _host_name(host):
    """`svc`, `svc.ns`, `svc.ns.svc.cluster.local` -> `svc`."""
    return host.split(".")[0]


def parse_virtualservice(obj, rule_index):
    routes = (obj.get("spec") or {}).get("http") or []
    if rule_index >= len(routes):
        return [], []
    h = routes[rule_index]
    dests = h.get("route") or []
    backends = []
    for d in dests:
        w = d.get("weight")
        if len(dests) == 1 and not w:
            w = 100  # Istio: a single destination takes all traffic
        backends.append((_host_name(d["destination"]["host"]), int(w or 0)))
    mirrors = []
    if h.get("mirror"):
        pct = (h.get("mirrorPercentage") or {}).get("value")
        if pct is None and h.get("mirrorPercent") is not None:  # deprecated field
            pct = h["mirrorPercent"]
        mirrors.append((_host_name(h["mirror"]["host"]), 100.0 if pct is None else float(pct), None))
    for m in h.get("mirrors") or []:
        pct = (m.get("percentage") or {}).get("value")
        mirrors.append((_host_name(m["destination"]["host"]), 100.0 if pct is None else float(pct),
                        None))
    return backends, mirrors


# ------------------------------------------------------------------------------------------------
# The simulation
# ------------------------------------------------------------------------------------------------

class VariantStats:
    def __init__(self, name, seed, nbuckets):
        self.name = name
        self.rng = random.Random(f"{seed}:{name}")  # str seeds are stable across processes
        self.ok = 0
        self.errors = 0
        self.buckets = [0] * nbuckets  # non-cumulative; +Inf is the count
        self.sum = 0.0
        self.err_acc = 0.0
        self.route_acc = 0.0   # fractional requests carried between ticks (primary traffic)
        self.mirror_acc = 0.0  # fractional mirrored requests carried between ticks

    @property
    def count(self):
        return self.ok + self.errors


class Simulator:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.rate = args.rate
        self.bounds = [float(b) for b in args.buckets.split(",")]
        self.stats = {}  # variant -> VariantStats, created with the first request
        self.mapping = {args.champion_backend: "champion", args.canary_backend: "canary",
                        args.shadow_backend: "shadow"}
        for m in args.map or []:
            name, _, variant = m.partition("=")
            self.mapping[name] = variant
        self.base_error = {"champion": args.champion_error_rate, "canary": args.canary_error_rate,
                           "shadow": args.shadow_error_rate}
        self.faults = {}  # variant or "*" -> dict
        self.drift = {}  # feature -> PSI, exported as modelgate_feature_drift_psi
        # route view
        self.backends = []  # [(name, weight)]
        self.mirrors = []   # [(name, percent, scope)]
        self.route_found = False
        self.route_error = None
        self.route_reads = 0
        self.route_read_errors = 0
        self.route_version = None
        self.route_generation = None
        self.last_read = None
        self.last_change = None
        self.unmapped_acc = collections.defaultdict(float)
        self.history = collections.deque()  # (monotonic time, {variant: (count, errors)})
        self.started = time.monotonic()

    # --- route -----------------------------------------------------------------------------------
    def set_route(self, backends, mirrors, found, version=None, generation=None):
        with self.lock:
            changed = (backends, mirrors, found) != (self.backends, self.mirrors, self.route_found)
            self.backends, self.mirrors, self.route_found = backends, mirrors, found
            self.route_version, self.route_generation = version, generation
            self.route_reads += 1
            self.route_error = None
            self.last_read = time.time()
            if changed:
                self.last_change = time.time()
        if changed:
            log(f"route {'found' if found else 'NOT FOUND'}: weights={self.weights_view()} "
                f"mirrors={self.mirrors_view()} resourceVersion={version}")

    def route_failed(self, err):
        with self.lock:
            self.route_read_errors += 1
            first = self.route_error is None
            self.route_error = str(err)
            self.last_read = time.time()
        if first:
            log(f"reading the route failed (keeping the last weights): {err}")

    def variant_of(self, name):
        return self.mapping.get(name)

    def weights_view(self):
        out = {}
        for name, w in self.backends:
            v = self.variant_of(name) or f"unmapped:{name}"
            out[v] = out.get(v, 0) + w
        return out

    def mirrors_view(self):
        return [{"backend": n, "variant": self.variant_of(n), "percent": p,
                 **({"of": s} if s else {})} for n, p, s in self.mirrors]

    # --- requests --------------------------------------------------------------------------------
    def _stats(self, variant):
        s = self.stats.get(variant)
        if s is None:
            s = self.stats[variant] = VariantStats(variant, self.args.seed, len(self.bounds))
        return s

    def _fault(self, variant):
        f = dict(self.faults.get("*", {}))
        f.update(self.faults.get(variant, {}))
        return f

    def _serve(self, variant, n):
        """Simulates n requests to variant (with the lock held)."""
        if n <= 0:
            return
        s = self._stats(variant)
        fault = self._fault(variant)
        err_rate = fault.get("error_rate", self.base_error.get(variant, 0.0))
        extra_ms = fault.get("latency_ms", 0.0)
        factor = fault.get("latency_factor", 1.0)
        base, jitter = self.args.latency_ms, self.args.jitter_ms
        for _ in range(n):
            s.err_acc += err_rate
            if s.err_acc >= 1.0 - 1e-9:
                s.err_acc -= 1.0
                s.errors += 1
            else:
                s.ok += 1
            ms = base + (s.rng.expovariate(1.0 / jitter) if jitter > 0 else 0.0)
            secs = (ms * factor + extra_ms) / 1000.0
            s.sum += secs
            i = bisect.bisect_left(self.bounds, secs)
            if i < len(self.bounds):
                s.buckets[i] += 1

    def tick(self, dt):
        with self.lock:
            total_w = sum(w for _, w in self.backends)
            due = self.rate * dt if self.route_found and total_w > 0 else 0.0
            served = {}  # backend name -> requests this tick
            for name, w in self.backends:
                share = due * w / total_w if total_w else 0.0
                variant = self.variant_of(name)
                if variant is None:
                    self.unmapped_acc[name] += share
                    n = int(self.unmapped_acc[name])
                    self.unmapped_acc[name] -= n
                else:
                    s = self._stats(variant) if share > 0 else self.stats.get(variant)
                    if s is None:
                        continue
                    s.route_acc += share
                    n = int(s.route_acc + 1e-9)
                    s.route_acc -= n
                    self._serve(variant, n)
                served[name] = served.get(name, 0) + n
            all_served = sum(served.values())
            for name, pct, scope in self.mirrors:
                variant = self.variant_of(name)
                base = served.get(scope, 0) if scope else all_served
                if variant is None or base == 0 or pct <= 0:
                    continue
                s = self._stats(variant)
                s.mirror_acc += base * pct / 100.0
                n = int(s.mirror_acc + 1e-9)
                s.mirror_acc -= n
                self._serve(variant, n)
            now = time.monotonic()
            self.history.append((now, {v: (s.count, s.errors) for v, s in self.stats.items()}))
            while self.history and now - self.history[0][0] > self.args.rate_window + 1:
                self.history.popleft()

    # --- views -----------------------------------------------------------------------------------
    def observed_rates(self):
        """Requests/s and error ratio per variant over the last --rate-window seconds."""
        if len(self.history) < 2:
            return {}
        t1, last = self.history[-1]
        t0, first = self.history[0]
        for t, snap in self.history:
            if t1 - t <= self.args.rate_window:
                t0, first = t, snap
                break
        span = max(t1 - t0, 1e-6)
        out = {}
        for v, (c1, e1) in last.items():
            c0, e0 = first.get(v, (0, 0))
            dc, de = c1 - c0, e1 - e0
            out[v] = {"requests_per_second": round(dc / span, 3),
                      "errors_per_second": round(de / span, 3),
                      "error_ratio": round(de / dc, 6) if dc else None}
        return out

    def state(self):
        with self.lock:
            total_w = sum(w for _, w in self.backends)
            expected = {}
            if self.route_found and total_w > 0:
                for name, w in self.backends:
                    v = self.variant_of(name) or f"unmapped:{name}"
                    expected[v] = expected.get(v, 0.0) + self.rate * w / total_w
                base_all = self.rate
                for name, pct, scope in self.mirrors:
                    v = self.variant_of(name) or f"unmapped:{name}"
                    base = (self.rate * dict(self.backends).get(scope, 0) / total_w) if scope \
                        else base_all
                    expected[v] = expected.get(v, 0.0) + base * pct / 100.0
            return {
                "namespace": self.args.namespace, "model": self.args.model,
                "route": {"kind": self.args.kind, "name": self.args.name,
                          "found": self.route_found, "resourceVersion": self.route_version,
                          "generation": self.route_generation, "reads": self.route_reads,
                          "readErrors": self.route_read_errors, "error": self.route_error,
                          "lastRead": self.last_read, "lastChange": self.last_change},
                "backends": [{"name": n, "weight": w, "variant": self.variant_of(n)}
                             for n, w in self.backends],
                "weights": self.weights_view(),
                "mirrors": self.mirrors_view(),
                "rate": self.rate,
                "expectedRates": {k: round(v, 3) for k, v in expected.items()},
                "observedRates": self.observed_rates(),
                "totals": {v: {"requests": s.count, "errors": s.errors}
                           for v, s in self.stats.items()},
                "faults": self.faults,
                "drift": self.drift,
                "mapping": self.mapping,
                "uptimeSeconds": round(time.monotonic() - self.started, 3),
            }

    def metrics(self):
        ns, model = self.args.namespace, self.args.model

        def lbl(variant, **extra):
            parts = [f'namespace="{esc(ns)}"', f'model="{esc(model)}"', f'variant="{esc(variant)}"']
            parts += [f'{k}="{esc(v)}"' for k, v in extra.items()]
            return "{" + ",".join(parts) + "}"

        out = []
        with self.lock:
            stats = sorted(self.stats.items())
            out.append("# HELP http_requests_total Simulated requests served, by variant and code.")
            out.append("# TYPE http_requests_total counter")
            for v, s in stats:
                out.append(f"http_requests_total{lbl(v, code='200')} {s.ok}")
                out.append(f"http_requests_total{lbl(v, code='500')} {s.errors}")
            out.append("# HELP http_request_errors_total Simulated requests that failed (5xx).")
            out.append("# TYPE http_request_errors_total counter")
            for v, s in stats:
                out.append(f"http_request_errors_total{lbl(v)} {s.errors}")
            out.append("# HELP http_request_duration_seconds Simulated request latency.")
            out.append("# TYPE http_request_duration_seconds histogram")
            for v, s in stats:
                cum = 0
                for b, c in zip(self.bounds, s.buckets):
                    cum += c
                    out.append(f"http_request_duration_seconds_bucket{lbl(v, le=fmt(b))} {cum}")
                out.append(f"http_request_duration_seconds_bucket{lbl(v, le='+Inf')} {s.count}")
                out.append(f"http_request_duration_seconds_sum{lbl(v)} {repr(s.sum)}")
                out.append(f"http_request_duration_seconds_count{lbl(v)} {s.count}")
            out.append("# HELP trafficsim_route_weight Weight of the variant in the followed route.")
            out.append("# TYPE trafficsim_route_weight gauge")
            for v, w in sorted(self.weights_view().items()):
                out.append(f"trafficsim_route_weight{lbl(v)} {w}")
            out.append("# HELP trafficsim_mirror_percent Mirrored percentage to the variant.")
            out.append("# TYPE trafficsim_mirror_percent gauge")
            for m in self.mirrors_view():
                out.append(f"trafficsim_mirror_percent{lbl(m['variant'] or m['backend'])} "
                           f"{m['percent']}")
            lb = f'{{namespace="{esc(ns)}",model="{esc(model)}"}}'
            out.append("# TYPE trafficsim_route_reads_total counter")
            out.append(f"trafficsim_route_reads_total{lb} {self.route_reads}")
            out.append("# TYPE trafficsim_route_read_errors_total counter")
            out.append(f"trafficsim_route_read_errors_total{lb} {self.route_read_errors}")
            out.append("# TYPE trafficsim_request_rate gauge")
            out.append(f"trafficsim_request_rate{lb} {self.rate}")
            if self.drift:
                out.append("# HELP modelgate_feature_drift_psi Population stability index of a "
                           "feature (set with POST /drift).")
                out.append("# TYPE modelgate_feature_drift_psi gauge")
                for feature, psi in sorted(self.drift.items()):
                    out.append(f'modelgate_feature_drift_psi{{namespace="{esc(ns)}",'
                               f'model="{esc(model)}",feature="{esc(feature)}"}} {repr(psi)}')
        return "\n".join(out) + "\n"


def esc(v):
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def fmt(b):
    return repr(float(b))


# ------------------------------------------------------------------------------------------------
# Threads and the HTTP control endpoint
# ------------------------------------------------------------------------------------------------

def poll_route(sim, reader, parse, args, stop):
    while not stop.is_set():
        try:
            obj = reader.get()
            backends, mirrors = parse(obj, args.rule_index)
            md = obj.get("metadata") or {}
            sim.set_route(backends, mirrors, True, md.get("resourceVersion"), md.get("generation"))
        except NotFound:
            sim.set_route([], [], False)
        except Exception as e:  # noqa: BLE001 - any read failure keeps the last weights
            sim.route_failed(e)
        stop.wait(args.poll_interval)


def run_ticks(sim, args, stop):
    last = time.monotonic()
    while not stop.wait(args.tick):
        now = time.monotonic()
        sim.tick(now - last)
        last = now


def make_handler(sim):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt_, *a):  # quiet: Prometheus scrapes every second
            pass

        def reply(self, code, body, ctype="application/json"):
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body, indent=1, sort_keys=True) + "\n"
            if isinstance(body, str):
                body = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body_json(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            return json.loads(raw or b"{}")

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            if path == "/metrics":
                self.reply(200, sim.metrics(), "text/plain; version=0.0.4; charset=utf-8")
            elif path == "/state":
                self.reply(200, sim.state())
            elif path == "/faults":
                with sim.lock:
                    self.reply(200, dict(sim.faults))
            elif path == "/drift":
                with sim.lock:
                    self.reply(200, dict(sim.drift))
            elif path == "/healthz":
                self.reply(200, "ok\n", "text/plain")
            else:
                self.reply(404, {"error": f"no such path {path}"})

        def do_POST(self):
            path = urllib.parse.urlsplit(self.path).path
            try:
                body = self.body_json()
            except ValueError as e:
                return self.reply(400, {"error": f"invalid JSON: {e}"})
            if path == "/faults":
                items = body if isinstance(body, list) else [body]
                try:
                    parsed = [parse_fault(f) for f in items]
                except ValueError as e:
                    return self.reply(400, {"error": str(e)})
                with sim.lock:
                    for variant, fault in parsed:
                        sim.faults.setdefault(variant, {}).update(fault)
                    faults = json.loads(json.dumps(sim.faults))
                log(f"faults set: {faults}")
                self.reply(200, faults)
            elif path == "/config":
                try:
                    rate = float(body["rate"])
                    if rate < 0:
                        raise ValueError("rate must be >= 0")
                except (KeyError, TypeError, ValueError) as e:
                    return self.reply(400, {"error": f"expected {{\"rate\": N >= 0}}: {e}"})
                with sim.lock:
                    sim.rate = rate
                log(f"rate set to {rate} req/s")
                self.reply(200, {"rate": rate})
            elif path == "/drift":
                items = body if isinstance(body, list) else [body]
                try:
                    parsed = [parse_drift(d) for d in items]
                except ValueError as e:
                    return self.reply(400, {"error": str(e)})
                with sim.lock:
                    sim.drift.update(parsed)
                    drift = dict(sim.drift)
                log(f"drift set: {drift}")
                self.reply(200, drift)
            else:
                self.reply(404, {"error": f"no such path {path}"})

        def do_DELETE(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/drift":
                feature = urllib.parse.parse_qs(url.query).get("feature", [None])[0]
                with sim.lock:
                    if feature:
                        sim.drift.pop(feature, None)
                    else:
                        sim.drift.clear()
                    drift = dict(sim.drift)
                log(f"drift cleared ({feature or 'all'}): {drift}")
                return self.reply(200, drift)
            if url.path != "/faults":
                return self.reply(404, {"error": f"no such path {url.path}"})
            variant = urllib.parse.parse_qs(url.query).get("variant", [None])[0]
            with sim.lock:
                if variant:
                    sim.faults.pop(variant, None)
                else:
                    sim.faults.clear()
                faults = json.loads(json.dumps(sim.faults))
            log(f"faults cleared ({variant or 'all'}): {faults}")
            self.reply(200, faults)

    return Handler


def parse_fault(f):
    if not isinstance(f, dict):
        raise ValueError("a fault is a JSON object")
    variant = f.get("variant")
    if variant not in VARIANTS + ("*",):
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)} or *, got {variant!r}")
    out = {}
    if "error_rate" in f:
        r = float(f["error_rate"])
        if not 0.0 <= r <= 1.0:
            raise ValueError("error_rate must be within [0, 1]")
        out["error_rate"] = r
    if "latency_ms" in f:
        ms = float(f["latency_ms"])
        if ms < 0:
            raise ValueError("latency_ms must be >= 0")
        out["latency_ms"] = ms
    if "latency_factor" in f:
        k = float(f["latency_factor"])
        if k <= 0:
            raise ValueError("latency_factor must be > 0")
        out["latency_factor"] = k
    unknown = set(f) - {"variant", "error_rate", "latency_ms", "latency_factor"}
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    return variant, out


def parse_drift(d):
    if not isinstance(d, dict):
        raise ValueError("a drift value is a JSON object")
    unknown = set(d) - {"feature", "psi"}
    if unknown:
        raise ValueError(f"unknown drift fields: {', '.join(sorted(unknown))}")
    feature = d.get("feature")
    if not isinstance(feature, str) or not feature:
        raise ValueError("feature must be a non-empty string")
    try:
        psi = float(d["psi"])
    except (KeyError, TypeError, ValueError):
        raise ValueError('expected {"feature": "NAME", "psi": N >= 0}') from None
    if not psi >= 0 or psi == float("inf"):
        raise ValueError("psi must be a finite number >= 0")
    return feature, psi


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--namespace", required=True, help="namespace of the route (and metric label)")
    p.add_argument("--route", required=True,
                   help="KIND/NAME: httproute/NAME or virtualservice/NAME (alias vs/NAME)")
    p.add_argument("--model", help="value of the `model` label (default: the route's name)")
    p.add_argument("--service", help="base service name for the default backend mapping "
                   "(default: the route's name)")
    p.add_argument("--champion-backend", help="backend/host of the champion (default: SERVICE)")
    p.add_argument("--canary-backend", help="backend/host of the canary (default: SERVICE-canary)")
    p.add_argument("--shadow-backend", help="backend/host of the shadow (default: SERVICE-shadow)")
    p.add_argument("--map", action="append", metavar="BACKEND=VARIANT",
                   help="extra backend -> variant mapping (repeatable)")
    p.add_argument("--rule-index", type=int, default=0, help="which rule / http route to follow")
    p.add_argument("--api-version", help="API version of the route (default v1)")
    p.add_argument("--port", type=int, required=True, help="loopback port (0: any)")
    p.add_argument("--listen", default="127.0.0.1", help="loopback address to listen on")
    p.add_argument("--rate", type=float, default=200.0, help="total requests per second")
    p.add_argument("--tick", type=float, default=0.05, help="simulation tick in seconds")
    p.add_argument("--poll-interval", type=float, default=0.5, help="route read period (s)")
    p.add_argument("--reader", choices=("https", "kubectl"), default="https",
                   help="read the route over HTTPS with the kubeconfig's credentials, or with "
                   "`kubectl get` every poll")
    p.add_argument("--kubeconfig", default=os.environ.get("KUBECONFIG"))
    p.add_argument("--kubectl", default="kubectl")
    p.add_argument("--seed", default="1", help="seed of the latency RNGs")
    p.add_argument("--latency-ms", type=float, default=40.0, help="base latency of every variant")
    p.add_argument("--jitter-ms", type=float, default=10.0,
                   help="mean of the exponential jitter added to the base latency")
    p.add_argument("--champion-error-rate", type=float, default=0.0)
    p.add_argument("--canary-error-rate", type=float, default=0.0)
    p.add_argument("--shadow-error-rate", type=float, default=0.0)
    p.add_argument("--buckets", default=DEFAULT_BUCKETS, help="histogram bounds in seconds")
    p.add_argument("--rate-window", type=float, default=2.0,
                   help="window of the observed rates in /state (s)")
    args = p.parse_args()

    kind, _, name = args.route.partition("/")
    if kind.lower() not in KINDS or not name:
        p.error(f"--route must be httproute/NAME or virtualservice/NAME, got {args.route!r}")
    group, plural, args.kind = KINDS[kind.lower()]
    args.name = name
    args.model = args.model or name
    svc = args.service or name
    args.champion_backend = args.champion_backend or svc
    args.canary_backend = args.canary_backend or f"{svc}-canary"
    args.shadow_backend = args.shadow_backend or f"{svc}-shadow"
    if not is_loopback(args.listen):
        p.error(f"--listen {args.listen} is not a loopback address")
    version = args.api_version or DEFAULT_VERSIONS[args.kind]

    if args.reader == "https":
        reader = HttpsReader(args.kubectl, args.kubeconfig,
                             f"/apis/{group}/{version}/namespaces/{args.namespace}/{plural}/{name}")
    else:
        reader = KubectlReader(args.kubectl, args.kubeconfig, f"{plural}.{version}.{group}",
                               args.namespace, name)
    parse = parse_httproute if args.kind == "HTTPRoute" else parse_virtualservice

    sim = Simulator(args)
    server = ThreadingHTTPServer((args.listen, args.port), make_handler(sim))
    server.daemon_threads = True
    stop = threading.Event()

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = [threading.Thread(target=poll_route, args=(sim, reader, parse, args, stop),
                                daemon=True, name="route"),
               threading.Thread(target=run_ticks, args=(sim, args, stop), daemon=True,
                                name="ticks")]
    for t in threads:
        t.start()
    log(f"listening on http://{args.listen}:{server.server_address[1]}; following "
        f"{args.kind} {args.namespace}/{name} ({args.reader}); {args.rate} req/s; mapping "
        f"{sim.mapping}")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()
        reader.cleanup()
        log("stopped")


if __name__ == "__main__":
    main()
