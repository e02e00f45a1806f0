"""`kqgraph path`, `hubs` and `gaps` on the shipped graph: specific chains, what --avoid and
--at change, the hubs, the partner gaps of the battery and AI sectors, sources on every hop
and row, and the same answers on every run."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kqgraph import Graph
from kqgraph.analysis import shortest
from kqgraph.cli import cli
from kqgraph.network import GraphNetwork, StoreNetwork, subclasses
from kqgraph.project import project
from kqgraph.vocab import KQR

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def ids(chain) -> list[str]:
    return [s.id for s in chain.stops]


# --- path -------------------------------------------------------------------------------------

def test_seoul_to_montreal_through_the_ai_hub_and_mila(graph):
    # Before AI SEOUL 2025 (where Bengio spoke), the tie is institutional: the Seoul AI Hub
    # is part of the city's government, and its 2023 agreements with Mila.
    found = graph.path("Seoul Metropolitan Government", "Université de Montréal",
                       at="2024-01-01", every=True)
    assert found.hops == 5 and not found.through_avoided
    assert ids(found.chains[0]) == [
        "kqr:seoul-metropolitan-government", "kqr:seoul-ai-hub",
        "kqr:mila-seoul-ai-hub-mou-2023", "kqr:mila", "kqr:mila-university-partnership",
        "kqr:universite-de-montreal"]
    assert all(ids(c)[1] == "kqr:seoul-ai-hub" and ids(c)[3] == "kqr:mila"
               for c in found.chains)
    hops = found.chains[0].hops
    assert [(h.property, h.forward) for h in hops] == [
        ("org:subOrganizationOf", False), ("kq:party", False), ("kq:party", True),
        ("kq:party", False), ("kq:party", True)]
    assert hops[1].start == "2023-06-27"
    assert "kqs:hankyung-202307093270" in hops[1].sources


def test_at_changes_the_answer(graph):
    today = graph.path("seoul-metropolitan-government", "universite-de-montreal")
    assert today.hops == 4
    assert ids(today.chains[0]) == [
        "kqr:seoul-metropolitan-government", "kqr:ai-seoul-2025",
        "kqr:ai-seoul-2025-bengio-keynote", "kqr:yoshua-bengio", "kqr:universite-de-montreal"]
    assert [h.label for h in today.chains[0].hops] == [
        "organiser", "part of event", "speaker", "affiliation"]
    before = graph.path("seoul-metropolitan-government", "universite-de-montreal",
                        at="2024-01-01")
    assert before.hops == 5 and ids(before.chains[0]) != ids(today.chains[0])
    # In 2016 no agreement of the AI hub or Mila was signed: only the places tie them.
    long_ago = graph.path("seoul-metropolitan-government", "universite-de-montreal",
                          at="2016")
    assert long_ago.through_avoided
    assert "kqr:montreal" in ids(long_ago.chains[0])


def test_avoid_changes_the_answer(graph):
    without_events = graph.path("seoul-metropolitan-government", "universite-de-montreal",
                                avoid=["event"], every=True)
    assert without_events.avoided == ("kq:Event", "kq:Place")
    assert without_events.hops == 5
    assert {ids(c)[1] for c in without_events.chains} == {"kqr:seoul-ai-hub"}
    assert {ids(c)[3] for c in without_events.chains} == {"kqr:mila"}
    through_places = graph.path("seoul-metropolitan-government", "universite-de-montreal",
                                avoid=["none"], every=True)
    assert through_places.avoided == () and through_places.hops == 3
    assert {ids(c)[2] for c in through_places.chains} == {"kqr:montreal"}


def test_a_korean_battery_maker_to_quebec_through_its_becancour_investment(graph):
    found = graph.path("SK On", "Government of Quebec", every=True)
    assert found.hops == 4 and found.count == 2
    assert [
        "kqr:sk-on", "kqr:ecopro-cam-canada-plant-investment-2023", "kqr:ecopro-cam-canada",
        "kqr:ecopro-cam-canada-quebec-loan-2023", "kqr:government-of-quebec"] in [
        ids(c) for c in found.chains]
    investment = next(c for c in found.chains if ids(c)[1].endswith("investment-2023"))
    assert [h.label for h in investment.hops] == ["investor", "recipient", "recipient",
                                                   "funder"]
    ecopro = graph.path("EcoPro BM", "Government of Quebec")
    assert ids(ecopro.chains[0]) == ["kqr:ecopro-bm", "kqr:ecopro-cam-canada",
                                     "kqr:ecopro-cam-canada-quebec-loan-2023",
                                     "kqr:government-of-quebec"]


def test_places_only_when_no_other_chain_exists(graph):
    found = graph.path("LG Chem", "Government of Quebec")
    assert found.through_avoided and found.avoided == ("kq:Place",)
    assert ids(found.chains[0])[1] == "kqr:south-korea"
    code, out, _ = run("path", "LG Chem", "Government of Quebec")
    assert code == 0 and "No chain avoids place: the shortest goes through one." in out


def test_lazy_search_agrees_with_networkx_on_the_projection(engine):
    """The store-backed view follows the projection's rules: same links, and shortest chains
    of the same length as networkx finds on kqgraph.project's network, on every day."""
    import networkx as nx

    from kqgraph.engine import LocalEngine
    from kqgraph.files import with_ontology

    whole = LocalEngine.open(with_ontology(None))
    places = subclasses(whole, ["Place"])
    for at in (None, "2016-01-01", "2024-01-01"):
        projected = project(whole, at=at)
        store, net = StoreNetwork(whole, at=at), GraphNetwork(projected)
        for n, data in projected.nodes(data=True):
            assert store.links(data["iri"]) == net.links(data["iri"]), n
        free = nx.Graph(projected.subgraph(
            [n for n, d in projected.nodes(data=True)
             if d["class"].removeprefix("kq:") not in places]).to_undirected())
        orgs = sorted(n for n, d in projected.nodes(data=True)
                      if d["class"] in ("kq:University", "kq:Government", "kq:Company"))
        for a in orgs:
            lengths = nx.single_source_shortest_path_length(free, a)
            for b in orgs:
                hops, chains, count = shortest(
                    store, projected.nodes[a]["iri"], projected.nodes[b]["iri"], avoid=places)
                assert hops == lengths.get(b), (a, b, at)
                if hops:
                    assert chains == shortest(net, projected.nodes[a]["iri"],
                                              projected.nodes[b]["iri"], avoid=places)[1]
                    assert count == len(list(nx.all_shortest_paths(free, a, b)))


