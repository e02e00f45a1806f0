"""`kqgraph export`: every format round-trips, files are byte-stable and written atomically,
and `--check` finds stale files."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kqgraph import Graph
from kqgraph import export as ex
from kqgraph.cli import cli
from kqgraph.engine import LocalEngine
from kqgraph.files import graph_dir, graph_files, quads, rdflib_graph, to_rdflib, with_ontology
from kqgraph.output import write_file
from kqgraph.vocab import PREFIXES

VOID = rdflib.Namespace(PREFIXES["void"])
DCT = rdflib.Namespace(PREFIXES["dcterms"])


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    result = CliRunner().invoke(cli, ["export", "-o", str(folder)])
    assert result.exit_code == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def expected(engine) -> rdflib.Graph:
    """What every RDF export must hold: the loaded graph plus its dataset description."""
    graph = Graph().rdflib()
    ctx = ex.Context(engine)
    for t in ctx.description:
        graph.add(tuple(to_rdflib(term) for term in (t.subject, t.predicate, t.object)))
    return graph


def test_writes_every_format(exported: Path):
    assert sorted(p.name for p in exported.iterdir()) == [
        "edges.csv", "kqgraph.graphml", "kqgraph.html", "kqgraph.jsonld", "kqgraph.nt",
        "kqgraph.rdf", "kqgraph.trig", "kqgraph.ttl", "nodes.csv"]


@pytest.mark.parametrize(("name", "fmt"), [("kqgraph.ttl", "turtle"), ("kqgraph.nt", "nt"),
                                           ("kqgraph.jsonld", "json-ld"),
                                           ("kqgraph.rdf", "xml")])
def test_rdf_exports_parse_back_isomorphic(exported: Path, expected, name: str, fmt: str):
    # rdflib parses, not the Oxigraph that wrote them: a second implementation agrees.
    parsed = rdflib.Graph().parse(exported / name, format=fmt)
    assert len(parsed) == len(expected)
    assert isomorphic(parsed, expected)


def test_trig_holds_ontology_shapes_data_and_description(exported: Path, expected):
    dataset = rdflib.Dataset()
    dataset.parse(exported / "kqgraph.trig", format="trig")
    graphs = {str(g.identifier): g for g in dataset.graphs()
              if str(g.identifier).startswith(ex.GRAPHS)}
    assert sorted(graphs) == [ex.GRAPHS + n for n in ("data", "description", "ontology",
                                                      "shapes")]
    union = rdflib.Graph()
    for name in ("data", "description", "ontology"):
        for triple in graphs[ex.GRAPHS + name]:
            union.add(triple)
    assert isomorphic(union, expected)
    shapes = rdflib_graph(quads([graph_dir() / "shapes.ttl"]))
    assert isomorphic(graphs[ex.GRAPHS + "shapes"], shapes)


def test_turtle_style(exported: Path):
    text = (exported / "kqgraph.ttl").read_text(encoding="utf-8")
    prefixes = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert prefixes == sorted(prefixes)
    assert len(prefixes) == len(set(prefixes)) == len(PREFIXES)
    blocks = text.split("\n\n")[1:]
    subjects = [block.split(" ", 1)[0] for block in blocks]
    assert len(subjects) == len(set(subjects))  # one block per subject


def test_nt_is_sorted(exported: Path):
    lines = (exported / "kqgraph.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)


def test_rapper_counts_the_same_triples(exported: Path, expected):
    for name, syntax in (("kqgraph.ttl", "turtle"), ("kqgraph.nt", "ntriples")):
        run = subprocess.run(["rapper", "-i", syntax, "-c", str(exported / name)],
                             capture_output=True, text=True, check=True)
        assert f"returned {len(expected)} triples" in run.stderr, run.stderr


def test_dataset_description(exported: Path, engine):
    graph = rdflib.Graph().parse(exported / "kqgraph.ttl", format="turtle")
    dataset = rdflib.URIRef(ex.DATASET)
    titles = {t.language: str(t) for t in graph.objects(dataset, DCT.title)}
    assert sorted(titles) == ["en", "fr", "ko"]
    assert str(graph.value(dataset, DCT.license)) == ex.LICENSE
    assert int(graph.value(dataset, VOID.triples)) == len(Graph().rdflib())
    from kqgraph import __version__

    assert str(graph.value(dataset, rdflib.URIRef(PREFIXES["dcat"] + "version"))) == __version__
    partitions = {str(graph.value(p, VOID["class"])): int(graph.value(p, VOID.entities))
                  for p in graph.objects(dataset, VOID.classPartition)}
    assert partitions[PREFIXES["kq"] + "Agreement"] == 24
    assert partitions[PREFIXES["kq"] + "Observation"] == 87
    sources = {str(s) for s in graph.objects(dataset, DCT.source)}
    assert {PREFIXES["kqs"] + "healing-bling-ai-seoul-2025-quebec",
            PREFIXES["kqs"] + "lim-yong-woo-ai-seoul-2025-talk"} <= sources
    assert len(sources) >= 120
    assert not list(graph.objects(dataset, DCT.modified))  # nothing time-dependent


def test_graphml_has_the_projection(exported: Path, engine):
    from kqgraph.project import project

    projection = project(engine)
    read = nx.read_graphml(exported / "kqgraph.graphml", force_multigraph=True)
    assert sorted(read.nodes) == sorted(projection.nodes)
    assert sorted((s, t, k) for s, t, k in read.edges(keys=True)) == \
        sorted(projection.edges(keys=True))
    for node, data in projection.nodes(data=True):
        assert {k: v for k, v in read.nodes[node].items() if v != ""} == \
            {k: v for k, v in data.items() if v != ""}


def test_csv_matches_the_projection(exported: Path, engine):
    from kqgraph.project import project

    projection = project(engine)
    raw = (exported / "nodes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then read UTF-8 Hangul
    nodes = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["id"] for row in nodes] == list(projection.nodes)
    for row in nodes:
        assert {k: v for k, v in row.items() if k != "id"} == \
            {k: projection.nodes[row["id"]][k] for k in ex.NODE_FIELDS}
    mila = next(row for row in nodes if row["id"] == "kqr:mila")
    assert (mila["label_ko"], mila["label_en"], mila["label_fr"]) == ("밀라", "Mila", "Mila")
    edges = list(csv.DictReader(io.StringIO(
        (exported / "edges.csv").read_bytes().decode("utf-8-sig"))))
    assert [(e["source"], e["target"], e["property"]) for e in edges] == \
        [(s, t, k) for s, t, k in projection.edges(keys=True)]


def test_two_exports_are_byte_identical(exported: Path, tmp_path: Path):
    assert CliRunner().invoke(cli, ["export", "-o", str(tmp_path)]).exit_code == 0
    for path in exported.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_check_lists_stale_files(tmp_path: Path):
    runner = CliRunner()
    assert runner.invoke(cli, ["export", "-o", str(tmp_path), "-f", "turtle", "-f", "nt"]
                         ).exit_code == 0
    check = runner.invoke(cli, ["export", "--check", "-o", str(tmp_path), "-f", "turtle",
                                "-f", "nt"])
    assert check.exit_code == 0 and check.stdout == ""
    (tmp_path / "kqgraph.nt").write_text("stale\n", encoding="utf-8")
    (tmp_path / "kqgraph.ttl").unlink()
    check = runner.invoke(cli, ["export", "--check", "-o", str(tmp_path), "-f", "turtle",
                                "-f", "nt"])
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [str(tmp_path / "kqgraph.ttl"),
                                         str(tmp_path / "kqgraph.nt")]
    assert (tmp_path / "kqgraph.nt").read_text(encoding="utf-8") == "stale\n"  # untouched


def test_shipped_exports_are_current():
    # The same check CI runs with `kqgraph export --check`.
    folder = graph_dir().parent / "exports"
    assert ex.stale(ex.render(LocalEngine.open()), folder) == []


def test_unknown_format():
    result = CliRunner().invoke(cli, ["export", "-f", "docx"])
    assert result.exit_code == 2
    assert result.stderr.startswith("kqgraph: unknown export format 'docx'; known: turtle")


def test_a_serializer_that_fails_leaves_the_previous_files(tmp_path: Path, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(cli, ["export", "-o", str(tmp_path), "-f", "turtle"]).exit_code == 0
    before = (tmp_path / "kqgraph.ttl").read_bytes()

    def broken(ctx):
        raise RuntimeError("serializer crashed midway")

    monkeypatch.setitem(ex.EXPORTS, "nt", broken)
    result = runner.invoke(cli, ["export", "-o", str(tmp_path), "-f", "turtle", "-f", "nt"])
    assert result.exit_code == 70  # an internal error, reported in one line
    assert "serializer crashed midway" in result.stderr
    assert (tmp_path / "kqgraph.ttl").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kqgraph.ttl"]


def test_a_write_interrupted_midway_keeps_the_old_file(tmp_path: Path, monkeypatch):
    target = tmp_path / "kqgraph.nt"
    target.write_bytes(b"old\n")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while the file was written

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_file(target, b"new content, only half on disk\n" * 1000)
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kqgraph.nt"]  # no temporary file left


def test_a_killed_export_process_keeps_the_old_file(tmp_path: Path):
    """SIGKILL mid-write: no handler runs, yet the target is the old file, never half."""
    import signal
    import sys

    target = tmp_path / "big.nt"
    target.write_bytes(b"old\n")
    code = (
        "import os, signal, sys\n"
        "from kqgraph.output import write_file\n"
        "real = os.fsync\n"
        "def kill(fd):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "os.fsync = kill\n"
        f"write_file({str(target)!r}, b'x' * 10_000_000)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert run.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"old\n"


def test_files_get_the_usual_permissions(exported: Path):
    mask = os.umask(0)
    os.umask(mask)
    assert (exported / "kqgraph.ttl").stat().st_mode & 0o777 == 0o666 & ~mask


def test_export_of_data_without_the_ontology_still_draws(tmp_path: Path):
    data = graph_dir() / "data"
    result = CliRunner().invoke(cli, ["export", "-g", str(data), "-f", "csv", "-o",
                                      str(tmp_path)])
    assert result.exit_code == 0
    nodes = (tmp_path / "nodes.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert len(nodes) > 20 and any(line.startswith("kqr:mila,") for line in nodes)


def test_trig_is_the_same_whatever_the_store(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KQGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    outputs = []
    for mode in ("never", "always"):
        monkeypatch.setenv("KQGRAPH_CACHE", mode)
        assert CliRunner().invoke(cli, ["export", "-f", "trig", "-f", "nt", "-o",
                                        str(tmp_path / mode)]).exit_code == 0
        outputs.append([(tmp_path / mode / n).read_bytes() for n in ("kqgraph.trig",
                                                                     "kqgraph.nt")])
    assert outputs[0] == outputs[1]


def test_a_file_read_twice_counts_once(tmp_path: Path):
    from kqgraph.project import project

    folder = tmp_path / "g"
    import shutil

    shutil.copytree(graph_dir(), folder)
    shutil.copy(folder / "data" / "agreements.ttl", folder / "data" / "agreements-copy.ttl")
    graph = project(LocalEngine.open(with_ontology([folder])))
    memo = graph.nodes["kqr:canada-korea-sti-memorandum-2016"]
    assert memo["sectors"] == "kqr:aerospace | kqr:ai | kqr:energy | kqr:space-environment"
    assert "date signed: 2016, 2016-12-20 |" in memo["details"]
    assert "2016, 2016, " not in memo["details"]
    assert len(graph_files([folder, folder / ".." / "g"])) == len(graph_files([folder]))


def test_jsonld_compaction_leaves_literals_alone(tmp_path: Path):
    """The rewrite into CURIEs touches keys and IRIs only, never literals that hold the
    namespaces, and leaves a namespace whose local part starts with "//" in full; rdflib
    reads the same graph."""
    import pyoxigraph as ox

    kqr, schema = PREFIXES["kqr"], PREFIXES["schema"]
    triples = [
        ox.Triple(ox.NamedNode(kqr + "a"), ox.NamedNode(schema + "name"),
                  ox.Literal(f'say "{schema}x" and \\"{kqr}y\\" <{kqr}z>')),
        ox.Triple(ox.NamedNode(kqr + "a"), ox.NamedNode(schema + "url"), ox.Literal(kqr)),
        ox.Triple(ox.NamedNode(kqr + "a"), ox.NamedNode(schema + "url"),
                  ox.Literal(kqr + "b", datatype=ox.NamedNode(schema + "URL"))),
        ox.Triple(ox.NamedNode(kqr + "a"), ox.NamedNode(schema + "knows"), ox.BlankNode("b")),
        ox.Triple(ox.BlankNode("b"), ox.NamedNode(schema + "sameAs"), ox.NamedNode(kqr)),
    ]
    slashes = [ox.Triple(ox.NamedNode(kqr + "//c"), ox.NamedNode(schema + "//d"),
                         ox.NamedNode(schema + "/e"))]
    for extra in ([], slashes):
        expanded = ox.serialize(triples + extra, format=ox.RdfFormat.JSON_LD)
        compact = ex.compact(expanded)
        assert (b'"kqr:a"' in compact) == (not extra) and b'"@value":"say' in compact
        assert (b'"schema:name"' in compact) == (not extra)
        (tmp_path / "g.jsonld").write_bytes(b'{"@context": ' + json.dumps(PREFIXES).encode()
                                            + b', "@graph": ' + compact + b"}")
        parsed = rdflib.Graph().parse(tmp_path / "g.jsonld", format="json-ld")
        original = rdflib.Graph().parse(data=expanded, format="json-ld")
        assert isomorphic(parsed, original)


def test_a_persistent_store_gives_the_lines_of_one_in_memory(tmp_path: Path):
    """The same canonical lines from a persistent store as from memory, blank nodes
    included."""
    import pyoxigraph as ox

    data = (b'_:a <http://ex.org/p> _:b .\n_:b <http://ex.org/q> "x" .\n'
            b'<http://ex.org/s> <http://ex.org/r> _:a .\n'
            b'<http://ex.org/s> <http://ex.org/p> "_:not a blank node" .\n'
            b'<http://ex.org/s> <http://ex.org/q> <http://ex.org/o> .\n')
    built = ox.Store(str(tmp_path / "store"))
    built.load(data, format=ox.RdfFormat.N_TRIPLES)
    built.flush()
    del built
    read_only = ox.Store.read_only(str(tmp_path / "store"))
    in_memory = ox.Store()
    in_memory.load(data, format=ox.RdfFormat.N_TRIPLES)
    lines = ex.Context(LocalEngine(read_only, [], persistent=True)).lines
    assert lines == ex.Context(LocalEngine(in_memory, [])).lines == ex.nt_lines(data)
    assert lines[0] == b'<http://ex.org/s> <http://ex.org/p> "_:not a blank node" .'


def test_bare_export_leaves_the_html_out_above_the_limit(tmp_path: Path, monkeypatch):
    # The limit lowered below the shipped graph's size stands in for a user's large graph.
    monkeypatch.setattr(ex, "HTML_DEFAULT_LIMIT", 100)
    result = CliRunner().invoke(cli, ["export", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "kqgraph.html").exists()
    assert (tmp_path / "kqgraph.graphml").is_file() and (tmp_path / "nodes.csv").is_file()
    assert "note: kqgraph.html not written:" in result.stderr
    assert "is more than 100; ask for it with -f html." in result.stderr
    asked = CliRunner().invoke(cli, ["export", "-f", "html", "-o", str(tmp_path)])
    assert asked.exit_code == 0, asked.stderr
    assert (tmp_path / "kqgraph.html").read_bytes() == \
        (graph_dir().parent / "exports" / "kqgraph.html").read_bytes()
    assert "note:" not in asked.stderr


def _networkx_graphml(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def test_graphml_is_what_networkx_writes(exported: Path, engine):
    # kqgraph writes GraphML itself, in one pass; networkx's writer is the reference.
    from kqgraph.project import project

    written = (exported / "kqgraph.graphml").read_bytes()
    assert written == _networkx_graphml(project(engine))


def _context(graph: nx.MultiDiGraph) -> SimpleNamespace:
    """What the GraphML writer reads: the projection's records, here of a networkx graph."""
    from kqgraph.project import Network

    return SimpleNamespace(projection=Network(list(graph.nodes(data=True)),
                                              list(graph.edges(keys=True, data=True))))


def test_graphml_escapes_like_networkx():
    graph = nx.MultiDiGraph()
    graph.add_node('a&<b>"\n\t', label="x & y < z > \"q\" 'a'\nnew line", empty="")
    graph.add_node("plain")
    graph.add_edge('a&<b>"\n\t', "plain", key="p&q", label="r\r\n<s>", empty="")
    assert ex._graphml(_context(graph)) == _networkx_graphml(graph)


def test_graphml_of_other_values_falls_back_to_networkx():
    graph = nx.MultiDiGraph()
    graph.add_node("a", weight=1.5, seen=True)
    graph.add_edge("a", "b", key="k", count=3)
    written = ex._graphml(_context(graph))
    assert written == _networkx_graphml(graph)
    assert b'attr.type="double"' in written
