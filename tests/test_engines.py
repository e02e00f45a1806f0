"""Engines: a persistent store reused across commands, remote SPARQL endpoints (a real
Oxigraph server), `push` through the Graph Store Protocol, and `serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import free_port, wait_for

from kqgraph import cache as store_cache
from kqgraph.cli import cli
from kqgraph.engine import LocalEngine

KQGRAPH = [sys.executable, "-c", "from kqgraph.cli import main; main()"]


def kq(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


# --- the persistent store -----------------------------------------------------------------------

@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KQGRAPH_CACHE_DIR", str(folder))
    monkeypatch.setenv("KQGRAPH_CACHE", "always")
    return folder


@pytest.fixture
def builds(monkeypatch) -> list[list[Path]]:
    """Every store build (a parse of the files) made during the test."""
    calls: list[list[Path]] = []
    real = store_cache._load_files

    def counting(target, files, progress):
        calls.append(list(files))
        return real(target, files, progress)

    monkeypatch.setattr(store_cache, "_load_files", counting)
    return calls


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a kq:Agreement }"
AGREEMENTS = f"n\n{24}\n"  # the shipped graph's agreements
ONE_LESS = f"n\n{23}\n"


def test_cache_is_built_once_and_reused(cache: Path, builds, graph_copy: Path):
    first = kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")
    second = kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")
    assert first == second == (0, AGREEMENTS, "")
    assert len(builds) == 1  # the second command did not parse anything
    stores = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert len(stores) == 1 and (stores[0] / store_cache.MARKER).is_file()


def test_cache_is_rebuilt_after_an_edit(cache: Path, builds, graph_copy: Path):
    assert kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")[1] == AGREEMENTS
    agreements = graph_copy / "data" / "agreements.ttl"
    before = agreements.read_text(encoding="utf-8")
    text = before.replace(
        "kqr:mila-seoul-ai-hub-partnership-2023\n    a kq:Agreement ;",
        "kqr:mila-seoul-ai-hub-partnership-2023\n    a kq:Presence ;")
    agreements.write_text(text, encoding="utf-8")
    assert kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")[1] == ONE_LESS
    assert len(builds) == 2


def test_a_damaged_cache_is_rebuilt_not_trusted(cache: Path, builds, graph_copy: Path):
    assert kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")[1] == AGREEMENTS
    (folder,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    for path in folder.iterdir():  # every file of the store overwritten with garbage
        path.write_bytes(b"\x00garbage")
    assert kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")[1] == AGREEMENTS
    assert len(builds) == 2
    (folder / store_cache.MARKER).unlink()  # a build that never finished
    assert kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")[1] == AGREEMENTS
    assert len(builds) == 3


def test_a_store_damaged_behind_its_marker_is_rebuilt(cache: Path, builds, graph_copy: Path):
    # The marker says "built", so the store is opened as it is; RocksDB's "Corruption"
    # must end in a rebuild, not an internal error.
    assert kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")[1] == AGREEMENTS
    (folder,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    for path in folder.iterdir():
        if path.name != store_cache.MARKER:
            path.write_bytes(b"\x00garbage")
    assert kq("query", "-g", str(graph_copy), COUNT, "--format", "csv")[1] == AGREEMENTS
    assert len(builds) == 2


def test_viz_of_a_graph_without_the_ontology_builds_one_store(cache: Path, builds,
                                                              graph_copy: Path,
                                                              tmp_path: Path):
    # viz reads the data with the ontology; the data's own store is not needed, and opening
    # it only to compare file lists built it as well: two builds of a graph never seen.
    data = graph_copy / "data"
    assert kq("viz", "-g", str(data), "-o", str(tmp_path / "page.html"))[0] == 0
    assert len(builds) == 1
    assert [f.name for f in builds[0]][-1] == "ontology.ttl"


@pytest.fixture
def projections(monkeypatch) -> list[str]:
    """The language of every network projection made (not read back) during the test."""
    from kqgraph import project

    calls: list[str] = []
    real = project._network

    def counting(engine, lang, only):
        calls.append(lang)
        return real(engine, lang, only)

    monkeypatch.setattr(project, "_network", counting)
    return calls


def _kept(cache: Path) -> Path:
    (folder,) = cache.glob(f"*{store_cache.DERIVED}")
    return folder


def test_a_projection_is_kept_beside_its_store_and_reused(cache: Path, projections,
                                                          graph_copy: Path, tmp_path: Path):
    g = ["-g", str(graph_copy)]
    assert kq("export", *g, "-f", "graphml", "-f", "csv", "-o", str(tmp_path / "a"))[0] == 0
    assert projections == ["en"]
    assert kq("export", *g, "-f", "graphml", "-f", "csv", "-o", str(tmp_path / "b"))[0] == 0
    assert kq("hubs", *g, "--top", "3")[0] == 0
    assert projections == ["en"]  # read back twice, made once
    for name in ("kqgraph.graphml", "nodes.csv", "edges.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert sorted(p.name for p in _kept(cache).iterdir()) == ["projection-en.json"]
    assert kq("hubs", *g, "--lang", "fr", "--top", "3")[0] == 0
    assert projections == ["en", "fr"]  # one per language


def test_a_kept_projection_is_compact_json_that_reads_back_equal(engine: LocalEngine):
    # The file is written with orjson for speed: it must be the JSON the standard library
    # writes (readable by any tool) and give back the same network, attributes included.
    from kqgraph import project

    network = project._network(engine, "en", None)
    data = project._dumps(network)
    plain = {"nodes": network.nodes, "edges": network.edges}
    assert data == json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
    assert project._loads(data) == network


def test_a_projections_records_are_in_the_order_networkx_gives_them(engine: LocalEngine):
    # GraphML and CSV write the records as they are, views read the networkx graph made of
    # them: both must list nodes and edges alike, or an export would differ from what an
    # analysis of the same projection sees (networkx groups a node's edges by neighbour).
    from kqgraph import project

    network = project._network(engine, "en", None)
    graph = network.graph()
    assert list(graph.nodes(data=True)) == network.nodes
    assert list(graph.edges(keys=True, data=True)) == network.edges
    # The case that needs the grouping is there: the edges as made, sorted by the IRIs of
    # subject, property and object, are not already in networkx's order (a node links to
    # one neighbour, another, then the first again).
    made = sorted(network.edges, key=lambda e: tuple(map(project._iri, (e[0], e[2], e[1]))))
    assert made != network.edges


def test_a_kept_projection_is_made_again_after_an_edit(cache: Path, projections,
                                                       graph_copy: Path, tmp_path: Path):
    g = ["-g", str(graph_copy), "-f", "csv"]
    assert kq("export", *g, "-o", str(tmp_path / "a"))[0] == 0
    places = graph_copy / "data" / "places.ttl"
    places.write_text(places.read_text(encoding="utf-8").replace('"Ville de Montréal"@fr',
                                                                 '"Ville-Marie"@fr'),
                      encoding="utf-8")
    assert kq("export", *g, "--lang", "fr", "-o", str(tmp_path / "b"))[0] == 0
    assert kq("export", *g, "-o", str(tmp_path / "c"))[0] == 0
    assert projections == ["en", "fr", "en"]  # the new store's
    assert "Ville-Marie" in (tmp_path / "b" / "nodes.csv").read_text(encoding="utf-8-sig")


def test_a_damaged_projection_is_made_again_not_read(cache: Path, projections,
                                                     graph_copy: Path, tmp_path: Path):
    g = ["-g", str(graph_copy), "-f", "graphml"]
    assert kq("export", *g, "-o", str(tmp_path / "a"))[0] == 0
    kept = _kept(cache) / "projection-en.json"
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0x20  # one letter's case: still JSON, no longer what was made
    kept.write_bytes(bytes(data))
    assert kq("export", *g, "-o", str(tmp_path / "b"))[0] == 0
    assert projections == ["en", "en"]
    assert ((tmp_path / "a" / "kqgraph.graphml").read_bytes()
            == (tmp_path / "b" / "kqgraph.graphml").read_bytes())


def test_a_kept_projection_is_stale_when_its_code_changes(cache: Path, projections,
                                                          graph_copy: Path, monkeypatch):
    from kqgraph import project

    assert kq("hubs", "-g", str(graph_copy))[0] == 0
    # Another module's source stands for an edit of the projection's code.
    monkeypatch.setattr(project, "MADE_BY", (*project.MADE_BY, "panel"))
    assert kq("hubs", "-g", str(graph_copy))[0] == 0
    assert projections == ["en", "en"]


def test_derived_data_needs_a_built_store(cache: Path):
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        return b"made"

    files = [Path(__file__)]  # no store was built for these
    assert store_cache.derived(files, "x", b"", make) == b"made"
    assert store_cache.derived(files, "x", b"", make) == b"made"
    assert made == [1, 1] and not cache.exists()


def test_pruned_stores_take_their_derived_data_along(tmp_path: Path):
    cache = tmp_path / "cache"
    names = []
    for number in range(store_cache.KEEP_STORES + 1):
        sign = f"store {number}".encode()
        folder = cache / store_cache._checksum(sign)
        folder.mkdir(parents=True)
        (folder / store_cache.MARKER).write_bytes(sign + store_cache.STORE_PART)
        os.utime(folder, (number, number))  # the first is the oldest
        derived = folder.with_name(folder.name + store_cache.DERIVED)
        derived.mkdir()
        (derived / "projection-en.json").write_bytes(b"{}")
        names.append(folder.name)
    store_cache._prune(cache / names[-1])
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [*names[1:], *(n + store_cache.DERIVED for n in names[1:])])


def test_a_killed_write_of_derived_data_is_cleared(tmp_path: Path):
    folder = tmp_path / "cache" / f"0123456789abcdef{store_cache.DERIVED}"
    folder.mkdir(parents=True)
    dead = folder / ".projection-en.json.999999999.part"  # no such process
    alive = folder / f".projection-fr.json.{os.getpid()}.part"  # still writing
    for path in (dead, alive):
        path.write_bytes(b"{")
    store_cache._remove_leftovers(tmp_path / "cache")
    assert sorted(p.name for p in folder.iterdir()) == [alive.name]


def test_query_errors_come_before_graph_errors(tmp_path: Path):
    # The graph is parsed on a thread while the query is read: the order of the messages
    # must not depend on which finishes first.
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://a/s> <http://a/p> .\n", encoding="utf-8")
    code, out, err = kq("query", "no-such-saved-query", "-g", str(broken))
    assert (code, out) == (2, "")
    assert "no-such-saved-query" in err and "broken.ttl" not in err
    code, out, err = kq("query", "ASK {}", "-g", str(broken))
    assert (code, out, err) == (2, "", f"{broken}:1:27: . is not a valid RDF object\n")
    missing = tmp_path / "missing.ttl"
    assert kq("query", "no-such-saved-query", "-g", str(missing))[2].startswith(
        "kqgraph: no saved query named 'no-such-saved-query'")
    assert kq("query", "partners", "-p", "org", "-g", str(missing))[2] == (
        "kqgraph: --param wants NAME=VALUE, got 'org'\n")
    assert kq("query", "ASK {}", "-g", str(missing))[2] == (
        f"{missing}: no such file or folder\n")


def test_a_bad_query_does_not_wait_for_a_store_build(cache: Path, builds, graph_copy: Path):
    code, _, err = kq("query", "no-such-saved-query", "-g", str(graph_copy))
    assert code == 2 and "no-such-saved-query" in err
    assert builds == []


def test_two_commands_building_at_once_agree(cache: Path, graph_copy: Path):
    env = {**os.environ}
    procs = [subprocess.Popen([*KQGRAPH, "query", "-g", str(graph_copy), COUNT, "--format",
                               "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    assert {out.decode() for out, _ in outs} == {"n\r\n24\r\n"}
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 1
    assert not [p for p in cache.iterdir() if p.name.endswith(".building")]


def test_small_graphs_stay_in_memory(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KQGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KQGRAPH_CACHE", raising=False)
    assert kq("stats")[0] == 0
    assert not (tmp_path / "cache").exists()


def test_a_broken_file_in_a_large_graph_still_gives_its_position(cache: Path, tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://a/s> <http://a/p> .\n", encoding="utf-8")
    code, out, err = kq("stats", "-g", str(bad))
    assert (code, out) == (2, "")
    assert err.startswith(f"{bad}:1:") and "Traceback" not in err
    assert not [p for p in cache.iterdir() if not p.name.startswith(".")]


# --- a real Oxigraph server ------------------------------------------------------------------

def test_push_then_read_through_the_endpoint(oxigraph_server: str, tmp_path: Path):
    code, out, err = kq("push", "--endpoint", oxigraph_server)
    assert code == 0, err
    total = len(LocalEngine.open())
    assert out == f"{total} triples in the default graph at {oxigraph_server}\n"
    for name in ("agreements", "partners", "sector", "indicators", "events", "presences"):
        local = kq("query", name, "--format", "csv")
        remote = kq("query", name, "--format", "csv", "--endpoint", oxigraph_server)
        assert remote == local, name
    for entity in ("mila", "밀라", "Université McGill"):
        assert kq("describe", entity, "--format", "json", "--endpoint", oxigraph_server) == \
            kq("describe", entity, "--format", "json")
    assert kq("search", "quebec", "--endpoint", oxigraph_server) == kq("search", "quebec")
    # A second push replaces the graph: the count does not change.
    assert kq("push", "--endpoint", oxigraph_server)[1] == out


def test_viz_through_the_endpoint_is_byte_identical(oxigraph_server: str, tmp_path: Path):
    assert kq("push", "--endpoint", oxigraph_server)[0] == 0
    local_html, remote_html = tmp_path / "local.html", tmp_path / "remote.html"
    assert kq("viz", "-o", str(local_html))[0] == 0
    assert kq("viz", "-o", str(remote_html), "--endpoint", oxigraph_server)[0] == 0
    assert remote_html.read_bytes() == local_html.read_bytes()


def test_endpoint_from_the_environment(oxigraph_server: str):
    assert kq("push", "--endpoint", oxigraph_server)[0] == 0
    code, out, _ = kq("query", "partners", "--format", "csv",
                      env={"KQGRAPH_ENDPOINT": oxigraph_server})
    assert code == 0 and "seoul-ai-hub" in out


def test_push_to_a_named_graph(oxigraph_server: str):
    code, out, _ = kq("push", "--endpoint", oxigraph_server, "--graph", "https://example.org/g")
    assert code == 0
    assert out.startswith(str(len(LocalEngine.open())) + " triples")
    # The server's default graph stays empty: the push went to the named graph.
    assert kq("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--format", "csv",
              "--endpoint", oxigraph_server)[1] == "n\n0\n"


def test_a_malformed_query_is_reported_by_the_endpoint_with_its_position(oxigraph_server):
    # Nothing runs locally to check a query meant for an endpoint (a local run would execute
    # its SERVICE calls): the endpoint's parser says what is wrong, and where in the query.
    code, out, err = kq("query", "SELECT * WHERE {\n ?s ?p }", "--endpoint", oxigraph_server)
    assert (code, out) == (2, "")
    assert err.startswith("query:2:")


def test_unreachable_endpoint(tmp_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/query"
    for args in (["query", "agreements"], ["describe", "mila"], ["push"],
                 ["viz", "-o", str(tmp_path / "x")]):
        code, out, err = kq(*args, "--endpoint", url)
        assert (code, out) == (4, ""), args
        # push reaches for the Graph Store address next to the query URL (/store)
        assert f"kqgraph: cannot reach the endpoint http://127.0.0.1:{port}/" in err, err
        assert "Connection refused" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_credentials_come_from_the_environment(endpoint):
    url = f"http://127.0.0.1:{endpoint.server_port}/query"
    code, out, _ = kq("query", "SELECT ?x { ?x ?p ?o }", "--format", "csv", "--endpoint", url,
                      env={"KQGRAPH_ENDPOINT_USER": "curator",
                           "KQGRAPH_ENDPOINT_PASSWORD": "s3cret"})
    assert (code, out) == (0, "x\nfrom the endpoint\n")
    assert endpoint.headers[-1]["Authorization"] == "Basic Y3VyYXRvcjpzM2NyZXQ="
    assert "--password" not in kq("query", "--help")[1]


def test_serve_read_only(cache: Path):
    port = free_port()
    process = subprocess.Popen([*KQGRAPH, "serve", "--read-only", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_for(url, 60)
        code, out, _ = kq("query", "partners", "--format", "csv", "--endpoint", url)
        assert (code, out) == kq("query", "partners", "--format", "csv")[:2]
        import urllib.error
        import urllib.request

        update = urllib.request.Request(f"http://127.0.0.1:{port}/update",
                                        data=b"update=CLEAR%20ALL", method="POST")
        with pytest.raises(urllib.error.HTTPError):  # read-only: updates are refused
            urllib.request.urlopen(update, timeout=10)
    finally:
        process.terminate()
        process.wait(timeout=10)
    # Terminating `kqgraph serve` stops the server too: nothing listens on the port any more.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert json.loads(kq("stats", "--format", "json")[1])["triples"] > 0


def test_making_a_projection_pauses_the_cycle_collector_and_restores_it(engine: LocalEngine,
                                                                        monkeypatch):
    import gc

    from kqgraph import project

    seen: list[bool] = []
    real = project._make_network

    def watching(*args):
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(project, "_make_network", watching)
    assert gc.isenabled()
    project._network(engine, "en", None)
    assert (seen, gc.isenabled()) == ([False], True)
    gc.disable()  # a caller that paused it itself finds it paused still
    try:
        project._network(engine, "en", None)
        assert (seen, gc.isenabled()) == ([False, False], False)
    finally:
        gc.enable()
