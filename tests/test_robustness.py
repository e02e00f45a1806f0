"""Malformed and hostile input written by others: refused cleanly, with a position, within
bounded time and memory, without touching the network, and never as markup in HTML."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import KQGRAPH, run_limited

from kqgraph.cli import cli

# The W3C suites' files, vendored with their licence and manifests (tests/data/w3c/README.md).
BADINPUTS = Path(__file__).resolve().parent / "data" / "w3c"
RDF_FILES = sorted(p for p in (BADINPUTS / "rdf").rglob("*")
                   if p.suffix in (".ttl", ".nt") and p.name != "manifest.ttl")
SPARQL_FILES = sorted(p for p in (BADINPUTS / "sparql").rglob("*") if p.suffix in (".rq", ".ru"))
POSITION = r":\d+:\d+: \S.*\n"


def _rel(path: Path) -> str:
    return str(path.relative_to(BADINPUTS))


def test_the_corpus_is_there():
    # Iterating over the files present: an empty folder must not pass silently.
    assert len(RDF_FILES) == 168 and len(SPARQL_FILES) == 155


@pytest.mark.parametrize("path", RDF_FILES, ids=_rel)
def test_w3c_rdf_file(path: Path):
    import re

    result = CliRunner().invoke(cli, ["stats", "-g", str(path), "--format", "json"])
    assert "Traceback" not in result.output
    if "bad" in path.name:
        assert result.exit_code == 2
        assert result.stdout == ""
        assert re.fullmatch(re.escape(str(path)) + POSITION, result.stderr), result.stderr
    else:
        assert result.exit_code == 0, result.stderr
        import rdflib  # a second parser agrees on what a good file holds

        base = "https://w3c.github.io/rdf-tests/" + path.relative_to(BADINPUTS).as_posix()
        expected = len(rdflib.Graph().parse(path, format="turtle", publicID=base))
        assert json.loads(result.stdout)["triples"] == expected


@pytest.mark.parametrize("path", SPARQL_FILES, ids=_rel)
def test_w3c_malformed_sparql(path: Path):
    import re

    result = CliRunner().invoke(cli, ["query", "-f", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert re.fullmatch(re.escape(str(path)) + POSITION, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


# --- resource limits: each case in its own process, with a memory cap and a timeout ----------

@pytest.mark.timeout(90)
@pytest.mark.parametrize("depth", [10, 1_000, 100_000])
@pytest.mark.parametrize("shape", ["blank-nodes", "collections"])
def test_deeply_nested_turtle_loads(tmp_path: Path, depth: int, shape: str):
    open_, close = ("[ <http://a/p> ", " ]") if shape == "blank-nodes" else ("( ", " )")
    path = tmp_path / "deep.ttl"
    path.write_text(f"<http://a/s> <http://a/p> {open_ * depth}<http://a/o>{close * depth} .\n",
                    encoding="utf-8")
    run = run_limited("stats", "-g", str(path), "--format", "json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    expected = depth + 1 if shape == "blank-nodes" else 2 * depth + 1
    assert json.loads(run.stdout)["triples"] == expected


@pytest.mark.timeout(90)
@pytest.mark.parametrize("depth", [10, 1_000, 100_000])
@pytest.mark.parametrize("bracket", ["()", "{}"])
def test_deeply_nested_sparql(tmp_path: Path, depth: int, bracket: str):
    if bracket == "()":
        text = f"SELECT ?x WHERE {{ BIND({'(' * depth}1{')' * depth} AS ?x) }}"
    else:
        text = f"SELECT * WHERE {'{ ' * depth}?s ?p ?o{' }' * depth}"
    path = tmp_path / "deep.rq"
    path.write_text(text, encoding="utf-8")
    run = run_limited("query", "-f", str(path), "--format", "csv", cwd=tmp_path)
    if depth <= 256:
        assert run.returncode == 0, run.stderr  # a correct answer
        assert run.stdout.splitlines()[0] in ("x", "s,p,o")
    else:
        assert run.returncode == 2
        assert run.stderr.startswith(f"{path}:1:")
        assert run.stderr.rstrip().endswith("brackets nested more than 256 deep; refused")


REFUSED_TOKEN = ("a single literal or IRI is longer than the parser's 16 MiB limit; refused "
                 "(split it, or keep such content outside the graph)")


@pytest.mark.timeout(90)
@pytest.mark.parametrize(("megabytes", "char"), [(50, "한"), (15, "é")])
def test_a_huge_literal(tmp_path: Path, megabytes: int, char: str):
    length = megabytes * 1024 * 1024 // len(char.encode())
    path = tmp_path / "big.ttl"
    path.write_text(f'<http://a/s> <http://a/p> "{char * length}" .\n', encoding="utf-8")
    run = run_limited("query", "-g", str(path), "SELECT (STRLEN(?o) AS ?n) WHERE { ?s ?p ?o }",
                      "--format", "csv", cwd=tmp_path)
    if megabytes > 16:
        # Oxigraph's parser caps one token at 16 MiB: a clear refusal, not a crash or a hang.
        assert (run.returncode, run.stderr) == (2, f"{path}: {REFUSED_TOKEN}\n")
    else:
        assert run.returncode == 0, run.stderr
        assert run.stdout.split() == ["n", str(length)]


LOL = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
{entities}
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/s"><ex:p>&lol9;</ex:p></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.timeout(90)
def test_billion_laughs_rdfxml_is_refused(tmp_path: Path):
    def entity(i: int) -> str:
        ref = f"&lol{i - 1};" if i > 1 else "&lol;"
        return f' <!ENTITY lol{i} "{ref * 10}">'

    entities = "\n".join(entity(i) for i in range(1, 10))
    path = tmp_path / "laughs.rdf"
    path.write_text(LOL.format(entities=entities), encoding="utf-8")
    run = run_limited("stats", "-g", str(path), cwd=tmp_path)
    assert run.returncode == 2
    assert "would expand to" in run.stderr and run.stderr.startswith(f"{path}:")


def test_small_xml_entities_still_load(tmp_path: Path):
    path = tmp_path / "owl.rdf"
    path.write_text("""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="&ex;s"><ex:p>v</ex:p></rdf:Description>
