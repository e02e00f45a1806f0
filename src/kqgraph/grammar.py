"""Rules of the SPARQL 1.1 grammar that Oxigraph's parser does not enforce, checked on the
query's tokens (`kqgraph.tokens`) so that such queries are refused, with a position,
instead of answered.

- Section 19 tokenises by longest match: `ORDERBY`, `LIMIT10` and `SELECTDISTINCT` are no
  keywords (Oxigraph reads them as two), and every prefixed name needs a declared prefix
  (Oxigraph reads `OPTIONALx:y` as OPTIONAL then `x:y`).
- An aggregate's argument cannot contain an aggregate (errata-query-5).
- In a query level that groups (GROUP BY, or an aggregate in SELECT, HAVING or ORDER BY),
  HAVING and ORDER BY may use only GROUP BY variables, SELECT aliases, VALUES variables
  and aggregates.
- The same blank node label cannot be used in two basic graph patterns: two groups, or two
  triples blocks of one group split by BIND or VALUES (Oxigraph accepts those) or by
  OPTIONAL, MINUS, UNION, GRAPH or SERVICE (Oxigraph refuses these, but says only "expected
  <unreported>"; this says where).
Everything else is left to the engine's parser, which reports its own errors.
"""

from __future__ import annotations

from kqgraph.errors import KqError
from kqgraph.vocab import PREFIXES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kqgraph.tokens import Token

# Keywords and built-in function names (SPARQL 1.1, and the 1.2 ones Oxigraph knows).
KEYWORDS = frozenset({
    "BASE", "PREFIX", "SELECT", "DISTINCT", "REDUCED", "AS", "CONSTRUCT", "WHERE", "DESCRIBE",
    "ASK", "FROM", "NAMED", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET",
    "VALUES", "LOAD", "SILENT", "INTO", "CLEAR", "DROP", "CREATE", "ADD", "TO", "MOVE", "COPY",
    "INSERT", "DATA", "DELETE", "WITH", "USING", "DEFAULT", "GRAPH", "ALL", "OPTIONAL", "SERVICE",
    "BIND", "UNDEF", "MINUS", "UNION", "FILTER", "TRUE", "FALSE", "IN", "NOT", "EXISTS",
    "SEPARATOR", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND",
    "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI",
    "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS",
    "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256",
    "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT", "SAMETERM", "ISIRI", "ISURI",
    "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "SUBSTR", "REPLACE", "COUNT", "SUM", "MIN",
    "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "VERSION", "LANGDIR", "STRLANGDIR", "HASLANG",
    "HASLANGDIR", "ISTRIPLE", "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT"
})
AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
# Keywords that Oxigraph finds at the start of a prefixed name when what follows them is
# itself a prefixed name: `GRAPHx:y { }` is GRAPH x:y { } to it, an error to the grammar.
GLUED = ("GRAPH", "OPTIONAL", "MINUS", "UNION", "FILTER", "BIND", "VALUES", "SELECT",
         "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "ORDER", "GROUP", "HAVING", "LIMIT",
         "OFFSET", "INSERT", "DELETE", "WITH", "USING", "EXISTS", "PREFIX", "BASE")
