#!/usr/bin/env python3
"""A stand-in OTLP/HTTP receiver for bench/tracing.sh: answers 200 with an
empty (valid) protobuf response to POST /v1/traces (and /v1/metrics,
/v1/logs), decodes nothing, and counts the requests and bytes per path, so
the benchmark pays for exporting but not for a real collector, and still
shows that spans left the server. GET /stats answers the counts as JSON;
on SIGTERM or SIGINT they are printed to stdout before exiting.

Usage: sink.py PORT
"""

import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTS = {}
LOCK = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as an exporter's client expects

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        with LOCK:
            entry = COUNTS.setdefault(path, {"requests": 0, "bytes": 0})
            entry["requests"] += 1
            entry["bytes"] += len(body)
        known = path in ("/v1/traces", "/v1/metrics", "/v1/logs")
        self.send_response(200 if known else 404)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def do_GET(self):
        with LOCK:
            body = json.dumps(COUNTS).encode()
        self.send_response(200 if self.path == "/stats" else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 4318
    ThreadingHTTPServer.request_queue_size = 64
    server = ThreadingHTTPServer(("127.0.0.1", port), Sink)
    server.daemon_threads = True

    def finish(*_):
        with LOCK:
            print(json.dumps(COUNTS), flush=True)
        # shutdown() waits for serve_forever, which runs in this thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    server.serve_forever()


if __name__ == "__main__":
    main()
