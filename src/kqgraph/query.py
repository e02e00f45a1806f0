"""SPARQL stage: check a query, bind its parameters, run it on the store, and look entities up.

Safety is decided here, on the query's tokens, before any engine sees it: an update, a
`SERVICE`, a `LOAD` or a `FROM` is refused unless the caller allows it, whichever engine
would run the query. Parameters are bound as RDF terms in a VALUES block, never pasted
into the query text as the user typed them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import namedtuple
from pathlib import Path

from kqgraph import sandbox, store
from kqgraph.errors import KqError
from kqgraph.sparql import Checked, Token, check, tokens
from kqgraph.vocab import PREFIXES, curie

# `typing` costs `kqgraph query` 7 ms and 1.6 MB at start-up; annotations need it only for
# type checkers (this module's annotations are strings).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    import pyoxigraph as ox

# Fallback order for labels when the asked language is missing (see design.md).
LANG_FALLBACK = ("ko", "en", "fr")
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"

class QueryTimeout(KqError):
    """The query ran longer than --timeout allowed."""

    exit_code = 3


# ---------------------------------------------------------------------------------------------
# Saved queries
# ---------------------------------------------------------------------------------------------

HEADER_RE = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
PARAM_RE = re.compile(r"^(\w+)\s*=\s*(\S+)\s*(?:[-—]\s*)?(.*)$")


class Param(namedtuple("Param", "name default description")):
    __slots__ = ()
    name: str
    default: str
    description: str


class SavedQuery(namedtuple("SavedQuery", "name path title description params text")):
    __slots__ = ()
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def queries_dir() -> Path:
    return store.graph_dir() / "queries"


def saved_queries(folder: Path | None = None) -> list[SavedQuery]:
    """Every saved query, by name. The header comment gives title, description, parameters:

    \b
        # title: Partners of an organisation
        # description: Who signed an agreement with ORG, with the agreement and its date.
        # param: org=kqr:mila — the organisation (slug, CURIE, IRI or label)
    """
    found = []
    for path in sorted((folder or queries_dir()).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header: dict[str, str] = {}
        params = []
        for line in text.split("\n"):
            match = HEADER_RE.match(line)
            if not match:
                if line.strip() and not line.startswith("#"):
                    break
                continue
            key, value = match.groups()
            if key == "param":
                pmatch = PARAM_RE.match(value)
                if not pmatch:
                    raise KqError(f"bad param line: {value!r}", path=path)
                params.append(Param(*pmatch.groups()))
            else:
                header[key] = (header.get(key, "") + " " + value).strip()
        found.append(SavedQuery(path.stem, path, header.get("title", path.stem),
                                header.get("description", ""), tuple(params), text))
    return found


def find_saved(name: str, folder: Path | None = None) -> SavedQuery:
    """The saved query called `name`; an unknown name suggests close ones."""
    known = {q.name: q for q in saved_queries(folder)}
    if name in known:
        return known[name]

    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `kqgraph queries` lists them"
    raise KqError(f"no saved query named {name!r}{hint}")


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------

class Result:
    """A query's answer: solutions (SELECT), triples (CONSTRUCT, DESCRIBE) or a boolean.

    A plain class, like the other records of the query path: dataclasses compile code at
    import, which cost `kqgraph query` 30 ms of start-up.
    """

    def __init__(self, form: str, *, variables: list[str] | None = None,
                 rows: list[dict[str, Any]] | None = None,
                 triples: list[ox.Triple] | None = None, boolean: bool | None = None) -> None:
        self.form = form
        self.variables = variables or []
        self.rows = rows or []
        self.triples = triples or []
        self.boolean = boolean


def run(
    loaded: store.Loaded,
    text: str,
    *,
    params: dict[str, str] | None = None,
    declared: Iterable[Param] = (),
    origin: str = "query",
    update: bool = False,
    allow_network: bool = False,
    timeout: float | None = None,
) -> Result:
    """Check `text`, bind `params` (resolved as entities or literals), run it, return a Result.

    Parameters with a declared default are bound even when not given. A value is resolved
    like `describe`'s ENTITY: slug, CURIE, IRI or label; a value in double quotes is a string.
    A local query runs where it cannot open a connection unless `allow_network`; a query for
    an endpoint is checked here and parsed there (nothing runs locally to check it).
    """
    import pyoxigraph as ox

    checked = check(text, origin=origin, allow_network=allow_network)
    values = {p.name: p.default for p in declared}
    values.update(params or {})
    unknown = set(values) - set(checked.variables)
    if unknown:
        raise KqError(f"the query has no variable ?{sorted(unknown)[0]} to bind", path=origin)
    if values:
        terms = {name: term_of(loaded, value) for name, value in values.items()}
        text = with_values(text, terms, origin=origin)
    if checked.update_at is not None:
        return _update(loaded, text, checked.update_at, origin=origin, allowed=update,
                       timeout=timeout)
    if not isinstance(loaded.store, ox.Store):  # a remote endpoint: it runs the query
        return _answer(loaded, text, origin, lambda answer: _to_result(answer, checked),
                       timeout=timeout)
    try:
        return _local(loaded, text, checked, origin, timeout, allow_network)
    except store.StoreDamaged:
        loaded.rebuild()  # once; damage again is reported
        try:
            return _local(loaded, text, checked, origin, timeout, allow_network)
        except store.StoreDamaged as err:
            raise KqError(f"the graph's store is damaged and rebuilding it did not help "
                          f"({err.message}); remove {store.cache_dir()} and try again",
                          path=origin) from None


def _local(loaded: store.Loaded, text: str, checked: Checked, origin: str,
           timeout: float | None, allow_network: bool) -> Result:
    if timeout:
        return _run_with_timeout(loaded, text, checked, origin, timeout, allow_network)
    if allow_network:
        return _execute(loaded, text, checked, origin)
    return sandbox.run_sealed(_execute, loaded, text, checked, origin)


def _update(loaded: store.Loaded, text: str, at: Token, *, origin: str, allowed: bool,
            timeout: float | None) -> Result:
    """An update runs only with --update, on a writable target (an endpoint): its syntax is
    checked first, on an empty read-only store, which parses it and then refuses to start
    (nothing of it runs there)."""
    import pyoxigraph as ox

    if not allowed:
        raise KqError(f"{at.text.upper()} makes this an update; queries are read-only "
                      "(use --update on a writable target)", path=origin, line=at.line,
                      column=at.column)
    sandbox.run_sealed(_parse_update, text, origin)
    if isinstance(loaded.store, ox.Store):
        raise KqError("the target is read-only: the graph is loaded from files "
                      "(edit graph/*.ttl instead, or give --endpoint)", path=origin)
    loaded.store.update(text, prefixes=PREFIXES, timeout=timeout, origin=origin)
    return Result("UPDATE")


def _parse_update(text: str, origin: str) -> None:
    import shutil
    import tempfile

    import pyoxigraph as ox

    folder = tempfile.mkdtemp(prefix="kqgraph-parse-")
    try:
        ox.Store(folder).flush()
        empty = ox.Store.read_only(folder)
        try:
            empty.update(text, prefixes=PREFIXES)
        except SyntaxError as err:
            line, column, message = _syntax_position(str(err))
            raise KqError(message, path=origin, line=line, column=column) from None
        except (OSError, RuntimeError):
            pass  # "read-only": the update parsed, and nothing of it ran
        del empty
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def with_values(text: str, bindings: dict[str, Any], *, origin: str = "query") -> str:
    """Bind variables with a VALUES block at the start of the query's WHERE group.

    The terms are Oxigraph terms, valid by construction and written in N-Triples syntax (an
    IRI cannot contain `>`, a literal's quotes are escaped), so a value can never change the
    query's structure. The block goes inside the outer WHERE group (found from the tokens),
    where it joins before any grouping; a trailing VALUES would join after GROUP BY.
    """
    toks = list(tokens(text, decode=False))  # where Oxigraph will see the braces
    words = [t.text.upper() if t.kind == "word" else "" for t in toks]
    start = words.index("WHERE") if "WHERE" in words else 0
    if "WHERE" not in words and "CONSTRUCT" in words:
        raise KqError("write CONSTRUCT { ... } WHERE { ... } to bind parameters", path=origin)
    brace = next((t for t in toks[start:] if t.text == "{"), None)
    if brace is None:
        raise KqError("the query has no WHERE group to bind parameters in", path=origin)
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    at = brace.offset + 1
    return f"{text[:at]} VALUES ({names}) {{ ({terms}) }} {text[at:]}"


def _execute(loaded: store.Loaded, text: str, checked: Checked, origin: str) -> Result:
    return _answer(loaded, text, origin, lambda answer: _to_result(answer, checked))


def _answer(loaded: store.Loaded, text: str, origin: str,
            then: Callable[[Any], Any] = lambda answer: answer, *,
            timeout: float | None = None) -> Any:
    """Run the query on the store and `then` read its answer (which Oxigraph computes
    lazily, so engine errors can surface while reading); errors become a KqError."""
    try:
        return then(loaded.query(text, timeout=timeout, origin=origin))
    except SyntaxError as err:
        line, column, message = _syntax_position(str(err))
        raise KqError(message, path=origin, line=line, column=column) from None
    except (OSError, RuntimeError, ValueError) as err:  # SERVICE failures and the like
        if store.damaged(err):
            raise store.StoreDamaged(str(err), path=origin) from None
        raise KqError(f"the query failed: {err}", path=origin) from None


def _to_result(answer: Any, checked: Checked) -> Result:
    """Materialise an engine answer, with columns in the query's order."""
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return Result("ASK", boolean=bool(answer))
    if isinstance(answer, (ox.QueryTriples, list)):  # a list: from a remote endpoint
        return Result(checked.form, triples=list(answer))
    names = [v.value for v in answer.variables]
    order = [v for v in checked.variables if v in names]
    order += [v for v in names if v not in order]
    rows = [{n: row[n] for n in order if row[n] is not None} for row in answer]
    return Result("SELECT", variables=order, rows=rows)


def _syntax_position(message: str) -> tuple[int | None, int | None, str]:
    """Oxigraph says 'error at LINE:COLUMN: message'."""
    match = re.match(r"error at (\d+):(\d+): (.*)", message, flags=re.DOTALL)
    if match:
        return int(match[1]), int(match[2]), _one_line(match[3])
    return None, None, _one_line(message)


def _one_line(message: str) -> str:
    """Make the parser's message one readable line.

    Oxigraph lists every token it expected, with character classes spelt out over several
    lines, and puts its semantic checks ("SELECT * is not authorized with GROUP BY") in the
    same list. Say the semantic check when there is one; else the tokens, classes named.
    """
    text = " ".join(message.split())
    if not text.startswith("expected one of "):
        return text
    items = re.split(r", (?![^\[]*\])", text.removeprefix("expected one of "))
    sentences = [i for i in items if re.match(r"[A-Z][a-z]+ \S", i)]
    if sentences:
        return "; ".join(sentences)
    shown = ["a name" if i.startswith("[") else i for i in items]
    shown = list(dict.fromkeys(shown))
    more = f", … ({len(shown) - 12} more)" if len(shown) > 12 else ""
    return f"expected one of {', '.join(shown[:12])}{more}"


def _run_with_timeout(
    loaded: store.Loaded, text: str, checked: Checked, origin: str, timeout: float,
    allow_network: bool,
) -> Result:
    """Run in a forked worker that is killed at the deadline (native code cannot be stopped
    from Python), sealed from the network unless allowed; the answer comes back serialised
    as SPARQL JSON results or N-Triples."""
    import multiprocessing

    import pyoxigraph as ox

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(
        target=_worker, args=(sender, loaded, text, origin, allow_network), daemon=True
    )
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped",
                               path=origin)
        try:
            kind, payload = receiver.recv()
        except EOFError:  # the worker died without a word: the engine crashed
            worker.join()
            raise KqError(f"the SPARQL engine stopped unexpectedly (exit {worker.exitcode}) "
                          "while running this query", path=origin) from None
    finally:
        # Also on Ctrl-C: a worker left running would hold the caller's pipes open.
        if worker.is_alive():
            worker.kill()
        worker.join()
    if kind == "error":
        error = store.StoreDamaged if payload["damaged"] else KqError
        raise error(payload["message"], path=payload["path"], line=payload["line"],
                    column=payload["column"])
    if kind == "triples":
        triples = [q.triple for q in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)]
        return Result(checked.form, triples=triples)
    return _to_result(ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON),
                      checked)


