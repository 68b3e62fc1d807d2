"""A demo stand-in for the linked agencies' APIs (OPM 1111, OCPB, Department of Lands, DOPA), which a
laptop cannot reach. It accepts `POST /<agency>/complaints` with that agency's own bearer secret
(`AGENCY_SECRET_<CODE>`, which `make run` makes per agency in var/), answers with a reference (the same
one for a repeated Idempotency-Key), and lists what it received at `GET /`. It also speaks back the way
a real agency does, signed over a timestamp and a fresh nonce with the agency's secret
(`api.agency_signing`): `POST /<agency>/report` with `{"tracking_number", "kind", "note"}` sends that
agency's callback to the app, and `POST /<agency>/transfer` with a case (`reference`, `text`, ...)
transfers it to us. Only `make run` and `make bench` start it; a deployment points the directory rows at
the real endpoints."""

from __future__ import annotations

import argparse
import json
import os
import threading
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from api.agency_signing import signed_headers


def agency_secret(agency: str) -> str | None:
    return os.environ.get(f"AGENCY_SECRET_{agency.upper()}") or None


class Sandbox:
    def __init__(self, app_url: str) -> None:
        self.app_url = app_url.rstrip("/")
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

    def send(self, agency: str, what: str, body: dict) -> tuple[int, dict]:
        """Sign `body` as `agency` and post it to the app's callback or transfer endpoint."""
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", **signed_headers(agency_secret(agency) or "", data)}
        url = f"{self.app_url}/api/agencies/{agency}/{what}"
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")


def serve(host: str, port: int, app_url: str = "http://127.0.0.1:8000") -> ThreadingHTTPServer:
    sandbox = Sandbox(app_url)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            parts = self.path.strip("/").split("/")
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if len(parts) != 2 or parts[1] not in ("complaints", "report", "transfer"):
                return self._answer(404, {"error": "not found"})
            agency, what = parts
            secret = agency_secret(agency)
            if secret is None:
                return self._answer(404, {"error": f"no secret for agency {agency} (AGENCY_SECRET_{agency.upper()})"})
            payload = json.loads(body or b"{}")
            if what == "report":
                payload.setdefault("event_id", f"{agency}-{uuid.uuid4().hex[:12]}")
                return self._answer(*sandbox.send(agency, "callbacks", payload))
            if what == "transfer":
                return self._answer(*sandbox.send(agency, "cases", payload))
            if self.headers.get("Authorization") != f"Bearer {secret}":
                return self._answer(401, {"error": "bad credentials"})
            ref = sandbox.accept(agency, self.headers.get("Idempotency-Key", ""), payload)
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
    parser.add_argument("--app-url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    serve(args.host, args.port, args.app_url).serve_forever()
