"""SPARQL text before any engine sees it: tokens, the safety check, and the size limits.

Read the query as its executing engine reads it (`kqgraph.tokens`), and refuse what could
reach outside the store (SERVICE, LOAD, FROM: as words, and at the start of a prefixed name,
where Oxigraph finds them too) or crash the engine (deep or long expressions). The grammar
rules Oxigraph leaves unchecked are in `kqgraph.grammar`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from kqgraph import grammar
from kqgraph.errors import KqError
from kqgraph.tokens import ESCAPE_RE, Token, tokens
from kqgraph.vocab import PREFIXES

# Oxigraph's parser and evaluator recurse once per bracket, operator, separator or pattern
# keyword, and the process dies (SIGSEGV) from about 2,500 of them in one query (BIND and
# MINUS; 2,900 for path steps, 6,500 for UNION, 9,000 for `!` and `&&`; measured on an 8 MB
# stack). Real queries use a few dozen; larger ones are refused before parsing.
MAX_NESTING = 256
MAX_OPERATORS = 1000
OPERATORS = set("!&|+-*/^=<>.,;")
PATTERN_KEYWORDS = {"UNION", "MINUS", "OPTIONAL", "FILTER", "BIND", "GRAPH", "SERVICE",
                    "SELECT", "EXISTS", "IN", "VALUES"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                   "ADD", "WITH"}
NETWORK_KEYWORDS = ("SERVICE", "LOAD", "FROM")
FORMS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}
OPEN, CLOSE = "([{", ")]}"

class Checked(NamedTuple):
    """What the safety check learnt about a query."""

    form: str  # SELECT, CONSTRUCT, ASK, DESCRIBE or UPDATE
    variables: tuple[str, ...] = ()  # in order of first appearance
    update_at: Token | None = None  # the keyword that makes it an update


def prologue() -> str:
    """The project's prefixes as a SPARQL prologue."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def check(text: str, *, origin: str = "query", allow_network: bool = False) -> Checked:
    """Refuse what can reach outside the store or crash the engine, and the grammar's
    violations that Oxigraph accepts; return the query's form and variable order.

    Raises `KqError` at the offending token. The query is read twice, with SPARQL 1.1's
    codepoint escapes decoded (as the standard says) and as written (as Oxigraph reads
    it): an escape such as `"\\u0022"` opens a string in one reading and not in the other,
    so a keyword hidden from one reading is seen by the other. Either finding refuses.
    Whether an update may run is the caller's decision.
    """
    decoded_tokens = tokens(text)
    decoded = _scan(decoded_tokens, origin, allow_network)
    raw_tokens = tokens(text, decode=False)
    raw = _scan(raw_tokens, origin, allow_network)
    grammar.check(decoded_tokens, origin=origin)
    if ESCAPE_RE.search(text):  # the engine's reading: `"\u0022"` can break the decoded one
        grammar.check(raw_tokens, origin=origin)
    if raw.update_at is not None and decoded.update_at is None:
        return Checked("UPDATE", decoded.variables, raw.update_at)
    return decoded


def _scan(toks: list[Token], origin: str, allow_network: bool) -> Checked:
    form = ""
    update_at = None
    variables: list[str] = []
    depth = operators = 0
    for i, tok in enumerate(toks):
        word = tok.text.upper() if tok.kind == "word" else ""
        where = {"path": origin, "line": tok.line, "column": tok.column}
        if tok.kind == "other" and tok.text in OPEN:
            depth += 1
            if depth > MAX_NESTING:
                raise KqError(f"brackets nested more than {MAX_NESTING} deep; refused", **where)
        elif tok.kind == "other" and tok.text in CLOSE:
            depth -= 1
        elif (tok.kind == "other" and tok.text in OPERATORS and not _datatype_mark(toks, i)) \
                or word in PATTERN_KEYWORDS:
            operators += 1
            if operators > MAX_OPERATORS:
                raise KqError(f"more than {MAX_OPERATORS:,} operators, separators and pattern "
                              "keywords; refused (a query this large could crash the SPARQL "
                              "engine: split it)", **where)
        if tok.kind == "var" and tok.text[1:] not in variables:
            variables.append(tok.text[1:])
        elif tok.kind == "tripleterm" and not _is_iri_after(toks, i):
            raise KqError("RDF 1.2 triple terms (<< >>) are not supported", **where)
        elif word in FORMS and not form:
            form = word
        elif word in UPDATE_KEYWORDS and not form:
            form, update_at = "UPDATE", tok
        _refuse_network(tok, word, where, allow_network)
    return Checked(form or "SELECT", tuple(variables), update_at)


