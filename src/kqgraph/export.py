"""Export stage: the graph in every format RDF and graph tools read, written into exports/.

Each format is a registry entry (name → the files it writes and the function that renders
them). Rendering is pure: the same graph gives the same bytes (sorted statements, blank
nodes named by RDFC-1.0, no timestamps), so `exports/` diffs cleanly in review and
`--check` can say which files are stale. The statements stay in Oxigraph's native code as
far as possible (dumped as N-Triples, sorted as bytes, parsed back by the serializers).
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kqgraph import __version__
from kqgraph.errors import KqError
from kqgraph.files import graph_dir
from kqgraph.vocab import ABOUT, DCAT, DCTERMS, KQR, LANGS, PREFIXES, RDF, TITLE, VOID, XSD

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

    from kqgraph.project import Network

DATASET = "https://w3id.org/kqgraph/dataset"
GRAPHS = "https://w3id.org/kqgraph/graph/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
NODE_FIELDS = ["iri", "class", "class_label", "label_ko", "label_en", "label_fr", "label",
               "country", "country_label", "sectors", "sector_labels", "sources",
               "source_labels", "facts", "details", "start", "end"]
EDGE_FIELDS = ["property", "label_ko", "label_en", "label_fr", "label", "start", "end",
               "sources", "source_labels"]


class Context:
    """What the renderers share, each made once: the graph as sorted N-Triples lines, its
    description, and its network projection."""

    def __init__(self, engine: Any, lang: str = "en") -> None:
        self.engine = engine.local()
        self.lang = lang

    @cached_property
    def lines(self) -> list[bytes]:
        """The graph's distinct triples as sorted N-Triples lines, blank nodes canonical;
        without the dataset description."""
        import pyoxigraph as ox

        store = self.engine.store
        data = b"".join(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
                        for name in (ox.DefaultGraph(), *store.named_graphs()))
        return nt_lines(data)

    @cached_property
    def description(self) -> list[ox.Triple]:
        return describe_dataset(self.engine, len(self.lines))

    @cached_property
    def everything(self) -> bytes:
        """N-Triples of the graph and its description, sorted: what the RDF files hold."""
        merged = list(self.lines)  # a copy of the pointers; the description's few dozen
        for line in nt_lines(_nt(self.description)):  # lines go in at their place
            at = bisect.bisect_left(merged, line)
            if at == len(merged) or merged[at] != line:
                merged.insert(at, line)
        merged.append(b"")
        return b"\n".join(merged)

    def triples(self) -> Iterator[ox.Quad]:
        """Everything, parsed back: default-graph quads, which the serializers take as
        triples (no per-statement Python conversion)."""
        import pyoxigraph as ox

        return ox.parse(self.everything, format=ox.RdfFormat.N_TRIPLES)

    @cached_property
    def projection(self) -> Network:
        """The network as records: GraphML and CSV need no networkx graph."""
        from kqgraph.project import network

        return network(self.engine, lang=self.lang)


def _nt(triples: Iterable[ox.Triple]) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def nt_lines(data: bytes) -> list[bytes]:
    """Distinct, sorted N-Triples lines; blank nodes renamed by RDFC-1.0 (the W3C
    canonicalization) when there are any, so that the same graph always gives the same
    lines whatever order it was read in."""
    import pyoxigraph as ox

    if b"_:" in data:
        dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        data = _nt(q.triple for q in dataset)
    lines = data.split(b"\n")
    lines.sort()
    del lines[:bisect.bisect_right(lines, b"")]  # the empty lines, which sort first
    # A store holds no duplicates, so the costly pass runs only when two neighbours match
    # (the same triple in two named graphs); the test itself runs in C.
    if any(map(operator.eq, lines, itertools.islice(lines, 1, None))):
        lines = [line for line, _ in itertools.groupby(lines)]
    return lines


def describe_dataset(engine: Any, triples: int) -> list[ox.Triple]:
    """A VoID/DCAT description: titles, licence, version, size, classes, sources.

    Nothing in it depends on the time or the machine, so two exports of the same graph match.
    """
    import pyoxigraph as ox

    iri = ox.NamedNode
    dataset = iri(DATASET)

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=iri(XSD.integer))

    out = [
        ox.Triple(dataset, iri(RDF.type), iri(VOID.Dataset)),
        ox.Triple(dataset, iri(RDF.type), iri(DCAT.Dataset)),
        ox.Triple(dataset, iri(DCTERMS.license), iri(LICENSE)),
        ox.Triple(dataset, iri(DCAT.version), ox.Literal(__version__)),
        ox.Triple(dataset, iri(VOID.triples), integer(triples)),
        ox.Triple(dataset, iri(VOID.uriSpace), ox.Literal(KQR.base)),
    ]
    for lang in LANGS:
        out.append(ox.Triple(dataset, iri(DCTERMS.title), ox.Literal(TITLE[lang], language=lang)))
        out.append(ox.Triple(dataset, iri(DCTERMS.description),
                             ox.Literal(ABOUT[lang], language=lang)))
    for prefix in ("kq", "schema", "org", "prov", "skos", "dcterms"):
        out.append(ox.Triple(dataset, iri(VOID.vocabulary), iri(PREFIXES[prefix])))
    rows = engine.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class . "
        "?class rdfs:subClassOf* kq:Entity } GROUP BY ?class").rows
    for row in rows:
        part = iri(f"{DATASET}/class/{row['class'].value.rsplit('#', 1)[-1]}")
        out += [ox.Triple(dataset, iri(VOID.classPartition), part),
                ox.Triple(part, iri(VOID["class"]), row["class"]),
                ox.Triple(part, iri(VOID.entities), integer(int(row["n"].value)))]
    sources = engine.query("SELECT DISTINCT ?s WHERE { ?s a kq:Source }").rows
    out += [ox.Triple(dataset, iri(DCTERMS.source), row["s"]) for row in sources]
    return sorted(out, key=str)


# --- renderers --------------------------------------------------------------------------------

def _turtle(ctx: Context) -> bytes:
    import pyoxigraph as ox

    data = ox.serialize(ctx.triples(), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    end = 0  # the @prefix lines come first: find their end, not split the whole output
    while data.startswith(b"@prefix", end):
        end = data.index(b"\n", end) + 1
    prefixes = data[:end].split(b"\n")[:-1]
    # One subject per block: a blank line before each line that starts a new subject.
    body = re.sub(rb"\n(?=[^\t \n])", b"\n\n", data[end:].lstrip(b"\n"))
    return b"\n".join(sorted(prefixes)) + b"\n\n" + body


def _ntriples(ctx: Context) -> bytes:
    return ctx.everything


def _rdfxml(ctx: Context) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(ctx.triples(), format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)


def _jsonld(ctx: Context) -> bytes:
    """Compact JSON-LD: the project's prefixes as an inline @context, property names and
    IRIs as CURIEs, one node per line (Oxigraph writes the expanded form; see `compact`)."""
    import pyoxigraph as ox

    data = compact(ox.serialize(ctx.triples(), format=ox.RdfFormat.JSON_LD))
    context = json.dumps(dict(sorted(PREFIXES.items())), indent=1).encode()
    nodes = data.replace(b'},{"@id":', b'},\n{"@id":').strip()
    return b'{"@context": ' + context + b',\n"@graph": ' + nodes + b"}\n"


def compact(data: bytes) -> bytes:
    """Expanded JSON-LD with the project's namespaces written as CURIEs, one
    bytes.replace per namespace (a regular expression calling back into Python for each of
    a million IRIs took longer than Oxigraph's whole serialization).

    In JSON a quote inside a string is escaped, so an unescaped quote followed by a namespace
    opens a string that starts with it: a key (a property), an @id or @type value, or an
    @value, which is a literal and must stay as it is. Those literals, and escaped quotes
    followed by a namespace inside literals, are first marked with a NUL byte (JSON escapes
    control characters, so there is none otherwise) and the marks removed at the end. A
    namespace followed by `//` stays written in full, as a CURIE would read as an IRI.
    """
    if b"\x00" in data:
        return data  # cannot be: JSON escapes NUL; left expanded rather than guessed at
    by_namespace = {ns.encode(): prefix.encode() for prefix, ns in PREFIXES.items()}
    # Longest namespace first, so that the most specific prefix wins.
    present = [ns for ns in sorted(by_namespace, key=len, reverse=True)
               if b'"' + ns in data and b'"' + ns + b"//" not in data]
    for start in sorted({ns[:4] for ns in by_namespace}):  # b"http"
        for guard in (b'"@value":"' + start, b'\\"' + start):
            data = data.replace(guard, guard[:-len(start)] + b"\x00" + start)
    for ns in present:
        data = data.replace(b'"' + ns, b'"' + by_namespace[ns] + b":")
    return data.replace(b"\x00", b"")


def _trig(ctx: Context) -> bytes:
    """Ontology, shapes, data and the dataset description, each in its own named graph."""
    import pyoxigraph as ox

    ontology_file = graph_dir() / "ontology.ttl"
    loaded = {f.resolve() for f in ctx.engine.files}
    ontology = set(nt_lines(_nt(q.triple for q in ox.parse(path=ontology_file))))
    if not ctx.engine.files:  # an endpoint: the ontology's statements it holds
        ontology &= set(ctx.lines)
    elif ontology_file.resolve() not in loaded:
        ontology = set()
    parts = {
        "data": [line for line in ctx.lines if line not in ontology],
        "ontology": sorted(ontology),
        "shapes": nt_lines(_nt(q.triple for q in ox.parse(path=graph_dir() / "shapes.ttl"))),
        "description": nt_lines(_nt(ctx.description)),
    }
    quads = (ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPHS + name))
             for name in sorted(parts) if parts[name]
             for q in ox.parse(b"\n".join(parts[name]) + b"\n",
                               format=ox.RdfFormat.N_TRIPLES))
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)


def _graphml(ctx: Context) -> bytes:
    """GraphML as networkx's `write_graphml(prettyprint=True)` writes it, byte for byte, in
    one pass over strings: ElementTree built and serialised 470,000 elements at 100k
    triples, 2.5 times the projection itself. networkx writes what is not all strings."""
    nodes, edges = ctx.projection
    records = [("node", data) for _, data in nodes] + [("edge", e[3]) for e in edges]
    kinds: set[type] = set()
    for _, data in records:
        kinds.update(map(type, data.values()))
    if kinds - {str}:
        return _graphml_by_networkx(ctx.projection.graph())
    keys: dict[tuple[str, str], str] = {}
    for scope, data in records:
        for name in data:
            if (name, scope) not in keys:
                keys[(name, scope)] = f"d{len(keys)}"
    out = [GRAPHML_HEAD]
    out += [f'  <key id="{key}" for="{scope}" attr.name="{_attrib(name)}" '
            'attr.type="string" />\n' for (name, scope), key in reversed(keys.items())]
    out.append('  <graph edgedefault="directed">\n')
    opening: dict[str, dict[str, str]] = {"node": {}, "edge": {}}  # scope → name → tag
    for (name, scope), key in keys.items():
        opening[scope][name] = f'      <data key="{key}"'

    def element(start: str, end: str, scope: str, data: dict[str, str]) -> None:
        if not data:
            out.append(f"{start} />\n")
            return
        out.append(f"{start}>\n")
        tags = opening[scope]
        out.extend([f"{tags[name]}>{_cdata(value)}</data>\n" if value
                    else f"{tags[name]} />\n" for name, value in data.items()])
        out.append(end)

    for node, data in nodes:
        element(f'    <node id="{_attrib(str(node))}"', "    </node>\n", "node", data)
    for source, target, key, data in edges:
        element(f'    <edge source="{_attrib(str(source))}" target="{_attrib(str(target))}" '
                f'id="{_attrib(str(key))}"', "    </edge>\n", "edge", data)
    out.append("  </graph>\n</graphml>\n")
    return "".join(out).encode("utf-8")


GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
_ATTRIB = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                         "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"})
_ATTRIB_NEEDED = re.compile("[&<>\"\r\n\t]")


def _cdata(text: str) -> str:
    # str.replace scans in C and returns the string itself when there is nothing to
    # replace; a translate table looks up every character (a third of GraphML's writing).
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attrib(text: str) -> str:
    return text.translate(_ATTRIB) if _ATTRIB_NEEDED.search(text) else text


def _graphml_by_networkx(graph: nx.MultiDiGraph) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def _csv(ctx: Context) -> dict[str, bytes]:
    """nodes.csv and edges.csv, UTF-8 with a byte-order mark so spreadsheets read Hangul."""
    network = ctx.projection
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(["id", *NODE_FIELDS])
    for node, data in network.nodes:
        writer.writerow([node, *(data[f] for f in NODE_FIELDS)])
    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow(["source", "target", *EDGE_FIELDS])
    for source, target, _, data in network.edges:
        writer.writerow([source, target, *(data[f] for f in EDGE_FIELDS)])
    return {"nodes.csv": nodes.getvalue().encode("utf-8-sig"),
            "edges.csv": edges.getvalue().encode("utf-8-sig")}


def _html(ctx: Context) -> bytes:
    from kqgraph.viz import render

    return render(ctx.engine, lang=ctx.lang).encode()


def _one(filename: str, render: Callable[[Context], bytes]
         ) -> Callable[[Context], dict[str, bytes]]:
    return lambda ctx: {filename: render(ctx)}


EXPORTS: dict[str, Callable[[Context], dict[str, bytes]]] = {
    "turtle": _one("kqgraph.ttl", _turtle),
    "nt": _one("kqgraph.nt", _ntriples),
    "jsonld": _one("kqgraph.jsonld", _jsonld),
    "rdfxml": _one("kqgraph.rdf", _rdfxml),
    "trig": _one("kqgraph.trig", _trig),
    "graphml": _one("kqgraph.graphml", _graphml),
    "csv": _csv,
    "html": _one("kqgraph.html", _html),
}


# A bare `kqgraph export` writes the HTML network only up to this many triples: above it
# the page costs most of the run (a layout of every node) and few would open it; `-f html`
# still writes it at any size. The shipped graph (under 10,000) is far below.
HTML_DEFAULT_LIMIT = 200_000


def render(engine: Any, formats: Iterable[str] = (), *, lang: str = "en",
           progress: Callable[[str], None] | None = None,
           notice: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every file of the chosen formats (all by default, the HTML network only up to
    HTML_DEFAULT_LIMIT triples; `notice` hears why it was left out), by file name."""
    asked = list(formats)
    chosen = asked or list(EXPORTS)
    unknown = [f for f in chosen if f not in EXPORTS]
    if unknown:
        raise KqError(f"unknown export format {unknown[0]!r}; known: {', '.join(EXPORTS)}")
    ctx = Context(engine, lang=lang)
    if not asked and len(ctx.lines) > HTML_DEFAULT_LIMIT:
        chosen.remove("html")
        if notice:
            notice(f"kqgraph.html not written: {len(ctx.lines):,} triples is more than "
                   f"{HTML_DEFAULT_LIMIT:,}; ask for it with -f html.")
    files: dict[str, bytes] = {}
    for name in chosen:
        if progress:
            progress(name)
        files.update(EXPORTS[name](ctx))
    return files


def stale(files: dict[str, bytes], folder: Path) -> list[str]:
    """The files whose content in `folder` differs from what export would write."""
    return [name for name, data in files.items()
            if not (folder / name).is_file() or (folder / name).read_bytes() != data]

