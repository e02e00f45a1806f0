"""`kqgraph validate`, `viz` and `export`: checking, drawing and sharing the graph."""

from __future__ import annotations

import sys

import click

from kqgraph.cli.common import endpoint_option, format_option, graph_option, lang_option, open_graph


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--shapes", type=click.Path(exists=True, dir_okay=False),
              help="SHACL shapes to use instead of graph/shapes.ttl.")
@format_option("text", "json")
def validate(paths: tuple[str, ...], shapes: str | None, fmt: str) -> None:
    """Check the graph (or PATHS, files or folders) against the SHACL shapes.

    Every entity needs a type, labels in Korean, English and French (or a marker saying a
    language is missing), and a source; an agreement needs two parties and a kind; every
    sourced value needs a statement with its source. Each problem is printed as
    FILE:LINE: ENTITY (LABEL) PROPERTY: MESSAGE.

    Exit status: 0 valid, 1 violations found, 2 a file could not be read or parsed
    (printed as FILE:LINE:COLUMN: MESSAGE).

    \b
    Example:
        kqgraph validate
        kqgraph validate graph/ my-additions.ttl
        kqgraph validate --format json | jq '.violations[].message'
    """
    from kqgraph import text

    violations = open_graph(paths, None).validate(shapes=shapes)
    if violations or fmt == "json":
        click.echo(text.violations(violations, fmt))
    click.echo(f"{len(violations)} violation(s)." if violations
               else "Valid: the graph conforms to its shapes.", err=True)
    sys.exit(1 if violations else 0)


@click.command()
@click.option("-o", "--output", default="kqgraph.html", show_default=True, metavar="FILE",
              help="HTML file to write (- for standard output).")
@lang_option
@click.option("--focus", metavar="ENTITY", help="Draw only ENTITY's neighbourhood.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="Steps from --focus to include.")
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="Only entities of this class (university, company, agreement, ...). "
                   "Repeatable.")
@click.option("--sector", "sectors", multiple=True, metavar="SECTOR",
              help="Only entities in this sector (ai, batteries, ...). Repeatable.")
@click.option("--country", "countries", multiple=True, metavar="COUNTRY",
              help="Only entities located in this country (canada, south-korea). Repeatable.")
@click.option("--query", "query_file", type=click.Path(exists=True, dir_okay=False),
              help="A CONSTRUCT query (.rq) whose triples choose what to draw.")
@click.option("--title", help="Title shown on the page.")
@click.option("--path", "path", nargs=2, metavar="A B",
              help="Highlight the shortest chains from A to B (as `kqgraph path` finds them); "
                   "the rest is dimmed.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@graph_option
@endpoint_option
def viz(output: str, lang: str, focus: str | None, depth: int, types: tuple[str, ...],
        sectors: tuple[str, ...], countries: tuple[str, ...], query_file: str | None,
        title: str | None, path: tuple[str, str] | None, open_browser: bool,
        graphs: tuple[str, ...], endpoint: str | None) -> None:
    """Draw the graph as one interactive HTML file that works offline.

    Colour and shape by class, size by connections, a tooltip with each entity's key facts
    and sources, search in any language, filters by class, sector and country. The file
    goes into the current folder unless -o says otherwise (exports/kqgraph.html is written
    by `kqgraph export`).

    \b
    Example:
        kqgraph viz                                  # ./kqgraph.html
        kqgraph viz --focus mila --depth 2 -o mila.html --open
        kqgraph viz --sector batteries --lang ko -o batteries.html
        kqgraph viz --query graph/queries/my-construct.rq -o part.html
        kqgraph viz --path "Seoul Metropolitan Government" mila -o path.html
    """
    from kqgraph.output import write_file

    graph = open_graph(graphs, endpoint, network=open_browser)  # a browser needs the network
    html = graph.viz(lang=lang, types=types, sectors=sectors, countries=countries, focus=focus,
                     depth=depth, query=query_file, title=title, path=path or None)
    if not write_file(output, html.encode("utf-8")):  # -o /dev/stdout gets the page only
        click.echo(output)
    if open_browser and output != "-":
        _open(output)


def _open(path: str) -> None:
    import webbrowser
    from pathlib import Path

    if not webbrowser.open(Path(path).resolve().as_uri()):
        click.echo(f"No browser was found to open {path}: open it yourself.", err=True)


@click.command()
@click.option("-f", "--format", "formats", multiple=True, metavar="NAME",
              help="Only this format (repeatable): turtle, nt, jsonld, rdfxml, trig, graphml, "
                   "csv, html. Default: all.")
@click.option("-o", "--output", "folder", default="exports", show_default=True,
              metavar="FOLDER", help="Folder to write into.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 listing the files in the folder that are stale.")
@lang_option
@graph_option
@endpoint_option
def export(formats: tuple[str, ...], folder: str, check: bool, lang: str,
           graphs: tuple[str, ...], endpoint: str | None) -> None:
    """Write the graph for other tools: Turtle, N-Triples, JSON-LD, RDF/XML, TriG, GraphML,
    CSV (nodes and edges) and the HTML network, into exports/.

    The same graph always gives byte-identical files, and each file is replaced atomically.
    Without -f, the HTML network is written for graphs up to 200,000 triples (above, its
    layout would cost most of the run); `-f html` writes it at any size.

    \b
    Example:
        kqgraph export                       # everything into exports/
        kqgraph export -f turtle -f csv -o /tmp/share
        kqgraph export --check               # exit 1 if exports/ is out of date
    """
    from pathlib import Path

    from kqgraph.export import stale
    from kqgraph.output import write_files

    files = open_graph(graphs, endpoint).export(formats, lang=lang, progress=_rendering,
                                                notice=_notice)
    if check:
        old = stale(files, Path(folder))
        click.echo("\n".join(str(Path(folder) / name) for name in old) or None, nl=bool(old))
        click.echo(f"{len(old)} stale file(s): run `kqgraph export`." if old
                   else f"{folder}/ is up to date ({len(files)} files).", err=True)
        sys.exit(1 if old else 0)
    click.echo("\n".join(write_files(files, folder)))


def _notice(text: str) -> None:
    click.echo(f"note: {text}", err=True)


def _rendering(name: str) -> None:
    if sys.stderr.isatty():
        click.echo(f"rendering {name}…", err=True)


COMMANDS = [validate, viz, export]
