"""Export stage: the graph in every format RDF and graph tools read, written into exports/.

Each format is a registry entry (name → files it writes and the function that renders them).
Rendering is pure: the same graph gives the same bytes (sorted statements, canonical
N-Triples, no timestamps), so `exports/` diffs cleanly in review and `--check` can say
which files are stale. Files are written atomically.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kqgraph import __version__
from kqgraph.errors import KqError
from kqgraph.output import write_atomic
from kqgraph.vocab import PREFIXES

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

    from kqgraph.store import Loaded

DATASET = "https://w3id.org/kqgraph/dataset"
GRAPHS = "https://w3id.org/kqgraph/graph/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = {"ko": "한국–퀘벡 협력 지식 그래프", "en": "Korea–Quebec cooperation knowledge graph",
         "fr": "Graphe de connaissances de la coopération Corée–Québec"}
ABOUT = {
    "ko": "한국과 퀘벡의 협력: 누가 누구와, 어떤 분야에서, 언제부터 협력하는지, 그리고 그 출처.",
    "en": "Korea–Quebec cooperation: who works with whom, on what, since when, and says who.",
    "fr": "La coopération Corée–Québec : qui travaille avec qui, sur quoi, depuis quand, "
          "et selon quelle source.",
}
NODE_FIELDS = ["iri", "class", "class_label", "label_ko", "label_en", "label_fr", "label",
               "country", "country_label", "sectors", "sector_labels", "sources",
               "source_labels", "facts", "details"]
EDGE_FIELDS = ["property", "label_ko", "label_en", "label_fr", "label"]


@dataclass
class Context:
    """What the renderers share: the loaded graph as sorted N-Triples, its description, its
    projection. The statements stay in Oxigraph's native code as far as possible (dumped,
    sorted as bytes, parsed back by the serializers), so large graphs export quickly."""

    loaded: Loaded
    lang: str = "en"

    @cached_property
    def lines(self) -> list[bytes]:
        """The graph's distinct triples as sorted N-Triples lines, blank nodes canonical;
        the dataset description is not included."""
        return nt_lines(_dump_all(self.loaded.store))

    @cached_property
    def description(self) -> list[ox.Triple]:
        return describe_dataset(self.loaded, len(self.lines))

    @cached_property
    def everything(self) -> bytes:
        """N-Triples of the graph and its description, sorted: what the RDF files hold."""
        import bisect

        import pyoxigraph as ox

        lines = list(self.lines)
        extra = _split(ox.serialize(self.description, format=ox.RdfFormat.N_TRIPLES))
        for line in sorted(set(extra)):  # a few dozen: inserting beats sorting a million
            at = bisect.bisect_left(lines, line)
            if at == len(lines) or lines[at] != line:
                lines.insert(at, line)
        return b"\n".join(lines) + b"\n"

    def triples(self) -> Iterator[ox.Quad]:
        """Everything, parsed back: default-graph quads, which the serializers take as
        triples (no per-statement Python conversion)."""
        import pyoxigraph as ox

        return ox.parse(self.everything, format=ox.RdfFormat.N_TRIPLES)

    @cached_property
    def projection(self) -> nx.MultiDiGraph:
        from kqgraph.project import project

        return project(self.loaded, lang=self.lang)


def _split(data: bytes) -> list[bytes]:
    return [line for line in data.split(b"\n") if line]


def _dump_all(store: Any) -> bytes:
    """N-Triples of the default graph and every named graph, written by Oxigraph itself."""
    import pyoxigraph as ox

    if not isinstance(store, ox.Store):  # a remote endpoint's snapshot is already local
        return ox.serialize((q.triple for q in store), format=ox.RdfFormat.N_TRIPLES)
    names = [ox.DefaultGraph(), *store.named_graphs()]
    return b"".join(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
                    for name in names)


def nt_lines(data: bytes) -> list[bytes]:
    """Distinct, sorted N-Triples lines; blank nodes renamed by RDFC-1.0 (the W3C
    canonicalization) when there are any, so that the same graph always gives the same
    lines whatever order it was read in."""
    import pyoxigraph as ox

    if b"_:" in data:
        dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        data = ox.serialize((q.triple for q in dataset), format=ox.RdfFormat.N_TRIPLES)
    return sorted(set(_split(data)))


def describe_dataset(loaded: Loaded, triples: int) -> list[ox.Triple]:
    """A VoID/DCAT description: titles, licence, version, size, classes, sources.

    Nothing in it depends on the time or the machine, so two exports of the same graph match.
    """
    import pyoxigraph as ox

    def iri(text: str) -> ox.NamedNode:
        return ox.NamedNode(text)

    def term(curie_text: str) -> ox.NamedNode:
        prefix, local = curie_text.split(":", 1)
        return iri(PREFIXES[prefix] + local)

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=term("xsd:integer"))

    dataset = iri(DATASET)
    out = [
        ox.Triple(dataset, term("rdf:type"), term("void:Dataset")),
        ox.Triple(dataset, term("rdf:type"), term("dcat:Dataset")),
        ox.Triple(dataset, term("dcterms:license"), iri(LICENSE)),
        ox.Triple(dataset, term("dcat:version"), ox.Literal(__version__)),
        ox.Triple(dataset, term("void:triples"), integer(triples)),
        ox.Triple(dataset, term("void:uriSpace"), ox.Literal(PREFIXES["kqr"])),
    ]
    for lang in ("ko", "en", "fr"):
        out.append(ox.Triple(dataset, term("dcterms:title"),
                             ox.Literal(TITLE[lang], language=lang)))
        out.append(ox.Triple(dataset, term("dcterms:description"),
                             ox.Literal(ABOUT[lang], language=lang)))
    for prefix in ("kq", "schema", "org", "prov", "skos", "dcterms"):
        out.append(ox.Triple(dataset, term("void:vocabulary"), iri(PREFIXES[prefix])))
    rows = loaded.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class . "
        "?class rdfs:subClassOf* kq:Entity } GROUP BY ?class")
    for row in rows:
        local = row["class"].value.rsplit("#", 1)[-1]
        part = iri(f"{DATASET}/class/{local}")
        out += [ox.Triple(dataset, term("void:classPartition"), part),
                ox.Triple(part, term("void:class"), row["class"]),
                ox.Triple(part, term("void:entities"), integer(int(row["n"].value)))]
    sources = loaded.query("SELECT DISTINCT ?s WHERE { ?s a kq:Source }")
    out += [ox.Triple(dataset, term("dcterms:source"), row["s"]) for row in sources]
    return sorted(out, key=str)


# --- renderers --------------------------------------------------------------------------------

def _turtle(ctx: Context) -> bytes:
    import pyoxigraph as ox

    data = ox.serialize(ctx.triples(), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    prefixes = [line for line in data.split(b"\n") if line.startswith(b"@prefix")]
    body = data[sum(len(p) + 1 for p in prefixes):]
    # One subject per block: a blank line before each line that starts a new subject.
    body = re.sub(rb"\n(?=[^\t \n])", b"\n\n", body.lstrip(b"\n"))
    return b"\n".join(sorted(prefixes)) + b"\n\n" + body


def _ntriples(ctx: Context) -> bytes:
    return ctx.everything


def _rdfxml(ctx: Context) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(ctx.triples(), format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)


def _jsonld(ctx: Context) -> bytes:
    """Compact JSON-LD: the project's prefixes as an inline @context, property names and
    IRIs as CURIEs, one node per line. Oxigraph writes the expanded form; the compaction is
    a rewrite of its keys and @id/@type values (never of literal values)."""
    import pyoxigraph as ox

    data = ox.serialize(ctx.triples(), format=ox.RdfFormat.JSON_LD)
    by_namespace = {ns.encode(): prefix.encode() for prefix, ns in PREFIXES.items()}
    # Longest namespace first, so that the most specific prefix wins; a local part may not
    # start with "//", which JSON-LD would read as an absolute IRI.
    spaces = b"|".join(re.escape(ns) for ns in sorted(by_namespace, key=len, reverse=True))
    value = re.compile(rb'("(?:@id|@type)":")(' + spaces + rb')(?!//)([^"\\]*")')
    key = re.compile(rb'(?<!\\)"(' + spaces + rb')(?!//)([^"\\]*)":')
    data = value.sub(lambda m: m[1] + by_namespace[m[2]] + b":" + m[3], data)
    data = key.sub(lambda m: b'"' + by_namespace[m[1]] + b":" + m[2] + b'":', data)
    data = data.replace(b'},{"@id":', b'},\n{"@id":')
    context = json.dumps(dict(sorted(PREFIXES.items())), indent=1).encode()
    return b'{"@context": ' + context + b',\n"@graph": ' + data.strip() + b"}\n"


def _trig(ctx: Context) -> bytes:
    """Ontology, shapes, data and the dataset description, each in its own named graph."""
    import pyoxigraph as ox

    from kqgraph.store import graph_dir

    ontology_file = graph_dir() / "ontology.ttl"
    loaded = {f.resolve() for f in ctx.loaded.files}
    # The ontology's statements, whether the store keeps files apart (in memory) or not
    # (a persistent store): the same output either way.
    ontology = set(nt_lines(ox.serialize((q.triple for q in ox.parse(path=ontology_file)),
                                         format=ox.RdfFormat.N_TRIPLES))
                   ) if ontology_file.resolve() in loaded else set()
    parts = {
        "data": [line for line in ctx.lines if line not in ontology],
        "ontology": sorted(ontology),
        "shapes": nt_lines(ox.serialize(
            (q.triple for q in ox.parse(path=graph_dir() / "shapes.ttl")),
            format=ox.RdfFormat.N_TRIPLES)),
        "description": nt_lines(ox.serialize(ctx.description,
                                             format=ox.RdfFormat.N_TRIPLES)),
    }
    quads = (ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPHS + name))
             for name in sorted(parts) if parts[name]
             for q in ox.parse(b"\n".join(parts[name]) + b"\n",
                               format=ox.RdfFormat.N_TRIPLES))
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)


def _graphml(ctx: Context) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(ctx.projection, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def _csv(ctx: Context) -> dict[str, bytes]:
    """nodes.csv and edges.csv, UTF-8 with a byte-order mark so spreadsheets read Hangul."""
    graph = ctx.projection
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(["id", *NODE_FIELDS])
    for node, data in graph.nodes(data=True):
        writer.writerow([node, *(data[f] for f in NODE_FIELDS)])
    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow(["source", "target", *EDGE_FIELDS])
    for source, target, data in graph.edges(data=True):
        writer.writerow([source, target, *(data[f] for f in EDGE_FIELDS)])
    return {"nodes.csv": nodes.getvalue().encode("utf-8-sig"),
            "edges.csv": edges.getvalue().encode("utf-8-sig")}


def _html(ctx: Context) -> bytes:
    from kqgraph.viz import render

    return render(ctx.loaded, lang=ctx.lang).encode()


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


def render(loaded: Loaded, formats: Iterable[str] = (), *, lang: str = "en",
           progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every file of the chosen formats (all by default), by file name, as bytes."""
    chosen = list(formats) or list(EXPORTS)
    unknown = [f for f in chosen if f not in EXPORTS]
    if unknown:
        raise KqError(f"unknown export format {unknown[0]!r}; known: {', '.join(EXPORTS)}")
    ctx = Context(loaded, lang=lang)
    files: dict[str, bytes] = {}
    for name in chosen:
        if progress:
            progress(name)
        files.update(EXPORTS[name](ctx))
    return files


def write(files: dict[str, bytes], folder: Path) -> list[Path]:
    """Write each file atomically into `folder`; return the paths written."""
    written = []
    for name, data in files.items():
        write_atomic(folder / name, data)
        written.append(folder / name)
    return written


def stale(files: dict[str, bytes], folder: Path) -> list[str]:
    """The files whose content in `folder` differs from what export would write."""
    return [name for name, data in files.items()
            if not (folder / name).is_file() or (folder / name).read_bytes() != data]
