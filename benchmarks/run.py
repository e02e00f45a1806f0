"""Whole-process timings of kqgraph against the Oxigraph CLI and plain rdflib, same data.

For each size (10k, 100k, 1M triples of benchmarks/generate.py) it builds kqgraph's
persistent store and Oxigraph's (`oxigraph load`), then runs each query of
benchmarks/queries/ as a whole process: `kqgraph query` (store built), `oxigraph query`,
and a Python process that parses the file with rdflib and queries it; kqgraph and its peer
run in turns, so that both see the same drift of a shared machine. It prints medians,
peak memory (max RSS of the process), the ratios against the targets of issue 6, and checks
that the three engines give the same number of rows. It also times `kqgraph --help` against
`python -c "import click"`, and writing Turtle, N-Triples and JSON-LD against pyoxigraph's
own serializers.

    python benchmarks/run.py                      # 10k, 100k, 1M; 5 runs; rdflib once
    python benchmarks/run.py --sizes 10000 --runs 3
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
KQGRAPH = [str(BIN / "kqgraph")]
OXIGRAPH = [str(BIN / "oxigraph")]
QUERIES = sorted((HERE / "queries").glob("*.rq"))

RDFLIB = """
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
r = g.query(open(sys.argv[2], encoding="utf-8").read())
out = r.serialize(format="csv")
sys.stdout.buffer.write(out)
"""
PYOX_WRITE = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
fmt = getattr(ox.RdfFormat, sys.argv[2])
ox.serialize((q.triple for q in store), sys.argv[3], format=fmt)
"""
STORE_OF = """
import sys
from pathlib import Path
from kqgraph.cache import cache_dir, cache_key
print(cache_dir() / cache_key([Path(sys.argv[1])]))
"""


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, bytes]:
    """(wall seconds, peak RSS MB, stdout), with the RSS read from the child's rusage."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env)
    chunks = []
    assert process.stdout is not None
    for chunk in iter(lambda: process.stdout.read(1 << 16), b""):
        chunks.append(chunk)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {stderr.decode()[-800:]}")
    return wall, usage.ru_maxrss / 1024, b"".join(chunks)


def rows(csv_bytes: bytes) -> int:
    return len(list(csv.reader(io.StringIO(csv_bytes.decode("utf-8"))))) - 1


def median_run(command: list[str], runs: int, env: dict[str, str] | None = None
               ) -> tuple[float, float, bytes]:
    return summary([timed(command, env) for _ in range(runs)])


def paired(first: list[str], second: list[str], runs: int, env: dict[str, str],
           second_env: dict[str, str] | None = None
           ) -> tuple[tuple[float, float, bytes], tuple[float, float, bytes]]:
    """Both commands' medians, run in turns (first, second, first, ...): on a shared machine
    the load drifts, and turns expose both to the same drift."""
    a, b = [], []
    for _ in range(runs):
        a.append(timed(first, env))
        b.append(timed(second, second_env or env))
    return summary(a), summary(b)


def summary(results: list[tuple[float, float, bytes]]) -> tuple[float, float, bytes]:
    """(median wall seconds, highest peak MB, the last run's output)."""
    return (statistics.median(r[0] for r in results), max(r[1] for r in results),
            results[-1][2])


def generated(work: Path, size: int) -> Path:
    """benchmarks/generate.py's graph of `size` triples, made once per work folder."""
    data = work / f"kq-{size}.nt"
    if not data.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), "-o", str(data)],
                       check=True, capture_output=True)
    return data


