"""Whole-process timings of `kqgraph path`, `hubs` and `gaps` on the synthetic graphs, against
networkx on the same projection and SPARQL in the `oxigraph` CLI.

For each size (100k and 1M triples of benchmarks/generate.py, with a three-line file typing
the two countries and the province, which the synthetic graph names but does not type) it

- builds kqgraph's persistent store (the first command) and Oxigraph's (`oxigraph load`);
- times `kqgraph path` between pairs of organisations (whole processes, median of --runs
  each), against a Python process that builds kqgraph's networkx projection
  (kqgraph.project) and runs networkx's bidirectional shortest path on it, places left out,
  as `path` does (projection and search timed apart), and against `oxigraph query` with an
  ASK and a property path over the same links (reachability only: SPARQL cannot return the
  chain); the three agree on whether the pair is connected, and kqgraph and networkx on the
  length;
- times `kqgraph hubs` against networkx's degree, betweenness (the same fixed sample),
  Louvain and components on the projection, and a SPARQL degree top-10;
- times `kqgraph gaps` against networkx's breadth-first searches (cutoff 4) from every
  Korean organisation, the core of the candidate pairs, and a SPARQL query for the pairs
  that share a partner.

Machines are noisy: read the ratios. `python benchmarks/analysis.py [--sizes 100000 1000000]`
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
KQGRAPH = str(BIN / "kqgraph")
OXIGRAPH = str(BIN / "oxigraph")
PER_UNIT = 30  # triples per organisation in generate.py
PLACES = """\
<https://w3id.org/kqgraph/id/south-korea> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kqgraph/ontology#Country> .
<https://w3id.org/kqgraph/id/canada> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kqgraph/ontology#Country> .
<https://w3id.org/kqgraph/id/quebec> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kqgraph/ontology#Province> .
"""  # noqa: E501
PREFIXES = ("PREFIX kq: <https://w3id.org/kqgraph/ontology#> PREFIX schema: <https://schema.org/> "
            "PREFIX kqr: <https://w3id.org/kqgraph/id/> ")
LINKS = "kq:party|^kq:party|schema:worksFor|^schema:worksFor|schema:colleague|^schema:colleague"
ASK = PREFIXES + "ASK {{ kqr:{a} ({links})+ kqr:{b} }}"
DEGREE = PREFIXES + """SELECT ?n (COUNT(DISTINCT ?m) AS ?d) WHERE {
  { ?n ?p ?m } UNION { ?m ?p ?n } FILTER(isIRI(?m) && ?p IN (kq:party, schema:worksFor,
  schema:colleague)) } GROUP BY ?n ORDER BY DESC(?d) ?n LIMIT 10"""
SHARED = PREFIXES + """SELECT ?a ?b (COUNT(DISTINCT ?p) AS ?partners) WHERE {
  ?r1 kq:party ?a, ?p . ?r2 kq:party ?p, ?b .
  FILTER(?a != ?p && ?b != ?p && ?a != ?b)
  ?a schema:location/schema:containedInPlace kqr:south-korea .
  ?b schema:location/schema:containedInPlace kqr:quebec .
  { ?a kq:sector ?s } UNION { ?ra kq:party ?a ; kq:sector ?s }
  { ?b kq:sector ?s } UNION { ?rb kq:party ?b ; kq:sector ?s }
  FILTER NOT EXISTS { ?r kq:party ?a, ?b }
} GROUP BY ?a ?b ORDER BY DESC(?partners) ?a ?b LIMIT 20"""

INPROCESS = r"""
import json, statistics, sys, time
import kqgraph

files, pairs = sys.argv[1:-1], json.loads(sys.argv[-1])
graph = kqgraph.Graph(*files)
start = time.perf_counter()
graph.whole.query("ASK { ?s ?p ?o }")
opened = time.perf_counter() - start
times = []
for a, b in pairs:
    start = time.perf_counter()
    graph.path(a, b)
    times.append(time.perf_counter() - start)
print(json.dumps({"open": opened, "search": statistics.median(times), "max": max(times)}))
"""
NETWORKX = r"""
import json, statistics, sys, time
import networkx as nx
import kqgraph
from kqgraph.analysis import simple
from kqgraph.gaps import LOCATED, _closure
from kqgraph.hubs import SAMPLE, SEED
from kqgraph.network import subclasses

