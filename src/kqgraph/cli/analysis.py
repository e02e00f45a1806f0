"""`kqgraph path`, `hubs` and `gaps`: how two actors are connected, who the hubs are, where
the partner gaps lie."""

from __future__ import annotations

import sys
from typing import Any

import click

from kqgraph.cli.common import endpoint_option, format_option, graph_option, lang_option, open_graph


def avoid_option(help_text: str) -> Any:
    return click.option("--avoid", "avoid", multiple=True, metavar="TYPE", help=help_text)


def at_option(what: str) -> Any:
    return click.option("--at", metavar="DATE",
                        help=f"Only {what} in force on DATE (YYYY-MM-DD, YYYY-MM or YYYY).")


@click.command()
@click.argument("source")
@click.argument("target")
@click.option("--all", "every", is_flag=True,
              help="Every shortest chain (up to 100), not only the first by IRI.")
@click.option("--max-hops", type=click.IntRange(min=1), metavar="N",
              help="Look no further than N hops.")
@avoid_option("Also avoid this class (event, person, government, ...; repeatable). Places "
              "(countries, provinces, cities, venues) are avoided by default; --avoid none "
              "lets chains through them. An avoided class is used only when no other chain "
              "exists, and the answer says so.")
@at_option("links")
@lang_option
@graph_option
@endpoint_option
@format_option("table", "json", "csv")
def path(source: str, target: str, every: bool, max_hops: int | None, avoid: tuple[str, ...],
         at: str | None, lang: str, graphs: tuple[str, ...], endpoint: str | None,
         fmt: str) -> None:
    """The shortest chains of relations between SOURCE and TARGET, each hop with the
    relation's label in --lang, its date and its source.

    SOURCE and TARGET are named as for `describe`: a slug, a CURIE, an IRI or a label in
    any language. Agreements, presences, investments and events are stops of their own
    (party → agreement → party), so a chain says how two actors are tied.

    Exit status 1 when no chain links them.

    \b
    Example:
        kqgraph path "Seoul Metropolitan Government" "Université de Montréal"
        kqgraph path sk-on government-of-quebec --all
        kqgraph path 서울특별시 mila --at 2024-01-01 --lang ko
        kqgraph path seoul-metropolitan-government universite-de-montreal --avoid event
    """
    from kqgraph import analysis_text

    found = open_graph(graphs, endpoint).path(source, target, lang=lang, every=every,
                                             max_hops=max_hops, avoid=avoid, at=at)
    click.echo(analysis_text.connection(found, fmt))
    if found.hops is None:
        sys.exit(1)


@click.command()
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, metavar="N",
              help="How many nodes to rank.")
@avoid_option("Also leave out this class (repeatable). Places are left out by default "
              "(--avoid none keeps them).")
@at_option("nodes and links")
@lang_option
@graph_option
@endpoint_option
@format_option("table", "json")
def hubs(top: int, avoid: tuple[str, ...], at: str | None, lang: str, graphs: tuple[str, ...],
         endpoint: str | None, fmt: str) -> None:
    """Who the hubs are: the best-linked and most in-between nodes, communities (Louvain,
    fixed seed), connected components, and counts per country, sector and year.

    \b
    Example:
        kqgraph hubs
        kqgraph hubs --top 5 --lang fr
        kqgraph hubs --at 2016-01-01
        kqgraph hubs --format json | jq '.communities | length'
    """
    from kqgraph import analysis_text

    found = open_graph(graphs, endpoint).hubs(lang=lang, top=top, avoid=avoid, at=at)
    click.echo(analysis_text.hubs(found, fmt))


@click.command()
@click.option("--sector", metavar="SECTOR", help="Only this sector (ai, batteries, ...).")
@click.option("--country-pair", "pair", default="ko,qc", show_default=True, metavar="A,B",
              help="The two sides: ko (Republic of Korea), qc (Quebec), ca (Canada), or any "
                   "two places by name.")
@click.option("--max-hops", type=click.IntRange(min=1), default=4, show_default=True,
              metavar="N", help="How far apart a pair may be and still count as close.")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              metavar="N", help="Rows to print (0: all).")
@lang_option
@graph_option
@endpoint_option
@format_option("table", "json", "csv")
def gaps(sector: str | None, pair: str, max_hops: int, limit: int, lang: str,
         graphs: tuple[str, ...], endpoint: str | None, fmt: str) -> None:
    """Partner gaps: a Korean and a Quebec organisation active in the same sector, with no
    agreement, presence or investment linking them yet, closest first (shared partners,
    then shared events, then the shortest chain between them).

    Each row gives the evidence, with sources, that both are active in the sector and that
    they are close, and who could introduce them.

    \b
    Example:
        kqgraph gaps --sector batteries
        kqgraph gaps --sector ai --lang fr --limit 5
        kqgraph gaps --country-pair ko,ca --format csv > gaps.csv
    """
    from kqgraph import analysis_text

    found = open_graph(graphs, endpoint).gaps(lang=lang, sector=sector, pair=pair,
                                             max_hops=max_hops, limit=limit)
    click.echo(analysis_text.gaps(found, fmt))


COMMANDS = [path, hubs, gaps]
