"""Shared fixtures: the shipped graph loaded once, and a scratch copy to break."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from kqgraph import store
from kqgraph.query import prologue


@pytest.fixture(scope="session")
def loaded() -> store.Loaded:
    return store.open_store()


@pytest.fixture(scope="session")
def select(loaded: store.Loaded):
    """Run a SELECT with the project's prefixes; rows as dicts of plain strings."""

    def run(query: str) -> list[dict[str, str]]:
        result = loaded.store.query(prologue() + query, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [
            {name: row[name].value for name in names if row[name] is not None}
            for row in result
        ]

    return run


@pytest.fixture(scope="session")
def ask(loaded: store.Loaded):
    """Run an ASK with the project's prefixes."""

    def run(query: str) -> bool:
        return bool(loaded.store.query(prologue() + query, use_default_graph_as_union=True))

    return run


@pytest.fixture
def graph_copy(tmp_path: Path) -> Path:
    """A copy of the shipped graph that a test may edit."""
    target = tmp_path / "graph"
    shutil.copytree(store.graph_dir(), target)
    return target


class _Endpoint(http.server.BaseHTTPRequestHandler):
    """A tiny SPARQL endpoint: records every request, answers one fixed binding."""

    requests: list[str]
    body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": "from the endpoint"}}]}}).encode()

    def _answer(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def endpoint():
    """A local HTTP server on 127.0.0.1 that counts the requests it receives."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
