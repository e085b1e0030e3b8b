"""The benchmark's bulk client: a connection per submission, every figure counted, and
a refused submission stops the measurement (a loopback server stands in for the hub)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench.run import concurrent_rate


class _FakeHub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, accepted: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.accepted = accepted
        self.connections = 0
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.connections += 1
        super().process_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _FakeHub

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.bodies.append(body)
        answer = json.dumps(
            {"data": {"submitObservations": {"accepted": self.server.accepted, "userErrors": []}}}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(accepted: int) -> Iterator[_FakeHub]:
    server = _FakeHub(accepted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hub() -> Iterator[_FakeHub]:
    yield from _serve(10_000)


@pytest.fixture
def refusing_hub() -> Iterator[_FakeHub]:
    yield from _serve(9_999)


def test_each_submission_goes_on_a_connection_of_its_own_and_every_figure_counts(hub):
    url = f"http://127.0.0.1:{hub.server_address[1]}/graphql"
    clients = [[b'{"n": 1}', b'{"n": 2}', b'{"n": 3}'], [b'{"n": 4}', b'{"n": 5}', b'{"n": 6}']]
    rate = concurrent_rate(url, "token", clients)
    assert sorted(hub.bodies) == sorted(body for batches in clients for body in batches)
    assert hub.connections == 6
    assert rate > 0


def test_a_submission_not_wholly_accepted_fails_the_measurement(refusing_hub):
    url = f"http://127.0.0.1:{refusing_hub.server_address[1]}/graphql"
    with pytest.raises(RuntimeError, match="bulk submission refused"):
        concurrent_rate(url, "token", [[b"{}"], [b"{}"]])
