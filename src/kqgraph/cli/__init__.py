"""The `kqgraph` command: click commands that parse options, call one method of
`kqgraph.Graph`, and print. Library modules are imported inside each command, so that
`kqgraph --help` and light commands do not pay for rdflib, pyshacl or networkx.

`report` is the one place an error becomes a one-line message and an exit code. The
commands live beside this file, one module per kind of work, and are added to the group
here.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from kqgraph import __version__
from kqgraph.cli import analysis, engines, lookup, reading, sparql, stages
from kqgraph.cli.common import FORMATS, ONE_COMMAND
from kqgraph.errors import KqError


def report(err: BaseException) -> int:
    """An error as one line on stderr; returns the exit code."""
    import errno

    if isinstance(err, KqError):
        _say(f"kqgraph: {err}" if err.path is None else str(err))
        return err.exit_code
    if isinstance(err, BrokenPipeError):  # `kqgraph ... | head`: the reader left; not an error
        _quiet_stdout()
        return 0
    from kqgraph.engine import damaged

    if damaged(err):  # found while reading, past the checks made when the store opened
        from kqgraph.cache import forget_stores

        forget_stores()
        _say(f"kqgraph: the graph's cached store is damaged ({err}); it is rebuilt at the "
             "next run: run the command again")
        return 2
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EIO, errno.EFBIG,
                                                  errno.EROFS, errno.EDQUOT, errno.EBADF):
        _quiet_stdout()
        _say(f"kqgraph: cannot write the output: {err.strerror}")
        return 2
    if os.environ.get("KQGRAPH_DEBUG"):
        raise err
    _say(f"kqgraph: internal error: {type(err).__name__}: {err} "
         "(set KQGRAPH_DEBUG=1 for details, and please report it)")
    return 70


def _say(message: str) -> None:
    if sys.stderr.isatty():  # over a progress line the command left unfinished
        message = "\r\x1b[K" + message
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the flush at exit cannot fail again."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class Group(click.Group):
    """Errors raised by a command go to `report`: one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as err:
            ctx.exit(report(err))


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kqgraph")
def cli() -> None:
    """A knowledge graph of Korea–Quebec cooperation: who works with whom, on what, since
    when, and says who.

    \b
    Example:
        kqgraph queries                       # the saved questions
        kqgraph query partners --param org=mila
        kqgraph describe 밀라 --lang fr
        kqgraph search quebec
        kqgraph validate                      # check the graph against its SHACL shapes
        kqgraph stats                         # triples, and entities of each class
        kqgraph viz --focus mila --open       # an interactive network, one offline file
        kqgraph path mila "Seoul AI Hub"      # how two actors are connected, with sources
        kqgraph hubs                          # who the hubs are
        kqgraph gaps --sector batteries       # partners not yet linked, closest first
        kqgraph export                        # Turtle, JSON-LD, GraphML, CSV, ... in exports/

    Exit status: 0 success; 1 violations (validate), no match (search) or no chain (path);
    2 bad input (a file, a query, an option, an output path); 3 a query, update or push
    timed out; 4 an endpoint could not be reached or refused the request.
    """


for module in (sparql, lookup, reading, stages, engines, analysis):
    for command in module.COMMANDS:
        cli.add_command(command)
__all__ = ["FORMATS", "cli", "main", "report"]


def utf8_streams() -> None:
    """UTF-8 whatever the locale or console: Hangul and accents must never fail to print."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def main() -> None:
    """Console-script entry point: the output is flushed here, so that a full disk or a
    closed pipe at the very end is reported like any other error."""
    utf8_streams()
    ONE_COMMAND["process"] = True
    try:
        # Without standalone mode, click returns the exit code a command asked for (or
        # the command's own return value, None) and leaves every exception to us.
        returned = cli.main(prog_name="kqgraph", standalone_mode=False)
        sys.stdout.flush()
        code = returned if isinstance(returned, int) else 0
    except click.exceptions.Abort:
        _say("Aborted!")
        code = 1
    except click.ClickException as err:
        err.show()
        code = err.exit_code
    except click.exceptions.Exit as err:
        code = err.exit_code
    except Exception as err:
        code = report(err)
    try:
        sys.stdout.flush()
    except Exception as err:
        code = report(err) or code
    sys.exit(code)