def _worker(sender: Any, loaded: store.Loaded, text: str, origin: str,
            allow_network: bool) -> None:
    import pyoxigraph as ox

    if not allow_network:
        sandbox.seal_process()  # this process exists for this one query

    def encode(answer: Any) -> tuple[str, bytes]:
        if isinstance(answer, ox.QueryTriples):
            return "triples", ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES)
        return "results", answer.serialize(format=ox.QueryResultsFormat.JSON)

    try:
        sender.send(_answer(loaded, text, origin, encode))
    except KqError as err:
        sender.send(("error", {"message": err.message, "path": err.path, "line": err.line,
                               "column": err.column,
                               "damaged": isinstance(err, store.StoreDamaged)}))
    except Exception as err:  # never a traceback from the worker: the parent reports it
        sender.send(("error", {"message": f"the query failed: {err}", "path": origin,
                               "line": None, "column": None, "damaged": False}))


# ---------------------------------------------------------------------------------------------
# Entities: resolving names, describing, searching
# ---------------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Québec' and 'quebec' fold alike; Hangul is kept."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def labels_of(loaded: store.Loaded, iri: str) -> dict[str, str]:
    """The rdfs:labels of an entity, by language."""
    import pyoxigraph as ox

    found = loaded.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(LABEL), None)
    return {q.object.language or "": q.object.value for q in found}


