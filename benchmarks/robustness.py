"""Count how kqgraph treats the W3C suites' malformed files and the resource-limit cases, and
run the probes of issue 17 (a hostile query author, data author, endpoint operator, and a
local user of `serve`).

Every input runs in its own `kqgraph` process (so a crash is seen as a signal, not lost),
with local HTTP servers on 127.0.0.1 counting any request that escapes. Prints the Markdown
tables kept in docs/robustness.md.

    python benchmarks/robustness.py [--corpus tests/data/w3c]
"""

from __future__ import annotations

import argparse
import base64
import http.server
import json
import os
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KQGRAPH = [sys.executable, "-c", "from kqgraph.cli import main; main()"]
POSITION = re.compile(r":\d+:\d+: \S")
USER, PASSWORD = "curator", "s3cret-Pw"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


class Counter(http.server.BaseHTTPRequestHandler):
    """Counts requests; answers one SPARQL JSON row (so a SERVICE call would succeed)."""

    hits = 0
    body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": "from the server"}}]}}).encode()

    def do_GET(self) -> None:
        type(self).hits += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_POST = do_PUT = do_GET

    def log_message(self, *args: object) -> None:
        pass


def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def run(args: list[str], env: dict[str, str | None] | None = None, cwd: Path | None = None,
        ) -> tuple[int, str, float]:
    """Exit code, stderr and seconds of one kqgraph process (2 GiB of address space); `env`
    is added to this process's environment (None removes a variable)."""
    import resource

    environ = {**os.environ, **(env or {})}
    environ = {k: v for k, v in environ.items() if v is not None}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    started = time.monotonic()
    done = subprocess.run([*KQGRAPH, *args], capture_output=True, text=True, timeout=120,
                          env=environ, cwd=cwd, preexec_fn=limit, check=False)
    return done.returncode, done.stderr, time.monotonic() - started


def corpus(bad: Path, url: str) -> None:
    """The summary table: every W3C file, and the resource-limit and network cases."""
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
            results = list(pool.map(lambda c: run(c[0])[:2], cases))
            pairs = list(zip(results, cases, strict=True))
            refused = sum(1 for (code, err), (_, must) in pairs
                          if must and code == 2 and "Traceback" not in err)
            wrong = sum(1 for (code, _), (_, must) in pairs if must and code != 2 and code >= 0)
            crashes = sum(1 for code, _ in results if code < 0 or code == 70)
            positioned = sum(1 for (code, err), (_, must) in pairs
                             if must and code == 2 and POSITION.search(err))
            expected_bad = sum(1 for _, must in cases if must)
            note = f"{refused} of {expected_bad} ({positioned} with line:column)"
            if expected_bad == 0:
                ok = sum(1 for code, _ in results if code == 0)
                note = f"— ({ok} of {len(cases)} loaded correctly)"
            elif expected_bad < len(cases):
                ok = sum(1 for (code, _), (_, must) in pairs if not must and code == 0)
                note += f"; {ok} of {len(cases) - expected_bad} others answered correctly"
            print(f"| {kind} | {len(cases)} | {note} | {wrong} | {crashes} "
                  f"| {Counter.hits - before} |")
    shutil.rmtree(tmp, ignore_errors=True)


# --- issue 17's probes ---------------------------------------------------------------------------

