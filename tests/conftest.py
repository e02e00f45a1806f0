"""Shared fixtures: the shipped graph loaded once, and a scratch copy to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kqgraph import store
from kqgraph.query import prologue


@pytest.fixture(scope="session")
def loaded() -> store.Loaded:
    return store.open_store()


@pytest.fixture(scope="session")
def select(loaded: store.Loaded):
    """Run a SELECT with the project's prefixes; rows as dicts of plain strings."""

    def run(query: str) -> list[dict[str, str]]:
        result = loaded.store.query(prologue() + query, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [
            {name: row[name].value for name in names if row[name] is not None}
            for row in result
        ]

    return run


@pytest.fixture(scope="session")
def ask(loaded: store.Loaded):
    """Run an ASK with the project's prefixes."""

    def run(query: str) -> bool:
        return bool(loaded.store.query(prologue() + query, use_default_graph_as_union=True))

    return run


@pytest.fixture
def graph_copy(tmp_path: Path) -> Path:
    """A copy of the shipped graph that a test may edit."""
    target = tmp_path / "graph"
    shutil.copytree(store.graph_dir(), target)
    return target
