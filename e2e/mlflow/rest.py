#!/usr/bin/env python3
"""One MLflow REST call (stdlib only); run through e2e/mlflow/rest, which sets the defaults.

    rest [--auth USER[:PASSFILE]] [--url BASE] METHOD PATH [BODY]

PATH relative (``registered-models/create``) is under BASE/api/2.0/mlflow/; PATH starting with
``/`` is taken as is (``/api/3.0/mlflow/users/permissions/grant``, ``/health``,
``/api/2.0/mlflow-artifacts/artifacts/1/<run>/artifacts/x.json``, ``/get-artifact?...``).
BODY is JSON text; for GET (and HEAD) a JSON object becomes the query string (a list value is a
repeated parameter); for other methods it is sent as the body with Content-Type application/json.
BODY ``@FILE`` (``@-``: standard input) sends the file's bytes as application/octet-stream (an
artifact upload). --auth sends HTTP Basic credentials: the password is the first line of
PASSFILE (default: $MG_MLFLOW_AUTH_DIR/USER-password) and BASE defaults to the auth instance.

Prints the response body on standard output. Exit status: 0 on 2xx; 1 on any other HTTP status
(``HTTP <status> <METHOD> <URL>`` and the body on standard error); 2 on a usage error or when the
server cannot be reached.
"""
import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

USAGE = "usage: rest [--auth USER[:PASSFILE]] [--url BASE] METHOD PATH [JSON | @FILE | @-]"


def die(msg, code=2):
    sys.stderr.write("mlflow rest: %s\n" % msg)
    sys.exit(code)


def main(argv):
    auth = None
    base = None
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt in ("--auth", "--url"):
            if not argv:
                die("%s needs a value\n%s" % (opt, USAGE))
            val = argv.pop(0)
        elif opt.startswith(("--auth=", "--url=")):
            opt, val = opt.split("=", 1)
        elif opt == "--help":
            print(__doc__)
            return 0
        else:
            die("unknown option %s\n%s" % (opt, USAGE))
        if opt == "--auth":
            auth = val
        else:
            base = val
    if len(argv) not in (2, 3):
        die(USAGE)
    method, path = argv[0].upper(), argv[1]
    body = argv[2] if len(argv) == 3 else None

    headers = {"Accept": "application/json"}
    if auth is not None:
        user, sep, passfile = auth.partition(":")
        if not user:
            die("--auth needs USER[:PASSFILE]")
        if not sep:
            passfile = os.path.join(os.environ["MG_MLFLOW_AUTH_DIR"], user + "-password")
        try:
            with open(passfile) as f:
                password = f.readline().rstrip("\r\n")
        except OSError as e:
            die("cannot read the password of %s: %s" % (user, e))
        token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        headers["Authorization"] = "Basic " + token
    if base is None:
        base = os.environ["MG_MLFLOW_AUTH_URL" if auth is not None else "MG_MLFLOW_URL"]
    base = base.rstrip("/")
    url = base + (path if path.startswith("/") else "/api/2.0/mlflow/" + path)

    data = None
    if body is not None and body.startswith("@"):
        try:
            if body == "@-":
                data = sys.stdin.buffer.read()
            else:
                with open(body[1:], "rb") as f:
                    data = f.read()
        except OSError as e:
            die("cannot read %s: %s" % (body[1:], e))
        headers["Content-Type"] = "application/octet-stream"
    elif body is not None:
        try:
            doc = json.loads(body)
        except ValueError as e:
            die("BODY is not JSON (%s): %s" % (e, body))
        if method in ("GET", "HEAD"):
            if not isinstance(doc, dict):
                die("a GET body must be a JSON object (it becomes the query string)")
            pairs = []
            for k, v in doc.items():
                for item in v if isinstance(v, list) else [v]:
                    if isinstance(item, bool):
                        item = "true" if item else "false"
                    pairs.append((k, str(item)))
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)
        else:
            data = json.dumps(doc).encode()
            headers["Content-Type"] = "application/json"

    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=float(os.environ.get("MG_MLFLOW_REST_TIMEOUT", "30"))) as resp:
            sys.stdout.buffer.write(resp.read())
            sys.stdout.flush()
            return 0
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        sys.stderr.write("HTTP %d %s %s\n%s\n" % (e.code, method, url, text.strip()))
        return 1
    except (urllib.error.URLError, OSError) as e:
        die("%s %s: %s (is it up? e2e/mlflow/up%s)" % (method, url, getattr(e, "reason", e),
                                                      " --auth" if auth is not None else ""))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
