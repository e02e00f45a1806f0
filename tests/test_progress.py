"""Progress of long commands: shown on a terminal, rewritten in place and cleared at the end;
never written into a pipe, where a script would read it as output."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_kqgraph, run_on_terminal

CASES = [
    (["viz", "-o", "out.html"], ["viz: reading the network…",
                                 "viz: laying out", "nodes and writing the page…"]),
    (["validate"], ["validate: reading the files…", "validate: checking"]),
    (["export", "-f", "graphml", "-o", "out"], ["rendering graphml…"]),
]


@pytest.mark.parametrize(("args", "stages"), CASES, ids=[c[0][0] for c in CASES])
def test_a_terminal_sees_each_stage(tmp_path: Path, args: list[str], stages: list[str]):
    code, _, seen = run_on_terminal(*args, cwd=tmp_path)
    assert code == 0, seen
    positions = [seen.find(stage) for stage in stages]
    assert -1 not in positions, seen
    assert positions == sorted(positions)


def test_the_progress_line_is_cleared_before_the_end(tmp_path: Path):
    code, out, seen = run_on_terminal("viz", "-o", "out.html", cwd=tmp_path)
    assert code == 0
    assert out == "out.html\n"
    # The last stage is rewritten in place, then erased: the terminal ends on a clean line.
    assert seen.endswith("\r\x1b[K"), repr(seen[-80:])


@pytest.mark.parametrize(("args", "stages"), CASES, ids=[c[0][0] for c in CASES])
def test_a_pipe_gets_no_progress(tmp_path: Path, args: list[str], stages: list[str]):
    result = run_kqgraph(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr
    assert not any(stage in result.stderr for stage in stages)


def test_an_error_after_progress_starts_on_a_clean_line(tmp_path: Path):
    (tmp_path / "bad.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n",
                                      encoding="utf-8")
    code, _, seen = run_on_terminal("validate", "bad.ttl", cwd=tmp_path)
    assert code == 2
    assert "\r\x1b[Kbad.ttl:2:" in seen, repr(seen)
