"""Remote engines: any SPARQL 1.1 endpoint, read through the same calls as a local store.

`RemoteEngine` has the methods of the local engine (`query`, `update`, `triples`, ...),
over the SPARQL 1.1 Protocol and the SPARQL 1.1 Update protocol, so query, describe,
search, viz and export work against Oxigraph server, Fuseki, GraphDB, Virtuoso or Neptune
unchanged. `push` loads a graph with the
SPARQL 1.1 Graph Store HTTP Protocol (PUT, which replaces the target graph). Only the
standard library speaks HTTP here.

Credentials come from the environment only ($KQGRAPH_ENDPOINT_USER and
$KQGRAPH_ENDPOINT_PASSWORD, sent as HTTP basic auth), never from the command line or the
URL, where other users of the machine could read them. They go to the endpoint's own
address only: redirects are not followed. They are never printed: URLs are shown without
user information, and an error body is cut short and scrubbed of them.

A deadline is for the whole exchange, not for each read of the socket: a server that sends
one byte a second is cut off when the time is up (a timer shuts the socket down).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from kqgraph.errors import EndpointError, KqError, QueryTimeout

IDLE = 60.0  # seconds without a byte before giving up, when there is no deadline
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.5"
SHOWN = 300  # characters of an error body shown


def masked(url: str) -> str:
    """The URL as it may be shown: without user name and password (also when it does not
    even parse)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/]*@", "//***@", url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@")[-1]))


def _credentials() -> tuple[str, str] | None:
    user = os.environ.get("KQGRAPH_ENDPOINT_USER")
    return None if user is None else (user, os.environ.get("KQGRAPH_ENDPOINT_PASSWORD", ""))


def _scrubbed(text: str) -> str:
    """An endpoint's text with any form of the credentials removed (a server may echo the
    request headers back in an error page)."""
    secrets = _credentials()
    if secrets:
        pair = f"{secrets[0]}:{secrets[1]}"
        for secret in (base64.b64encode(pair.encode()).decode(), pair, secrets[1]):
            if secret:  # in any case: a server may fold a header it echoes
                text = re.sub(re.escape(secret), "***", text, flags=re.IGNORECASE)
    return text