def test_every_hop_is_printed_with_its_source():
    for args in (["seoul-metropolitan-government", "quebec-government-office-seoul"],
                 ["sk-on", "government-of-quebec"], ["lg-chem", "mila"],
                 ["hyundai", "universite-laval", "--avoid", "none"]):
        code, out, _ = run("path", *args, "--all")
        assert code == 0, out
        hops = [line for line in out.splitlines() if " · sources: " in line]
        assert hops and all(line.split(" · sources: ")[1].strip() for line in hops)
        code, out, _ = run("path", *args, "--all", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows and all(r["sources"] and r["source_labels"] for r in rows)
        code, out, _ = run("path", *args, "--all", "--format", "json")
        chains = json.loads(out)["chains"]
        assert all(hop["sources"] for c in chains for hop in c["hops"])


def test_path_labels_in_korean_and_french():
    code, out, _ = run("path", "서울특별시", "밀라", "--at", "2024-01-01", "--lang", "ko")
    assert code == 0 and out.startswith("서울시 → 밀라: 3 hops on 2024-01-01")
    assert "당사자" in out
    code, out, _ = run("path", "mila", "seoul-ai-hub", "--lang", "fr", "--format", "json")
    assert json.loads(out)["source"]["label"] == "Mila"


def test_path_exit_codes():
    code, out, _ = run("path", "seoul-metropolitan-government", "universite-de-montreal",
                       "--max-hops", "2")
    assert code == 1 and "no chain of links within 2 hops" in out
    code, _, err = run("path", "mila", "nowhere-at-all")
    assert code == 2 and "no entity matches 'nowhere-at-all'" in err
    code, _, err = run("path", "mila", "seoul-ai-hub", "--at", "2019-13")
    assert code == 2 and "is not a date" in err
    code, _, err = run("path", "mila", "seoul-ai-hub", "--avoid", "nothing-like-it")
    assert code == 2 and "no class named" in err
    code, _, err = run("path", "mila", "kqs:mila-quebec-mila")
    assert code == 2 and "is not a node of the network" in err
    code, _, err = run("path", "mila", "ai-seoul-2025", "--at", "2020")
    assert code == 2 and "was not in force on 2020" in err


def test_the_search_reads_only_what_it_reaches(tmp_path: Path, monkeypatch):
    """On a synthetic graph of 20,000 organisations' worth of triples, a path looks at a
    small part of the network: the reason it stays fast at a million triples."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import lines
    finally:
        sys.path.pop(0)
    monkeypatch.setenv("KQGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "synthetic.nt"
    data.write_text("".join(lines(60_000)), encoding="utf-8")
    big = Graph(str(data))
    net = StoreNetwork(big.whole)
    hops, chains, _ = shortest(net, KQR["org-1"], KQR["org-1500"],
                               avoid=subclasses(big.whole, ["Place"]))
    assert hops and len(chains[0]) == hops + 1
    assert len(net._links) < 0.05 * len(big.whole)  # nodes expanded, against triples


# --- hubs -------------------------------------------------------------------------------------

def test_top_hubs(graph):
    found = graph.hubs(top=5)
    assert found.left_out == ("kq:Place",)
    assert [r.id for r in found.degree[:4]] == [
        "kqr:government-of-quebec", "kqr:quebec-government-office-seoul",
        "kqr:government-of-korea", "kqr:mila"]
    assert found.degree[0].value == 17
    assert [r.id for r in found.betweenness[:3]] == [
        "kqr:government-of-quebec", "kqr:quebec-government-office-seoul", "kqr:mila"]
    assert found.betweenness_sample is None
    assert all(r.sources for r in found.degree + found.betweenness)
    together = next(c for c in found.communities
                    if "kqr:mila" in {m.id for m in c.members})
    assert "kqr:seoul-ai-hub" in {m.id for m in together.members}
    assert sum(c.size for c in found.communities) == found.nodes == sum(found.components)
    countries = {c.id: c.total for c in found.by_country}
    assert countries["kqr:canada"] > 0 and countries["kqr:south-korea"] > 0
    sectors = {c.id: c for c in found.by_sector}
    assert sectors["kqr:batteries"].by_kind["kq:Investment"] == 12
    years = {c.id: c.total for c in found.by_year}
    assert years["1963"] == 1 and years["2023"] >= 10


def test_hubs_with_places_and_in_the_past(graph):
    with_places = graph.hubs(top=3, avoid=["none"])
    assert with_places.left_out == () and with_places.degree[0].id == "kqr:montreal"
    then = graph.hubs(top=3, at="2016-01-01")
    assert then.nodes < graph.hubs().nodes


def test_hubs_cli():
    code, out, _ = run("hubs", "--top", "3")
    assert code == 0 and "Most linked" in out and "Communities (Louvain, fixed seed)" in out
    code, out, _ = run("hubs", "--format", "json", "--lang", "ko")
    found = json.loads(out)
    assert found["degree"][0]["label"] == "퀘벡주 정부"
    assert len(found["communities"]) > 1


def test_same_answers_in_separate_processes():
    """Communities, rankings and chains do not depend on the run (set order, hash seed)."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        script = ("import json, kqgraph; from kqgraph.analysis_text import plain; "
                  "g = kqgraph.Graph(); "
                  "print(json.dumps(plain([g.hubs(top=20), g.gaps(limit=0), "
                  "g.path('sk-on', 'mila', every=True)]), ensure_ascii=False))")
        outputs.append(subprocess.run([sys.executable, "-c", script], env=env, check=True,
                                      capture_output=True, text=True).stdout)
    assert outputs[0] == outputs[1]
    hubs = json.loads(outputs[0])[0]
    assert len(hubs["communities"]) > 1


