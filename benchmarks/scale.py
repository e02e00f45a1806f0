"""Every command at 10k–1M triples: time and peak memory of `viz`, `export` (each format)
and `validate` on the synthetic graph of generate.py, next to peers measured in the same run.

Peers: pySHACL on the same files and shapes, on data that conforms (generate.py --valid),
for validate (shifty, kqgraph's engine, also runs on data with many violations);
`oxigraph dump` writing the same store as N-Triples and Turtle (for the RDF writes),
networkx's spring layout on the same network with the rounds kqgraph used before igraph
(for viz's layout), `kqgraph export -f nt` (the targets say GraphML and CSV ≤ 2× N-Triples),
and curl PUTting the same file into the same Oxigraph server (for push).
When Chromium is installed, the time until the 100k page is drawn and interactive.
Each command runs once, in its own process, after one warm-up that builds the persistent
store; peak memory is the process's maximum resident set (wait4). Nothing asserts a time.
The network projection is kept beside the store (kqgraph.project.network): the first command
that draws or exports the network makes it ("made"), later ones read it back ("kept"); both
are measured, the kept one after the made one (export: graphml made, csv made, then every
format).
viz is also measured on a graph it has never read ("new graph": its store built too).

    python benchmarks/scale.py                    # 10,000 and 100,000 triples
    python benchmarks/scale.py --sizes 10000 --only push
    python benchmarks/scale.py --sizes 1000000 --only viz validate
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FORMATS = ["nt", "turtle", "jsonld", "rdfxml", "trig", "graphml", "csv", "html"]
LAYOUT_PEER = """
import sys, time
import networkx as nx
from kqgraph import Graph
from kqgraph.project import project
graph = project(Graph(sys.argv[1]).whole)
simple = nx.Graph(); simple.add_nodes_from(graph); simple.add_edges_from(graph.edges())
start = nx.random_layout(simple, seed=1)
rounds = max(3, min(100, int(2.5e6 / len(simple) ** 2)))
t = time.perf_counter()
nx.spring_layout(simple, pos=start, seed=1, iterations=rounds)
print(f"{time.perf_counter() - t:.2f} {len(simple)} {rounds}")
"""


def run(command: list[str], cwd: Path, *, ok: tuple[int, ...] = (0,)
        ) -> tuple[float, float, str]:
    """Seconds, peak MB and stdout of one process, which must exit with a code in `ok`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in ok:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024, out


def page_seconds(html: Path) -> float | None:
    """Time from navigation until the page says it is drawn and interactive."""
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(html.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=300_000)
        seconds = time.perf_counter() - start
        browser.close()
    return seconds


def exports(kqgraph: str, g: list[str], work: Path) -> dict[str, float]:
    """`kqgraph export` in each format, GraphML and CSV first with the projection made,
    then every format with it kept; seconds by format."""

    def export(fmt: str) -> tuple[float, float]:
        seconds, mb, _ = run([kqgraph, "export", *g, "-f", fmt, "-o", str(work / "out")], work)
        return seconds, mb

    def ratio(seconds: float) -> str:
        return f"{seconds / times['nt']:.2f}× export -f nt (target ≤ 2×)"

    forget_projections(work)
    seconds, mb = export("nt")
    times = {"nt": seconds}
    line("export -f nt", seconds, mb)
    for fmt in ("graphml", "csv"):  # each as the first export of a graph version
        forget_projections(work)
        seconds, mb = export(fmt)
        line(f"export -f {fmt} (made)", seconds, mb, ratio(seconds))
    for fmt in FORMATS[1:]:  # after nt
        seconds, mb = export(fmt)
        times[fmt] = seconds
        network = fmt in ("graphml", "csv", "html")
        line(f"export -f {fmt}{' (kept)' if network else ''}", seconds, mb,
             ratio(seconds) if fmt in ("graphml", "csv") else "")
    return times


def forget_projections(work: Path) -> None:
    """Remove the projections kept beside the stores (the next command makes its own)."""
    for folder in (work / "cache").glob("*.derived"):
        shutil.rmtree(folder)


