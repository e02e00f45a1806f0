"""SPARQL text before any engine sees it: tokens, the safety check, and the size limits.

Read the query as its executing engine reads it, and refuse what could reach outside the
store (SERVICE, LOAD, FROM) or crash the engine (deep or long expressions). Oxigraph's
parser matches a keyword wherever its letters start, with no word boundary: it reads
`SERVICE:x` as the keyword SERVICE then `:x`, where the SPARQL grammar sees one prefixed name;
and inside an expression it reads `<` after an operand as "less than", where the grammar's
longest match sees an IRI. The tokens here follow the engine in both cases, so what they hide
from the grammar they do not hide from this check. The grammar rules Oxigraph leaves
unchecked are in `kqgraph.grammar`.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from kqgraph.errors import KqError
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

# Pieces of the grammar's terminals (section 19.8), close enough to tell tokens apart.
_CHARS = r"[\w\u00b7\u0300-\u036f\u203f-\u2040-]"  # PN_CHARS
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[^\W\d_](?:(?:{_CHARS}|\.)*{_CHARS})?"
_LOCAL = rf"(?:[\w:]|{_PLX})(?:(?:{_CHARS}|[.:]|{_PLX})*(?:{_CHARS}|:|{_PLX}))?"
_STRING = (r"'''(?:[^'\\]|\\.|'(?!''))*'''" r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
           r"|'(?:[^'\\\n\r]|\\.)*'" r'|"(?:[^"\\\n\r]|\\.)*"')
TOKEN_RE = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>{_STRING})
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<tripleterm><<)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<bnode>_:\w(?:(?:{_CHARS}|\.)*{_CHARS})?)
  | (?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
  | (?P<number>\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
OPERAND_END = {"var", "string", "langtag", "number", "iri", "pname", "bnode"}
# A `(` right after these words opens something other than an expression.
NOT_CALLS = {"VALUES", "a"}


class Token(NamedTuple):
    kind: str  # space and comments are dropped; see TOKEN_RE for the others
    text: str
    line: int
    column: int
    offset: int  # index in the text as written


class Checked(NamedTuple):
    """What the safety check learnt about a query."""

    form: str  # SELECT, CONSTRUCT, ASK, DESCRIBE or UPDATE
    variables: tuple[str, ...] = ()  # in order of first appearance
    update_at: Token | None = None  # the keyword that makes it an update


def prologue() -> str:
    """The project's prefixes as a SPARQL prologue."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def tokens(text: str, *, decode: bool = True) -> list[Token]:
    """The query's tokens, after SPARQL 1.1's codepoint escapes are applied (or, with
    `decode=False`, as written, which is how Oxigraph reads them); positions point into the
    text as the user wrote it.

    Inside an expression, `<` after an operand is the operator "less than", as Oxigraph
    reads it, where the grammar's longest match would make an IRI of what follows.
    """
    source, origin = _decode_escapes(text) if decode else (text, None)
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    found: list[Token] = []
    brackets = _Brackets()
    pos = 0
    while pos < len(source):
        match = TOKEN_RE.match(source, pos)
        kind, piece = match.lastgroup or "other", match.group()
        if kind in ("iri", "tripleterm") and brackets.in_expression() and found and (
                found[-1].kind in OPERAND_END or found[-1].text == ")"
                or found[-1].text.lower() in ("true", "false")):
            kind, piece = "other", "<"
        if kind not in ("space", "comment"):
            at = origin[pos] if origin else pos
            line = _line_of(starts, at)
            found.append(Token(kind, piece, line + 1, at - starts[line] + 1, at))
            brackets.push_or_pop(found, len(found) - 1)
        pos += len(piece)
    return found


def tokens_in_expressions(toks: list[Token]) -> set[int]:
    """Indexes of the tokens that sit inside an expression's brackets (as `tokens` saw them)."""
    brackets = _Brackets()
    inside = set()
    for i in range(len(toks)):
        if brackets.in_expression():
            inside.add(i)
        brackets.push_or_pop(toks, i)
    return inside


class _Brackets:
    """Which open bracket the scan is in, and whether it holds an expression.

    A `(` opens an expression inside another expression, after a function or keyword
    (`FILTER(`, `STR(`, `BY (`), after `FILTER ex:f`, and in the clauses of a query level
    (SELECT, GROUP BY, HAVING, ORDER BY); elsewhere in a group it is a collection, a path
    group or a VALUES row.
    """

    def __init__(self) -> None:
        # Each entry: [kind, clause]; kind is expr, paren, group or bnode; a group's clause
        # is None (patterns), "select" (after SELECT, before its WHERE) or "after" (the
        # subquery's modifiers). The bottom entry is the query's top level.
        self.stack: list[list] = [["group", "top"]]

    def in_expression(self) -> bool:
        return self.stack[-1][0] == "expr"

    def push_or_pop(self, found: list[Token], at: int) -> None:
        tok = found[at]
        top = self.stack[-1]
        if tok.kind == "word" and tok.text.upper() == "SELECT" and top[0] == "group" \
                and top[1] != "top":
            top[1] = "select"
        if tok.kind != "other":
            return
        if tok.text == "(":
            self.stack.append(["expr" if self._opens_expression(found, at) else "paren", None])
        elif tok.text == "[":
            self.stack.append(["bnode", None])
        elif tok.text == "{":
            self.stack.append(["group", None, top[1] == "select"])
        elif tok.text in CLOSE and len(self.stack) > 1:
            closed = self.stack.pop()
            if closed[0] == "group" and len(closed) > 2 and closed[2]:
                self.stack[-1][1] = "after"  # the subquery's WHERE is over

    def _opens_expression(self, found: list[Token], at: int) -> bool:
        top = self.stack[-1]
        before = found[at - 1] if at else None
        if top[0] == "expr":
            return True
        if before is None:
            return False
        if before.kind == "word":
            return before.text not in NOT_CALLS and before.text.upper() != "VALUES"
        if top[0] == "group" and top[1] is not None:  # a clause of a query level
            return True
        return before.kind in ("iri", "pname") and at > 1 and \
            found[at - 2].kind == "word" and found[at - 2].text.upper() == "FILTER"


def _decode_escapes(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    for match in ESCAPE_RE.finditer(text):
        out.append(text[pos:match.start()])
        origin.extend(range(pos, match.start()))
        code = int(match.group(1) or match.group(2), 16)
        out.append(chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd")
        origin.append(match.start())
        pos = match.end()
    out.append(text[pos:])
    origin.extend(range(pos, len(text) + 1))
    return "".join(out), origin


def _line_of(starts: list[int], at: int) -> int:
    import bisect

    return bisect.bisect_right(starts, at) - 1


def check(text: str, *, origin: str = "query", allow_network: bool = False) -> Checked:
    """Refuse what can reach outside the store or crash the engine, and the grammar's
    violations that Oxigraph accepts; return the query's form and variable order.

    Raises `KqError` at the offending token. The query is read twice, with SPARQL 1.1's
    codepoint escapes decoded (as the standard says) and as written (as Oxigraph reads
    it): an escape such as `"\\u0022"` opens a string in one reading and not in the other,
    so a keyword hidden from one reading is seen by the other. Either finding refuses.
    Whether an update may run is the caller's decision.
    """
    from kqgraph import grammar

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