# --- gaps -------------------------------------------------------------------------------------

def pairs(found) -> list[tuple[str, str]]:
    return [(g.first.id, g.second.id) for g in found.rows]


def test_battery_gaps(graph):
    found = graph.gaps(sector="batteries", limit=0)
    assert found.sector[0] == "kqr:batteries"
    assert pairs(found)[0] == ("kqr:ecopro-cam-canada", "kqr:ultium-cam")
    first = found.rows[0]
    assert {p.id for p in first.partners} == {"kqr:government-of-canada",
                                              "kqr:government-of-quebec"}
    assert ("kqr:sk-on", "kqr:government-of-quebec") in pairs(found)
    # Already linked: SK On and EcoPro's plant (its investment), POSCO and Ultium (family).
    assert not {("kqr:sk-on", "kqr:ecopro-cam-canada"), ("kqr:posco-future-m", "kqr:ultium-cam"),
                ("kqr:ecopro-bm", "kqr:government-of-quebec")} & set(pairs(found))
    assert found.linked > 0 and found.candidates == len(found.rows) + found.linked


def test_ai_gaps(graph):
    found = graph.gaps(sector="ai", limit=0)
    assert pairs(found)[0] == ("kqr:sait-ai-lab-montreal", "kqr:universite-de-montreal")
    assert [p.id for p in found.rows[0].partners] == ["kqr:mila"]
    assert found.rows[0].hops == 2
    linked = {("kqr:seoul-ai-hub", "kqr:mila"), ("kqr:samsung-electronics", "kqr:mila"),
              ("kqr:seoul-ai-hub", "kqr:ivado")}
    assert not linked & set(pairs(found))
    ranks = [(-len(g.partners), -len(g.events), g.hops) for g in found.rows]
    assert ranks == sorted(ranks)