TEMPLATE_OPENERS = {"CONSTRUCT", "INSERT", "DELETE", "DATA"}
# Patterns that end the triples block before them (FILTER does not: SPARQL 1.1 section 18.2.2).
BGP_ENDERS = {"OPTIONAL", "MINUS", "UNION", "GRAPH", "SERVICE", "BIND", "VALUES"}
CLAUSES = {"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}


# Punctuation of well-formed SPARQL; any other character alone is a lexical error, which the
# engine's parser reports better than rules about tokens could.
PUNCTUATION = set("{}()[].,;*+-/!^|=<>&?")


def check(toks: list[Token], *, origin: str) -> None:
    """Raise `KqError` at the first token that breaks one of the rules above. A query that
    does not even split into tokens is left to the engine's parser."""
    if not _well_formed(toks):
        return
    declared = _declared(toks)
    for tok in toks:
        if tok.kind == "word":
            _known_word(tok, origin)
        elif tok.kind == "pname":
            _declared_prefix(tok, declared, origin)
    pairs = _pairs(toks)
    if pairs is None:
        return  # unbalanced brackets: the engine's parser says where
    _nested_aggregates(toks, pairs, origin)
    _grouping(toks, pairs, origin)
    _blank_labels(toks, pairs, origin)


def _well_formed(toks: list[Token]) -> bool:
    """No stray character, no `<` that opens no IRI outside an expression, no word glued to
    a number (`1e`)."""
    from kqgraph.tokens import tokens_in_expressions

    operators = tokens_in_expressions(toks)
    for i, tok in enumerate(toks):
        if tok.kind == "other" and (tok.text not in PUNCTUATION or (
                tok.text == "<" and i not in operators)):
            return False
        if tok.kind == "word" and i and toks[i - 1].kind == "number" and \
                toks[i - 1].offset + len(toks[i - 1].text) == tok.offset:
            return False
    return True


def _error(message: str, tok: Token, origin: str) -> KqError:
    return KqError(message, path=origin, line=tok.line, column=tok.column)


def _known_word(tok: Token, origin: str) -> None:
    if tok.text == "a" or tok.text.upper() in KEYWORDS:
        return
    upper = tok.text.upper()
    start = next((k for k in sorted(KEYWORDS, key=len, reverse=True)
                  if upper.startswith(k) and len(upper) > len(k)), None)
    hint = f" (did you mean {tok.text[:len(start)]} {tok.text[len(start):]}?)" if start else ""
    raise _error(f"{tok.text!r} is no SPARQL keyword{hint}", tok, origin)


def _declared(toks: list[Token]) -> set[str]:
    """The prefixes the query declares, and the project's own."""
    found = set(PREFIXES)
    for i, tok in enumerate(toks[:-1]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 1].kind == "pname":
            found.add(toks[i + 1].text.split(":", 1)[0])
    return found


def _declared_prefix(tok: Token, declared: set[str], origin: str) -> None:
    prefix = tok.text.split(":", 1)[0]
    upper = prefix.upper()
    for keyword in GLUED:  # first: what the engine makes of it explains more than "undeclared"
        rest = prefix[len(keyword):]
        if upper.startswith(keyword) and rest in declared:
            raise _error(f"{tok.text!r} is read by the engine as the keyword {keyword} "
                         f"followed by {tok.text[len(keyword):]!r}; refused (put a space after "
                         "the keyword, or name the prefix differently)", tok, origin)
    if prefix not in declared:
        raise _error(f"the prefix {prefix}: is not declared (add PREFIX {prefix}: <...>; "
                     "kq, kqr, kqs, schema, org, prov, skos, rdfs, ... need none)", tok, origin)


def _pairs(toks: list[Token]) -> dict[int, int] | None:
    """Index of each opening bracket → index of its closing one; None if unbalanced."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, tok in enumerate(toks):
        if tok.kind != "other":
            continue
        if tok.text in "([{":
            stack.append(i)
        elif tok.text in ")]}":
            if not stack or "([{".index(toks[stack[-1]].text) != ")]}".index(tok.text):
                return None
            pairs[stack.pop()] = i
    return None if stack else pairs


def _is_aggregate(toks: list[Token], i: int) -> bool:
    return (toks[i].kind == "word" and toks[i].text.upper() in AGGREGATES
            and i + 1 < len(toks) and toks[i + 1].text == "(")


def _skip_groups(toks: list[Token], pairs: dict[int, int], start: int, end: int):
    """Indexes from start to end, stepping over `{ }` groups (EXISTS patterns)."""
    i = start
    while i < end:
        if toks[i].text == "{" and toks[i].kind == "other":
            i = pairs[i] + 1
            continue
        yield i
        i += 1


def _nested_aggregates(toks: list[Token], pairs: dict[int, int], origin: str) -> None:
    for i in range(len(toks)):
        if _is_aggregate(toks, i):
            for j in _skip_groups(toks, pairs, i + 2, pairs[i + 1]):
                if _is_aggregate(toks, j):
                    raise _error(f"an aggregate cannot contain another: {toks[j].text} inside "
                                 f"{toks[i].text}", toks[j], origin)


def _grouping(toks: list[Token], pairs: dict[int, int], origin: str) -> None:
    aggregated = {j for i in range(len(toks)) if _is_aggregate(toks, i)
                  for j in range(i, pairs[i + 1] + 1)}
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == "SELECT":
            _one_level(toks, pairs, i, aggregated, origin)


def _one_level(toks: list[Token], pairs: dict[int, int], at: int, aggregated: set[int],
               origin: str) -> None:
    """Check one SELECT level: its clause, its WHERE group, and the modifiers after it."""
    subquery = at > 0 and toks[at - 1].text == "{"
    end = pairs[at - 1] if subquery else len(toks)
    where = next((i for i in range(at + 1, end) if toks[i].text == "{"), None)
    if where is None:
        return
    select = range(at + 1, where)
    sections: dict[str, list[int]] = {}
    current = None
    depth = 0
    for i in _skip_groups(toks, pairs, pairs[where] + 1, end):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        depth += {"(": 1, ")": -1}.get(toks[i].text, 0) if toks[i].kind == "other" else 0
        if word in CLAUSES and depth == 0:
            current = word
            sections.setdefault(current, [])
        elif current is not None:
            sections[current].append(i)
    used = [*select, *sections.get("HAVING", []), *sections.get("ORDER", [])]
    if "GROUP" not in sections and not any(i in aggregated for i in used):
        return
    allowed = {toks[i + 1].text[1:] for i in [*select, *sections.get("GROUP", [])]
               if toks[i].kind == "word" and toks[i].text.upper() == "AS"}
    allowed |= {toks[i].text[1:] for i in sections.get("VALUES", []) if toks[i].kind == "var"}
    allowed |= {toks[i].text[1:] for i in sections.get("GROUP", [])
                if toks[i].kind == "var" and _bare(toks, pairs, i)}
    for clause in ("HAVING", "ORDER"):
        for i in sections.get(clause, []):
            name = toks[i].text[1:]
            if toks[i].kind == "var" and i not in aggregated and name not in allowed:
                raise _error(f"?{name} is neither grouped nor aggregated: after GROUP BY or an "
                             f"aggregate, {'HAVING' if clause == 'HAVING' else 'ORDER BY'} may "
                             "use only GROUP BY variables, SELECT aliases and aggregates",
                             toks[i], origin)


def _bare(toks: list[Token], pairs: dict[int, int], i: int) -> bool:
    """A GROUP BY condition that is just this variable, not inside an expression."""
    return not any(open_ < i < close for open_, close in pairs.items()
                   if toks[open_].text == "(")


def _blank_labels(toks: list[Token], pairs: dict[int, int], origin: str) -> None:
    """A blank node label belongs to one basic graph pattern (templates are exempt). A group
    `{ }` is a pattern of its own, and inside a group every pattern other than FILTER
    (OPTIONAL, MINUS, UNION, GRAPH, SERVICE, BIND, VALUES, a nested group) ends the triples
    before it: SPARQL 1.1 section 18.2.2.6 joins the triples after it as another pattern."""
    opened: list[list] = []  # [index of the `{`, is it a template?, triples block number]
    first: dict[str, tuple[tuple[int, int], Token]] = {}
    for i, tok in enumerate(toks):
        word = tok.text.upper() if tok.kind == "word" else ""
        if tok.kind == "other" and tok.text == "{":
            before = toks[i - 1].text.upper() if i and toks[i - 1].kind == "word" else ""
            template = (bool(opened) and opened[-1][1]) or before in TEMPLATE_OPENERS or (
                before == "WHERE" and i > 1 and toks[i - 2].text.upper() == "DELETE")
            if opened and before != "EXISTS":  # FILTER [NOT] EXISTS { } ends no triples
                opened[-1][2] += 1
            opened.append([i, template, 0])
        elif tok.kind == "other" and tok.text == "}" and opened:
            opened.pop()
        elif word in BGP_ENDERS and opened:
            opened[-1][2] += 1
        elif tok.kind == "bnode" and opened and not opened[-1][1]:
            block = (opened[-1][0], opened[-1][2])
            seen = first.setdefault(tok.text, (block, tok))
            if seen[0] != block:
                raise _error(f"the blank node {tok.text} is used in two graph patterns (first "
                             f"at {seen[1].line}:{seen[1].column}); a label belongs to one "
                             "pattern: use a variable to join them", tok, origin)