def redirecting(target: str) -> type[http.server.BaseHTTPRequestHandler]:
    class Redirect(Counter):
        def do_GET(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = do_GET

    return Redirect


class Reflect(Counter):
    """Answers 500 with the request's Authorization header, decoded too, and its body."""

    def do_GET(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        auth = self.headers.get("Authorization", "")
        pair = base64.b64decode(auth.split()[-1]).decode() if auth else ""
        page = f"{auth} | {pair} | {body}".encode()
        self.send_response(500, f"Echo {auth}")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    do_POST = do_PUT = do_GET


class Drip(socketserver.BaseRequestHandler):
    """Reads the request, then answers one byte a second."""

    def handle(self) -> None:
        data = b""
        self.request.settimeout(30)
        try:
            while b"\r\n\r\n" not in data:
                data += self.request.recv(1 << 20) or b"\r\n\r\n"
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(h.split(b":")[1]) for h in head.split(b"\r\n")
                           if h.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += self.request.recv(1 << 20) or b"x" * length
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000:
                self.request.sendall(bytes([byte]))
                time.sleep(1)
        except OSError:
            pass


def _post(url: str, field: str, text: str) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode({field: text}).encode(),
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return 500 if b"Permission denied" in response.read() else response.status
    except urllib.error.HTTPError as err:
        return err.code


def kqgraph_serve(cache: Path, extra: list[str]) -> tuple[subprocess.Popen, str]:
    """`kqgraph serve` on a free port (its store in `cache`), once it answers; and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([*KQGRAPH, "serve", "--port", str(port), *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "KQGRAPH_CACHE_DIR": str(cache)})
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    return process, base


def shown(code: int, err: str, seconds: float) -> str:
    """What happened, as one table cell."""
    line = err.strip().splitlines()[-1] if err.strip() else ""
    line = re.sub(r"http://127\.0\.0\.1:\d+", "http://…", re.sub(r"/tmp/[^/\s]+/", "", line))
    line = line if len(line) <= 90 else line[:87] + "…"
    what = "signal " + str(-code) if code < 0 else f"exit {code}"
    return f"{what} in {seconds:.1f} s" + (f": {line}" if line else "")


def probes() -> None:
    """Each of issue 17's probes, run now; requests counted on every local server."""
    target = serve(Counter)
    tmp = Path(tempfile.mkdtemp())
    rows: list[tuple[str, str, int, str]] = []

    def probe(name: str, args: list[str], guard: str, env: dict[str, str | None] | None = None,
              cwd: Path | None = None) -> None:
        before = Counter.hits
        code, err, seconds = run(args, env=env, cwd=cwd)
        rows.append((name, shown(code, err, seconds), Counter.hits - before, guard))

    def merged(name: str, count: int, guard: str) -> None:
        """The last `count` rows as one: the same probe in several ways."""
        done = rows[-count:]
        del rows[-count:]
        codes = [re.match(r"(exit -?\d+|signal \d+)", r[1])[0] for r in done]
        detail = done[0][1].split(": ", 1)[1] if ": " in done[0][1] else ""
        rows.append((name, f"{', '.join(codes)}: {detail}", sum(r[2] for r in done), guard))

    # 1, 2: the network
    forms = {
        "`SERVICE:x`": "PREFIX : <{u}/> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}",
        "`SERVICEev:`": "PREFIX ev: <{u}/> SELECT * {{ SERVICEev: {{ ?s ?p ?o }} }}",
        "`SERVICESILENT:x`": "PREFIX : <{u}/> SELECT * {{ SERVICESILENT:x {{ ?s ?p ?o }} }}",
        "`service:x`": "PREFIX : <{u}/> SELECT * {{ service:x {{ ?s ?p ?o }} }}",
        "`FROMpw:passwd`": "PREFIX pw: <{u}/> SELECT * FROMpw:passwd {{ ?s ?p ?o }}",
        "`FROM:`": "PREFIX : <{u}/> SELECT * FROM: {{ ?s ?p ?o }}",
        '`SERVICESILENT <iri>` behind `"\\u0022"`':
            'SELECT * {{ BIND("\\u0022" AS ?q) SERVICESILENT <{u}/x> {{ ?s ?p ?o }} }}',
        '`?s ?p trueSERVICE:x` behind `"\\u0022"`':
            'PREFIX : <{u}/> SELECT * {{ BIND("\\u0022" AS ?q) ?s ?p trueSERVICE:x {{ }} }}',
        '`ASKFROM <iri>` behind `"\\u0022"`': 'ASKFROM <{u}/g> {{ BIND("\\u0022" AS ?q) }}',
    }
    guard = ("`sparql.check` reads keywords as Oxigraph does (glued to a name or to another "
             "keyword); the query would run sealed (seccomp)")
    cache = {"KQGRAPH_CACHE": "always", "KQGRAPH_CACHE_DIR": str(tmp / "cache")}
    run(["stats"], env=cache)
    for name, text in forms.items():
        query = text.format(u=target)
        probe(f"query {name}", ["query", query], guard)
        path = tmp / "q.rq"
        path.write_text(query, encoding="utf-8")
        probe(f"query -f FILE {name}, persistent store", ["query", "-f", str(path)], guard,
              env=cache)
        probe(f"query {name} --endpoint", ["query", query, "--endpoint", f"{target}/query"],
              guard)
        merged(f"{name}: as an argument; -f FILE on a persistent store; with --endpoint", 3,
               guard + "; for an endpoint, nothing is sent, nor run locally"
               if name == next(iter(forms)) else "the same")
    # 3: no crash
    n = 10_000
    deep = {"10,000 `!`": "SELECT * { FILTER(" + "!" * n + "true) }",
            "10,000 `&& true`": "SELECT * { FILTER(true" + " && true" * n + ") }",
            "10,000 `+ 1`": "SELECT * { BIND(1" + " + 1" * n + " AS ?x) }",
            "10,000 `UNION`": "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }",
            "10,000 nested subqueries": "SELECT * { " + "{ SELECT * { " * n + "?s ?p ?o"
                                        + " } }" * n + " }",
            "10,000 path steps": "SELECT * { ?s " + "/".join(["kq:p"] * n) + " ?o }",
            "`FILTER(?a<a:b&&a:b&&…>)`": "SELECT * { ?a ?b ?c FILTER(?a<a:b" + "&&a:b" * n
                                         + ">) }"}
    for name, text in deep.items():
        path = tmp / "deep.rq"
        path.write_text(text, encoding="utf-8")
        guard = ("`sparql.check`: more than 256 nested brackets, or 1,000 operators, "
                 "separators and pattern keywords, refused before parsing")
        probe(f"query {name}", ["query", "-f", str(path)], guard)
        probe(f"query {name} --timeout 30", ["query", "-f", str(path), "--timeout", "30"],
              guard)
        merged(f"query -f FILE with {name}; the same with --timeout 30", 2, guard)
    path.write_text(deep["10,000 `!`"].replace("SELECT *", "CONSTRUCT { ?s ?p ?o } WHERE"),
                    encoding="utf-8")
    probe("viz --query FILE with 10,000 `!`", ["viz", "--query", str(path), "-o",
                                              str(tmp / "x.html")], "the same check")
    # 4: credentials
    creds = {"KQGRAPH_ENDPOINT_USER": USER, "KQGRAPH_ENDPOINT_PASSWORD": PASSWORD}
    redirect = serve(redirecting(f"{target}/query"))
    probe("query --endpoint, 302 to another port, credentials set",
          ["query", "agreements", "--endpoint", f"{redirect}/query"],
          "redirects never followed; Authorization only as an unredirected header", env=creds)
    reflect = serve(Reflect)
    before = Counter.hits
    code, err, seconds = run(["query", "agreements", "--endpoint", f"{reflect}/query"],
                             env=creds)
    leaked = any(s.lower() in err.lower() for s in (PASSWORD, TOKEN))
    rows.append(("query --endpoint, 500 echoing Authorization (status line and body)",
                 shown(code, err, seconds) + ("; PASSWORD PRINTED" if leaked else
                                              "; credentials not printed"),
                 Counter.hits - before,
                 "server texts cut to 300 characters and scrubbed of password, pair and base64"))
    probe("query --endpoint http://user:pw@…", ["query", "agreements", "--endpoint",
                                                f"http://user:pw@{target[7:]}/query"],
          "URL user information refused, shown masked")
    # 5: deadlines
    drip = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Drip)
    drip.daemon_threads = True
    threading.Thread(target=drip.serve_forever, daemon=True).start()
    slow = f"http://127.0.0.1:{drip.server_address[1]}/query"
    probe("query --timeout 2 --endpoint, one byte a second", ["query", "agreements",
                                                              "--endpoint", slow, "--timeout",
                                                              "2"],
          "a timer shuts the socket down at the deadline (whole exchange)")
    probe("push --timeout 2, one byte a second", ["push", "--endpoint", slow, "--timeout", "2"],
          "the same deadline for push")
    # 6: writable serve
    for extra in ([], ["--allow-network"]):
        process, base = kqgraph_serve(tmp / "serve-cache", extra)
        before = Counter.hits
        load = _post(f"{base}/update", "update", f"LOAD <{target}/data.nt>")
        service = _post(f"{base}/query", "query",
                        f"SELECT * {{ SERVICE <{target}/s> {{ ?s ?p ?o }} }}")
        process.terminate()
        process.wait(timeout=10)
        rows.append((f"writable serve{' ' if extra else ''}{' '.join(extra)}: LOAD and "
                     "SERVICE to a local server", f"LOAD HTTP {load}, SERVICE HTTP {service}",
                     Counter.hits - before,
                     "the server is sealed (seccomp) before exec unless --allow-network"))
    # 7: store damage
    copy = tmp / "graph"
    shutil.copytree(ROOT / "graph", copy)
    damaged = {"KQGRAPH_CACHE": "always", "KQGRAPH_CACHE_DIR": str(tmp / "damage")}
    run(["stats", "-g", str(copy)], env=damaged)
    for command in (["stats"], ["query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"]):
        (store,) = [p for p in (tmp / "damage").iterdir() if not p.name.startswith(".")]
        for sst in sorted(store.glob("*.sst"), key=lambda p: p.stat().st_size)[-3:]:
            data = bytearray(sst.read_bytes())
            middle = len(data) // 2
            data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])
            sst.write_bytes(bytes(data))
        probe(f"{command[0]} on a store with bytes flipped in its 3 largest files",
              [command[0], "-g", str(copy), *command[1:]],
              "store files' sizes and times kept in its marker: rebuilt before any read",
              env=damaged)
    (tmp / "damage" / ".dead.99999999.building").mkdir()
    code, err, seconds = run(["stats", "-g", str(copy)], env=damaged)
    rows.append(("a `.KEY.PID.building` of a dead build", shown(code, err, seconds) + (
        "; removed" if not (tmp / "damage" / ".dead.99999999.building").exists()
        else "; LEFT"), 0, "leftovers of dead pids removed on every cache use"))
    # 8: updates
    probe("query --update on local files", ["query", "INSERT DATA { kqr:a rdfs:label 'x' }",
                                            "--update"], "a clear reason: the graph is files")
    probe("query --update, malformed", ["query", "INSERT DATA { kqr:a rdfs:label }",
                                        "--update"],
          "parsed on an empty read-only store, which runs nothing: its own error first")
    # 10, 11: output paths
    fifo = tmp / "pipe.html"
    os.mkfifo(fifo)
    reader = threading.Thread(target=fifo.read_bytes, daemon=True)
    reader.start()
    probe("viz -o FIFO", ["viz", "-o", str(fifo)], "written in place: not a regular file")
    reader.join(10)
    rows[-1] = (rows[-1][0], rows[-1][1] + ("; still a FIFO" if fifo.is_fifo() else
                                            "; REPLACED"), rows[-1][2], rows[-1][3])
    (tmp / "file").write_text("x")
    for name, args in {"viz -o /proc/nope.html": ["viz", "-o", "/proc/nope.html"],
                       "viz -o existing-file/sub.html": ["viz", "-o", str(tmp / "file/s.html")],
                       "export -o /dev/null": ["export", "-o", "/dev/null"]}.items():
        probe(name, args, "one line, exit 2")
    with open("/dev/full", "w") as full:
        started = time.monotonic()
        done = subprocess.run([*KQGRAPH, "query", "agreements"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)
        rows.append(("query > /dev/full", shown(done.returncode, done.stderr,
                                                time.monotonic() - started), 0,
                     "ENOSPC, EIO, EFBIG, EROFS, EDQUOT on output: one line, exit 2"))
    # 12: the tour
    work = tmp / "cwd"
    work.mkdir()
    probe("viz --focus mila --depth 2 --open (no browser)", ["viz", "--focus", "mila",
                                                             "--depth", "2", "--open"],
          "writes ./kqgraph.html, never exports/; says when no browser is found",
          env={"PATH": str(tmp / "empty"), "DISPLAY": None, "WAYLAND_DISPLAY": None,
               "BROWSER": None}, cwd=work)

    print("| probe | what happens now | requests to the probe's target | guard |")
    print("|---|---|---|---|")
    for name, outcome, requests, guard in rows:
        print(f"| {name} | {outcome.replace('|', '/')} | {requests} | {guard} |")
    shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "w3c")
    parser.add_argument("--only", choices=["corpus", "probes"])
    args = parser.parse_args()
    url = serve(Counter) + "/x"
    if args.only != "probes":
        corpus(args.corpus, url)
        print()
    if args.only != "corpus":
        probes()


if __name__ == "__main__":
    main()
