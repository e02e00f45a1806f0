"""`kqgraph brief` and `kqgraph timeline`: answers people read and hand on."""

from __future__ import annotations

import click

from kqgraph.cli.common import endpoint_option, graph_option, lang_option, open_graph


@click.command()
@click.argument("entities", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="Write to FILE: .md for Markdown, .html for one offline page that prints "
                   "on A4 (- for standard output).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]),
              help="Markdown or HTML (default: from the -o suffix; Markdown on stdout).")
@click.option("--on", "day", metavar="DATE",
              help="Give statuses (in force, ended, ...) as of DATE (YYYY-MM-DD; default "
                   "today).")
@lang_option
@graph_option
@endpoint_option
def brief(entities: tuple[str, ...], output: str, fmt: str | None, day: str | None,
          lang: str, graphs: tuple[str, ...], endpoint: str | None) -> None:
    """A one-page briefing on ENTITIES: an organisation, a place, or a pair.

    Who they are (names in ko/en/fr), their agreements, presences and investments with
    dates and status, partners, key figures with their qualifiers, open disputes, a dated
    timeline, how a pair is connected, and every source numbered. Headings are in --lang.
    "Quebec and Daejeon" (or "et", "와") names two entities.

    \b
    Example:
        kqgraph brief mila
        kqgraph brief "Quebec and Seoul" -o quebec-seoul.html
        kqgraph brief 퀘벡 대전 --lang ko -o 퀘벡-대전.md
    """
    from kqgraph.briefing import format_for, render
    from kqgraph.output import write_file
    from kqgraph.timeline import validate_range

    chosen = format_for(output, fmt)
    validate_range(day, None)
    result = open_graph(graphs, endpoint).brief(*entities, lang=lang, day=day)
    write_file(output, render(result, chosen).encode("utf-8"))
    if output != "-":
        click.echo(output)


@click.command()
@click.argument("entity", required=False)
@click.option("--from", "start", metavar="DATE", help="From DATE (2016, 2016-12 or 2016-12-20).")
@click.option("--to", "end", metavar="DATE", help="Up to DATE (as precise as --from).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format (CSV gives sources' IRIs and addresses).")
@lang_option
@graph_option
@endpoint_option
def timeline(entity: str | None, start: str | None, end: str | None, fmt: str, lang: str,
             graphs: tuple[str, ...], endpoint: str | None) -> None:
    """The dated steps, in order, with their sources: of the whole graph, or of ENTITY and
    of the agreements, presences, investments and events it takes part in.

    Signings, entries into force, announcements, openings, pauses, closings, foundings,
    events, and the start or end of a role, a name or a participation. A date known to the
    year or month covers all of it: --from 2024 --to 2024 keeps 2024, 2024-10 and
    2024-10-05.

    \b
    Example:
        kqgraph timeline ford
        kqgraph timeline --from 2023 --to 2024-06
        kqgraph timeline mila --format csv > mila.csv
    """
    from kqgraph import text

    graph = open_graph(graphs, endpoint)
    found = graph.timeline(entity, start=start, end=end, lang=lang)
    click.echo(text.events(found, fmt, lang, engine=graph.whole))


COMMANDS = [brief, timeline]
