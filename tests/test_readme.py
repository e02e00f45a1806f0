"""The README's commands are the ones CI runs, so CI proves the install steps users follow:
in the checkout, and again in a fresh clone with nothing beside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_ci_runs_the_readme_test_command():
    install_and_run, test = readme_commands()[:2]
    assert "pytest" in test and "kqgraph validate" in install_and_run
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci


def test_ci_runs_both_readme_commands_in_a_fresh_clone():
    install_and_run, test = readme_commands()[:2]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
          .splitlines()]
    clone = ci.index('git clone -q "$PWD" "$tmp/kqgraph"')
    assert ci[clone + 1:clone + 5] == ["(", 'cd "$tmp/kqgraph" && deactivate', install_and_run,
                                       test]
    assert ci.index("tmp=$(mktemp -d)") < clone  # an empty folder: no ../shared beside it


def test_ci_fails_without_the_curation_notes_beside_the_checkout():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "if [ ! -d ../shared ]; then" in ci
    assert ci.index("../shared ]") < ci.index(readme_commands()[1])
