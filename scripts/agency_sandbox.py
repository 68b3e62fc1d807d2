"""A demo stand-in for the linked agencies' APIs (OPM 1111, OCPB, Department of Lands, DOPA), which a
laptop cannot reach: it accepts `POST /<agency>/complaints` with the bearer secret, answers with a
reference (the same one for a repeated Idempotency-Key), and lists what it received at `GET /`. Only
`make run` and `make bench` start it; a deployment points the directory rows at the real endpoints."""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from db.credentials import DEV_AGENCY_SECRET


class Sandbox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.references: dict[str, str] = {}
        self.received: list[dict] = []

    def accept(self, agency: str, key: str, body: dict) -> str:
        with self.lock:
            if key not in self.references:
                self.references[key] = f"{agency.upper()}-{len(self.references) + 1:06d}"
                self.received.append(
                    {
                        "agency": agency,
                        "reference": self.references[key],
                        "tracking_number": body.get("tracking_number"),
                    }
                )
            return self.references[key]


def serve(host: str, port: int) -> ThreadingHTTPServer:
    sandbox = Sandbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            parts = self.path.strip("/").split("/")
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if len(parts) != 2 or parts[1] != "complaints":
                return self._answer(404, {"error": "not found"})
            if self.headers.get("Authorization") != f"Bearer {DEV_AGENCY_SECRET}":
                return self._answer(401, {"error": "bad credentials"})
            ref = sandbox.accept(parts[0], self.headers.get("Idempotency-Key", ""), json.loads(body or b"{}"))
            self._answer(201, {"reference": ref})

        def do_GET(self) -> None:  # noqa: N802
            with sandbox.lock:
                self._answer(200, {"received": sandbox.received[-200:]})

        def _answer(self, status: int, payload: dict) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    return ThreadingHTTPServer((host, port), Handler)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    serve(args.host, args.port).serve_forever()