def _refuse_network(tok: Token, word: str, where: dict, allow_network: bool) -> None:
    """SERVICE, LOAD and FROM, as words, or glued into a longer word or a prefixed name's
    prefix, which is how the engine reads them (`SERVICE:x` is the keyword SERVICE followed
    by `:x`, `trueSERVICE` is true then SERVICE). Glued forms are refused even with
    allow_network: they are errors to the grammar, whose checks a lexically broken reading
    skips."""
    if tok.kind == "pname" or (tok.kind == "word" and word not in NETWORK_KEYWORDS):
        text = tok.text.split(":", 1)[0] if tok.kind == "pname" else tok.text
        found = _network_keyword_in(text)
        if found:
            keyword, at = found
            before, rest = tok.text[:at], tok.text[at + len(keyword):]
            reading = (f"{before!r} then " if before else "") + f"the keyword {keyword}" + (
                f" followed by {rest!r}" if rest else "")
            raise KqError(f"{tok.text!r} is read by the engine as {reading}; refused (put a "
                          "space between the keywords, or name the prefix differently)", **where)
        return
    if allow_network:
        return
    if word in ("SERVICE", "LOAD"):
        raise KqError(f"{word} would reach the network or the file system; "
                      "refused (use --allow-network to allow it)", **where)
    if word == "FROM":
        raise KqError("FROM <iri> would read a graph from outside the store; "
                      "refused (use --allow-network to allow it)", **where)


def _network_keyword_in(text: str) -> tuple[str, int] | None:
    """The network keyword the engine finds in a word or prefix, and where. Oxigraph matches
    keywords with no word boundary, one after another (`ASKFROM` is ASK then FROM), so every
    way of reading the token's start as a run of keywords is followed."""
    upper = text.upper()
    if not any(keyword in upper for keyword in NETWORK_KEYWORDS):
        return None  # the common case, without the search below
    from kqgraph.grammar import KEYWORDS

    starts, seen = [0], set()
    while starts:
        at = starts.pop()
        if at in seen:
            continue
        seen.add(at)
        for keyword in NETWORK_KEYWORDS:
            if upper.startswith(keyword, at):
                return keyword, at
        starts.extend(at + len(k) for k in (*KEYWORDS, "A") if upper.startswith(k, at))
    return None


def _datatype_mark(toks: list[Token], i: int) -> bool:
    """The `^^` of `"2016"^^xsd:gYear`, which is no operator."""
    if toks[i].text != "^":
        return False
    before = toks[i - 1] if i else None
    return before is not None and (before.kind == "string" or (
        before.text == "^" and i > 1 and toks[i - 2].kind == "string"))


def _is_iri_after(toks: list[Token], i: int) -> bool:
    """`<<` followed by an IRI glued to it is `<` then an IRI (a comparison), not a triple."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return bool(nxt and nxt.kind == "iri" and nxt.line == toks[i].line
                and nxt.column == toks[i].column + 2)


def with_values(text: str, bindings: dict[str, Any], *, origin: str = "query") -> str:
    """Bind variables with a VALUES block at the start of the query's WHERE group.

    The terms are Oxigraph terms, valid by construction and written in N-Triples syntax (an
    IRI cannot contain `>`, a literal's quotes are escaped), so a value can never change the
    query's structure. The block goes inside the outer WHERE group (found from the tokens),
    where it joins before any grouping; a trailing VALUES would join after GROUP BY.
    """
    toks = tokens(text, decode=False)  # where Oxigraph will see the braces
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


def unknown_terms(text: str) -> list[tuple[str, str | None]]:
    """The kq: terms a query names that the vocabulary does not hold (`kq:Universty`), each
    with the closest term it does hold (or None): a typo matches nothing, silently, so the
    command warns. A query that declares its own `kq:` prefix is left alone."""
    from kqgraph.vocab import KQ

    found: list[tuple[str, str | None]] = []
    try:
        toks = tokens(text)
    except Exception:  # a query that does not tokenise is reported by the check itself
        return []
    if any(t.kind == "pname" and t.text == "kq:" and i and toks[i - 1].text.upper() == "PREFIX"
           for i, t in enumerate(toks)):
        return []
    for tok in toks:
        if tok.kind == "pname" and tok.text.startswith("kq:") and len(tok.text) > 3:
            local = tok.text[3:]
        elif tok.kind == "iri" and tok.text[1:-1].startswith(KQ.base):
            local = tok.text[1:-1][len(KQ.base):]
        else:
            continue
        if local and KQ.base + local not in KQ and f"kq:{local}" not in dict(found):
            import difflib

            close = difflib.get_close_matches(local, sorted(KQ.terms or ()), n=1, cutoff=0.6)
            found.append((f"kq:{local}", f"kq:{close[0]}" if close else None))
    return found
