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
from collections.abc import Callable, Iterable
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
    """What the renderers share: the loaded graph, its description, its projection."""

    loaded: Loaded
    lang: str = "en"

    @cached_property
    def triples(self) -> list[ox.Triple]:
        """The graph's distinct triples, sorted, without the dataset description."""
        import pyoxigraph as ox

        default = ox.DefaultGraph()
        quads = canonical(ox.Quad(q.subject, q.predicate, q.object, default)
                          for q in self.loaded.store)
        return [q.triple for q in quads]

    @cached_property
    def description(self) -> list[ox.Triple]:
        return describe_dataset(self.loaded, self.triples)

    @cached_property
    def everything(self) -> list[ox.Triple]:
        return _sorted({*self.triples, *self.description})

    @cached_property
    def projection(self) -> nx.MultiDiGraph:
        from kqgraph.project import project

        return project(self.loaded, lang=self.lang)


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Distinct quads with blank nodes named by RDFC-1.0 (the W3C canonicalization), sorted:
    the same graph always gives the same list, whatever order it was read in."""
    import pyoxigraph as ox

    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate),
                                          str(q.object)))


def _sorted(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def describe_dataset(loaded: Loaded, triples: list[ox.Triple]) -> list[ox.Triple]:
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
        ox.Triple(dataset, term("void:triples"), integer(len(triples))),
        ox.Triple(dataset, term("void:uriSpace"), ox.Literal(PREFIXES["kqr"])),
    ]
    for lang in ("ko", "en", "fr"):
        out.append(ox.Triple(dataset, term("dcterms:title"),
                             ox.Literal(TITLE[lang], language=lang)))
        out.append(ox.Triple(dataset, term("dcterms:description"),
                             ox.Literal(ABOUT[lang], language=lang)))
    for prefix in ("kq", "schema", "org", "prov", "skos", "dcterms"):
        out.append(ox.Triple(dataset, term("void:vocabulary"), iri(PREFIXES[prefix])))
    rows = loaded.store.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class . "
        "?class rdfs:subClassOf* kq:Entity } GROUP BY ?class",
        prefixes=PREFIXES, use_default_graph_as_union=True)
    for row in rows:
        local = row["class"].value.rsplit("#", 1)[-1]
        part = iri(f"{DATASET}/class/{local}")
        out += [ox.Triple(dataset, term("void:classPartition"), part),
                ox.Triple(part, term("void:class"), row["class"]),
                ox.Triple(part, term("void:entities"), integer(int(row["n"].value)))]
    sources = {t.subject for t in triples
               if t.predicate.value == PREFIXES["rdf"] + "type"
               and t.object.value == PREFIXES["kq"] + "Source"}
    out += [ox.Triple(dataset, term("dcterms:source"), s) for s in sources]
    return _sorted(out)


# --- renderers --------------------------------------------------------------------------------

def _turtle(ctx: Context) -> bytes:
    import pyoxigraph as ox

    text = ox.serialize(ctx.everything, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()
    lines = text.rstrip("\n").split("\n")  # not splitlines: literals may hold U+0085
    prefixes = sorted(line for line in lines if line.startswith("@prefix"))
    # One subject per block: a blank line before each new subject.
    out = [*prefixes]
    for line in lines[len(prefixes):]:
        if not line.startswith(("\t", " ")):
            out.append("")
        out.append(line)
    return ("\n".join(out) + "\n").encode()


def _ntriples(ctx: Context) -> bytes:
    import pyoxigraph as ox

    text = ox.serialize(ctx.everything, format=ox.RdfFormat.N_TRIPLES).decode()
    return ("\n".join(sorted(text.rstrip("\n").split("\n"))) + "\n").encode()


def _rdfxml(ctx: Context) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(ctx.everything, format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)


def _jsonld(ctx: Context) -> bytes:
    """Compact JSON-LD: the project's prefixes as an inline @context, keys and IRIs as CURIEs."""
    import pyoxigraph as ox

    expanded = json.loads(ox.serialize(ctx.everything, format=ox.RdfFormat.JSON_LD))
    nodes = sorted((_compact(node) for node in expanded), key=lambda n: n["@id"])
    doc = {"@context": dict(sorted(PREFIXES.items())), "@graph": nodes}
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _compact(value: Any, key: str = "") -> Any:
    from kqgraph.vocab import curie

    def short(iri: str) -> str:
        shown = curie(iri)
        return iri if shown.startswith("<") else shown

    if isinstance(value, dict):
        return {(short(k) if not k.startswith("@") else k): _compact(v, k)
                for k, v in value.items()}
    if isinstance(value, list):
        items = [_compact(v, key) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if key in ("@id", "@type") and isinstance(value, str):
        return short(value)
    return value


def _trig(ctx: Context) -> bytes:
    """Ontology, shapes, data and the dataset description, each in its own named graph."""
    import pyoxigraph as ox

    from kqgraph.store import graph_dir, parse_file

    ontology = (graph_dir() / "ontology.ttl").resolve().as_uri()
    quads = []
    for quad in ctx.loaded.store:
        name = "ontology" if quad.graph_name.value == ontology else "data"
        quads.append(ox.Quad(quad.subject, quad.predicate, quad.object,
                             ox.NamedNode(GRAPHS + name)))
    quads += [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPHS + "shapes"))
              for q in parse_file(graph_dir() / "shapes.ttl")]
    quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPHS + "description"))
              for t in ctx.description]
    return ox.serialize(canonical(quads), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)


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