def crossover(work: Path, env: dict[str, str], runs: int) -> None:
    """Where a persistent store starts to pay: a whole `kqgraph query` that parses the file
    into memory (KQGRAPH_CACHE=never) against one that opens the store built before
    (KQGRAPH_CACHE=always). kqgraph.cache.CACHE_MIN_BYTES is set from this table."""
    print("| graph | N-Triples MB | parsed into memory s | persistent store s | faster |")
    print("|---|---|---|---|---|")
    for size in (5_000, 10_000, 20_000, 40_000, 80_000):
        data = generated(work, size)
        command = [*KQGRAPH, "query", "-g", str(data), "ASK {}", "--format", "csv"]
        timed(command, {**env, "KQGRAPH_CACHE": "always"})  # builds the store
        (memory, _, _), (stored, _, _) = paired(command, command, runs,
                                                {**env, "KQGRAPH_CACHE": "never"},
                                                {**env, "KQGRAPH_CACHE": "always"})
        print(f"| {size:,} triples | {data.stat().st_size / 1e6:.1f} | {memory:.3f} "
              f"| {stored:.3f} | {'memory' if memory < stored else 'store'} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rdflib-runs", type=int, default=1, help="0 skips rdflib")
    parser.add_argument("--keep", type=Path, help="Keep the data and stores in this folder.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kq-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # As installed by pip: bytecode compiled once, not recompiled by every process.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(KQGRAPH_CACHE_DIR=str(work / "kq-cache"), KQGRAPH_CACHE="auto")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src")],
                   env=env, check=False, capture_output=True)
    print(f"# kqgraph benchmarks ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n")

    (click_time, _, _), (help_time, _, _) = paired(
        [sys.executable, "-c", "import click"], [*KQGRAPH, "--help"], args.runs * 2, env)
    print("| start-up | median s | ratio | target |\n|---|---|---|---|")
    print(f"| `python -c 'import click'` | {click_time:.3f} | 1.00 | |")
    print(f"| `kqgraph --help` | {help_time:.3f} | {help_time / click_time:.2f} | ≤ 1.5 |\n")

    crossover(work, env, args.runs)

    # The shipped graph: kqgraph parses it into memory (it is small); Oxigraph gets a store.
    shipped = work / "oxigraph-shipped"
    shutil.rmtree(shipped, ignore_errors=True)
    timed([*OXIGRAPH, "load", "--location", str(shipped), "--file",
           str(HERE.parent / "exports" / "kqgraph.nt")], env)
    print("| shipped graph, saved query | oxigraph s | kqgraph s | ratio | target |")
    print("|---|---|---|---|---|")
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (
        ("kq", "https://w3id.org/kqgraph/ontology#"), ("kqr", "https://w3id.org/kqgraph/id/"),
        ("prov", "http://www.w3.org/ns/prov#"), ("schema", "https://schema.org/"),
        ("org", "http://www.w3.org/ns/org#"), ("rdfs", "http://www.w3.org/2000/01/rdf-schema#")))
    for name in ("agreements", "events", "presences"):
        text = (HERE.parent / "graph" / "queries" / f"{name}.rq").read_text(encoding="utf-8")
        (ox_t, _, _), (kq_t, _, _) = paired(
            [*OXIGRAPH, "query", "--location", str(shipped), "--query", prologue + text,
             "--results-format", "csv"], [*KQGRAPH, "query", name, "--format", "csv"],
            args.runs, env)
        print(f"| {name} | {ox_t:.3f} | {kq_t:.3f} | {kq_t / ox_t:.2f} | ≤ 4 |")
    print()

    for size in args.sizes:
        data = generated(work, size)
        triples = sum(1 for _ in data.open("rb"))
        ox_store = work / f"oxigraph-{size}"
        shutil.rmtree(ox_store, ignore_errors=True)
        shutil.rmtree(work / "kq-cache", ignore_errors=True)
        shutil.rmtree(work / "out", ignore_errors=True)
        ox_load = timed([*OXIGRAPH, "load", "--location", str(ox_store), "--file", str(data)],
                        env)
        kq_build = timed([*KQGRAPH, "query", "-g", str(data), "ASK {}", "--format", "csv"],
                         {**env, "KQGRAPH_CACHE": "always"})
        print(f"## {triples:,} triples ({data.stat().st_size / 1e6:.0f} MB of N-Triples)\n")
        print("| build the store | s | peak MB | ratio | target |\n|---|---|---|---|---|")
        print(f"| `oxigraph load` | {ox_load[0]:.2f} | {ox_load[1]:.0f} | 1.00 | |")
        print(f"| kqgraph (first command, builds the cache) | {kq_build[0]:.2f} "
              f"| {kq_build[1]:.0f} | {kq_build[0] / ox_load[0]:.2f} | ≤ 1.5 |\n")
        print("| query | oxigraph s | kqgraph s | ratio | target | oxigraph MB | kqgraph MB "
              "| MB ratio | rdflib s | rdflib MB | kqgraph vs rdflib | rows |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for query in QUERIES:
            (ox_t, ox_mb, ox_out), (kq_t, kq_mb, kq_out) = paired(
                [*OXIGRAPH, "query", "--location", str(ox_store), "--query-file", str(query),
                 "--results-format", "csv"],
                [*KQGRAPH, "query", "-g", str(data), "-f", str(query), "--format", "csv"],
                args.runs, env, {**env, "KQGRAPH_CACHE": "always"})
            if args.rdflib_runs:
                rd_t, rd_mb, rd_out = median_run(
                    [sys.executable, "-c", RDFLIB, str(data), str(query)], args.rdflib_runs,
                    env)
            else:  # skipped: about 100 s per query at 1M triples
                rd_t, rd_mb, rd_out = float("nan"), float("nan"), kq_out
            target = "≤ 1.3" if ox_t >= 0.1 else "≤ 4"
            same = {rows(ox_out), rows(kq_out), rows(rd_out)}
            print(f"| {query.stem} | {ox_t:.3f} | {kq_t:.3f} | {kq_t / ox_t:.2f} | {target} "
                  f"| {ox_mb:.0f} | {kq_mb:.0f} | {kq_mb / ox_mb:.2f} | {rd_t:.2f} "
                  f"| {rd_mb:.0f} | {rd_t / kq_t:.0f}× faster "
                  f"| {rows(kq_out) if len(same) == 1 else f'DIFFER {sorted(same)}'} |")
        print()
        print("| write | pyoxigraph s | kqgraph export s | ratio | target |\n|---|---|---|---|---|")
        cached = subprocess.run([sys.executable, "-c", STORE_OF, str(data)], env=env,
                                capture_output=True, text=True, check=True).stdout.strip()
        # `export -g DATA` reads the data with the ontology, another store than the
        # queries': built here, untimed, as the peer's store was, so that the first format
        # timed does not pay for a build.
        timed([*KQGRAPH, "export", "-g", str(data), "-f", "nt", "-o", str(work / "out")],
              {**env, "KQGRAPH_CACHE": "always"})
        for name, fmt in (("turtle", "TURTLE"), ("nt", "N_TRIPLES"), ("jsonld", "JSON_LD")):
            (peer, _, _), (ours, _, _) = paired(
                [sys.executable, "-c", PYOX_WRITE, str(cached), fmt, str(work / f"peer.{name}")],
                [*KQGRAPH, "export", "-g", str(data), "-f", name, "-o", str(work / "out")],
                max(1, (args.runs + 1) // 2), env, {**env, "KQGRAPH_CACHE": "always"})
            print(f"| {name} | {peer:.2f} | {ours:.2f} | {ours / peer:.2f} | ≤ 1.5 |")
        print()


if __name__ == "__main__":
    main()
