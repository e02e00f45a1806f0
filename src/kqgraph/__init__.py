"""kqgraph: a knowledge graph of Korea–Quebec cooperation.

The Python API is small on purpose: `load()` gives the curated graph (or your own files) as
an rdflib Graph, parsed strictly. Heavier stages (validation, queries, projections) live in
their own modules and are imported only when used.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["KqError", "__version__", "load"]

from kqgraph.errors import KqError

TYPE_CHECKING = False  # `typing` is for type checkers only: importing it slows every command
if TYPE_CHECKING:
    from collections.abc import Iterable
    from os import PathLike

    import rdflib


def load(paths: Iterable[str | PathLike[str]] | None = None) -> rdflib.Graph:
    """Return the graph (the shipped one by default) as an rdflib Graph.

    Files are parsed by Oxigraph's strict parsers, so a malformed file raises `KqError`
    with its path, line and column instead of being half-read.
    """
    from kqgraph.store import load as _load

    return _load(paths)
