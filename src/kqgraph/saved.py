"""Saved queries: the questions kept in graph/queries/*.rq, with their title, description
and parameters read from the file's header comment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from kqgraph.errors import KqError
from kqgraph.files import graph_dir

HEADER_RE = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
PARAM_RE = re.compile(r"^(\w+)\s*=\s*(\S+)\s*(?:[-—]\s*)?(.*)$")


class Param(NamedTuple):
    name: str
    default: str
    description: str


class SavedQuery(NamedTuple):
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def queries_dir() -> Path:
    return graph_dir() / "queries"


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
