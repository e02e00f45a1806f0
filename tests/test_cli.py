"""The command line as a process: what it imports, closed pipes, Ctrl-C, and that every
command's help has an example."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kqgraph.cli import cli

KQGRAPH = [sys.executable, "-c", "from kqgraph.cli import main; main()"]
HEAVY = {"rdflib", "shifty", "pyshacl", "networkx", "pyvis", "igraph"}


@pytest.mark.parametrize("args", [["query", "partners", "--format", "csv"],
                                  ["describe", "mila"], ["search", "quebec"], ["stats"],
                                  ["export", "-f", "graphml", "-f", "csv", "-o", "out"]])
def test_light_commands_import_no_heavy_library(tmp_path: Path, args: list[str]):
    # Start-up cost matters for every command: these need pyoxigraph and click only
    # (GraphML and CSV are written from the projection's records, without networkx).
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules} & "
            f"{HEAVY!r}), file=sys.stderr))\n"
            f"sys.argv = ['kqgraph', *{args!r}]\n"
            "from kqgraph.cli import main\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "[]"


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


def test_ctrl_c_stops_the_timeout_worker_too(tmp_path: Path):
    # The query runs in a forked worker (--timeout); Ctrl-C on kqgraph must not leave it
    # running, holding the caller's pipes open.
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    process = subprocess.Popen([*KQGRAPH, "query", slow, "--timeout", "60"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[str] = []
    deadline = time.monotonic() + 30
    while not workers and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                                 text=True, check=False).stdout.split()
    assert workers, "the worker never started"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert (process.returncode, err) == (1, b"\nAborted!\n")  # as click says it
    time.sleep(0.5)
    for pid in workers:
        status = Path(f"/proc/{pid}/stat")
        assert not status.exists() or status.read_text().split()[2] == "Z", "worker alive"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_an_example(command: str):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout
