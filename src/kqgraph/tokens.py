"""SPARQL text as its executing engine reads it, split into tokens.

Oxigraph's parser matches a keyword wherever its letters start, with no word boundary: it
reads `SERVICE:x` as the keyword SERVICE then `:x`, where the SPARQL grammar sees one
prefixed name (`kqgraph.sparql` looks for keywords at the start of such names); and inside an
expression it reads `<` after an operand as "less than", where the grammar's longest match
sees an IRI. The tokens here follow the engine in the second case, so that what they would
hide from the grammar they do not hide from the checks.
"""

from __future__ import annotations

import re
from typing import NamedTuple

CLOSE = ")]}"
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
