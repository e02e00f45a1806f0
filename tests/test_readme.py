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


def test_the_python_example_runs(tmp_path, monkeypatch):
    # The README's Python example uses the API the commands use; it must keep working.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(.+?)\n```", text, flags=re.DOTALL)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)
    assert namespace["rows"] and namespace["files"].keys() == {"kqgraph.ttl"}
    assert len(namespace["triples"]) > 1000


def test_the_readme_brief_excerpt_is_what_brief_prints():
    from click.testing import CliRunner

    from kqgraph.cli import cli

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = re.search(r"```markdown\n(.*?)```", text, re.DOTALL)[1]
    result = CliRunner().invoke(cli, ["brief", "mila", "--on", "2025-06-01"])
    printed = result.stdout.splitlines()
    shown = [line for line in excerpt.splitlines() if line not in ("", "…", "- …")]
    assert shown and [line for line in shown if line not in printed] == []
    assert (ROOT / "docs" / "panel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_ci_runs_both_readme_commands_in_a_fresh_clone():
    install_and_run, test = readme_commands()[:2]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
          .splitlines()]
    clone = ci.index('git clone -q "$PWD" "$tmp/kqgraph"')
    assert ci[clone + 1:clone + 5] == [
        "(", 'cd "$tmp/kqgraph" && deactivate && unset KQGRAPH_CI  # no notes beside a clone',
        install_and_run, test]
    assert ci.index("tmp=$(mktemp -d)") < clone  # an empty folder: no ../shared beside it


def test_ci_fails_without_the_curation_notes_beside_the_checkout():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "if [ ! -d ../shared ]; then" in ci
    assert ci.index("../shared ]") < ci.index(readme_commands()[1])
    # ... and where the notes are, a test that would skip without them fails instead.
    assert ci.index("export KQGRAPH_CI=1") < ci.index(readme_commands()[1])
