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
@format_option("table", "json")
def describe(entity: str, lang: str, graphs: tuple[str, ...], endpoint: str | None,
             fmt: str) -> None:
    """Every fact about ENTITY, with labels in --lang and the source of each.

    ENTITY is a slug (mila), a CURIE (kqr:mila), an IRI, or a label in any language
    (밀라, Université McGill). Ambiguous input lists the candidates.

    \b
    Example:
        kqgraph describe mila
        kqgraph describe 맥길대학교 --lang ko
        kqgraph describe kqr:cae --format json
    """
    from kqgraph import text

    click.echo(text.description(open_graph(graphs, endpoint).describe(entity, lang=lang), fmt))


@click.command()
@click.argument("text")
@lang_option
@graph_option
@endpoint_option
@format_option("table", "json")
def search(text: str, lang: str, graphs: tuple[str, ...], endpoint: str | None,
           fmt: str) -> None:
    """Entities whose names contain TEXT, in any language, ignoring case and accents.

    Exit status 1 when nothing matches.

    \b
    Example:
        kqgraph search quebec        # finds Québec, 퀘벡주, ...
        kqgraph search 퀘벡 --lang fr
    """
    from kqgraph import text as shown

    hits = open_graph(graphs, endpoint).search(text, lang=lang)
    if hits or fmt == "json":
        click.echo(shown.hits(hits, fmt))
    if not hits:
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