class _Deadline:
    """Shuts the exchange's sockets down when its time is up."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds
        self.expired = False
        self.sockets: list[socket.socket] = []
        self.timer: threading.Timer | None = None

    def idle(self) -> float:
        """The socket timeout: the time left, or IDLE without a deadline."""
        if self.at is None:
            return IDLE
        return max(0.001, min(IDLE, self.at - time.monotonic()))

    def watch(self, sock: socket.socket) -> None:
        self.sockets.append(sock)
        if self.at is not None and self.timer is None:
            self.timer = threading.Timer(max(0.0, self.at - time.monotonic()), self._expire)
            self.timer.daemon = True
            self.timer.start()

    def _expire(self) -> None:
        self.expired = True
        for sock in self.sockets:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


def _connection(base: type) -> type:
    """An http.client connection class that hands its socket to the deadline."""

    class Connection(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.deadline = deadline

        def connect(self) -> None:
            super().connect()
            self.deadline.watch(self.sock)

    return Connection


_HTTP = _connection(http.client.HTTPConnection)
_HTTPS = _connection(http.client.HTTPSConnection)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        target = _scrubbed(masked(newurl))[:SHOWN]  # the server's words
        raise EndpointError(f"{masked(req.full_url)} redirected (HTTP {code}) to {target}; "
                            "redirects are not followed, so that credentials never go to "
                            "another address: give that URL instead")


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(_HTTP, req, deadline=deadline)

    class Secure(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            return self.do_open(_HTTPS, req, context=self._context, deadline=deadline)

    return urllib.request.build_opener(Plain(), Secure(), _NoRedirect())


def request(url: str, *, data: Any = None, method: str = "GET",
            headers: dict[str, str] | None = None, timeout: float | None = None,
            origin: str = "query", shifted: int = 0) -> tuple[str, bytes]:
    """One HTTP exchange, within `timeout` seconds in all; returns (content type, body).

    Errors become EndpointError (exit 4), a bad request (HTTP 400, e.g. a syntax error the
    endpoint found) a KqError (exit 2), the deadline a QueryTimeout (exit 3). A position
    in an Oxigraph server's error is given in `origin`, `shifted` lines up.
    """
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    secrets = _credentials()
    if secrets is not None:
        token = base64.b64encode(f"{secrets[0]}:{secrets[1]}".encode()).decode()
        req.add_unredirected_header("Authorization", "Basic " + token)
    deadline = _Deadline(timeout)
    try:
        with _opener(deadline).open(req, timeout=deadline.idle()) as response:
            body = response.read()
        if deadline.expired:
            raise TimeoutError
        return response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as err:
        detail = _scrubbed(err.read(4096).decode("utf-8", errors="replace")).strip()
        first = detail.splitlines()[0][:SHOWN] if detail else ""
        if err.code == 400 and (where := re.match(r"error at (\d+):(\d+): (.*)", first)):
            # Oxigraph's own words and position, in the query as the user wrote it
            raise KqError(where[3], line=max(1, int(where[1]) - shifted), column=int(where[2]),
                          path=origin) from None
        kind = KqError if err.code == 400 else EndpointError
        reason = _scrubbed(str(err.reason))[:SHOWN]  # the status line is the server's too
        raise kind(f"{masked(url)} answered HTTP {err.code} {reason}"
                   + (f": {first}" if first else "")) from None
    except TimeoutError:
        raise _late(url, timeout) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        if deadline.expired:
            raise _late(url, timeout) from None
        reason = getattr(err, "reason", err)
        raise EndpointError(f"cannot reach the endpoint {masked(url)}: "
                            f"{_scrubbed(str(reason))}") from None
    finally:
        deadline.cancel()


def _late(url: str, timeout: float | None) -> KqError:
    if timeout is None:
        return EndpointError(f"{masked(url)} sent nothing for {IDLE:g} s; gave up")
    return QueryTimeout(f"{masked(url)} did not answer within {timeout:g} s; stopped")


def check_url(url: str, option: str = "--endpoint") -> str:
    """An endpoint URL as given, refused if it is not http(s) or carries credentials."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise KqError(f"{option} is not a valid URL: {masked(url)!r}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KqError(f"{option} wants an http(s) URL, not {masked(url)!r}")
    if "@" in parts.netloc:
        raise KqError(f"{option} must not carry a user name or password ({masked(url)}): set "
                      "$KQGRAPH_ENDPOINT_USER and $KQGRAPH_ENDPOINT_PASSWORD instead (other "
                      "users of this machine can read command lines)")
    return url


class RemoteEngine:
    """A SPARQL 1.1 endpoint, with the methods and signatures of kqgraph.engine.LocalEngine."""

    remote = True
    files: list[Any] = []  # noqa: RUF012 - an endpoint has no files

    def __init__(self, url: str, *, update_url: str | None = None) -> None:
        self.url = check_url(url)
        self.update_url = None if update_url is None else check_url(update_url, "--update-url")
        self._patterns: dict[tuple[str, str, str], list[Any]] = {}

    def query(self, text: str, *, bindings: dict[str, Any] | None = None,
              timeout: float | None = None, allow_network: bool = False,
              origin: str = "query") -> Any:
        """Run a query on the endpoint's default graph; `bindings` are put in a VALUES
        block (the endpoint runs SERVICE calls itself: `allow_network` is decided by the
        caller's check, not here)."""
        import pyoxigraph as ox

        from kqgraph.engine import Result, materialise

        body = urllib.parse.urlencode({"query": _text(text, bindings, origin)}).encode()
        kind, data = request(self.url, data=body, method="POST", timeout=timeout,
                             origin=origin, shifted=1,
                             headers={"Accept": ACCEPT,
                                      "Content-Type": "application/x-www-form-urlencoded"})
        kind = kind.split(";")[0].strip().lower()
        try:
            if kind in ("application/n-triples", "text/plain", "text/turtle"):
                fmt = ox.RdfFormat.TURTLE if kind == "text/turtle" else ox.RdfFormat.N_TRIPLES
                return Result("CONSTRUCT", triples=[q.triple for q in ox.parse(data, format=fmt)])
            return materialise(ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON))
        except (SyntaxError, ValueError) as err:
            # The parser quotes the answer, which may echo the request's credentials.
            detail = _scrubbed(f"({kind}): {err}")[:SHOWN]
            raise EndpointError(f"{masked(self.url)} sent an answer kqgraph cannot read "
                                f"{detail}") from None

    def update(self, text: str, *, bindings: dict[str, Any] | None = None,
               timeout: float | None = None, origin: str = "query") -> None:
        """Run a SPARQL 1.1 Update on the endpoint (at its update URL)."""
        target = self.update_url or update_url(self.url)
        body = urllib.parse.urlencode({"update": _text(text, bindings, origin)}).encode()
        request(target, data=body, method="POST", timeout=timeout, origin=origin, shifted=1,
                headers={"Content-Type": "application/x-www-form-urlencoded"})

    def triples(self, subject: Any = None, predicate: Any = None, obj: Any = None
                ) -> Iterator[Any]:
        """Matching statements of the endpoint's default graph, cached for this command."""
        key = (str(subject), str(predicate), str(obj))
        if key not in self._patterns:
            terms = [str(t) if t is not None else f"?{v}"
                     for t, v in ((subject, "s"), (predicate, "p"), (obj, "o"))]
            pattern = " ".join(terms)
            self._patterns[key] = list(
                self.query(f"CONSTRUCT {{ {pattern} }} WHERE {{ {pattern} }}").triples)
        return iter(self._patterns[key])

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(rows[0]["n"].value)

    def local(self) -> Any:
        """The endpoint's default graph copied into a local in-memory engine, for stages
        that walk the whole graph (viz, export)."""
        import pyoxigraph as ox

        from kqgraph.engine import LocalEngine

        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples())
        return LocalEngine(store, [])

    def rebuild(self) -> None:
        raise EndpointError(f"{masked(self.url)}: an endpoint's store is its own to rebuild")


