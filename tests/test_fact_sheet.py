"""Every row of the project's sourced fact sheet (../shared/facts.md, sections 1–4) is in the
graph, or listed in graph/omissions.md with the reason; and every source address of a row is a
source of what that row produced (a node or statement carrying `kq:factSheetRow "<row>"`).

The fact sheet lives outside the repository, beside the checkout (as CI lays it out); a clone
without it skips these tests."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT.parent / "shared" / "facts.md"
OMISSIONS = ROOT / "graph" / "omissions.md"
ROW = re.compile(r"^\| ((?:E|P|S|F|Q|SD)\d+) \|")
URL = re.compile(r"https?://\S+")

if not FACTS.is_file() and os.environ.get("KQGRAPH_CI"):  # CI must check them, not skip
    raise RuntimeError(f"KQGRAPH_CI is set and the fact sheet is not at {FACTS}")
pytestmark = pytest.mark.skipif(
    not FACTS.is_file(),
    reason=f"the fact sheet is not beside this checkout ({FACTS}); CI lays it out there")


def fact_rows() -> dict[str, list[str]]:
    """Row id -> its cells, for every table row of sections 1–4."""
    rows = {}
    for line in FACTS.read_text(encoding="utf-8").splitlines():
        if match := ROW.match(line):
            rows[match[1]] = [c.strip() for c in line.strip().strip("|").split(" | ")]
    return rows


def row_urls(rows: dict[str, list[str]], row: str) -> list[str]:
    """The source addresses of a row (its last column); "same as Q17" points to Q17's."""
    last = rows[row][-1]
    if match := re.fullmatch(r"same as (\w+)", last):
        return row_urls(rows, match[1])
    return URL.findall(last)


def omitted() -> dict[str, str]:
    """Rows deliberately left out: the `| ID | reason |` table of graph/omissions.md."""
    found = {}
    for line in OMISSIONS.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\| ((?:E|P|S|F|Q|SD)\d+) \| (.+) \|$", line):
            found[match[1]] = match[2].strip()
    return found


def test_the_fact_sheet_has_the_rows_it_announces():
    rows = fact_rows()
    kinds = {k: sum(1 for r in rows if re.fullmatch(rf"{k}\d+", r))
             for k in ("E", "P", "S", "F", "Q", "SD")}
    assert kinds == {"E": 75, "P": 13, "S": 7, "F": 93, "Q": 51, "SD": 20}


def test_every_row_is_in_the_graph_or_omitted_with_a_reason(select):
    rows = fact_rows()
    in_graph = {r["row"] for r in select("SELECT DISTINCT ?row WHERE { ?n kq:factSheetRow ?row }")}
    skipped = omitted()
    assert all(skipped.values()), "an omission needs its reason"
    assert not set(skipped) & in_graph, "a row is both in the graph and omitted"
    assert sorted(set(rows) - in_graph - set(skipped)) == []
    assert sorted(in_graph - set(rows)) == [], "kq:factSheetRow names a row the sheet lacks"


def test_every_source_of_a_row_is_a_source_of_what_it_produced(select):
    rows = fact_rows()
    produced: dict[str, set[str]] = {}
    for r in select("""SELECT ?row ?url WHERE { ?n kq:factSheetRow ?row ;
                                                  prov:wasDerivedFrom/schema:url ?url }"""):
        produced.setdefault(r["row"], set()).add(r["url"])
    lacking = {row: sorted(set(row_urls(rows, row)) - produced.get(row, set()))
               for row in rows if row not in omitted()}
    assert {row: urls for row, urls in lacking.items() if urls} == {}


def test_the_graph_cites_the_original_addresses_never_the_fact_sheet(select):
    urls = {r["u"] for r in select("SELECT ?u WHERE { ?s a kq:Source ; schema:url ?u }")}
    sheet = {u for row in fact_rows() for u in row_urls(fact_rows(), row)}
    assert not [u for u in urls if "facts.md" in u or "shared/" in u]
    # Every address is one the sheet gives, but for one its review notes give (4th.kr).
    assert sorted(urls - sheet) == ["http://www.4th.kr/news/articleViewAmp.html?idxno=2054090"]
    assert "http://www.4th.kr/news/articleViewAmp.html?idxno=2054090" in \
        FACTS.read_text(encoding="utf-8")