</rdf:RDF>
""", encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", "-g", str(path), "SELECT ?s { ?s ?p ?o }",
                                      "--format", "csv"])
    assert result.stdout.split() == ["s", "http://example.org/s"]


# --- nothing reaches the network ---------------------------------------------------------------

def test_remote_jsonld_context_is_not_fetched(tmp_path: Path, endpoint):
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": f"http://127.0.0.1:{endpoint.server_port}/ctx",
                                "@id": "http://example.org/s", "name": "x"}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["stats", "-g", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"{path}: a remote JSON-LD @context is never fetched: put the " \
                            "context in the file\n"
    assert endpoint.requests == []


def test_owl_imports_is_not_followed(tmp_path: Path, endpoint):
    path = tmp_path / "imports.ttl"
    path.write_text(f"<http://example.org/o> <http://www.w3.org/2002/07/owl#imports> "
                    f"<http://127.0.0.1:{endpoint.server_port}/more.ttl> .\n", encoding="utf-8")
    for command in (["stats"], ["query", "SELECT * { ?s ?p ?o }"], ["export", "-o",
                                                                     str(tmp_path / "x")]):
        result = CliRunner().invoke(cli, [command[0], "-g", str(path), *command[1:]])
        assert result.exit_code == 0, result.stderr
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code in (0, 1)
    assert endpoint.requests == []


@pytest.mark.parametrize("text", [
    "LOAD <{url}>",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\U00000053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "PREFIX s: <{url}>\nSELECT * WHERE {{ service SILENT s: {{ ?s ?p ?o }} }}",
])
def test_network_operations_are_refused(text: str, endpoint):
    query = text.format(url=f"http://127.0.0.1:{endpoint.server_port}/x")
    result = CliRunner().invoke(cli, ["query", query])
    assert result.exit_code == 2
    assert "refused" in result.stderr
    assert endpoint.requests == []


# --- encoding ----------------------------------------------------------------------------------

def test_c_locale_keeps_hangul_accents_and_emoji(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    path = tmp_path / "emoji.ttl"
    path.write_text('<http://a/s> <http://www.w3.org/2000/01/rdf-schema#label> '
                    '"퀘벡 Québec 🍁"@fr .\n', encoding="utf-8")
    run = subprocess.run([*KQGRAPH, "query", "-g", str(path), "SELECT ?l { ?s ?p ?l }",
                          "--format", "csv"], capture_output=True, env=env, check=True)
    assert run.stdout.decode("utf-8").split("\r\n")[1] == "퀘벡 Québec 🍁"
    out = tmp_path / "out"
    subprocess.run([*KQGRAPH, "export", "-g", str(path), "-o", str(out)], env=env, check=True,
                   capture_output=True)
    for name in ("kqgraph.ttl", "kqgraph.nt", "kqgraph.jsonld", "kqgraph.rdf", "kqgraph.trig"):
        assert "퀘벡 Québec 🍁" in (out / name).read_bytes().decode("utf-8"), name
    run = subprocess.run([*KQGRAPH, "describe", "kqr:quebec"], capture_output=True, env=env,
                         check=True)
    assert "퀘벡주" in run.stdout.decode("utf-8")


# --- found in review: escapes read differently by the check and by the engine ----------------

@pytest.mark.parametrize("text", [
    'SELECT * WHERE {{ BIND("\\u0022" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} '
    'BIND("\\u0022" AS ?y) }}',
    'SELECT * FROM <{url}> WHERE {{ BIND("\\u0022" AS ?x) }} # "\\u0022"',
    'INSERT DATA {{ <a:b> <a:c> "\\u0022" }} ; LOAD <{url}> ; '
    'INSERT DATA {{ <a:b> <a:c> "\\u0022" }}',
])
def test_an_escaped_quote_cannot_hide_a_network_keyword(text: str, endpoint):
    query = text.format(url=f"http://127.0.0.1:{endpoint.server_port}/x")
    result = CliRunner().invoke(cli, ["query", query])
    assert result.exit_code == 2
    assert "refused" in result.stderr or "makes this an update" in result.stderr
    assert endpoint.requests == []


@pytest.mark.parametrize("extra", [[], ["--timeout", "30"]])
def test_an_engine_error_while_reading_results_is_reported_cleanly(extra: list[str]):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(cli, [
        "query", f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}",
        "--allow-network", "--format", "csv", *extra])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("query: the query failed:")
    assert "Traceback" not in result.output


def test_a_query_file_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.rq"
    path.write_bytes('SELECT * WHERE { ?s ?p "é" }'.encode("latin-1"))
    for args in (["query", "-f", str(path)], ["viz", "--query", str(path), "-o",
                                              str(tmp_path / "x.html")]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"{path}: not UTF-8 text")
