"""Light queries, where start-up is most of the time: `kqgraph query` on the shipped graph
against `oxigraph query` on a store of the same triples, whole processes in turns.

    python benchmarks/startup.py               # medians of 15 runs each
    python benchmarks/startup.py --runs 31 --env KQGRAPH_SOMETHING=1

Prints the median seconds of each and the ratio (target: at most 3x `oxigraph query`).
"""

from __future__ import annotations

import argparse
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
SAVED = ("agreements", "events", "presences")


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="Set this in kqgraph's environment (repeatable).")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kq-startup-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(KQGRAPH_CACHE_DIR=str(work / "cache"))
    kq_env = {**env, **dict(item.split("=", 1) for item in args.env)}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src")],
                   env=env, check=False, capture_output=True)
    store = work / "oxigraph"
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(store), "--file",
                    str(HERE.parent / "exports" / "kqgraph.nt")], env=env, check=True,
                   capture_output=True)
    from kqgraph.sparql import prologue

    print(f"# light queries on the shipped graph ({time.strftime('%Y-%m-%d %H:%M')}, "
          f"{args.runs} runs each, in turns)\n")
    print("| query | oxigraph query s | kqgraph query s | ratio |\n|---|---|---|---|")
    for name in SAVED:
        text = (HERE.parent / "graph" / "queries" / f"{name}.rq").read_text(encoding="utf-8")
        ox_cmd = [str(BIN / "oxigraph"), "query", "--location", str(store), "--query",
                  prologue() + text, "--results-format", "csv"]
        kq_cmd = [str(BIN / "kqgraph"), "query", name, "--format", "csv"]
        ox_times, kq_times = [], []
        for _ in range(args.runs):
            ox_times.append(wall(ox_cmd, env))
            kq_times.append(wall(kq_cmd, kq_env))
        ox_t, kq_t = statistics.median(ox_times), statistics.median(kq_times)
        print(f"| {name} | {ox_t:.3f} | {kq_t:.3f} | {kq_t / ox_t:.2f} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
