"""`kqgraph describe`, `search` and `stats`: entities and counts."""

from __future__ import annotations

import sys

import click

from kqgraph.cli.common import endpoint_option, format_option, graph_option, lang_option, open_graph


@click.command()
@click.argument("entity")
@lang_option
@graph_option
@endpoint_option
@format_option("table", "json", "markdown")
def describe(entity: str, lang: str, graphs: tuple[str, ...], endpoint: str | None,
             fmt: str) -> None:
    """Everything the graph says about ENTITY, each value with the number of its source.

    Names with their language (and the languages no source names it in), values, the
    relations it takes part in ("party of → Mila–Seoul AI Hub MOU (2023-06-27) with
    Seoul AI Hub"), figures with qualifier, unit and date, claims, disputes side by side,
    checks; the sources listed once at the end, with their addresses. Lines fit the
    terminal. ENTITY is a slug (mila), a CURIE (kqr:mila), an IRI, or a label in any
    language (밀라, Université McGill).

    \b
    Example:
        kqgraph describe mila
        kqgraph describe 맥길대학교 --lang ko
        kqgraph describe kqr:cae --format markdown > cae.md
    """
    from kqgraph import text

    desc = open_graph(graphs, endpoint).describe(entity, lang=lang)
    click.echo(text.description(desc, fmt, lang))


@click.command()
@click.argument("text")
@lang_option
@graph_option
@endpoint_option
@format_option("table", "json")
def search(text: str, lang: str, graphs: tuple[str, ...], endpoint: str | None,
           fmt: str) -> None:
    """Entities whose names contain TEXT, in any language, ignoring case and accents.

    When nothing matches, says so on stderr with the closest names in any language, and
    exits with status 1.

    \b
    Example:
        kqgraph search quebec        # finds Québec, 퀘벡주, ...
        kqgraph search 퀘벡 --lang fr
        kqgraph search quebek        # nothing: suggests Québec
    """
    from kqgraph import text as shown

    graph = open_graph(graphs, endpoint)
    hits = graph.search(text, lang=lang)
    if hits or fmt == "json":
        click.echo(shown.hits(hits, fmt, lang))
    if not hits:
        click.echo("kqgraph: " + shown.no_match(text, graph.suggest(text, lang=lang), lang),
                   err=True)
        sys.exit(1)


@click.command()
@graph_option
@endpoint_option
@lang_option
@format_option("text", "json")
def stats(graphs: tuple[str, ...], endpoint: str | None, lang: str, fmt: str) -> None:
    """Count triples, entities (and those missing a label in each language), and entities
    per class.

    \b
    Example:
        kqgraph stats
        kqgraph stats --lang ko
        kqgraph stats --format json | jq .triples
    """
    from kqgraph import text

    click.echo(text.stats(open_graph(graphs, endpoint).stats(lang=lang), fmt))


COMMANDS = [describe, search, stats]
