"""Shared fixtures: the shipped graph loaded once, a scratch copy to break, local HTTP servers
that record what reaches them, and kqgraph run as a process of its own."""

from __future__ import annotations

import http.server
import json
import os
import resource
import shutil
import socket
import socketserver
import stat
import subprocess
import sys
import threading
import time
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
        self.server.bodies.append(self.rfile.read(length))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


def start_server(handler: type[http.server.BaseHTTPRequestHandler]
                 ) -> http.server.ThreadingHTTPServer:
    """A local HTTP server on 127.0.0.1 (a free port) with `handler`, recording each request's
    path, headers and body in `requests`, `headers` and `bodies`; `stop_server` ends it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.requests = []  # type: ignore[attr-defined]
    server.headers = []  # type: ignore[attr-defined]
    server.bodies = []  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
    # A short poll: shutdown() waits for it, at every teardown.
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def stop_server(server: socketserver.BaseServer) -> None:
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint():
    """A local HTTP server on 127.0.0.1 that counts the requests it receives."""
    server = start_server(_Endpoint)
    yield server
    stop_server(server)


@pytest.fixture
def servers():
    """Start local HTTP servers with handlers of the test's own (see `start_server`)."""
    started: list[http.server.ThreadingHTTPServer] = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]
              ) -> http.server.ThreadingHTTPServer:
        started.append(start_server(handler))
        return started[-1]

    yield start
    for server in started:
        stop_server(server)


class _Drip(socketserver.BaseRequestHandler):
    """Reads a whole request, then answers one byte a second (from the status line, or
    after the headers) until the client goes."""

    def handle(self) -> None:
        sock = self.request
        sock.settimeout(30)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            chunk = sock.recv(1 << 20)
            if not chunk:
                return
            body += chunk
        self.server.requests.append(head.split(b"\r\n")[0].decode())  # type: ignore[attr-defined]
        answer = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": []}}).encode()
        headers = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                   b"Content-Length: %d\r\n\r\n" % (len(answer) * 100))
        if self.server.mode == "body":  # type: ignore[attr-defined]
            sock.sendall(headers)
            headers = b""
        try:
            for byte in headers + answer * 100:
                sock.sendall(bytes([byte]))
                time.sleep(1)
        except OSError:  # the client gave up: what the test wants
            pass


@pytest.fixture(params=["headers", "body"])
def drip_server(request):
    """A local server that sends its answer one byte a second: the status line and headers
    too ("headers"), or only the body ("body")."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    server.mode = request.param  # type: ignore[attr-defined]
    server.requests = []  # type: ignore[attr-defined]
    # A short poll: shutdown() waits for it, at every teardown.
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    stop_server(server)


# --- kqgraph as a process of its own ----------------------------------------------------------

KQGRAPH = [sys.executable, "-c", "from kqgraph.cli import main; main()"]
MEMORY_LIMIT = 2 << 30  # bytes of address space for a resource-limit case


def run_kqgraph(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
                timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    """`kqgraph ARGS` in a process of its own (which seals itself from the network, as the
    installed command does); `env` is added to this process's environment."""
    return subprocess.run([*KQGRAPH, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=timeout, check=False,
                          **kwargs)


def run_limited(*args: str, cwd: Path, env: dict[str, str] | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run kqgraph in a child limited to MEMORY_LIMIT; a crash shows as a negative code."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run([*KQGRAPH, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, preexec_fn=limit, timeout=timeout,
                          check=False)


def device(folder: Path, name: str, minor: int) -> Path:
    """A character device like /dev/null (minor 3) or /dev/full (7): a private node in
    `folder` when this process may make one (root), so that a write that wrongly replaced it
    could not replace the machine's own; else the machine's, which a user cannot replace."""
    if os.geteuid() != 0:
        return Path("/dev") / name
    path = folder / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("root without CAP_MKNOD: /dev itself is not risked")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def run_on_terminal(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run kqgraph with its stderr on a pseudo-terminal (as a user at a terminal sees it);
    returns the exit code, stdout and what reached the terminal."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([*KQGRAPH, *args], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        seen += chunk
    out = process.stdout.read() if process.stdout else ""
    os.close(leader)
    return process.wait(), out, seen.decode("utf-8", "replace")


def click_node(page: Page, node: str, *, fit: bool = False) -> None:
    """A real mouse click where the network draws `node` (after fitting the whole network
    in view if `fit`). Two animation frames first: a side panel that a previous click
    opened narrows the canvas, and vis-network takes the new size on its resize observer;
    measured before that, a click on a busy machine could land beside the node."""
    x, y, under = page.page.evaluate("""async ([id, fit]) => {
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        const net = window.kqNetwork;
        if (fit) { net.fit(); }
        const d = net.canvasToDOM(net.getPositions([id])[id]);
        const r = document.getElementById('network').getBoundingClientRect();
        return [d.x + r.left, d.y + r.top, net.getNodeAt(d)]; }""", [node, fit])
    assert under == node, f"{node} is hidden under {under}"
    page.page.mouse.click(x, y)