def _text(text: str, bindings: dict[str, Any] | None, origin: str) -> str:
    """The query as sent: the project's prefixes on its first line (an endpoint's line
    numbers are then one more than the user's), and the bindings in a VALUES block."""
    from kqgraph.sparql import with_values
    from kqgraph.vocab import PREFIXES

    if bindings:
        text = with_values(text, bindings, origin=origin)
    return " ".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n" + text


def _beside(endpoint: str, layouts: tuple[tuple[str, str], ...], what: str, option: str) -> str:
    """An address next to the query endpoint, where the server's layout is known."""
    for query_path, other in layouts:
        if endpoint.rstrip("/").endswith(query_path):
            return endpoint.rstrip("/")[: -len(query_path)] + other
    raise KqError(f"cannot tell the {what} address of {masked(endpoint)}; give it with {option}")


def store_url(endpoint: str) -> str:
    """The Graph Store Protocol address: Oxigraph serves /query and /store, Fuseki /sparql
    and /data."""
    return _beside(endpoint, (("/query", "/store"), ("/sparql", "/data")),
                   "Graph Store Protocol", "--store-url")


def update_url(endpoint: str) -> str:
    """The SPARQL Update address: /update beside Oxigraph's /query and Fuseki's /sparql."""
    return _beside(endpoint, (("/query", "/update"), ("/sparql", "/update")),
                   "SPARQL Update", "--update-url")


def push(data: bytes, endpoint: str, *, graph: str | None = None, store: str | None = None,
         timeout: float | None = None, progress: Callable[[str], None] | None = None) -> int:
    """PUT N-Triples into the endpoint's default graph (or `graph`), replacing what was there,
    within `timeout` seconds in all; return the number of triples the endpoint then holds in
    that graph. `progress` is told how much has been sent (and "" at the end)."""
    target = check_url(store, "--store-url") if store else store_url(check_url(endpoint))
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    url = f"{target}{'&' if '?' in target else '?'}{query}"

    class Body:
        """The upload, read in chunks so that progress can be shown."""

        offset = 0

        def read(self, size: int = -1) -> bytes:
            size = 1 << 20 if size is None or size < 0 else min(size, 1 << 20)
            part = data[self.offset:self.offset + size]
            self.offset += len(part)
            if progress and part:
                progress(f"pushing: {self.offset / 1e6:.1f} of {len(data) / 1e6:.1f} MB")
            return part

    started = time.monotonic()
    try:
        request(url, data=Body(), method="PUT", timeout=timeout,
                headers={"Content-Type": "application/n-triples",
                         "Content-Length": str(len(data))})
    finally:
        if progress:
            progress("")
    left = None if timeout is None else max(0.001, timeout - (time.monotonic() - started))
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    rows = RemoteEngine(endpoint).query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}",
                                        timeout=left).rows
    return int(rows[0]["n"].value)
