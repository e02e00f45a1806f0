"""Export stage: the graph in every format RDF and graph tools read, written into exports/.

Each format is a registry entry (name → files it writes and the function that renders them).
Rendering is pure: the same graph gives the same bytes (sorted statements, canonical
N-Triples, no timestamps), so `exports/` diffs cleanly in review and `--check` can say
which files are stale. Files are written atomically.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import json
import operator
import os
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
# Up to this many predicates, a persistent store is read one predicate at a time, in
# parallel; beyond, the queries' own cost would outweigh it.
PARALLEL_PREDICATES = 256
# What SPARQL does not allow inside <...> (its IRIREF), though a store could hold it.
UNSPELLABLE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


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
        lines: list[bytes] = []
        blank = False
        for part in _dump_all(self.loaded.store):
            # Each part sorted as it comes, while the next ones are read: the sort of the
            # whole then only merges these runs.
            blank = blank or b"_:" in part
            run = part.split(b"\n")
            run.sort()
            lines += run
        if blank:
            return nt_lines(b"\n".join(lines))
        return _sorted_distinct(lines)

    @cached_property
    def description(self) -> list[ox.Triple]:
        return describe_dataset(self.loaded, len(self.lines))

    @cached_property
    def everything(self) -> bytes:
        """N-Triples of the graph and its description, sorted: what the RDF files hold."""
        import pyoxigraph as ox

        lines = self.lines
        extra = _split(ox.serialize(self.description, format=ox.RdfFormat.N_TRIPLES))
        # A few dozen lines merged into a million: slices copied once (inserting one by one
        # would move the tail each time, sorting again would compare everything).
        merged: list[bytes] = []
        start = 0
        for line in sorted(set(extra)):
            at = bisect.bisect_left(lines, line, start)
            merged += lines[start:at]
            start = at
            if at == len(lines) or lines[at] != line:
                merged.append(line)
        merged += lines[start:]
        merged.append(b"")
        return b"\n".join(merged)

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


def _dump_all(store: Any) -> Iterator[bytes]:
    """N-Triples of the default graph and every named graph, written by Oxigraph itself, in
    parts.

    A persistent store holds everything in its default graph, and reading it is most of an
    export's time (turning the store's term ids back into text): it is read one predicate
    at a time by two threads, which Oxigraph runs in parallel (each query releases the GIL
    and reads the predicate's index; the predicate is a constant of the template, so it is
    not decoded again for every statement). With many predicates, or one processor, or
    predicates that a query could not spell, one dump.
    """
    import pyoxigraph as ox

    if not isinstance(store, ox.Store):  # a remote endpoint's snapshot is already local
        yield ox.serialize((q.triple for q in store), format=ox.RdfFormat.N_TRIPLES)
        return
    names = [ox.DefaultGraph(), *store.named_graphs()]
    predicates = [str(row["p"]) for row in store.query(
        "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")] if len(names) == 1 and _processors() > 1 else []
    if not 1 < len(predicates) <= PARALLEL_PREDICATES or any(
            UNSPELLABLE.search(p, 1, len(p) - 1) for p in predicates):
        for name in names:
            yield store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        return
    from concurrent.futures import ThreadPoolExecutor

    def read(predicate: str) -> bytes:
        return store.query(f"CONSTRUCT {{ ?s {predicate} ?o }} WHERE {{ ?s {predicate} ?o }}"
                           ).serialize(format=ox.RdfFormat.N_TRIPLES)

    with ThreadPoolExecutor(2) as pool:
        yield from pool.map(read, predicates)


def _processors() -> int:
    """How many processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def nt_lines(data: bytes) -> list[bytes]:
    """Distinct, sorted N-Triples lines; blank nodes renamed by RDFC-1.0 (the W3C
    canonicalization) when there are any, so that the same graph always gives the same
    lines whatever order it was read in."""
    import pyoxigraph as ox

    if b"_:" in data:
        dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        data = ox.serialize((q.triple for q in dataset), format=ox.RdfFormat.N_TRIPLES)
    return _sorted_distinct(data.split(b"\n"))


