"""Count how kqgraph treats the W3C suites' malformed files and the resource-limit cases.

Every input runs in its own `kqgraph` process (so a crash is seen as a signal, not lost),
with a local HTTP server on 127.0.0.1 counting any request that escapes. Prints the
Markdown table kept in docs/robustness.md.

    python benchmarks/robustness.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import http.server
import re
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

KQGRAPH = [sys.executable, "-c", "from kqgraph.cli import main; main()"]
POSITION = re.compile(r":\d+:\d+: \S")


class Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        Counter.hits += 1
        self.send_response(404)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


def run(args: list[str]) -> tuple[int, str]:
    done = subprocess.run([*KQGRAPH, *args], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    bad = args.shared / "badinputs"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/x"

    kinds: dict[str, list[tuple[list[str], bool]]] = {"Turtle (malformed)": [],
                                                       "N-Triples (malformed)": [],
                                                       "Turtle (well-formed sample)": [],
                                                       "SPARQL query/update (malformed)": []}
    for path in sorted((bad / "rdf").rglob("*")):
        if path.suffix == ".ttl" and path.name != "manifest.ttl":
            kind = "Turtle (malformed)" if "bad" in path.name else "Turtle (well-formed sample)"
            kinds[kind].append((["stats", "-g", str(path)], "bad" in path.name))
        elif path.suffix == ".nt":
            kinds["N-Triples (malformed)"].append((["stats", "-g", str(path)], True))
    for path in sorted((bad / "sparql").rglob("*")):
        if path.suffix in (".rq", ".ru"):
            kinds["SPARQL query/update (malformed)"].append((["query", "-f", str(path)], True))

    tmp = Path(tempfile.mkdtemp())
    limits: list[tuple[list[str], bool]] = []
    for depth in (10, 1_000, 100_000):
        ttl = tmp / f"deep{depth}.ttl"
        ttl.write_text(f"<http://a/s> <http://a/p> {'[ <http://a/p> ' * depth}<http://a/o>"
                       f"{' ]' * depth} .\n", encoding="utf-8")
        limits.append((["stats", "-g", str(ttl)], False))
        rq = tmp / f"deep{depth}.rq"
        rq.write_text(f"SELECT ?x WHERE {{ BIND({'(' * depth}1{')' * depth} AS ?x) }}",
                      encoding="utf-8")
        limits.append((["query", "-f", str(rq)], depth > 256))
    big = tmp / "big.ttl"
    big.write_text('<http://a/s> <http://a/p> "' + "x" * (50 << 20) + '" .\n', encoding="utf-8")
    limits.append((["stats", "-g", str(big)], True))
    lol = tmp / "laughs.rdf"
    ents = "\n".join(f' <!ENTITY l{i} "{(f"&l{i - 1};" if i else "lol") * 10}">' for i in range(10))
    lol.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{ents}\n]>\n<rdf:RDF xmlns:rdf='
                   f'"http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/"><rdf:'
                   f'Description rdf:about="http://e/s"><e:p>&l9;</e:p></rdf:Description>'
                   f'</rdf:RDF>\n', encoding="utf-8")
    limits.append((["stats", "-g", str(lol)], True))
    ctx = tmp / "remote.jsonld"
    ctx.write_text(f'{{"@context": "{url}", "@id": "http://e/s", "name": "x"}}', encoding="utf-8")
    limits.append((["stats", "-g", str(ctx)], True))
    imports = tmp / "imports.ttl"
    imports.write_text(f"<http://e/o> <http://www.w3.org/2002/07/owl#imports> <{url}> .\n",
                       encoding="utf-8")
    limits.append((["stats", "-g", str(imports)], False))
    for text in (f"LOAD <{url}>", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                 f"SELECT * {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
                 f"SELECT * FROM <{url}> {{ ?s ?p ?o }}",
                 f"SELECT * FROM NAMED <{url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        limits.append((["query", text], True))
    kinds["Resource limits and network probes"] = limits

    print("| input kind | tried | refused with a clear error | accepted wrongly | crashes "
          "| network requests |")
    print("|---|---|---|---|---|---|")
    with ThreadPoolExecutor(max_workers=2) as pool:
        for kind, cases in kinds.items():
            before = Counter.hits
            results = list(pool.map(lambda c: run(c[0]), cases))
            refused = sum(1 for (code, err), (_, must) in zip(results, cases, strict=True)
                          if must and code == 2 and "Traceback" not in err)
            wrong = sum(1 for (code, _), (_, must) in zip(results, cases, strict=True)
                        if must and code != 2 and code >= 0)
            crashes = sum(1 for code, _ in results if code < 0 or code == 70)
            positioned = sum(1 for (code, err), (_, must) in zip(results, cases, strict=True)
                             if must and code == 2 and POSITION.search(err))
            expected_bad = sum(1 for _, must in cases if must)
            note = f"{refused} of {expected_bad} ({positioned} with line:column)"
            if expected_bad == 0:
                ok = sum(1 for code, _ in results if code == 0)
                note = f"— ({ok} of {len(cases)} loaded correctly)"
            elif expected_bad < len(cases):
                ok = sum(1 for (code, _), (_, must) in zip(results, cases, strict=True)
                         if not must and code == 0)
                note += f"; {ok} of {len(cases) - expected_bad} others answered correctly"
            print(f"| {kind} | {len(cases)} | {note} | {wrong} | {crashes} "
                  f"| {Counter.hits - before} |")
    server.shutdown()


if __name__ == "__main__":
    main()
