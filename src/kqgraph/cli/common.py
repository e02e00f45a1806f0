"""What the commands share: the options they have in common, and how they open the graph."""

from __future__ import annotations

import sys
from typing import Any

import click

from kqgraph.errors import KqError

FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld"]  # = output.FORMATS
# Set by kqgraph.cli.main: this process runs one command and ends, so it may seal itself
# for good. Called in another program (a test's CliRunner), each query is sealed instead.
ONE_COMMAND = {"process": False}
LANGS = ["ko", "en", "fr"]  # = vocab.LANGS


def progress(message: str) -> None:
    """Progress of long work, on a terminal only, rewritten in place ("" clears it)."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{message}\x1b[K")
        sys.stderr.flush()


def open_graph(graphs: tuple[str, ...], endpoint: str | None, *, network: bool = False,
               update_url: str | None = None) -> Any:
    """The graph a command reads. A command on local files that needs no network seals
    its own process against outbound connections first (kqgraph.sandbox), when it is the
    process's one command."""
    from kqgraph import sandbox
    from kqgraph.graph import Graph

    if endpoint and graphs:
        raise KqError("give either --endpoint or --graph, not both")
    if update_url and not endpoint:
        raise KqError("--update-url goes with --endpoint")
    if ONE_COMMAND["process"] and not endpoint and not network:
        sandbox.seal_process()
    return Graph(*graphs, endpoint=endpoint, update_url=update_url, progress=progress)


def graph_option(func: Any) -> Any:
    return click.option(
        "-g", "--graph", "graphs", multiple=True, type=click.Path(path_type=str),
        help="Read this file or folder instead of the shipped graph (repeatable).",
    )(func)


def endpoint_option(func: Any) -> Any:
    return click.option(
        "--endpoint", envvar="KQGRAPH_ENDPOINT", metavar="URL",
        help="Read from this SPARQL 1.1 endpoint instead of local files (or set "
             "$KQGRAPH_ENDPOINT; credentials from $KQGRAPH_ENDPOINT_USER and "
             "$KQGRAPH_ENDPOINT_PASSWORD).",
    )(func)


def lang_option(func: Any) -> Any:
    return click.option(
        "--lang", type=click.Choice(LANGS), default="en", show_default=True,
        help="Language of labels; missing labels fall back to ko, en, fr, then the short name.",
    )(func)


def format_option(*choices: str) -> Any:
    return click.option("--format", "fmt", type=click.Choice(list(choices)),
                        default=choices[0], show_default=True, help="Output format.")


def timeout_option(what: str) -> Any:
    return click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                        metavar="SECONDS", help=f"Stop {what} after SECONDS in all (exit 3).")
