"""Remote engines: any SPARQL 1.1 endpoint, read through the same calls as a local store.

`RemoteStore` answers the few `pyoxigraph.Store` calls the stages make (`query`,
`quads_for_pattern`, iteration) over the SPARQL 1.1 Protocol, so query, describe, search,
viz and export work against Oxigraph server, Fuseki, GraphDB, Virtuoso or Neptune
unchanged. `push` loads a graph with the SPARQL 1.1 Graph Store HTTP Protocol (PUT, which
replaces the target graph). Only the standard library speaks HTTP here.

Credentials come from the environment only ($KQGRAPH_ENDPOINT_USER and
$KQGRAPH_ENDPOINT_PASSWORD, sent as HTTP basic auth), never from the command line, where
other users of the machine could read them.
"""

from __future__ import annotations

import base64
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from kqgraph.errors import KqError

TIMEOUT = 60.0
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.5"


class EndpointError(KqError):
    """The endpoint could not be reached or refused the request."""

    exit_code = 4


def _request(url: str, *, data: bytes | None = None, method: str = "GET",
             headers: dict[str, str] | None = None, timeout: float = TIMEOUT) -> tuple[str, bytes]:
    """One HTTP exchange; returns (content type, body). Errors become EndpointError."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    user = os.environ.get("KQGRAPH_ENDPOINT_USER")
    if user is not None:
        secret = f"{user}:{os.environ.get('KQGRAPH_ENDPOINT_PASSWORD', '')}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(secret).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", errors="replace").strip().splitlines()
        raise EndpointError(f"{url} answered HTTP {err.code} {err.reason}"
                            + (f": {detail[0][:300]}" if detail else "")) from None
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise EndpointError(f"cannot reach the endpoint {url}: {reason}") from None


class RemoteStore:
    """A SPARQL 1.1 endpoint behind the subset of the pyoxigraph.Store API kqgraph uses."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT) -> None:
        if urllib.parse.urlparse(url).scheme not in ("http", "https"):
            raise KqError(f"--endpoint wants an http(s) URL, not {url!r}")
        self.url = url
        self.timeout = timeout
        self._patterns: dict[tuple[str, str, str], list[Any]] = {}

    def query(self, text: str, *, prefixes: dict[str, str] | None = None, **_: Any) -> Any:
        """Run a query on the endpoint; the answer has the types Store.query returns
        (solutions or a boolean), or a list of triples for CONSTRUCT and DESCRIBE.

        Keyword options meant for a local store (the union default graph) do not apply: the
        endpoint's own default graph is queried.
        """
        import pyoxigraph as ox

        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())
        body = urllib.parse.urlencode({"query": prologue + text}).encode()
        kind, data = _request(self.url, data=body, method="POST", timeout=self.timeout,
                              headers={"Accept": ACCEPT,
                                       "Content-Type": "application/x-www-form-urlencoded"})
        kind = kind.split(";")[0].strip().lower()
        try:
            if kind in ("application/n-triples", "text/plain"):
                return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
            if kind == "text/turtle":
                return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as err:
            raise EndpointError(f"{self.url} sent an answer kqgraph cannot read ({kind}): "
                                f"{err}") from None

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any,
                          graph_name: Any = None) -> list[Any]:
        """Matching statements of the endpoint's default graph, cached for this command."""
        import pyoxigraph as ox

        key = (str(subject), str(predicate), str(obj))
        if key not in self._patterns:
            terms = [str(t) if t is not None else f"?{v}"
                     for t, v in ((subject, "s"), (predicate, "p"), (obj, "o"))]
            pattern = " ".join(terms)
            triples = self.query(f"CONSTRUCT {{ {pattern} }} WHERE {{ {pattern} }}")
            self._patterns[key] = [ox.Quad(t.subject, t.predicate, t.object)
                                   for t in triples]
        return self._patterns[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.quads_for_pattern(None, None, None))

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(rows))["n"].value)

    def snapshot(self) -> Any:
        """The endpoint's default graph copied into a local in-memory store, for stages that
        walk the whole graph (viz, export)."""
        import pyoxigraph as ox

        local = ox.Store()
        local.extend(self.quads_for_pattern(None, None, None))
        return local


def store_url(endpoint: str) -> str:
    """The Graph Store Protocol address next to a query endpoint, where the layout is known:
    Oxigraph serves /query and /store, Fuseki /sparql and /data."""
    for query_path, store_path in (("/query", "/store"), ("/sparql", "/data")):
        if endpoint.rstrip("/").endswith(query_path):
            return endpoint.rstrip("/")[: -len(query_path)] + store_path
    raise KqError(f"cannot tell the Graph Store Protocol address of {endpoint}; give it "
                  "with --store-url")


def push(data: bytes, endpoint: str, *, graph: str | None = None, store: str | None = None,
         progress: Callable[[int], None] | None = None) -> int:
    """PUT N-Triples into the endpoint's default graph (or `graph`), replacing what was there;
    return the number of triples the endpoint then holds in that graph."""
    target = store or store_url(endpoint)
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    url = f"{target}{'&' if '?' in target else '?'}{query}"
    chunk = 1 << 20

    class Body:
        """The upload, read in chunks so that progress can be shown."""

        def __init__(self) -> None:
            self.offset = 0

        def read(self, size: int = -1) -> bytes:
            size = chunk if size is None or size < 0 else min(size, chunk)
            part = data[self.offset:self.offset + size]
            self.offset += len(part)
            if progress and part:
                progress(len(part))
            return part

    request_body: Any = Body()
    _request(url, data=request_body, method="PUT", timeout=max(TIMEOUT, len(data) / 1e6),
             headers={"Content-Type": "application/n-triples",
                      "Content-Length": str(len(data))})
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    rows = RemoteStore(endpoint).query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(next(iter(rows))["n"].value)