files, pairs, what = sys.argv[1:-2], json.loads(sys.argv[-2]), sys.argv[-1]
graph = kqgraph.Graph(*files)
start = time.perf_counter()
projected = graph.project()
out = {"projection": time.perf_counter() - start}
places = subclasses(graph.whole, ["Place"])
start = time.perf_counter()
free = simple(projected, [n for n, d in projected.nodes(data=True)
                          if d["class"].removeprefix("kq:") not in places])
out["simple"] = time.perf_counter() - start
if what == "path":
    times, lengths = [], []
    for a, b in pairs:
        start = time.perf_counter()
        try:
            lengths.append(len(nx.bidirectional_shortest_path(free, "kqr:" + a, "kqr:" + b)) - 1)
        except nx.NetworkXNoPath:
            lengths.append(None)
        times.append(time.perf_counter() - start)
    out.update(search=statistics.median(times), lengths=lengths)
elif what == "hubs":
    start = time.perf_counter()
    degree = sorted(free.degree(), key=lambda x: (-x[1], x[0]))[:10]
    nx.betweenness_centrality(free, k=SAMPLE if len(free) > 5000 else None, seed=SEED)
    out["communities"] = len(nx.community.louvain_communities(free, seed=SEED))
    out["components"] = nx.number_connected_components(free)
    out["search"] = time.perf_counter() - start
    out["top"] = degree[0][0]
else:
    start = time.perf_counter()
    located = _closure(projected, LOCATED)
    korean = [n for n in free if "kqr:south-korea" in located.get(n, ())
              and projected.nodes[n]["class"] != "kq:Person"]
    reached = sum(len(nx.single_source_shortest_path_length(free, n, cutoff=4))
                  for n in korean)
    out.update(search=time.perf_counter() - start, korean=len(korean), reached=reached)
