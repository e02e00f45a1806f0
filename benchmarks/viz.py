"""How fast the viz page becomes usable, against pyvis's own page for the same network.

For 500 and 5,000 nodes (a synthetic cooperation network with the projection's attributes),
both pages are opened in Debian's headless Chromium with the network blocked, and the script
prints: time until the network is drawn and interactive, time until the layout is stable
(physics stopped), and the HTML size; then the ratios kqgraph / pyvis. The peer is pyvis
0.3.2's `Network.generate_html()` (its in-line template, physics on by default), which is
what a user of pyvis gets. Nothing here asserts a time: machines are shared and noisy.

    python benchmarks/viz.py            # 500 and 5000 nodes, 3 runs each, medians
    python benchmarks/viz.py --runs 1 --sizes 500
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kqgraph.viz import page

CLASSES = ["kq:University", "kq:Company", "kq:ResearchInstitute", "kq:Government",
           "kq:Agreement", "kq:Presence", "kq:City", "kq:Person"]
SECTORS = ["kqr:ai", "kqr:batteries", "kqr:aerospace", "kqr:quantum-computing", "kqr:energy"]
COUNTRIES = ["kqr:canada", "kqr:south-korea"]
TIMEOUT_MS = 120_000


def synthetic(n: int, seed: int = 7) -> nx.MultiDiGraph:
    """A deterministic network shaped like the projection: ~2.5 edges per node."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    for i in range(n):
        cls = CLASSES[i % len(CLASSES)]
        graph.add_node(f"kqr:n{i}", iri=f"https://w3id.org/kqgraph/id/n{i}", label=f"Node {i}",
                       label_ko=f"노드 {i}", label_en=f"Node {i}", label_fr=f"Nœud {i}",
                       **{"class": cls}, class_label=cls[3:].lower(),
                       country=COUNTRIES[i % 2], country_label=COUNTRIES[i % 2][4:],
                       sectors=SECTORS[i % 5], sector_labels=SECTORS[i % 5][4:],
                       sources="kqs:s", source_labels="synthetic source",
                       facts="", details="")
    for i in range(n):
        for _ in range(2 + (i % 2)):
            j = rng.randrange(n)
            if j != i:
                graph.add_edge(f"kqr:n{i}", f"kqr:n{j}", key="kq:party", property="kq:party",
                               label="party", label_ko="당사자", label_en="party",
                               label_fr="partie")
    return graph


def peer_html(graph: nx.MultiDiGraph) -> str:
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    for node, data in graph.nodes(data=True):
        net.add_node(node, label=data["label"], title=data["label_en"])
    for source, target in graph.edges():
        net.add_edge(source, target)
    return net.generate_html()


# pyvis's page makes a global `network` and shows a loading bar until its stabilization
# iterations are done; that moment is when a user can use it. The hook is installed before
# the page's own script runs; the wait is timed by Playwright's driver, so it ends at the cap
# even when the page blocks its main thread (pyvis's improvedLayout does, at 5,000 nodes).
HOOK_PEER = """
(() => {
  const start = performance.now();
  const wait = () => {
    if (typeof network === 'undefined') { return setTimeout(wait, 5); }
    network.once('stabilizationIterationsDone', () => {
      window.__kqStable = performance.now() - start;
    });
  };
  wait();
})();
"""


def measure(browser, html: str, kind: str) -> tuple[float, float]:
    """(seconds until drawn and interactive, seconds until the layout is stable)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(html, encoding="utf-8")
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        if kind != "kqgraph":
            context.add_init_script(HOOK_PEER)
        pg = context.new_page()
        external = []
        pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                 else (external.append(r.request.url), r.abort()))
        start = time.perf_counter()
        try:
            pg.goto(path.as_uri(), wait_until="commit", timeout=TIMEOUT_MS)
        except Exception:  # a page that never finishes loading within the cap
            context.close()
            return float("inf"), float("inf")
        if kind == "kqgraph":
            pg.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT_MS)
            drawn = time.perf_counter() - start
            stable = drawn  # physics is already off when data-ready is set
        else:
            from playwright.sync_api import TimeoutError as Timeout

            try:
                pg.wait_for_function("window.__kqStable !== undefined", timeout=TIMEOUT_MS)
            except Timeout:
                context.close()
                return float("inf"), float("inf")  # not usable within the cap
            stable = time.perf_counter() - start
            drawn = stable  # pyvis's page only answers once its physics has settled
        pg.evaluate("1")  # the page answers: it is interactive
        context.close()
        return drawn, stable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-runs", type=int, default=1,
                        help="Runs of pyvis's page (slow: it waits for its physics).")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for n in args.sizes:
            graph = synthetic(n)
            t0 = time.perf_counter()
            ours = page(graph, lang="en", title="benchmark", options={}, triples=0)
            build = time.perf_counter() - t0
            theirs = peer_html(graph)
            kq = [measure(browser, ours, "kqgraph") for _ in range(args.runs)]
            py = [measure(browser, theirs, "pyvis") for _ in range(args.peer_runs)]
            rows.append((n, graph.number_of_edges(), build,
                         statistics.median(k[0] for k in kq), statistics.median(k[1] for k in kq),
                         statistics.median(p_[1] for p_ in py), len(ours.encode()),
                         len(theirs.encode())))
        browser.close()
    print("| nodes | edges | kqgraph build s | kqgraph interactive s | kqgraph stable s "
          "| pyvis stable s | stable ratio kqgraph/pyvis | kqgraph HTML KB | pyvis HTML KB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, e, build, drawn, stable, peer, size, peer_size in rows:
        shown = f"{peer:.2f}" if peer != float("inf") else f"> {TIMEOUT_MS / 1000:.0f}"
        print(f"| {n} | {e} | {build:.2f} | {drawn:.2f} | {stable:.2f} | {shown} "
              f"| {stable / peer:.3f} | {size / 1024:.0f} | {peer_size / 1024:.0f} |")


if __name__ == "__main__":
    main()
