"""The process entry point: UTF-8 streams, errors turned into exit codes, and a fast path
for `kqgraph query`.

Importing click costs about 70 ms here, more than twice a whole `oxigraph query` process, so
the plain forms of `kqgraph query` (its own options, in long or short spelling) are parsed
here and run without importing click. Everything else (help, other commands, any option
spelling this parser does not know, any invalid value) goes to the click interface in
`kqgraph.cli`, which stays the one definition of the command line: a test checks that this
parser agrees with click on every argument list it accepts. Nothing here imports click.
"""

from __future__ import annotations

import os
import sys

from kqgraph.errors import KqError

TYPE_CHECKING = False  # `typing` is for type checkers only: importing it costs 7 ms here
if TYPE_CHECKING:
    from typing import IO, Any

    from kqgraph.store import Loaded

# `kqgraph query` options this parser reads: spelling -> (parameter name, repeatable).
QUERY_OPTIONS = {
    "-f": ("file", False), "--file": ("file", False),
    "-p": ("params", True), "--param": ("params", True),
    "--format": ("fmt", False),
    "--lang": ("lang", False),
    "-g": ("graphs", True), "--graph": ("graphs", True),
    "--endpoint": ("endpoint", False),
    "--timeout": ("timeout", False),
}
QUERY_FLAGS = {"--update": "update", "--allow-network": "allow_network"}
LANGS = ["ko", "en", "fr"]
# The output formats of `query` (kqgraph.output's registries, named here to avoid importing
# them before the query runs; a test keeps the two lists equal).
FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld"]


def report(err: BaseException) -> int:
    """The one place an error becomes a one-line message on stderr and an exit code."""
    if isinstance(err, KqError):
        _say(f"kqgraph: {err}" if err.path is None else str(err))
        return err.exit_code
    if isinstance(err, BrokenPipeError):  # `kqgraph ... | head`: the reader left; not an error
        _quiet_stdout()
        return 0
    from kqgraph.store import damaged, forget_stores

    if damaged(err):  # found while reading, past the checks made when the store opened
        forget_stores()
        _say(f"kqgraph: the graph's cached store is damaged ({err}); it is rebuilt at the "
             "next run: run the command again")
        return 2
    if os.environ.get("KQGRAPH_DEBUG"):
        raise err
    _say(f"kqgraph: internal error: {type(err).__name__}: {err} "
         "(set KQGRAPH_DEBUG=1 for details, and please report it)")
    return 70


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush cannot fail again."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def progress(message: str) -> None:
    """Progress of long work, on a terminal only, rewritten in place."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{message}\x1b[K")
        sys.stderr.flush()


def open_graph(graphs: tuple[str, ...] | list[str], endpoint: str | None, *,
               whole: bool = False, ontology: bool = False) -> Loaded:
    """The graph a command reads: local files (the shipped graph by default) or an endpoint;
    `whole` copies an endpoint's graph locally for stages that walk all of it."""
    from kqgraph.store import Loaded, open_store, with_ontology

    if endpoint:
        if graphs:
            raise KqError("give either --endpoint or --graph, not both")
        loaded = open_store(endpoint=endpoint)
        return Loaded([], loaded.store.snapshot()) if whole else loaded
    paths = with_ontology(list(graphs) or None) if ontology else (list(graphs) or None)
    return open_store(paths, progress=progress)


def run_query(query: str | None, *, file: IO[str] | None = None, params: tuple[str, ...] = (),
              fmt: str | None = None, lang: str = "en", graphs: tuple[str, ...] = (),
              endpoint: str | None = None, update: bool = False, allow_network: bool = False,
              timeout: float | None = None) -> None:
    """The work of `kqgraph query`, for both front doors: read, bind, run, write."""
    from kqgraph import output
    from kqgraph import query as q

    # The query and its --params first: their problems are reported before the graph's,
    # and never wait for a store build.
    text, origin, declared = _query_source(query, file)
    bindings = dict(_split_param(p) for p in params)
    loaded = open_graph(graphs, endpoint)
    result = q.run(loaded, text, params=bindings, declared=declared, origin=origin,
                   update=update, allow_network=allow_network, timeout=timeout)
    out = sys.stdout
    output.write(result, fmt, out, loaded=loaded, lang=lang, tty=out.isatty())
    out.flush()


