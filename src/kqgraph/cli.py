"""The `kqgraph` command: thin click commands that parse options, call one library
function, and print. Library modules are imported inside each command, so `kqgraph --help`
and light commands do not pay for rdflib, pyshacl or networkx.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from kqgraph import __version__
from kqgraph.console import FORMATS, open_graph, progress, report, run_query
from kqgraph.errors import KqError


class Group(click.Group):
    """Errors raised by a command go to `console.report`: one line and an exit code."""

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
        kqgraph export                        # Turtle, JSON-LD, GraphML, CSV, ... in exports/

    Exit status: 0 success, 1 violations (validate), 2 bad input (a file, a query, an
    option), 3 a query timed out.
    """


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
        "--lang", type=click.Choice(["ko", "en", "fr"]), default="en", show_default=True,
        help="Language of labels; missing labels fall back to ko, en, fr, then the short name.",
    )(func)


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "file", type=click.File("r", encoding="utf-8"),
              help="Read the query from FILE (- for standard input).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE: an entity (slug, CURIE, IRI or label), a number, "
                   'or a "quoted" string. Repeatable.')
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="table, csv, tsv, json, xml (SELECT/ASK); turtle, nt, jsonld "
                   "(CONSTRUCT/DESCRIBE). Default: table on a terminal, csv or turtle in a pipe.")
@lang_option
@graph_option
@endpoint_option
@click.option("--update", is_flag=True, help="Allow a SPARQL UPDATE (needs a writable target).")
@click.option("--allow-network", is_flag=True,
              help="Allow SERVICE, LOAD and FROM, which can reach the network or files.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop the query after SECONDS (exit 3).")
def query(query: str | None, file: Any, params: tuple[str, ...], fmt: str | None, lang: str,
          graphs: tuple[str, ...], endpoint: str | None, update: bool, allow_network: bool,
          timeout: float | None) -> None:
    """Run a SPARQL query: QUERY text, a saved query's NAME, or -f FILE.

    The project's prefixes (kq, kqr, kqs, schema, org, prov, skos, rdfs, dcterms, xsd, ...)
    need no declaration. Queries are read-only and cannot reach the network unless allowed.

    \b
    Example:
        kqgraph query 'SELECT ?org WHERE { ?org a kq:University }'
        kqgraph query partners --param org=mila --lang ko
        kqgraph query -f my-question.rq --format json > answer.json
        echo 'ASK { kqr:mila a kq:ResearchInstitute }' | kqgraph query -f -
    """
    run_query(query, file=file, params=params, fmt=fmt, lang=lang, graphs=graphs,
              endpoint=endpoint, update=update, allow_network=allow_network, timeout=timeout)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def queries(fmt: str) -> None:
    """List the saved queries with their descriptions and parameters.

    \b
    Example:
        kqgraph queries
        kqgraph query agreements
    """
    from kqgraph.query import saved_queries

    found = saved_queries()
    if fmt == "json":
        click.echo(json.dumps([
            {"name": s.name, "title": s.title, "description": s.description,
             "params": [{"name": p.name, "default": p.default, "description": p.description}
                        for p in s.params]}
            for s in found], ensure_ascii=False, indent=2))
        return
    for saved in found:
        click.echo(f"{saved.name}: {saved.title}")
        if saved.description:
            click.echo(f"    {saved.description}")
        for p in saved.params:
            click.echo(f"    --param {p.name}=VALUE  {p.description} (default {p.default})")


