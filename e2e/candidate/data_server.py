#!/usr/bin/env python3
"""A tiny HTTP file server for e2e/candidate_test.sh: data_server.py DIR PORT.

GET /<file> serves DIR/<file> (a query string is ignored: ModelPipeline e2e URLs carry their data
window in it, and the log line shows it). GET /slow/<file> serves it line by line over about
SLOW_SECONDS (default 8) seconds, so a test can kill the operator while a gate is reading it.
Each request is logged to stderr (the test waits on the log).
"""
import http.server
import os
import sys
import time

root, port = sys.argv[1], int(sys.argv[2])
slow_seconds = float(os.environ.get("SLOW_SECONDS", "8"))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path_only = self.path.split("?", 1)[0]
        slow = path_only.startswith("/slow/")
        name = path_only[len("/slow/"):] if slow else path_only.lstrip("/")
        path = os.path.join(root, os.path.basename(name))
        if not os.path.isfile(path):
            self.send_error(404, "no such file")
            return
        with open(path, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not slow:
            self.wfile.write(body)
            return
        lines = body.splitlines(keepends=True)
        pause = slow_seconds / max(1, len(lines))
        try:
            for line in lines:
                self.wfile.write(line)
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, fmt, *args):
        sys.stderr.write("request %s\n" % (fmt % args))
        sys.stderr.flush()


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