def _query_source(query: str | None, file: IO[str] | None) -> tuple[str, str, tuple[Any, ...]]:
    """The query text, a name for it in messages, and its declared parameters."""
    import re

    from kqgraph.query import find_saved

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


def _split_param(text: str) -> tuple[str, str]:
    import re

    name, sep, value = text.partition("=")
    if not sep or not re.fullmatch(r"\w+", name):
        raise KqError(f"--param wants NAME=VALUE, got {text!r}")
    return name, value


def parse_query_args(args: list[str]) -> dict[str, Any] | None:
    """`kqgraph query`'s parameters from `args` (after the word `query`), exactly as click
    would give them, or None when the arguments need click: help, an option spelling or a
    value this parser does not handle, a missing file, `--`, or an invalid value (click
    words the error)."""
    values: dict[str, Any] = {"query": None, "file": None, "params": (), "fmt": None,
                              "lang": "en", "graphs": (), "endpoint": None, "update": False,
                              "allow_network": False, "timeout": None}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in QUERY_FLAGS:
            values[QUERY_FLAGS[arg]] = True
            continue
        name, eq, attached = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in QUERY_OPTIONS:
            if eq:
                value = attached
            elif i < len(args):
                value, i = args[i], i + 1
            else:
                return None  # a missing value: click's message
            key, repeatable = QUERY_OPTIONS[name]
            values[key] = (*values[key], value) if repeatable else value
            continue
        if arg.startswith("-") and arg != "-":
            return None  # -h/--help, bundled short options, -pVALUE, unknown options
        positional.append(arg)
    if len(positional) > 1 or "-h" in args or "--help" in args:
        return None
    values["query"] = positional[0] if positional else None
    if values["fmt"] is not None and values["fmt"] not in FORMATS:
        return None
    if values["lang"] not in LANGS:
        return None
    if values["timeout"] is not None:
        try:
            timeout = float(values["timeout"])
        except ValueError:
            return None
        if not 0 < timeout < float("inf"):
            return None
        values["timeout"] = timeout
    if values["endpoint"] is None:
        values["endpoint"] = os.environ.get("KQGRAPH_ENDPOINT") or None
    if values["file"] is not None:
        path = values["file"]
        if path == "-" or not os.path.isfile(path) or not os.access(path, os.R_OK):
            return None  # standard input and unreadable paths: click's handling
    return values


def fast_query(args: list[str]) -> int | None:
    """Run `kqgraph query` without click when its arguments allow; None to use click."""
    values = parse_query_args(args)
    if values is None:
        return None
    try:
        if values["file"] is not None:
            with open(values["file"], encoding="utf-8") as file:
                run_query(**{**values, "file": file})
        else:
            run_query(**values)
    except KeyboardInterrupt:
        _say("\nAborted!")  # as click says it
        return 1
    except Exception as err:
        return report(err)
    return 0


def utf8_streams() -> None:
    """UTF-8 whatever the locale or console: Hangul and accents must never fail to print."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def _exit_now(code: int) -> None:
    """Exit once the output is flushed, without the interpreter's teardown (freeing every
    module, closing the store), which costs about 9 ms here, a third of a whole `oxigraph
    query` process. Nothing is lost: the answer is written and flushed, the store was
    opened read-only or in memory, and a --timeout worker has been stopped."""
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: the reader left
            stream.flush()
    os._exit(code)


def main() -> None:
    """Console-script entry point."""
    utf8_streams()
    args = sys.argv[1:]
    if args[:1] == ["query"] and not os.environ.get("KQGRAPH_NO_FAST_PATH"):
        code = fast_query(args[1:])
        if code is not None:
            _exit_now(code)
    from kqgraph.cli import cli

    cli(prog_name="kqgraph")
