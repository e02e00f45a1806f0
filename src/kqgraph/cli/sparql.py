"""`kqgraph query` and `kqgraph queries`."""

from __future__ import annotations

import re
import sys
from typing import IO, Any

import click

from kqgraph.cli.common import (
    FORMATS,
    endpoint_option,
    format_option,
    graph_option,
    lang_option,
    open_graph,
    timeout_option,
)
from kqgraph.errors import KqError


@click.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "file", type=click.File("r", encoding="utf-8"),
              help="Read the query from FILE (- for standard input).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE: an entity (slug, CURIE, IRI or label), a number, "
                   'a date (2016-12-20), or a "quoted" string. Repeatable.')
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="table, csv, tsv, json, xml (SELECT/ASK); turtle, nt, jsonld "
                   "(CONSTRUCT/DESCRIBE). Default: table on a terminal, csv or turtle in a pipe.")
@lang_option
@graph_option
@endpoint_option
@click.option("--update", is_flag=True, help="Allow a SPARQL UPDATE (needs --endpoint).")
@click.option("--update-url", metavar="URL",
              help="The endpoint's SPARQL Update URL, when it cannot be told from --endpoint "
                   "(Oxigraph and Fuseki: .../update beside .../query or .../sparql).")
@click.option("--allow-network", is_flag=True,
              help="Allow SERVICE, LOAD and FROM, which can reach the network or files.")
@timeout_option("the query")
def query(query: str | None, file: IO[str] | None, params: tuple[str, ...], fmt: str | None,
          lang: str, graphs: tuple[str, ...], endpoint: str | None, update: bool,
          update_url: str | None, allow_network: bool, timeout: float | None) -> None:
    """Run a SPARQL query: QUERY text, a saved query's NAME, or -f FILE.

    The project's prefixes (kq, kqr, kqs, schema, org, prov, skos, rdfs, dcterms, xsd, ...)
    need no declaration. Queries are read-only and cannot reach the network unless allowed.

    \b
    Example:
        kqgraph query 'SELECT ?org WHERE { ?org a kq:University }'
        kqgraph query partners --param org=mila --lang ko
        kqgraph query in-force --param date=2016-01-01
        kqgraph query -f my-question.rq --format json > answer.json
        echo 'ASK { kqr:mila a kq:ResearchInstitute }' | kqgraph query -f -
    """
    from kqgraph.output import write

    text, origin, declared = read_query(query, file)
    graph = open_graph(graphs, endpoint, network=allow_network, update_url=update_url)
    result = graph.query(text, params=dict(map(split_param, params)), declared=declared,
                         origin=origin, update=update, allow_network=allow_network,
                         timeout=timeout)
    warn_unknown_terms(text)  # once the query is known to be accepted
    write(result, fmt, sys.stdout, engine=graph.engine, lang=lang, tty=sys.stdout.isatty())
    if result.form == "UPDATE":
        click.echo("Update done.", err=True)


def warn_unknown_terms(text: str) -> None:
    """A kq: term the vocabulary does not hold matches nothing: say so, on stderr."""
    from kqgraph.sparql import unknown_terms

    for term, close in unknown_terms(text):
        hint = f" (did you mean {close}?)" if close else ""
        click.echo(f"kqgraph: warning: {term} is not a term of the kq: vocabulary{hint}; "
                   "it matches nothing", err=True)


def read_query(query: str | None, file: IO[str] | None) -> tuple[str, str, tuple[Any, ...]]:
    """The query text, a name for it in messages, and its declared parameters."""
    from kqgraph.saved import find_saved

    if file is not None and query is not None:
        raise KqError("give either QUERY or -f FILE, not both")
    if file is not None:
        try:
            return file.read(), file.name, ()
        except UnicodeDecodeError as err:
            raise KqError(f"not UTF-8 text: {err.reason} at byte {err.start}",
                          path=file.name) from None
    if query is None:
        raise KqError("no query: give SPARQL text, a saved query's name, or -f FILE")
    if re.fullmatch(r"[\w-]+", query):
        saved = find_saved(query)
        return saved.text, str(saved.path), saved.params
    return query, "query", ()


def split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not re.fullmatch(r"\w+", name):
        raise KqError(f"--param wants NAME=VALUE, got {text!r}")
    return name, value


@click.command()
@format_option("text", "json")
def queries(fmt: str) -> None:
    """List the saved queries with their descriptions and parameters.

    \b
    Example:
        kqgraph queries
        kqgraph query agreements
    """
    from kqgraph import text
    from kqgraph.saved import saved_queries

    click.echo(text.saved_queries(saved_queries(), fmt))


COMMANDS = [query, queries]
