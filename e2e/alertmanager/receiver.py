#!/usr/bin/env python3
"""A tiny webhook receiver for the e2e tests (Python 3 standard library only).

Listens on a loopback port and appends one JSON line per POST to --log:
  {"time": <epoch seconds when received>, "path": "/...", "authorization": "<header or null>",
   "body": <the parsed JSON body, or the raw text when it is not JSON>}
It answers every POST with --status (200). GET /healthz answers "ok"; GET /requests returns the
lines logged so far as a JSON list.

  python3 e2e/alertmanager/receiver.py --port 20001 --log /tmp/requests.jsonl
"""

import argparse
import ipaddress
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True, help="loopback port (0: any; printed)")
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--log", required=True, help="file the requests are appended to (JSON lines)")
    p.add_argument("--status", type=int, default=200, help="HTTP status answered to POSTs")
    a = p.parse_args()
    if a.listen != "localhost" and not ipaddress.ip_address(a.listen).is_loopback:
        p.error(f"--listen {a.listen} is not a loopback address")
    lock = threading.Lock()
    seen = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def reply(self, code, body, ctype="application/json"):
            body = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/healthz":
                self.reply(200, "ok\n", "text/plain")
            elif self.path == "/requests":
                with lock:
                    self.reply(200, json.dumps(seen) + "\n")
            else:
                self.reply(404, "{}\n")

        def do_POST(self):
            received = time.time()
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            entry = {"time": received, "path": self.path,
                     "authorization": self.headers.get("Authorization"), "body": body}
            with lock:
                seen.append(entry)
                with open(a.log, "a") as f:
                    f.write(json.dumps(entry, sort_keys=True) + "\n")
            self.reply(a.status, "{}\n")

    server = ThreadingHTTPServer((a.listen, a.port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
    print(f"receiver: listening on http://{a.listen}:{server.server_address[1]}, logging to "
          f"{a.log}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