def _sorted_distinct(lines: list[bytes]) -> list[bytes]:
    """The lines sorted in place, without empty ones, then made distinct only if two
    neighbours are equal: a store's graph has no duplicates, and hashing a million lines
    into a set costs as much as the sort."""
    lines.sort()
    del lines[:bisect.bisect_right(lines, b"")]  # empty lines, which sort first
    if any(map(operator.eq, lines, itertools.islice(lines, 1, None))):
        lines = sorted(set(lines))
    return lines


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
    end = 0  # the @prefix lines come first: find their end, not split the whole output
    while data.startswith(b"@prefix", end):
        end = data.index(b"\n", end) + 1
    prefixes = data[:end].split(b"\n")[:-1]
    body = data[end:]
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
    # Rewritten a megabyte at a time, so that the dozen passes over each piece run in the
    # processor's cache (twice as fast as passes over the whole). Pieces end between two
    # objects, at '},{"@id":', which only JSON's structure writes (a quote inside a string
    # is escaped), so no rewritten pattern straddles two pieces.
    pieces = []
    start = 0
    while start < len(data):
        end = data.find(b'},{"@id":', start + (1 << 20))
        end = len(data) if end < 0 else end + 1
        pieces.append(_compact(data[start:end]).replace(b'},{"@id":', b'},\n{"@id":'))
        start = end + 1
    context = json.dumps(dict(sorted(PREFIXES.items())), indent=1).encode()
    return b'{"@context": ' + context + b',\n"@graph": ' + b",\n".join(pieces).strip() + b"}\n"


def _compact(data: bytes) -> bytes:
    """Expanded JSON-LD with the project's namespaces written as CURIEs, by one
    bytes.replace per namespace present (a regular expression calling back into Python for
    each of millions of IRIs took longer than Oxigraph's whole serialization).

    In JSON a quote inside a string is escaped, so an unescaped quote followed by a namespace
    opens a string that starts with it: a key (a property), an @id or @type value, or an
    @value, which is a literal and must stay as it is. Those literals, and escaped quotes
    followed by a namespace inside literals, are first marked with a NUL byte (JSON escapes
    control characters, so there is none otherwise) and the marks removed at the end.
    """
    by_namespace = {ns.encode(): prefix.encode() for prefix, ns in PREFIXES.items()}
    # Longest namespace first, so that the most specific prefix wins.
    present = [ns for ns in sorted(by_namespace, key=len, reverse=True) if b'"' + ns in data]
    if b"\x00" in data or any(b'"' + ns + b"//" in data for ns in present):
        # A local part starting with "//" would read as an absolute IRI: rare, done slowly.
        return _compact_slowly(data, by_namespace)
    marked = False
    for start in sorted({ns[:4] for ns in by_namespace}):  # b"http"
        for guard in (b'"@value":"' + start, b'\\"' + start):
            if guard in data:
                data = data.replace(guard, guard[:-len(start)] + b"\x00" + start)
                marked = True
    for ns in present:
        data = data.replace(b'"' + ns, b'"' + by_namespace[ns] + b":")
    return data.replace(b"\x00", b"") if marked else data


def _compact_slowly(data: bytes, by_namespace: dict[bytes, bytes]) -> bytes:
    """The same rewrite by regular expressions: slower, but exact for any local part."""
    # A local part may not start with "//", which JSON-LD would read as an absolute IRI.
    spaces = b"|".join(re.escape(ns) for ns in sorted(by_namespace, key=len, reverse=True))
    value = re.compile(rb'("(?:@id|@type)":")(' + spaces + rb')(?!//)([^"\\]*")')
    key = re.compile(rb'(?<!\\)"(' + spaces + rb')(?!//)([^"\\]*)":')
    data = value.sub(lambda m: m[1] + by_namespace[m[2]] + b":" + m[3], data)
    return key.sub(lambda m: b'"' + by_namespace[m[1]] + b":" + m[2] + b'":', data)


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
