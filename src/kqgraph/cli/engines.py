"""`kqgraph push` and `kqgraph serve`: the graph in a triplestore."""

from __future__ import annotations

import os
import sys

import click

from kqgraph.cli.common import graph_option, open_graph, timeout_option
from kqgraph.errors import KqError


@click.command()
@click.option("--endpoint", envvar="KQGRAPH_ENDPOINT", metavar="URL", required=True,
              help="The endpoint's SPARQL query URL (or $KQGRAPH_ENDPOINT).")
@click.option("--graph", "target", metavar="IRI",
              help="Replace this named graph (default: the endpoint's default graph).")
@click.option("--store-url", metavar="URL",
              help="Graph Store Protocol URL, when it cannot be told from --endpoint "
                   "(Oxigraph: .../store, Fuseki: .../data, Virtuoso: .../sparql-graph-crud).")
@click.option("-i", "--input", "inputs", multiple=True, type=click.Path(path_type=str),
              help="Push this file or folder instead of the shipped graph (repeatable).")
@timeout_option("the push")
def push(endpoint: str, target: str | None, store_url: str | None, inputs: tuple[str, ...],
         timeout: float | None) -> None:
    """Load the graph into a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

    PUT replaces the target graph, so pushing twice leaves one copy. Prints how many triples
    the endpoint holds in that graph afterwards, read back from the endpoint.

    \b
    Example:
        kqgraph push --endpoint http://127.0.0.1:7878/query
        kqgraph push --endpoint http://fuseki:3030/kq/sparql --graph https://w3id.org/kqgraph
        kqgraph push --endpoint 'http://host:8890/sparql?default-graph-uri=https://w3id.org/kqgraph'
        KQGRAPH_ENDPOINT_USER=me KQGRAPH_ENDPOINT_PASSWORD=... kqgraph push --endpoint URL
    """
    from kqgraph.remote import masked

    count = open_graph(inputs, None, network=True).push(
        endpoint, graph=target, store_url=store_url, timeout=timeout)
    where = f"<{target}>" if target else "the default graph"
    click.echo(f"{count} triples in {where} at {masked(endpoint)}")


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 127.0.0.1 keeps the endpoint on this machine.")
@click.option("--read-only", is_flag=True,
              help="Serve the cached store as it is; updates are refused.")
@click.option("--allow-network", is_flag=True,
              help="Let the server reach other machines (SERVICE in queries, LOAD in updates).")
@graph_option
def serve(port: int, host: str, read_only: bool, allow_network: bool,
          graphs: tuple[str, ...]) -> None:
    """Serve the graph as a SPARQL endpoint, with the Oxigraph server.

    The query endpoint is http://HOST:PORT/query, the Graph Store Protocol at /store. With
    --read-only the persistent store is served directly; otherwise a writable copy is made
    in the cache folder (updates never touch graph/, whose files stay the source of truth).
    The server cannot open connections to other machines unless --allow-network.

    \b
    Example:
        kqgraph serve --read-only
        kqgraph query --endpoint http://127.0.0.1:7878/query agreements
    """
    import shutil
    from pathlib import Path

    from kqgraph import sandbox

    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        raise KqError("the Oxigraph server is not installed: pip install oxigraph")
    if not allow_network and not sandbox.available():
        raise KqError("this system cannot keep the server off the network: give "
                      "--allow-network to serve anyway")
    command = open_graph(graphs, None, network=True).serve_command(
        binary, host=host, port=port, read_only=read_only)
    click.echo(f"SPARQL endpoint: http://{host}:{port}/query (Ctrl-C stops it)", err=True)
    sys.stderr.flush()
    if not allow_network:
        sandbox.seal_process()  # kept across exec: the server can listen, not connect
    # The server takes this process's place, so a signal (Ctrl-C, a supervisor's SIGTERM)
    # reaches it directly: a child process would outlive a terminated parent.
    try:
        os.execv(binary, command)
    except OSError as err:
        raise KqError(f"could not start the Oxigraph server: {err}") from None


COMMANDS = [push, serve]