print(json.dumps(out))
"""


def run_timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of a whole process; the memory as /usr/bin/time
    reads it (the child's max RSS)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *command],
                              env=env, capture_output=True, check=False)
        wall = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-800:]}")
        return wall, int(rss.read().split()[-1]) / 1024, done.stdout.decode("utf-8")


def median(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, float, str]:
    results = [run_timed(command, env) for _ in range(runs)]
    return (statistics.median(r[0] for r in results), max(r[1] for r in results),
            results[-1][2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--commands", nargs="+", default=["path", "hubs", "gaps"],
                        choices=["path", "hubs", "gaps"])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kq-analysis")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KQGRAPH_CACHE_DIR": str(args.work / "cache")}
    places = args.work / "places.nt"
    places.write_text(PLACES, encoding="utf-8")
    sys.path.insert(0, str(HERE))
    from generate import lines

    report = {}
    for size in args.sizes:
        data = args.work / f"synthetic-{size}.nt"
        if not data.exists():
            with data.open("w", encoding="utf-8") as out:
                out.writelines(lines(size))
        units = max(size // PER_UNIT, 2)
        pairs = [(f"org-{a}", f"org-{b}") for a, b in
                 ((1, units // 2), (7, units - 3), (100, units // 3), (units // 4, 2 * units // 3),
                  (42, 4242 % units))]
        graph = ["-g", str(data), "-g", str(places)]
        row: dict[str, object] = {"size": size, "pairs": pairs}
        build = run_timed([KQGRAPH, "path", *pairs[0], *graph], env)
        row["kqgraph_build"] = build[0]
        store = args.work / f"oxigraph-{size}"
        if not store.exists():
            row["oxigraph_load"] = run_timed([OXIGRAPH, "load", "--location", str(store),
                                              "--file", str(data), "--file", str(places)],
                                             env)[0]
        kq_times, kq_rss, kq_hops, ox_times, ox_answers = [], 0.0, [], [], []
        for a, b in pairs:
            wall, rss, out = median([KQGRAPH, "path", a, b, *graph, "--format", "json"],
                                    args.runs, env)
            kq_times.append(wall)
            kq_rss = max(kq_rss, rss)
            kq_hops.append(json.loads(out)["hops"])
            query = ASK.format(a=a, b=b, links=LINKS)
            wall, _, out = median([OXIGRAPH, "query", "--location", str(store), "--query",
                                   query, "--results-format", "csv"], args.runs, env)
            ox_times.append(wall)
            ox_answers.append(out.strip() == "true")
        row["path_inprocess"] = json.loads(run_timed(
            [sys.executable, "-c", INPROCESS, str(data), str(places), json.dumps(pairs)],
            env)[2])
        nx_path = json.loads(run_timed([sys.executable, "-c", NETWORKX, str(data), str(places),
                                        json.dumps(pairs), "path"], env)[2])
        assert nx_path["lengths"] == kq_hops, (nx_path["lengths"], kq_hops)
        assert ox_answers == [h is not None for h in kq_hops], ox_answers
        row.update(path_kqgraph=statistics.median(kq_times), path_kqgraph_max=max(kq_times),
                   path_rss=kq_rss, path_hops=kq_hops, path_oxigraph=statistics.median(ox_times),
                   path_networkx=nx_path)
        report[size] = row
        hubs_runs = args.runs if size <= 100_000 else 1
        if "hubs" not in args.commands:
            continue
        wall, rss, out = median([KQGRAPH, "hubs", *graph, "--format", "json"], hubs_runs, env)
        hubs = json.loads(out)
        row.update(hubs_kqgraph=wall, hubs_rss=rss, hubs_communities=len(hubs["communities"]),
                   hubs_sample=hubs["betweenness_sample"], hubs_top=hubs["degree"][0]["id"])
        row["hubs_networkx"] = json.loads(run_timed(
            [sys.executable, "-c", NETWORKX, str(data), str(places), "[]", "hubs"], env)[2])
        row["hubs_oxigraph"] = median([OXIGRAPH, "query", "--location", str(store), "--query",
                                       DEGREE, "--results-format", "csv"], hubs_runs, env)[0]
        if "gaps" not in args.commands:
            continue
        wall, rss, out = median([KQGRAPH, "gaps", *graph, "--format", "json", "--limit", "20"],
                                hubs_runs, env)
        gaps = json.loads(out)
        row.update(gaps_kqgraph=wall, gaps_rss=rss, gaps_candidates=gaps["candidates"],
                   gaps_linked=gaps["linked"])
        row["gaps_networkx"] = json.loads(run_timed(
            [sys.executable, "-c", NETWORKX, str(data), str(places), "[]", "gaps"], env)[2])
        row["gaps_oxigraph"] = median([OXIGRAPH, "query", "--location", str(store), "--query",
                                       SHARED, "--results-format", "csv"], hubs_runs, env)[0]
        print(json.dumps(row), file=sys.stderr, flush=True)
    print(markdown(report))
    (args.work / "analysis.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


def markdown(report: dict[int, dict]) -> str:
    lines = ["| triples | kqgraph path s (median, max of 5 pairs) | in the process: search s | "
             "peak MB | hops | networkx: projection s + search s | "
             "ratio kqgraph / (projection + search) | oxigraph ASK path s | "
             "ratio kqgraph / oxigraph |", "|---" * 9 + "|"]
    for size, r in report.items():
        nx_path = r["path_networkx"]
        whole = nx_path["projection"] + nx_path["simple"] + nx_path["search"]
        inside = r.get("path_inprocess", {}).get("search", float("nan"))
        lines.append(f"| {size:,} | {r['path_kqgraph']:.2f}, {r['path_kqgraph_max']:.2f} | "
                     f"{inside:.3f} | {r['path_rss']:.0f} | "
                     f"{', '.join(map(str, r['path_hops']))} | "
                     f"{nx_path['projection']:.1f} + {nx_path['search']:.4f} | "
                     f"{r['path_kqgraph'] / whole:.3f} | {r['path_oxigraph']:.2f} | "
                     f"{r['path_kqgraph'] / r['path_oxigraph']:.2f} |")
    lines += ["", "| triples | command | kqgraph s | peak MB | networkx on the projection: "
              "projection s + work s | ratio | oxigraph SPARQL s (what SPARQL can say) |",
              "|---" * 7 + "|"]
    for size, r in report.items():
        for name, what in (("hubs", "degree top 10"), ("gaps", "pairs sharing a partner")):
            if f"{name}_networkx" not in r:
                continue
            n = r[f"{name}_networkx"]
            whole = n["projection"] + n["simple"] + n["search"]
            lines.append(f"| {size:,} | {name} | {r[f'{name}_kqgraph']:.1f} | "
                         f"{r[f'{name}_rss']:.0f} | {n['projection']:.1f} + "
                         f"{n['simple'] + n['search']:.1f} | {r[f'{name}_kqgraph'] / whole:.2f} | "
                         f"{r[f'{name}_oxigraph']:.2f} ({what}) |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
