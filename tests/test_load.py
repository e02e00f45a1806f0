"""The load stage and the Python API: strict parsing with positions, and `kqgraph.load()`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

import kqgraph
from kqgraph import store
from kqgraph.cli import cli


def test_load_returns_the_whole_graph(loaded: store.Loaded):
    graph = kqgraph.load()
    assert isinstance(graph, rdflib.Graph)
    assert len(graph) == len(loaded.store)
    mila = rdflib.URIRef("https://w3id.org/kqgraph/id/mila")
    assert rdflib.Literal("밀라", lang="ko") in set(graph.objects(mila, rdflib.RDFS.label))
    assert graph.namespace_manager.compute_qname(str(mila))[:2] == ("kqr", rdflib.URIRef(
        "https://w3id.org/kqgraph/id/"))


def test_load_keeps_literal_types(tmp_path: Path):
    path = tmp_path / "x.ttl"
    path.write_text('<http://a/s> <http://a/p> "1400"^^<http://www.w3.org/2001/XMLSchema#integer>, '
                    '"x", "y"@fr, _:b .\n', encoding="utf-8")
    objects = set(kqgraph.load([path]).objects())
    assert rdflib.Literal(1400) in objects
    assert rdflib.Literal("x") in objects
    assert rdflib.Literal("y", lang="fr") in objects
    assert any(isinstance(o, rdflib.BNode) for o in objects)


def test_graph_files_skip_shapes_and_keep_order():
    names = [p.relative_to(store.graph_dir()).as_posix() for p in store.graph_files()]
    assert "shapes.ttl" not in names
    assert names == sorted(names)
    assert {"ontology.ttl", "sources.ttl", "data/organizations.ttl"} <= set(names)


def test_stats_counts(loaded: store.Loaded):
    result = CliRunner().invoke(cli, ["stats", "--format", "json"])
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["triples"] == len(loaded.store)
    counts = {row["class"]: row["count"] for row in stats["classes"]}
    assert counts["kq:Agreement"] == 24
    assert counts["kq:Observation"] == 87
    assert counts["kq:Sector"] == 12
    assert counts["kq:Source"] >= 120
    assert counts["kq:Statement"] > 200
    assert counts["kq:Dispute"] == 10 and counts["kq:Verification"] == 20
    assert stats["entities"] >= 110
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
        "triples": 2, "files": 1, "entities": 0,
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


@pytest.mark.parametrize("command", [[], ["validate"], ["stats"]])
def test_help_has_an_example(command: list[str]):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.stdout == f"kqgraph, version {kqgraph.__version__}\n"


def test_blank_nodes_are_scoped_to_their_file(tmp_path: Path, monkeypatch):
    # RDF scopes a blank node to its document: `_:b1` in two files is two nodes, alike for
    # the Python API, the in-memory store and the persistent one.
    monkeypatch.setenv("KQGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.nt", "b.nt"):
        (data / name).write_text('_:b1 <http://a/p> "x" .\n', encoding="utf-8")
    graph = kqgraph.load([data])
    assert len(set(graph.subjects())) == 2
    count = "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"
    for mode in ("never", "always"):
        loaded = store.open_store([data], cache=mode)
        (row,) = loaded.query(count)
        assert row["n"].value == "2", mode
