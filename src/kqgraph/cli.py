"""The `kqgraph` command: thin click commands that parse options, call one library
function, and print. Library modules are imported inside each command, so `kqgraph --help`
and light commands do not pay for rdflib, pyshacl or networkx.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from kqgraph import __version__
from kqgraph.errors import KqError


class Group(click.Group):
    """The one place a `KqError` becomes a one-line message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KqError as err:
            click.echo(f"kqgraph: {err}" if err.path is None else str(err), err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:  # `kqgraph ... | head`: the reader left; that is not an error
            sys.stderr.close()
            ctx.exit(0)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kqgraph")
def cli() -> None:
    """A knowledge graph of Korea–Quebec cooperation: who works with whom, on what, since
    when, and says who.

    \b
    Example:
        kqgraph validate          # check the shipped graph against its SHACL shapes
        kqgraph stats             # how many triples, how many entities of each class
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--shapes", type=click.Path(exists=True, dir_okay=False),
              help="SHACL shapes to use instead of graph/shapes.ttl.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format.")
def validate(paths: tuple[str, ...], shapes: str | None, fmt: str) -> None:
    """Check the graph (or PATHS, files or folders) against the SHACL shapes.

    Every entity needs a type, labels in Korean, English and French, and a source; an
    agreement needs two parties and a date; an observation needs what it is about, a
    measured property, a value and a source. Each problem is printed as
    FILE:LINE: ENTITY (LABEL) PROPERTY: MESSAGE.

    Exit status: 0 valid, 1 violations found, 2 a file could not be read or parsed
    (printed as FILE:LINE:COLUMN: MESSAGE).

    \b
    Example:
        kqgraph validate
        kqgraph validate graph/ my-additions.ttl
        kqgraph validate --format json | jq '.violations[].message'
    """
    from kqgraph.validate import validate as run

    violations = run(list(paths) or None, shapes=shapes)
    if fmt == "json":
        report = {"conforms": not violations, "violations": [v.as_dict() for v in violations]}
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for violation in violations:
            click.echo(str(violation))
        if violations:
            click.echo(f"{len(violations)} violation(s).", err=True)
        else:
            click.echo("Valid: the graph conforms to its shapes.", err=True)
    sys.exit(1 if violations else 0)


@cli.command()
@click.option("-g", "--graph", "graphs", multiple=True, type=click.Path(path_type=str),
              help="Read this file or folder instead of the shipped graph (repeatable).")
@click.option("--lang", type=click.Choice(["ko", "en", "fr"]), default="en", show_default=True,
              help="Language of class labels.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def stats(graphs: tuple[str, ...], lang: str, fmt: str) -> None:
    """Count triples, and entities per class.

    \b
    Example:
        kqgraph stats
        kqgraph stats --lang ko
        kqgraph stats --format json | jq .triples
    """
    from kqgraph.query import stats as run

    result = run(list(graphs) or None, lang=lang)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result['triples']} triples in {result['files']} files")
    width = max((len(row["class"]) for row in result["classes"]), default=0)
    for row in result["classes"]:
        click.echo(f"{row['count']:>6}  {row['class']:<{width}}  {row['label']}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kqgraph")
