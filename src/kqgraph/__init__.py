"""kqgraph: a knowledge graph of Korea–Quebec cooperation.

    import kqgraph
    graph = kqgraph.Graph()          # the shipped graph; or Graph("my.ttl"), Graph(endpoint=...)
    graph.query("SELECT ?u WHERE { ?u a kq:University }").rows

`Graph` is what the `kqgraph` command itself calls; see kqgraph.graph. Heavier stages
(validation, projection, export) are imported only when a method needs them.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Graph", "KqError", "__version__"]

from kqgraph.errors import KqError
from kqgraph.graph import Graph
