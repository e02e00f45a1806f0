"""The public graph object: what users import in Python, and what every command calls.

    import kqgraph
    graph = kqgraph.Graph()                        # the shipped graph
    graph = kqgraph.Graph("graph/", "mine.ttl")    # your files and folders
    graph = kqgraph.Graph(endpoint="http://127.0.0.1:7878/query")
    graph.query("SELECT ?u WHERE { ?u a kq:University }").rows
    graph.describe("밀라", lang="fr")

The thing acted on is positional, options are keyword-only (as in pyoxigraph). The graph
opens its engine on first use; stages are imported by the methods that use them, so that
`import kqgraph` and light commands stay light.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NamedTuple

from kqgraph.errors import KqError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import networkx as nx
    import rdflib

    from kqgraph.analysis import Connection
    from kqgraph.brief import Brief
    from kqgraph.describe import Description
    from kqgraph.engine import Result
    from kqgraph.gaps import Gaps
    from kqgraph.hubs import Hubs
    from kqgraph.lookup import Fact
    from kqgraph.saved import Param
    from kqgraph.timeline import Event
    from kqgraph.validate import Violation


class Hit(NamedTuple):
    """A search result: the entity, its label in the asked language, the labels matched."""

    iri: str
    curie: str
    label: str
    matched: list[str]


def _split_pair(graph: Graph, names: tuple[str, ...]) -> list[str]:
    """"Quebec and Daejeon" (or "et", "와", "&") is two entities, unless it names one."""
    import re

    out: list[str] = []
    for name in names:
        parts = re.split(r"\s+(?:and|et|&)\s+|\s*(?<=[가-힣])[와과]\s+", name)
        if len(parts) > 1:
            try:
                graph.resolve(name)
            except KqError:
                out += [p.strip() for p in parts if p.strip()]
                continue
        out.append(name)
    if not out:
        raise KqError("name at least one entity to brief")
    return out


class Graph:
    """The Korea–Quebec cooperation graph: local files or a SPARQL 1.1 endpoint."""

    def __init__(self, *paths: str | os.PathLike[str], endpoint: str | None = None,
                 update_url: str | None = None, cache: str | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        if endpoint and paths:
            raise KqError("give either an endpoint or files, not both")
        self.paths = [str(p) for p in paths] or None
        self.endpoint = endpoint
        self.update_url = update_url
        self.cache = cache
        self.progress = progress
        self._engine: Any = None
        self._whole: Any = None

    def __repr__(self) -> str:
        where = self.endpoint or ", ".join(self.paths or ["the shipped graph"])
        return f"Graph({where})"

    @property
    def engine(self) -> Any:
        """The engine answering for this graph (opened, and built if need be, on first use)."""
        if self._engine is None:
            if self.endpoint:
                from kqgraph.remote import RemoteEngine

                self._engine = RemoteEngine(self.endpoint, update_url=self.update_url)
            else:
                from kqgraph.engine import LocalEngine

                self._engine = LocalEngine.open(self.paths, cache_mode=self.cache,
                                                progress=self.progress)
        return self._engine

    @property
    def whole(self) -> Any:
        """A local engine with the whole graph and the ontology (whose classes and labels the
        network needs): for stages that walk everything, such as viz and export."""
        if self._whole is None:
            if self.endpoint:
                self._whole = self.engine.local()
            else:
                from kqgraph.engine import LocalEngine
                from kqgraph.files import graph_files, with_ontology

                own = graph_files(self.paths)
                files = with_ontology(own)
                # Compared with the files, not the engine: opening the engine only to
                # compare would build a second store of a graph never opened before.
                self._whole = (self.engine if len(files) == len(own)
                               else LocalEngine.open(files, cache_mode=self.cache,
                                                     progress=self.progress))
        return self._whole

    # --- SPARQL -------------------------------------------------------------------------------

    def query(self, text: str, *, params: dict[str, str] | None = None,
              declared: Iterable[Param] = (), origin: str = "query", update: bool = False,
              allow_network: bool = False, timeout: float | None = None) -> Result:
        """Check `text`, bind `params`, run it, and return the answer, columns in the query's
        order. A value is resolved like `describe`'s ENTITY (slug, CURIE, IRI or label); a
        value in double quotes is a string, a date an xsd:date. Parameters declared with a
        default are bound even when not given. Updates need `update` and an endpoint."""
        from kqgraph.engine import parse_update
        from kqgraph.lookup import term_of
        from kqgraph.sparql import check

        checked = check(text, origin=origin, allow_network=allow_network)
        values = {p.name: p.default for p in declared}
        values.update(params or {})
        unknown = sorted(set(values) - set(checked.variables))
        if unknown:
            raise KqError(f"the query has no variable ?{unknown[0]} to bind", path=origin)
        bindings = {name: term_of(self.engine, value) for name, value in values.items()}
        if checked.update_at is not None:
            at = checked.update_at
            if not update:
                raise KqError(f"{at.text.upper()} makes this an update; queries are read-only "
                              "(use --update on a writable target)", path=origin,
                              line=at.line, column=at.column)
            parse_update(text, origin)
            self.engine.update(text, bindings=bindings, timeout=timeout, origin=origin)
            from kqgraph.engine import Result

            return Result("UPDATE")
        result = self.engine.query(text, bindings=bindings, timeout=timeout,
                                   allow_network=allow_network, origin=origin)
        order = [v for v in checked.variables if v in result.variables]
        order += [v for v in result.variables if v not in order]
        form = result.form if result.form in ("SELECT", "ASK") else checked.form
        return result._replace(form=form, variables=order)

    def saved(self, name: str) -> Any:
        """The saved query called `name` (graph/queries/NAME.rq)."""
        from kqgraph.saved import find_saved

        return find_saved(name)

    # --- entities -----------------------------------------------------------------------------

    def resolve(self, name: str) -> str:
        """The IRI a name means: a slug, a CURIE, an IRI, or a label in any language."""
        from kqgraph.lookup import resolve

        return resolve(self.engine, name)

    def label(self, iri: str, *, lang: str = "en") -> str:
        """The entity's label in `lang` (then ko, en, fr), else its short name."""
        from kqgraph.lookup import label

        return label(self.engine, iri, lang)

    def facts(self, entity: str) -> list[Fact]:
        """Every statement about an entity, with the sources of each."""
        from kqgraph.lookup import facts

        return facts(self.engine, self.resolve(entity))

    def describe(self, entity: str, *, lang: str = "en") -> Description:
        """Every fact about an entity, labelled in `lang`: names with their language,
        values, relations, figures, claims, disputes and checks, each with its sources'
        numbers, and the sources listed once."""
        from kqgraph.describe import describe

        return describe(self.engine, self.resolve(entity), lang)

    def timeline(self, entity: str | None = None, *, start: str | None = None,
                 end: str | None = None, lang: str = "en") -> list[Event]:
        """The dated steps, in order (the graph's, or those of `entity` and of what it takes
        part in), overlapping `start`..`end` (2016, 2016-12 or 2016-12-20), with sources."""
        from kqgraph.timeline import timeline, validate_range

        validate_range(start, end)
        iri = self.resolve(entity) if entity else None
        return timeline(self.whole, entity=iri, start=start, end=end, lang=lang)

    def brief(self, *entities: str, lang: str = "en", day: str | None = None) -> Brief:
        """A one-page briefing on an organisation, a place, or several ("Quebec and
        Daejeon", or each name apart): who they are, agreements, presences and investments
        with their status on `day` (today by default), partners, key figures, open
        disputes, a timeline, how they are connected (through `self.path` where this graph
        has it), every source numbered."""
        import datetime

        from kqgraph.brief import brief

        iris = [self.resolve(name) for name in _split_pair(self, entities)]
        finder = None
        if len(iris) > 1 and hasattr(self, "path"):
            def finder(a: str, b: str) -> Any:
                return self.path(a, b, lang=lang)  # type: ignore[attr-defined]

        return brief(self.whole, iris, lang=lang, finder=finder,
                     day=day or datetime.date.today().isoformat())

    def search(self, text: str, *, lang: str = "en") -> list[Hit]:
        """Entities whose names contain `text`, ignoring case and accents, any language."""
        from kqgraph.lookup import label, search
        from kqgraph.vocab import curie

        return [Hit(iri, curie(iri), label(self.engine, iri, lang), labels)
                for iri, labels in search(self.engine, text)]

    def suggest(self, text: str, *, lang: str = "en", n: int = 5) -> list[tuple[str, str]]:
        """Names close to `text` in any language, for a search that found nothing:
        (CURIE, label in `lang`) pairs, closest first."""
        from kqgraph.lookup import label, near
        from kqgraph.vocab import curie

        return [(curie(iri), label(self.engine, iri, lang))
                for iri in near(self.engine, text, n=n)]

    def stats(self, *, lang: str = "en") -> dict[str, Any]:
        """Triples, entities, missing labels per language, and entities per class."""
        from kqgraph.lookup import stats

        return stats(self.engine, lang=lang)

    # --- checking, drawing, sharing -----------------------------------------------------------

    def validate(self, *, shapes: str | os.PathLike[str] | None = None) -> list[Violation]:
        """The SHACL violations of the graph's files (with the ontology), sorted."""
        from kqgraph.validate import validate

        if self.endpoint:
            raise KqError("validate reads files: give them instead of --endpoint")
        return validate(self.paths, shapes=shapes, progress=self.progress)

    def project(self, *, lang: str = "en", types: Iterable[str] = (),
                sectors: Iterable[str] = (), countries: Iterable[str] = (),
                focus: str | None = None, depth: int = 1, at: str | None = None,
                ) -> nx.MultiDiGraph:
        """The entity network as networkx, optionally filtered, cut around `focus`, or to
        what was in force on the day `at`; nodes and edges carry dates and sources."""
        from kqgraph.project import project

        return project(self.whole, lang=lang, types=types, sectors=sectors,
                       countries=countries, focus=focus, depth=depth, at=at)

    # --- analysis -----------------------------------------------------------------------------

    def path(self, source: str, target: str, *, lang: str = "en", every: bool = False,
             max_hops: int | None = None, avoid: Iterable[str] = (),
             at: str | None = None) -> Connection:
        """The shortest chains of links between two entities (named as for `describe`),
        each hop with its relation's label in `lang`, its dates and its sources; `every`
        for all of them (up to analysis.CHAIN_LIMIT). Places, and the classes in `avoid`,
        are avoided unless no other chain exists ('none' in `avoid` lets places in); `at`
        keeps what was in force on that day."""
        from kqgraph.analysis import connect
        from kqgraph.lookup import resolve

        whole = self.whole  # one store (data and ontology) for names, classes and links
        return connect(whole, resolve(whole, source), resolve(whole, target), lang=lang,
                       every=every, max_hops=max_hops, avoid=avoid, at=at)

    def hubs(self, *, lang: str = "en", top: int = 10, avoid: Iterable[str] = (),
             at: str | None = None) -> Hubs:
        """The best-linked and most in-between nodes, Louvain communities, components,
        and counts per country, sector and year, of the network without places (and the
        classes in `avoid`; 'none' keeps places), or as it was on the day `at`."""
        from kqgraph.analysis import valid_day
        from kqgraph.hubs import hubs

        at = valid_day(at) if at is not None else None
        return hubs(self.whole, self.project(lang=lang, at=at), lang=lang, top=top,
                    leave_out=avoid, at=at)

    def gaps(self, *, lang: str = "en", sector: str | None = None, pair: str = "ko,qc",
             max_hops: int = 4, limit: int = 20) -> Gaps:
        """Pairs of organisations, one of each place of `pair`, active in a common sector
        (or `sector`) and not yet linked by an agreement, presence or investment, closest
        first, with the sources for both (see kqgraph.gaps)."""
        from kqgraph.gaps import gaps

        return gaps(self.whole, self.project(lang=lang), lang=lang, sector=sector, pair=pair,
                    max_hops=max_hops, limit=limit)

    def viz(self, *, lang: str = "en", types: tuple[str, ...] = (),
            sectors: tuple[str, ...] = (), countries: tuple[str, ...] = (),
            focus: str | None = None, depth: int = 1, query: str | None = None,
            title: str | None = None, path: tuple[str, str] | None = None) -> str:
        """The network as one offline HTML page; `query`, a CONSTRUCT file, chooses what
        to draw; `path`, two entities, highlights every shortest chain between them."""
        from kqgraph.viz import render

        only = self._constructed(query) if query else None
        found = self.path(*path, lang=lang, every=True) if path else None
        return render(self.whole, lang=lang, types=types, sectors=sectors,
                      countries=countries, focus=focus, depth=depth, only=only,
                      query_name=os.path.basename(query) if query else None, title=title,
                      path=found, progress=self.progress)

    def _constructed(self, path: str) -> list[Any]:
        try:
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
        except UnicodeDecodeError as err:
            raise KqError(f"not UTF-8 text: {err.reason} at byte {err.start}", path=path) from None
        except OSError as err:
            raise KqError(f"cannot read: {err.strerror}", path=path) from None
        result = self.query(text, origin=path)
        if result.form != "CONSTRUCT":
            raise KqError("--query must be a CONSTRUCT query (it chooses the triples to draw)",
                          path=path)
        return list(result.triples)

    def export(self, formats: Iterable[str] = (), *, lang: str = "en",
               progress: Callable[[str], None] | None = None,
               notice: Callable[[str], None] | None = None) -> dict[str, bytes]:
        """The graph in each format (all by default, the HTML network only up to
        kqgraph.export.HTML_DEFAULT_LIMIT triples), by file name: Turtle, N-Triples,
        JSON-LD, RDF/XML, TriG, GraphML, CSV, HTML. The same graph gives the same bytes."""
        from kqgraph.export import render

        return render(self.whole, formats, lang=lang, progress=progress, notice=notice)

    def push(self, endpoint: str, *, graph: str | None = None, store_url: str | None = None,
             timeout: float | None = None) -> int:
        """Load the graph into `endpoint`'s store with the Graph Store Protocol (PUT:
        replacing `graph`, or the default graph); the triples it then holds there."""
        import pyoxigraph as ox

        from kqgraph.remote import push

        data = ox.serialize(self.engine.triples(), format=ox.RdfFormat.N_TRIPLES)
        return push(data, endpoint, graph=graph, store=store_url, timeout=timeout,
                    progress=self.progress)

    def serve_command(self, binary: str, *, host: str = "127.0.0.1", port: int = 7878,
                      read_only: bool = False) -> list[str]:
        """The Oxigraph server's command line for this graph's persistent store (built if
        need be), or for a writable copy of it."""
        from kqgraph.cache import serve_command
        from kqgraph.files import graph_files

        if self.endpoint:
            raise KqError("serve serves local files, not an endpoint")
        return serve_command(graph_files(self.paths), binary, read_only=read_only,
                             host=host, port=port, progress=self.progress)

    def rdflib(self) -> rdflib.Graph:
        """The graph as an rdflib Graph, bound to the project's prefixes."""
        from kqgraph.files import rdflib_graph

        return rdflib_graph(self.engine.triples())
