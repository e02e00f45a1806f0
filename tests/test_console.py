"""The entry point's fast path for `kqgraph query`: it must mean exactly what click means.

click stays the definition of the command line; the fast parser is only allowed to accept an
argument list when it reads it as click does, and to hand everything else to click.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kqgraph.cli import cli
from kqgraph.console import parse_query_args

KQGRAPH = [sys.executable, "-c", "from kqgraph.console import main; main()"]
FILE = "@FILE"  # stands for a readable query file, made by the `query_file` fixture

# Tokens a user could type, including the awkward ones: values that look like options,
# spellings click knows but this parser leaves to click, invalid choices and numbers.
TOKENS = [
    "query-text", "agreements", "SELECT * {}", "-", "--", "", "x=1", "org=mila",
    "-f", "--file", "--file=@FILE", FILE, "/no/such/file.rq",
    "-p", "--param", "--param=org=mila", "-porg=mila",
    "--format", "--format=csv", "--format=bogus", "csv", "json", "table", "turtle", "bogus",
    "--lang", "--lang=ko", "--lang=de", "ko", "fr", "de",
    "-g", "--graph", "--graph=graph", "graph",
    "--endpoint", "--endpoint=http://127.0.0.1:9/sparql", "http://127.0.0.1:9/sparql",
    "--update", "--allow-network", "--update=yes",
    "--timeout", "--timeout=2", "2", "0", "-1", "0.5", "inf", "nan", "1e3", "abc",
    "-h", "--help", "--version", "--no-such-option", "-x", "-gp",
]


@pytest.fixture(scope="module")
def query_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("fast") / "question.rq"
    path.write_text("ASK {}\n", encoding="utf-8")
    return str(path)


def with_file(args: list[str], path: str) -> list[str]:
    return [a.replace(FILE, path) for a in args]


@contextmanager
def endpoint_env(value: str | None):
    saved = os.environ.pop("KQGRAPH_ENDPOINT", None)
    if value is not None:
        os.environ["KQGRAPH_ENDPOINT"] = value
    try:
        yield
    finally:
        os.environ.pop("KQGRAPH_ENDPOINT", None)
        if saved is not None:
            os.environ["KQGRAPH_ENDPOINT"] = saved


def click_params(args: list[str]) -> dict | None:
    """What click makes of `kqgraph query ARGS`, or None when click refuses them."""
    command = cli.commands["query"]
    try:
        with command.make_context("query", list(args)) as ctx:
            params = dict(ctx.params)
            if params["file"] is not None:
                params["file"] = params["file"].name
            return params
    except (click.exceptions.Exit, click.ClickException):
        return None


@settings(max_examples=600, deadline=None)
@given(args=st.lists(st.sampled_from(TOKENS), max_size=7),
       env=st.sampled_from([None, "", "http://127.0.0.1:9/env"]))
def test_the_fast_parser_reads_what_click_reads(query_file: str, args: list[str],
                                               env: str | None):
    args = with_file(args, query_file)
    with endpoint_env(env):
        fast = parse_query_args(args)
        if fast is None:
            return  # handed to click: always correct
        assert click_params(args) == fast


@pytest.mark.parametrize("args", [
    ["agreements"],
    ["partners", "--param", "org=mila", "--lang", "ko"],
    ["partners", "-p", "org=mila", "--format", "json"],
    ["-f", FILE, "--format", "csv", "-g", "graph"],
    ["--file=@FILE", "--graph=graph", "--timeout", "2.5"],
    ["SELECT * {}", "--endpoint", "http://127.0.0.1:9/sparql", "--allow-network"],
])
def test_common_forms_take_the_fast_path(query_file: str, args: list[str]):
    # The forms the README and the benchmarks use must not fall back to click, or the fast
    # path would silently stop paying for itself.
    args = with_file(args, query_file)
    with endpoint_env(None):
        fast = parse_query_args(args)
        assert fast is not None
        assert click_params(args) == fast


@pytest.mark.parametrize("args", [
    ["--help"], ["agreements", "-h"], ["-porg=mila", "partners"], ["--format", "bogus"],
    ["--timeout", "0"], ["-f", "-"], ["-f", "/no/such/file.rq"], ["a", "b"], ["--", "x"],
    ["--lang"],
])
def test_everything_else_goes_to_click(args: list[str]):
    assert parse_query_args(args) is None


def run(args: list[str], *, fast: bool, cwd: Path, stdin: bytes = b"") -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KQGRAPH_ENDPOINT"}
    if not fast:
        env["KQGRAPH_NO_FAST_PATH"] = "1"
    done = subprocess.run([*KQGRAPH, "query", *args], capture_output=True, cwd=cwd, env=env,
                          input=stdin, timeout=60, check=False)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


@pytest.mark.parametrize("args", [
    ["agreements"],
    ["partners", "--param", "org=mila", "--lang", "fr", "--format", "table"],
    ["partners", "--param", "org"],  # a bad --param: exit 2
    ["partners", "--param", "nobody=mila"],  # an undeclared parameter
    ["SELECT ?x WHERE { ?x a kq:University", "--format", "json"],  # syntax error
    ["CONSTRUCT { ?s ?p ?o } WHERE { ?s a kq:Event ; ?p ?o }", "--format", "nt"],
    ["ASK {}", "--format", "turtle"],  # a format for the other kind of result
    ["DELETE WHERE { ?s ?p ?o }"],  # refused update
    ["SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
    ["no-such-saved-query"],
    ["-f", "bad.rq"],  # not UTF-8
    ["-f", "q.rq", "-g", "broken.ttl"],  # malformed Turtle: file:line:column
    ["ASK {}", "--endpoint", "http://127.0.0.1:9/sparql"],  # unreachable: exit 4
    ["SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "--timeout", "0.3"],  # 3
])
def test_fast_and_click_paths_answer_alike(tmp_path: Path, args: list[str]):
    (tmp_path / "bad.rq").write_bytes(b"ASK { \xff }")
    (tmp_path / "q.rq").write_text("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", encoding="utf-8")
    (tmp_path / "broken.ttl").write_text("<http://a/s> <http://a/p> .\n", encoding="utf-8")
    fast = run(args, fast=True, cwd=tmp_path)
    slow = run(args, fast=False, cwd=tmp_path)
    assert fast == slow
    assert "Traceback" not in fast[2]


@pytest.mark.parametrize(("fast", "expected"), [(True, "[]"), (False, "['click']")])
def test_query_imports_no_heavy_library(tmp_path: Path, fast: bool, expected: str):
    # Start-up cost matters for every command: `kqgraph query` needs pyoxigraph only, and
    # its fast path not even click.
    # The modules are listed as the process ends (the fast path ends with os._exit, and
    # click's path with sys.exit, so both are caught).
    code = ("import atexit, os, sys\n"
            "def show():\n"
            "    print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'click', 'rdflib', 'pyshacl', 'networkx', 'pyvis'}), file=sys.stderr)\n"
            "    sys.stderr.flush()\n"
            "atexit.register(show)\n"
            "real_exit = os._exit\n"
            "os._exit = lambda code: (show(), real_exit(code))\n"
            "sys.argv = ['kqgraph', 'query', 'partners', '--format', 'csv']\n"
            "from kqgraph.console import main\nmain()\n")
    env = {**os.environ, "KQGRAPH_NO_FAST_PATH": "" if fast else "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == expected + "\n"
    assert done.stdout.startswith("partner,")


def test_a_closed_pipe_is_not_an_error(tmp_path: Path):
    # `kqgraph query ... | head -1`: the reader leaves early; no message, exit 0.
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)
    query = "SELECT ?n WHERE { VALUES ?n { " + " ".join(map(str, range(20000))) + " } }"
    writer = subprocess.run([*KQGRAPH, "query", query, "--format", "csv"], cwd=tmp_path,
                            stdout=reader.stdin, stderr=subprocess.PIPE, timeout=60,
                            check=False)
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait()
    assert (writer.returncode, writer.stderr) == (0, b"")


@pytest.mark.parametrize("fast", [True, False])
def test_ctrl_c_stops_the_timeout_worker_too(tmp_path: Path, fast: bool):
    # The query runs in a forked worker (--timeout); Ctrl-C on kqgraph must not leave it
    # running, holding the caller's pipes open.
    env = {**os.environ, "KQGRAPH_NO_FAST_PATH": "" if fast else "1"}
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    process = subprocess.Popen([*KQGRAPH, "query", slow, "--timeout", "60"], cwd=tmp_path,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[str] = []
    deadline = time.monotonic() + 30
    while not workers and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                                 text=True, check=False).stdout.split()
    assert workers, "the worker never started"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert (process.returncode, err) == (1, b"\nAborted!\n")
    time.sleep(0.5)
    for pid in workers:
        status = Path(f"/proc/{pid}/stat")
        assert not status.exists() or status.read_text().split()[2] == "Z", "worker alive"