def display(loaded: store.Loaded, term: Any, lang: str) -> str:
    """A term for people: an IRI as its label in `lang` (fallback ko → en → fr → short name),
    a literal as its text."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return pick_label(labels_of(loaded, term.value), lang) or short_name(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def short_name(iri: str) -> str:
    shown = curie(iri)
    return shown.split(":", 1)[1] if not shown.startswith("<") else shown


def pick_label(labels: dict[str, str], lang: str) -> str | None:
    """The label in `lang`, else in the fallback order ko → en → fr, else None."""
    for candidate in (lang, *LANG_FALLBACK):
        if candidate in labels:
            return labels[candidate]
    return None


def all_labels(loaded: store.Loaded) -> list[tuple[str, str, str]]:
    """(entity IRI, label, language) for every rdfs:label and skos:altLabel."""
    rows = loaded.query("SELECT ?s ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?s ?p ?l "
                        "FILTER(isIRI(?s)) }")
    return [(r["s"].value, r["l"].value, r["l"].language or "") for r in rows]


def resolve(loaded: store.Loaded, name: str) -> str:
    """The IRI an ENTITY argument means: a slug, a CURIE, an IRI, or a label in any language.

    Raises `KqError` when nothing matches, or when several entities do (listing them).
    """
    import pyoxigraph as ox

    candidates: list[str] = []
    if name.startswith("<") and name.endswith(">"):
        candidates = [name[1:-1]]
    elif re.fullmatch(r"https?://\S+", name):
        candidates = [name]
    elif ":" in name and name.split(":", 1)[0] in PREFIXES:
        prefix, local = name.split(":", 1)
        candidates = [PREFIXES[prefix] + local]
    elif re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        candidates = [PREFIXES["kqr"] + name, PREFIXES["kqs"] + name]
    for iri in candidates:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise KqError(f"{name!r} is not a valid IRI") from None
        if next(iter(loaded.store.quads_for_pattern(node, None, None)), None):
            return iri
    wanted = fold(name)
    matches = sorted({s for s, label, _ in all_labels(loaded) if fold(label) == wanted})
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = "; ".join(f"{curie(m)} ({display(loaded, ox.NamedNode(m), 'en')})"
                           for m in matches)
        raise KqError(f"{name!r} is ambiguous: {listed}")
    import shlex

    raise KqError(f"no entity matches {name!r} (try: kqgraph search {shlex.quote(name)})")


def term_of(loaded: store.Loaded, value: str) -> Any:
    """A parameter value as an RDF term: "quoted" (or "quoted"@lang) is a string literal, a
    whole number an xsd:integer, anything else names an entity."""
    import pyoxigraph as ox

    if match := re.fullmatch(r'"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*))?', value, re.DOTALL):
        return ox.Literal(match[1], language=match[2])
    if re.fullmatch(r"[+-]?\d+", value):
        return ox.Literal(value, datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
    for pattern, datatype in DATE_PARAMS:
        if re.fullmatch(pattern, value):
            import datetime

            try:
                datetime.date.fromisoformat(value if datatype == "date" else value + "-01")
            except ValueError:
                raise KqError(f"--param value {value!r} is not a valid date") from None
            return ox.Literal(value, datatype=ox.NamedNode(PREFIXES["xsd"] + datatype))
    return ox.NamedNode(resolve(loaded, value))


# --param values that are dates, as precise as written: 2016-12-20, 2016-12.
DATE_PARAMS = ((r"\d{4}-\d{2}-\d{2}", "date"), (r"\d{4}-\d{2}", "gYearMonth"))


class Fact(namedtuple("Fact", "subject predicate object sources inverse", defaults=(False,))):
    """One statement about an entity, ready to show: who, property, value, and its source."""

    __slots__ = ()
    subject: str
    predicate: str
    object: Any
    sources: tuple[str, ...]
    inverse: bool  # the entity is the object; default False (e.g. a party of an agreement)


def describe(loaded: store.Loaded, iri: str) -> list[Fact]:
    """Every statement about an entity, outgoing then incoming, each with its source.

    A statement's source is the prov:wasDerivedFrom of the node that carries it: the entity
    itself for its own properties, the relation node (agreement, presence, observation) for
    statements that point at the entity.
    """
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    union = [q for q in loaded.store.quads_for_pattern(node, None, None)]
    facts = [Fact(iri, q.predicate.value, q.object, _sources(loaded, node))
             for q in union if q.predicate.value != DERIVED_FROM]
    facts += [Fact(q.subject.value, q.predicate.value, node, _sources(loaded, q.subject), True)
              for q in loaded.store.quads_for_pattern(None, None, node)
              if isinstance(q.subject, ox.NamedNode)]
    unique = {(f.subject, f.predicate, str(f.object), f.inverse): f for f in facts}
    return sorted(unique.values(), key=lambda f: (f.inverse, f.predicate, f.subject,
                                                  str(f.object)))


def _sources(loaded: store.Loaded, node: Any) -> tuple[str, ...]:
    import pyoxigraph as ox

    found = loaded.store.quads_for_pattern(node, ox.NamedNode(DERIVED_FROM), None)
    return tuple(sorted({q.object.value for q in found}))


def search(loaded: store.Loaded, text: str) -> list[tuple[str, list[str]]]:
    """Entities with a label containing `text`, ignoring case and accents, in any language.

    Returns (IRI, matching labels) pairs: exact matches first, then labels that start with
    the text, then the shortest labels, then by IRI, so the order is stable.
    """
    wanted = fold(text.strip())
    if not wanted:
        raise KqError("nothing to search for")
    hits: dict[str, set[str]] = {}
    for iri, label, _ in all_labels(loaded):
        if wanted in fold(label):
            hits.setdefault(iri, set()).add(label)

    def rank(item: tuple[str, set[str]]) -> tuple[bool, bool, int, str]:
        folded = [fold(label) for label in item[1]]
        return (wanted not in folded, not any(f.startswith(wanted) for f in folded),
                min(map(len, folded)), item[0])

    return [(iri, sorted(labels)) for iri, labels in sorted(hits.items(), key=rank)]


def triple_count(loaded: store.Loaded) -> int:
    """Distinct triples in the graph (a triple in two files counts once)."""
    rows = loaded.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    return int(next(iter(rows))["n"].value)


def stats(loaded: store.Loaded, *, lang: str = "en") -> dict[str, Any]:
    """Triple count and the number of subjects of each class (direct rdf:type).

    Classes are ordered by count, then by name, so the output is stable.
    """
    triples = triple_count(loaded)
    rows = loaded.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class")
    classes = [
        {
            "class": curie(row["class"].value),
            "iri": row["class"].value,
            "label": pick_label(labels_of(loaded, row["class"].value), lang)
            or curie(row["class"].value),
            "count": int(row["n"].value),
        }
        for row in rows
    ]
    classes.sort(key=lambda c: (-c["count"], c["class"]))
    missing = loaded.query(
        "SELECT ?lang (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES ?lang { 'ko' 'en' 'fr' } "
        "?s a/rdfs:subClassOf* kq:Entity . FILTER(isIRI(?s)) "
        "FILTER NOT EXISTS { ?s rdfs:label ?l FILTER(LANG(?l) = ?lang) } } GROUP BY ?lang")
    counts = {row["lang"].value: int(row["n"].value) for row in missing}
    entities = loaded.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a/rdfs:subClassOf* kq:Entity "
        "FILTER(isIRI(?s)) }")
    return {"triples": int(triples), "files": len(loaded.files),
            "entities": int(next(iter(entities))["n"].value),
            "missing_labels": {code: counts.get(code, 0) for code in LANG_FALLBACK},
            "classes": classes}


def is_iri(term: Any) -> bool:
    import pyoxigraph as ox

    return isinstance(term, ox.NamedNode)
