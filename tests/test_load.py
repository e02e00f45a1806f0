"""The load stage and the Python API (`kqgraph.Graph`): strict parsing, one dataset shape
whatever the store, counts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import rdflib
from click.testing import CliRunner

import kqgraph
from kqgraph.cli import cli
from kqgraph.engine import LocalEngine
from kqgraph.files import graph_dir, graph_files


def test_the_graph_as_rdflib_is_the_whole_graph(engine: LocalEngine):
    graph = kqgraph.Graph().rdflib()
    assert isinstance(graph, rdflib.Graph)
    assert len(graph) == len(engine)
    mila = rdflib.URIRef("https://w3id.org/kqgraph/id/mila")
    assert rdflib.Literal("밀라", lang="ko") in set(graph.objects(mila, rdflib.RDFS.label))
    assert graph.namespace_manager.compute_qname(str(mila))[:2] == ("kqr", rdflib.URIRef(
        "https://w3id.org/kqgraph/id/"))


def test_load_keeps_literal_types(tmp_path: Path):
    path = tmp_path / "x.ttl"
    path.write_text('<http://a/s> <http://a/p> "1400"^^<http://www.w3.org/2001/XMLSchema#integer>, '
                    '"x", "y"@fr, _:b .\n', encoding="utf-8")
    objects = set(kqgraph.Graph(path).rdflib().objects())
    assert rdflib.Literal(1400) in objects
    assert rdflib.Literal("x") in objects
    assert rdflib.Literal("y", lang="fr") in objects
    assert any(isinstance(o, rdflib.BNode) for o in objects)


def test_graph_files_skip_shapes_and_keep_order():
    names = [p.relative_to(graph_dir()).as_posix() for p in graph_files()]
    assert "shapes.ttl" not in names
    assert names == sorted(names)
    assert {"ontology.ttl", "sources.ttl", "data/organizations.ttl"} <= set(names)


def test_stats_counts(engine: LocalEngine):
    result = CliRunner().invoke(cli, ["stats", "--format", "json"])
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["triples"] == len(engine)
    counts = {row["class"]: row["count"] for row in stats["classes"]}
    assert counts["kq:Agreement"] == 24
    assert counts["kq:Observation"] == 87
    assert counts["kq:Sector"] == 12
    assert counts["kq:Source"] >= 120
    assert counts["kq:Statement"] > 200
    assert counts["kq:Dispute"] == 10 and counts["kq:Verification"] == 20
    assert stats["entities"] >= 110 and stats["relations"] >= 90 and stats["sources"] >= 120
    assert stats["statements"] == counts["kq:Statement"]
    # Names no read source gave are marked, not invented, and counted per language.
    assert stats["missing_labels"]["ko"] > stats["missing_labels"]["fr"] > \
        stats["missing_labels"]["en"]


def test_stats_text_in_korean():
    result = CliRunner().invoke(cli, ["stats", "--lang", "ko"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"\d+ triples in \d+ files", lines[0])
    assert re.search(r"^\s+24  kq:Agreement\s+협정$", result.stdout, flags=re.MULTILINE)


def test_stats_on_a_user_file(tmp_path: Path):
    path = tmp_path / "mine.ttl"
    path.write_text("<http://a/x> a <http://a/C> .\n<http://a/y> a <http://a/C> .\n",
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["stats", "-g", str(path), "--format", "json"])
    assert json.loads(result.stdout) == {
        "triples": 2, "files": 1, "entities": 0, "relations": 0, "sources": 0, "statements": 0,
        "missing_labels": {"ko": 0, "en": 0, "fr": 0},
        "classes": [{"class": "<http://a/C>", "iri": "http://a/C", "label": "<http://a/C>",
                     "count": 2}]}


def test_stats_counts_entities_missing_a_label_per_language(tmp_path: Path):
    path = tmp_path / "mine.ttl"
    path.write_text(
        "@prefix kq: <https://w3id.org/kqgraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<http://a/x> a kq:Company ; rdfs:label "X"@en, "X"@fr .\n'
        '<http://a/y> a kq:University ; rdfs:label "Y"@en .\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["stats", "-g", str(path), "-g", "graph/ontology.ttl",
                                      "--format", "json"])
    stats = json.loads(result.stdout)
    assert (stats["entities"], stats["missing_labels"]) == (2, {"ko": 2, "en": 0, "fr": 1})
    text = CliRunner().invoke(cli, ["stats", "-g", str(path), "-g", "graph/ontology.ttl"])
    assert text.stdout.splitlines()[1] == "2 entities; labels: 2 without ko, 0 without en, " \
                                          "1 without fr"


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.stdout == f"kqgraph, version {kqgraph.__version__}\n"


def test_blank_nodes_are_scoped_to_their_file(tmp_path: Path, monkeypatch):
    # RDF scopes a blank node to its document: `_:b1` in two files is two nodes, alike for
    # the in-memory store and the persistent one.
    monkeypatch.setenv("KQGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.nt", "b.nt"):
        (data / name).write_text('_:b1 <http://a/p> "x" .\n', encoding="utf-8")
    count = "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"
    for mode in ("never", "always"):
        assert kqgraph.Graph(data, cache=mode).query(count).rows[0]["n"].value == "2", mode


SHAPE_QUERIES = [
    "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",  # the files are no graphs
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",  # a triple in two files counts once
    "SELECT ?o WHERE { <http://a/s> <http://a/p> ?o } ORDER BY ?o",
    "SELECT ?o WHERE { GRAPH <http://a/g> { ?s ?p ?o } }",  # a TriG file's named graph stays
]


def test_one_dataset_shape_in_memory_and_in_a_persistent_store(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KQGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.ttl", "b.ttl"):  # the same triple in both files
        (data / name).write_text('<http://a/s> <http://a/p> "same" .\n', encoding="utf-8")
    (data / "c.nt").write_text('<http://a/s> <http://a/p> "only here" .\n', encoding="utf-8")
    (data / "d.trig").write_text('<http://a/g> { <http://a/t> <http://a/p> "named" . }\n',
                                 encoding="utf-8")
    answers = {}
    for mode in ("never", "always"):
        graph = kqgraph.Graph(data, cache=mode)
        answers[mode] = [[{k: str(v) for k, v in row.items()} for row in graph.query(q).rows]
                         for q in SHAPE_QUERIES]
    assert answers["never"] == answers["always"]
    assert answers["never"] == [
        [{"g": "<http://a/g>"}],
        [{"n": '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'}],  # same, only here, named
        [{"o": '"only here"'}, {"o": '"same"'}],
        [{"o": '"named"'}]]
