"""Shared fixtures: the shipped graph loaded once, and a scratch copy to break."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from kqgraph.engine import LocalEngine
from kqgraph.files import graph_dir


@pytest.fixture(scope="session")
def engine() -> LocalEngine:
    """The shipped graph, opened once."""
    return LocalEngine.open()


@pytest.fixture(scope="session")
def select(engine: LocalEngine):
    """Run a SELECT with the project's prefixes; rows as dicts of plain strings."""

    def run(query: str) -> list[dict[str, str]]:
        return [{name: term.value for name, term in row.items()}
                for row in engine.query(query).rows]

    return run


@pytest.fixture(scope="session")
def ask(engine: LocalEngine):
    """Run an ASK with the project's prefixes."""

    def run(query: str) -> bool:
        return bool(engine.query(query).boolean)

    return run


@pytest.fixture
def graph_copy(tmp_path: Path) -> Path:
    """A copy of the shipped graph that a test may edit."""
    target = tmp_path / "graph"
    shutil.copytree(graph_dir(), target)
    return target


class _Endpoint(http.server.BaseHTTPRequestHandler):
    """A tiny SPARQL endpoint: records every request, answers one fixed binding."""

    requests: list[str]
    body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": "from the endpoint"}}]}}).encode()

    def _answer(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.server.headers.append(dict(self.headers))  # type: ignore[attr-defined]
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
    server.headers = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (its own browser download is not used
    here). .ci/run installs the package, so a missing browser is a failure, not a skip."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Page:
    """A page whose every network request is blocked and recorded, as are console errors."""

    def __init__(self, page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith("file://") else route.abort())

    def open(self, path: Path) -> Page:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        return self

    def external(self) -> list[str]:
        """Requests other than the page file itself."""
        return [url for url in self.requests if not url.startswith("file://")]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield Page(context.new_page())
    context.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    """Until the SPARQL endpoint at `url` answers."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def oxigraph_server(tmp_path: Path):
    """A real Oxigraph server on 127.0.0.1, a free port and a temporary folder."""
    import subprocess
    import sys

    binary = Path(sys.executable).with_name("oxigraph")
    port = free_port()
    process = subprocess.Popen([str(binary), "serve", "--location", str(tmp_path / "oxigraph"),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_for(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