def line(name: str, seconds: float, mb: float, peer: str = "") -> None:
    print(f"  {name:<26} {seconds:8.2f} s {mb:8.0f} MB  {peer}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--only", nargs="+", default=["viz", "export", "validate", "push"],
                        choices=["viz", "export", "validate", "push"])
    parser.add_argument("--peer-timeout", type=float, default=300,
                        help="seconds before pySHACL, the validate peer, is stopped")
    args = parser.parse_args()
    kqgraph = shutil.which("kqgraph") or sys.exit("kqgraph is not installed")
    oxigraph = shutil.which("oxigraph")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["KQGRAPH_CACHE_DIR"] = str(work / "cache")  # the stores, made here
        for size in args.sizes:
            data = work / f"kq-{size}.nt"
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), "-o",
                            str(data)], check=True, stderr=subprocess.DEVNULL)
            g = ["-g", str(data)]
            seconds, mb, _ = run([kqgraph, "stats", *g], work)
            print(f"{size:,} triples (store built and counted in {seconds:.1f} s)")
            if "viz" in args.only:
                html = work / "page.html"
                forget_projections(work)
                # The first viz builds the store of the data with the ontology (what viz
                # reads; stats built the data's own) and makes the projection.
                seconds, mb, _ = run([kqgraph, "viz", *g, "-o", str(html)], work)
                line("viz (new graph)", seconds, mb, "store built, projection made")
                forget_projections(work)
                seconds, mb, _ = run([kqgraph, "viz", *g, "-o", str(html)], work)
                line("viz (made)", seconds, mb)
                seconds, mb, _ = run([kqgraph, "viz", *g, "-o", str(html)], work)
                if size <= 200_000:
                    _, _, out = run([sys.executable, "-c", LAYOUT_PEER, str(data)], work)
                    peer_s, nodes, rounds = out.split()
                    peer = (f"networkx spring layout alone ({nodes} nodes, {rounds} rounds): "
                            f"{float(peer_s):.2f} s")
                else:  # O(n²) a round: about 100 times its 100k time at 1M
                    peer = "networkx spring layout: not run above 200,000 triples"
                line("viz (kept)", seconds, mb, peer)
                opened = page_seconds(html) if size <= 200_000 else None
                if opened is not None:
                    print(f"  {'page interactive':<26} {opened:8.2f} s (Chromium, headless)")
            if "export" in args.only:
                times = exports(kqgraph, g, work)
                if oxigraph:
                    store = work / "ox"
                    shutil.rmtree(store, ignore_errors=True)
                    subprocess.run([oxigraph, "load", "--location", str(store), "--file",
                                    str(data)], check=True, capture_output=True)
                    for fmt, ext, ours in (("nt", "nt", "nt"), ("ttl", "ttl", "turtle")):
                        seconds, mb, _ = run([oxigraph, "dump", "--location", str(store),
                                              "--graph", "default",
                                              "--file", str(work / f"dump.{ext}")], work)
                        line(f"oxigraph dump {fmt}", seconds, mb,
                             f"kqgraph / oxigraph: {times[ours] / seconds:.2f}")
            if "validate" in args.only:
                valid = work / f"kq-{size}-valid.nt"
                subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), "--valid",
                                "-o", str(valid)], check=True, stderr=subprocess.DEVNULL)
                seconds, mb, _ = run([kqgraph, "validate", str(valid)], work)
                peer = pyshacl_peer(valid, work, args.peer_timeout)
                line("validate (valid data)", seconds, mb, peer(seconds))
                # generate.py's plain data breaks the shapes on purpose (no sources, no
                # Korean labels on people...): validate with many violations. Its report
                # graph grows with them (1.3 GB at 100k): not run above 200,000 triples.
                if size <= 200_000:
                    seconds, mb, _ = run([kqgraph, "validate", str(data)], work, ok=(1,))
                    line("validate (violations)", seconds, mb, "many shapes broken")
            if "push" in args.only and oxigraph:
                push(kqgraph, data, work)


PYSHACL_PEER = """
import sys, time
import pyshacl
from kqgraph.files import graph_dir, quads, rdflib_graph, with_ontology
data = rdflib_graph(quads(with_ontology([sys.argv[1]])))
shapes = rdflib_graph(quads([graph_dir() / "shapes.ttl"]))
conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                  allow_warnings=True)
print(conforms)
"""


def pyshacl_peer(data: Path, work: Path, timeout: float) -> Any:
    """pySHACL (the engine before shifty) on the same files and shapes, cut off after
    `timeout` seconds; returns how to word kqgraph's time next to it."""
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", PYSHACL_PEER, str(data)], cwd=work, check=True,
                       capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return lambda ours: f"pySHACL: more than {timeout:.0f} s (stopped there)"
    peer = time.perf_counter() - start
    return lambda ours: f"pySHACL: {peer:.2f} s; kqgraph / pySHACL: {ours / peer:.3f}"


def push(kqgraph: str, data: Path, work: Path) -> None:
    """`kqgraph push` into a local Oxigraph server (`kqgraph serve`, writable), next to curl
    PUTting the same N-Triples file to the same Graph Store address (the bare HTTP transfer
    and the server's load)."""
    from robustness import kqgraph_serve

    server, base = kqgraph_serve(work / "cache", [])
    try:
        # Each into a graph of its own, empty: a PUT onto a full graph deletes it first.
        seconds, mb, _ = run([kqgraph, "push", "-i", str(data), "--endpoint",
                              f"{base}/query", "--graph", "urn:x-bench:kqgraph"], work)
        curl = shutil.which("curl")
        peer = ""
        if curl:
            start = time.perf_counter()
            subprocess.run([curl, "-sf", "-X", "PUT", "-T", str(data), "-H",
                            "Content-Type: application/n-triples",
                            f"{base}/store?graph=urn%3Ax-bench%3Acurl"],
                           check=True, stdout=subprocess.DEVNULL)
            curl_s = time.perf_counter() - start
            peer = f"curl PUT of the file: {curl_s:.2f} s; kqgraph / curl: {seconds / curl_s:.2f}"
        line("push (Oxigraph server)", seconds, mb, peer)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