@cli.command()
@click.argument("entity")
@lang_option
@graph_option
@endpoint_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
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
    from kqgraph import query as q
    from kqgraph.output import pad, width

    loaded = open_graph(graphs, endpoint)
    iri = q.resolve(loaded, entity)
    facts = q.describe(loaded, iri)
    show = lambda term: q.display(loaded, term, lang)  # noqa: E731
    rows = []
    for fact in facts:
        prop = q.display(loaded, _node(fact.predicate), lang)
        if fact.inverse:
            rows.append({"property": f"{prop} (of)", "value": show(_node(fact.subject)),
                         "value_iri": fact.subject, "sources": fact.sources})
        else:
            rows.append({"property": prop, "value": show(fact.object),
                         "value_iri": fact.object.value if q.is_iri(fact.object) else None,
                         "sources": fact.sources})
    title = q.display(loaded, _node(iri), lang)
    if fmt == "json":
        click.echo(json.dumps({"iri": iri, "label": title, "facts": [
            {**r, "property_iri": f.predicate, "inverse": f.inverse}
            for r, f in zip(rows, facts, strict=True)]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{title}  <{iri}>")
    pw = max((width(r["property"]) for r in rows), default=0)
    vw = max((width(r["value"]) for r in rows), default=0)
    for r in rows:
        sources = ", ".join(q.display(loaded, _node(s), lang) for s in r["sources"])
        line = f"  {pad(r['property'], pw)}  {pad(' '.join(r['value'].split()), vw)}"
        click.echo(f"{line}  [{sources}]" if sources else line.rstrip())


def _node(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


@cli.command()
@click.argument("text")
@lang_option
@graph_option
@endpoint_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
def search(text: str, lang: str, graphs: tuple[str, ...], endpoint: str | None,
           fmt: str) -> None:
    """Entities whose labels contain TEXT, in any language, ignoring case and accents.

    Exit status 1 when nothing matches.

    \b
    Example:
        kqgraph search quebec        # finds Québec, 퀘벡주, ...
        kqgraph search 퀘벡 --lang fr
    """
    from kqgraph import query as q
    from kqgraph.vocab import curie

    loaded = open_graph(graphs, endpoint)
    hits = q.search(loaded, text)
    if fmt == "json":
        click.echo(json.dumps([
            {"iri": iri, "curie": curie(iri), "label": q.display(loaded, _node(iri), lang),
             "matched": labels} for iri, labels in hits], ensure_ascii=False, indent=2))
    else:
        for iri, labels in hits:
            click.echo(f"{curie(iri)}\t{q.display(loaded, _node(iri), lang)}\t"
                       f"{' | '.join(labels)}")
    if not hits:
        sys.exit(1)


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
@graph_option
@endpoint_option
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def stats(graphs: tuple[str, ...], endpoint: str | None, lang: str, fmt: str) -> None:
    """Count triples, and entities per class.

    \b
    Example:
        kqgraph stats
        kqgraph stats --lang ko
        kqgraph stats --format json | jq .triples
    """
    from kqgraph.query import stats as run

    result = run(open_graph(graphs, endpoint), lang=lang)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result['triples']} triples in {result['files']} files")
    missing = ", ".join(f"{n} without {code}" for code, n in result["missing_labels"].items())
    click.echo(f"{result['entities']} entities; labels: {missing}")
    width = max((len(row["class"]) for row in result["classes"]), default=0)
    for row in result["classes"]:
        click.echo(f"{row['count']:>6}  {row['class']:<{width}}  {row['label']}")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("exports/kqgraph.html"), show_default=True,
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
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@graph_option
@endpoint_option
def viz(output: Path, lang: str, focus: str | None, depth: int, types: tuple[str, ...],
        sectors: tuple[str, ...], countries: tuple[str, ...], query_file: str | None,
        title: str | None, open_browser: bool, graphs: tuple[str, ...],
        endpoint: str | None) -> None:
    """Draw the graph as one interactive HTML file that works offline.

    Colour and shape by class, size by connections, a tooltip with each entity's key facts
    and sources, search in any language, filters by class, sector and country.

    \b
    Example:
        kqgraph viz                                  # exports/kqgraph.html
        kqgraph viz --focus mila --depth 2 -o mila.html --open
        kqgraph viz --sector batteries --lang ko -o batteries.html
        kqgraph viz --query graph/queries/my-construct.rq -o part.html
    """
    from kqgraph.output import write_atomic
    from kqgraph.viz import render

    loaded = open_graph(graphs, endpoint, whole=True, ontology=True)
    html = render(loaded, lang=lang, types=types, sectors=sectors, countries=countries,
                  focus=focus, depth=depth, query=query_file, title=title)
    if str(output) == "-":
        sys.stdout.write(html)
        return
    write_atomic(output, html.encode("utf-8"))
    click.echo(str(output))
    if open_browser:
        import webbrowser

        webbrowser.open(output.resolve().as_uri())


@cli.command()
@click.option("-f", "--format", "formats", multiple=True, metavar="NAME",
              help="Only this format (repeatable): turtle, nt, jsonld, rdfxml, trig, graphml, "
                   "csv, html. Default: all.")
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("exports"), show_default=True, help="Folder to write into.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 listing the files in the folder that are stale.")
@lang_option
@graph_option
@endpoint_option
def export(formats: tuple[str, ...], folder: Path, check: bool, lang: str,
           graphs: tuple[str, ...], endpoint: str | None) -> None:
    """Write the graph for other tools: Turtle, N-Triples, JSON-LD, RDF/XML, TriG, GraphML,
    CSV (nodes and edges) and the HTML network, into exports/.

    The same graph always gives byte-identical files, and each file is replaced atomically.

    \b
    Example:
        kqgraph export                       # everything into exports/
        kqgraph export -f turtle -f csv -o /tmp/share
        kqgraph export --check               # exit 1 if exports/ is out of date
    """
    from kqgraph import export as ex

    # With the ontology, as viz reads it: the network needs its classes and labels, and the
    # files then describe themselves (opening the graph twice would build a second store).
    loaded = open_graph(graphs, endpoint, whole=True, ontology=True)
    show = sys.stderr.isatty()
    files = ex.render(loaded, formats, lang=lang,
                      progress=(lambda name: click.echo(f"rendering {name}…", err=True))
                      if show else None)
    if check:
        old = ex.stale(files, folder)
        for name in old:
            click.echo(str(folder / name))
        if old:
            click.echo(f"{len(old)} stale file(s): run `kqgraph export`.", err=True)
            sys.exit(1)
        click.echo(f"{folder}/ is up to date ({len(files)} files).", err=True)
        return
    for path in ex.write(files, folder):
        click.echo(str(path))


@cli.command()
@click.option("--endpoint", envvar="KQGRAPH_ENDPOINT", metavar="URL", required=True,
              help="The endpoint's SPARQL query URL (or $KQGRAPH_ENDPOINT).")
@click.option("--graph", "target", metavar="IRI",
              help="Replace this named graph (default: the endpoint's default graph).")
@click.option("--store-url", metavar="URL",
              help="Graph Store Protocol URL, when it cannot be told from --endpoint "
                   "(Oxigraph: .../store, Fuseki: .../data).")
@click.option("-i", "--input", "inputs", multiple=True, type=click.Path(path_type=str),
              help="Push this file or folder instead of the shipped graph (repeatable).")
def push(endpoint: str, target: str | None, store_url: str | None,
         inputs: tuple[str, ...]) -> None:
    """Load the graph into a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

    PUT replaces the target graph, so pushing twice leaves one copy. Prints how many triples
    the endpoint holds in that graph afterwards, read back from the endpoint.

    \b
    Example:
        kqgraph push --endpoint http://127.0.0.1:7878/query
        kqgraph push --endpoint http://fuseki:3030/kq/sparql --graph https://w3id.org/kqgraph
        KQGRAPH_ENDPOINT_USER=me KQGRAPH_ENDPOINT_PASSWORD=... kqgraph push --endpoint URL
    """
    import pyoxigraph as ox

    from kqgraph.remote import push as run

    loaded = open_graph(inputs, None)
    triples = {q.triple for q in loaded.store}
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    with click.progressbar(length=len(data), label=f"pushing {len(triples)} triples",
                           file=sys.stderr) as bar:
        count = run(data, endpoint, graph=target, store=store_url, progress=bar.update)
    where = f"<{target}>" if target else "the default graph"
    click.echo(f"{count} triples in {where} at {endpoint}")


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 127.0.0.1 keeps the endpoint on this machine.")
@click.option("--read-only", is_flag=True,
              help="Serve the cached store as it is; updates are refused.")
@graph_option
def serve(port: int, host: str, read_only: bool, graphs: tuple[str, ...]) -> None:
    """Serve the graph as a SPARQL endpoint, with the Oxigraph server.

    The query endpoint is http://HOST:PORT/query, the Graph Store Protocol at /store. With
    --read-only the persistent store is served directly; otherwise a writable copy is made
    in the cache folder (updates never touch graph/, whose files stay the source of truth).

    \b
    Example:
        kqgraph serve --read-only
        kqgraph query --endpoint http://127.0.0.1:7878/query agreements
    """
    import shutil

    from kqgraph.store import cache_dir, cache_key, cached_store, graph_files

    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        raise KqError("the Oxigraph server is not installed: pip install oxigraph")
    files = graph_files(list(graphs) or None)
    cached_store(files, progress=progress)
    location = cache_dir() / cache_key(files)
    if read_only:
        command = [binary, "serve-read-only", "--location", str(location)]
    else:
        writable = cache_dir() / f"served-{cache_key(files)}"
        shutil.rmtree(writable, ignore_errors=True)
        shutil.copytree(location, writable)
        command = [binary, "serve", "--location", str(writable)]
    command += ["--bind", f"{host}:{port}"]
    click.echo(f"SPARQL endpoint: http://{host}:{port}/query (Ctrl-C stops it)", err=True)
    sys.stderr.flush()
    # The server takes this process's place, so a signal (Ctrl-C, a supervisor's SIGTERM)
    # reaches it directly: a child process would outlive a terminated parent.
    try:
        os.execv(binary, command)
    except OSError as err:
        raise KqError(f"could not start the Oxigraph server: {err}") from None
