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

The endpoint URL may name the dataset with the protocol's own `default-graph-uri` parameter
(`.../query?default-graph-uri=IRI`): queries send it unchanged, so they read that graph as
their default graph, and `push` without --graph replaces that graph.

Virtuoso (tested with 7.2.5). Addresses: queries and updates at /sparql (updates need the
SPARQL_UPDATE role for the "SPARQL" user), the Graph Store Protocol at /sparql-graph-crud
(anonymous, as "SPARQL" too); with a user, /sparql-auth and /sparql-graph-crud-auth, which
take HTTP digest authentication only: no basic header is sent there (Virtuoso refuses it
without a challenge), and the digest challenge of the address asked is answered with the
credentials from the environment. Default graph: Virtuoso has none of its own. Its queries
read the union of all its graphs, its system graphs too (2,500 triples of virtrdf:), and its
Graph Store refuses `?default` unless a SPARQL host is configured with a default graph. So
kqgraph's graph is a named graph that the endpoint URL names as the default graph, for push
and every other command alike: `--endpoint 'http://host:8890/sparql?default-graph-uri=IRI'`
(an update's INSERT DATA without GRAPH then writes there too). Result formats: asked for by
the query's form, SPARQL JSON for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE (asked
for JSON, Virtuoso sends a graph as a table of ?s ?p ?o). Its JSON names blank nodes
`nodeID://b123`, read here as `b123`, the name its N-Triples give them. It answers at most
[SPARQL] ResultSetMaxRows rows (10,000 in Debian's virtuoso.ini) and says so in an
X-SPARQL-MaxRows header, an error here rather than a silently short answer; `triples` reads
with SELECT so that the header comes (a CONSTRUCT is cut without one). Some standard
queries it refuses or answers otherwise (tests/test_virtuoso.py lists the saved ones).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
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
ACCEPT = "application/sparql-results+json"  # SELECT and ASK
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"  # CONSTRUCT, DESCRIBE
DATASET = ("default-graph-uri", "named-graph-uri")  # the protocol's dataset parameters
DIGEST_PATHS = ("/sparql-auth", "/sparql-graph-crud-auth")  # Virtuoso's, digest only
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
            self.cut = False  # the server closed while the request was being sent

        def connect(self) -> None:
            super().connect()
            self.deadline.watch(self.sock)

        def send(self, data: Any) -> None:
            # A server may refuse an upload before reading all of it, answer, and close
            # (Virtuoso does): the rest is not sent, and its answer is read as usual.
            if not self.cut:
                try:
                    super().send(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.cut = True

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


class _Digest(urllib.request.HTTPDigestAuthHandler):
    """Answers a digest challenge (Virtuoso's -auth addresses) once the body can be sent
    again from its start."""

    def retry_http_digest_auth(self, req: Any, auth: str) -> Any:
        rewind = getattr(req.data, "seek", None)
        if rewind is not None:
            rewind(0)
        return super().retry_http_digest_auth(req, auth)


def _opener(deadline: _Deadline, url: str, secrets: tuple[str, str] | None
            ) -> urllib.request.OpenerDirector:
    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(_HTTP, req, deadline=deadline)

    class Secure(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            return self.do_open(_HTTPS, req, context=self._context, deadline=deadline)

    handlers: list[Any] = [Plain(), Secure(), _NoRedirect()]
    if secrets is not None:
        # Only for the address asked (no redirect is followed), whatever the realm.
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *secrets)
        handlers.append(_Digest(passwords))
    return urllib.request.build_opener(*handlers)


def _digest_only(url: str) -> bool:
    """Whether the address is one of Virtuoso's that take digest authentication only: a
    basic header there is refused without the digest challenge."""
    return urllib.parse.urlsplit(url).path.rstrip("/") in DIGEST_PATHS


def _error_text(body: str) -> str:
    """The part of an error page that says what went wrong: Virtuoso quotes its message in
    an <xmp> element of an HTML page."""
    quoted = re.search(r"<xmp>(.*?)</xmp>", body, flags=re.DOTALL | re.IGNORECASE)
    return " ".join(quoted[1].split()) if quoted else body


def request(url: str, *, data: Any = None, method: str = "GET",
            headers: dict[str, str] | None = None, timeout: float | None = None,
            origin: str = "query", shifted: int = 0,
            answer: dict[str, str] | None = None) -> tuple[str, bytes]:
    """One HTTP exchange, within `timeout` seconds in all; returns (content type, body),
    and the answer's headers in `answer` (lower-case names) when given.

    Errors become EndpointError (exit 4), a bad request (HTTP 400, e.g. a syntax error the
    endpoint found) a KqError (exit 2), the deadline a QueryTimeout (exit 3). A position
    in an Oxigraph or Virtuoso error is given in `origin`, `shifted` lines up.
    """
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    secrets = _credentials()
    if secrets is not None and not _digest_only(url):
        token = base64.b64encode(f"{secrets[0]}:{secrets[1]}".encode()).decode()
        req.add_unredirected_header("Authorization", "Basic " + token)
    deadline = _Deadline(timeout)
    try:
        with _opener(deadline, url, secrets).open(req, timeout=deadline.idle()) as response:
            body = response.read()
        if deadline.expired:
            raise TimeoutError
        if answer is not None:
            answer.update((k.lower(), v) for k, v in response.headers.items())
        return response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as err:
        detail = _error_text(_scrubbed(err.read(4096).decode("utf-8", errors="replace"))).strip()
        first = detail.splitlines()[0][:SHOWN] if detail else ""
        if err.code == 400 and (where := re.match(r"error at (\d+):(\d+): (.*)", first)):
            # Oxigraph's own words and position, in the query as the user wrote it
            raise KqError(where[3], line=max(1, int(where[1]) - shifted), column=int(where[2]),
                          path=origin) from None
        if err.code == 400 and (where := re.match(
                r"Virtuoso \w+ Error \w+: SPARQL compiler, line (\d+): (.*)", first)):
            # Virtuoso's words and line (it gives no column)
            raise KqError(where[2], line=max(1, int(where[1]) - shifted), path=origin) from None
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
    persistent = False  # nothing computed from it is kept: its data can change any time
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
        answer: dict[str, str] = {}
        kind, data = request(self.url, data=body, method="POST", timeout=timeout,
                             origin=origin, shifted=1, answer=answer,
                             headers={"Accept": _accept(text),
                                      "Content-Type": "application/x-www-form-urlencoded"})
        kind = kind.split(";")[0].strip().lower()
        if "x-sparql-maxrows" in answer:
            limit = _scrubbed(answer["x-sparql-maxrows"])[:SHOWN]
            raise EndpointError(f"{masked(self.url)} cut its answer at {limit} rows (its "
                                "X-SPARQL-MaxRows header: Virtuoso's [SPARQL] ResultSetMaxRows);"
                                " raise that limit, or ask for fewer rows")
        try:
            if kind in ("application/n-triples", "text/plain", "text/turtle"):
                fmt = ox.RdfFormat.TURTLE if kind == "text/turtle" else ox.RdfFormat.N_TRIPLES
                return Result("CONSTRUCT", triples=[q.triple for q in ox.parse(data, format=fmt)])
            data = _blank_nodes(data)
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
        """Matching statements of the endpoint's default graph, each once, cached for this
        command. Read with SELECT, not CONSTRUCT: an endpoint that cuts a long answer short
        says so only for a table of rows (Virtuoso's X-SPARQL-MaxRows)."""
        import pyoxigraph as ox

        key = (str(subject), str(predicate), str(obj))
        if key not in self._patterns:
            given = {"s": subject, "p": predicate, "o": obj}
            pattern = " ".join(str(t) if t is not None else f"?{v}" for v, t in given.items())
            if None not in given.values():  # SELECT * would have no variable
                held = self.query(f"ASK {{ {pattern} }}").boolean
                found = [ox.Triple(subject, predicate, obj)] if held else []
            else:
                found = [ox.Triple(*(t if t is not None else row[v] for v, t in given.items()))
                         for row in self.query(f"SELECT * WHERE {{ {pattern} }}").rows]
            # A default graph that is a union of graphs can hold a statement twice.
            self._patterns[key] = list(dict.fromkeys(found))
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


def _accept(text: str) -> str:
    """The answer formats to ask for, by the query's form."""
    from kqgraph.sparql import check

    try:
        form = check(text, allow_network=True).form
    except KqError:  # the endpoint's parser will say what is wrong
        form = "SELECT"
    return GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT


def _blank_nodes(data: bytes) -> bytes:
    """SPARQL JSON results with Virtuoso's blank node names (`nodeID://b123`, which Oxigraph
    refuses) as `b123`, the name its N-Triples give the same node."""
    if b"nodeID://" not in data:
        return data
    answer = json.loads(data)
    for row in answer.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode" and term.get("value", "").startswith("nodeID://"):
                term["value"] = term["value"][len("nodeID://"):]
    return json.dumps(answer).encode()


def _dataset(endpoint: str) -> tuple[str, list[str]]:
    """The endpoint URL without the protocol's dataset parameters, and the default graphs
    it names."""
    parts = urllib.parse.urlsplit(endpoint)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    rest = urllib.parse.urlencode([(k, v) for k, v in pairs if k not in DATASET])
    return (urllib.parse.urlunsplit(parts._replace(query=rest)),
            [v for k, v in pairs if k == "default-graph-uri"])


def _beside(endpoint: str, layouts: tuple[tuple[str, str], ...], what: str, option: str, *,
            keep_query: tuple[str, ...] = ()) -> str:
    """An address next to the query endpoint, where the server's layout is known: a path
    that ends with a layout's query path, or is that path when it starts with "=" (Virtuoso's
    /sparql is at the root: Fuseki's is under a dataset's name). The endpoint's URL
    parameters are kept for the paths in `keep_query` (one address for queries and updates)."""
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for query_path, other in layouts:
        whole = query_path.startswith("=")
        query_path = query_path.lstrip("=")
        if path == query_path or (not whole and path.endswith(query_path)):
            query = parts.query if other in keep_query else ""
            return urllib.parse.urlunsplit(parts._replace(
                path=path[: len(path) - len(query_path)] + other, query=query))
    raise KqError(f"cannot tell the {what} address of {masked(endpoint)}; give it with {option}")


def store_url(endpoint: str) -> str:
    """The Graph Store Protocol address: Oxigraph serves /query and /store, Fuseki /sparql
    and /data, Virtuoso /sparql and /sparql-graph-crud (or /sparql-auth and
    /sparql-graph-crud-auth, with digest authentication)."""
    return _beside(endpoint, (("=/sparql", "/sparql-graph-crud"),
                              ("=/sparql-auth", "/sparql-graph-crud-auth"),
                              ("/query", "/store"), ("/sparql", "/data")),
                   "Graph Store Protocol", "--store-url")


def update_url(endpoint: str) -> str:
    """The SPARQL Update address: /update beside Oxigraph's /query and Fuseki's /sparql;
    Virtuoso's /sparql (and /sparql-auth) itself, with its default-graph-uri, where an update
    without GRAPH writes."""
    return _beside(endpoint, (("=/sparql", "/sparql"), ("=/sparql-auth", "/sparql-auth"),
                              ("/query", "/update"), ("/sparql", "/update")),
                   "SPARQL Update", "--update-url", keep_query=("/sparql", "/sparql-auth"))


def push(data: bytes, endpoint: str, *, graph: str | None = None, store: str | None = None,
         timeout: float | None = None, progress: Callable[[str], None] | None = None) -> int:
    """PUT N-Triples into the endpoint's default graph (or `graph`), replacing what was there,
    within `timeout` seconds in all; return the number of triples the endpoint then holds in
    that graph. `progress` is told how much has been sent (and "" at the end).

    The default graph is the one the endpoint URL names with default-graph-uri, if it does:
    the graph its queries read."""
    target = check_url(store, "--store-url") if store else store_url(check_url(endpoint))
    bare, defaults = _dataset(endpoint)
    if graph is None and len(defaults) > 1:
        raise KqError(f"{masked(endpoint)} names {len(defaults)} default graphs; push into "
                      "one of them with --graph")
    graph = graph or (defaults[0] if defaults else None)
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    url = f"{target}{'&' if '?' in target else '?'}{query}"

    class Body:
        """The upload, read in chunks so that progress can be shown (from the start again
        when a digest challenge makes it be sent twice)."""

        offset = 0

        def seek(self, offset: int) -> None:
            self.offset = offset

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
    except EndpointError as err:
        if "not configured to have default graph" not in err.message:
            raise
        raise EndpointError(
            f"{err.message}; Virtuoso has no default graph of its own (its queries read all "
            "its graphs): name one in the endpoint URL, "
            f"--endpoint '{masked(endpoint)}?default-graph-uri=IRI', for push and queries "
            "alike") from None
    finally:
        if progress:
            progress("")
    left = None if timeout is None else max(0.001, timeout - (time.monotonic() - started))
    # Counted in the store as a whole: within the URL's dataset, GRAPH sees no named graph.
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    rows = RemoteEngine(bare).query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}",
                                    timeout=left).rows
    return int(rows[0]["n"].value)