def test_every_gap_row_has_its_evidence(graph):
    found = graph.gaps(limit=0)
    assert found.rows
    for gap in found.rows:
        assert gap.sectors and gap.hops is not None and gap.hops <= found.max_hops
        for org in (gap.first.id, gap.second.id):
            active = [e for e in gap.active if e.about == org]
            assert active and all(e.sources for e in active), (gap.first.id, gap.second.id)
        assert gap.close and all(e.sources for e in gap.close)
    code, out, _ = run("gaps", "--format", "csv", "--limit", "0")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(found.rows)
    assert all(r["active_sources"] and r["close_sources"] for r in rows)
    code, out, _ = run("gaps", "--sector", "ai", "--limit", "3")
    assert code == 0
    evidence = [line for line in out.splitlines() if line.startswith("       ") and ": " in line]
    assert len(evidence) >= 9  # per row: each partner's two ties, the chain, both sectors
    assert all(re.search(r" \[[^\]]+\]( \(\+\d+ more\))?$", line) for line in evidence)
    assert "no source in the data" not in out


def test_gaps_country_pair_and_errors(graph):
    canada = graph.gaps(pair="ko,ca", limit=0)
    assert canada.sides[1].id == "kqr:canada" and len(canada.rows) >= len(graph.gaps(
        limit=0).rows)
    code, _, err = run("gaps", "--country-pair", "ko")
    assert code == 2 and "two places" in err
    code, _, err = run("gaps", "--sector", "no-such-sector")
    assert code == 2


def test_the_same_answers_through_an_endpoint(oxigraph_server: str):
    assert run("push", "--endpoint", oxigraph_server)[0] == 0
    for command in (["path", "SK On", "퀘벡주 정부", "--all"], ["hubs"],
                    ["gaps", "--sector", "ai"]):
        local = run(*command, "--format", "json")
        assert local[0] == 0
        assert run(*command, "--format", "json", "--endpoint", oxigraph_server) == local
