"""Answers people read and hand on: `describe`, `brief` and `timeline`, checked on the
shipped graph section by section, and the terminal output that fits its width."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from kqgraph import Graph, dates
from kqgraph.cells import width
from kqgraph.cli import cli

KQR = "https://w3id.org/kqgraph/id/"
KQS = "https://w3id.org/kqgraph/source/"
TALK = KQS + "lim-yong-woo-ai-seoul-2025-talk"
DAY = "2025-06-01"


def kq(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def numbered(text: str) -> dict[int, str]:
    """The sources listed at the end of a text output: number → the line."""
    found = {}
    for line in text.split("Sources\n", 1)[1].splitlines():
        if match := re.match(r"\s*\[(\d+)\] (.*)", line):
            found[int(match[1])] = match[2]
    return found


def number_of(sources: dict[int, str], start: str) -> int:
    return next(n for n, line in sources.items() if line.startswith(start))


# --- describe --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mila() -> str:
    code, out, err = kq("describe", "밀라", env={"COLUMNS": "200"})
    assert code == 0, err
    return out


def test_describe_shows_a_figure_with_its_qualifier_unit_date_and_source(mila: str):
    sources = numbered(mila)
    talk = number_of(sources, "Quebec's AI trends and international cooperation opportunities")
    assert f"Number of Mila researchers: more than 1,400 researchers (2025-02-11) [{talk}]" \
        in mila
    # The talk has no address of its own: the blog post that reports it stands in.
    assert sources[talk].endswith("via https://healing-bling.tistory.com/13")
    assert "approximately 900 researchers (2021)" in mila


def test_describe_gives_names_with_their_language(mila: str):
    assert re.search(r"^  name\s+ko 밀라 · en Mila · fr Mila$", mila, re.MULTILINE)
    assert "en Montreal Institute for Learning Algorithms" in mila
    code, out, _ = kq("describe", "ford", env={"COLUMNS": "200"})
    assert code == 0
    assert re.search(r"^  name\s+en Ford Motor Company · fr Ford · ko — no Korean name in the "
                     r"sources$", out, re.MULTILINE)


def test_describe_shows_a_dispute_side_by_side_each_value_with_its_own_source(mila: str):
    sources = numbered(mila)
    n = {year: number_of(sources, start) for year, start in (
        ("1993", "en.wikipedia.org"), ("2009", "cdpq.com"), ("2017", "dongascience"))}
    side_by_side = f"1993 [{n['1993']}] · 2009 [{n['2009']}] · 2017 [{n['2017']}]"
    assert f"Mila's founding year: {side_by_side}" in mila  # the dispute
    assert re.search(rf"^  founding date\s+{re.escape(side_by_side)} — disputed$", mila,
                     re.MULTILINE)  # the value line says so, with each statement's source


def test_describe_numbers_each_source_once_with_its_address(mila: str):
    sources = numbered(mila)
    assert sorted(sources) == list(range(1, len(sources) + 1))
    assert len(set(sources.values())) == len(sources)
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", mila.split("\nSources\n")[0])}
    cited |= {n for a, b in re.findall(r"\[(\d+)–(\d+)\]", mila) for n in range(int(a),
                                                                                int(b) + 1)}
    assert cited == set(sources)  # every source listed is cited, and the other way round
    wikipedia = number_of(sources, "en.wikipedia.org")
    assert sources[wikipedia].endswith("https://en.wikipedia.org/wiki/Mila_(research_institute)")


def test_describe_shows_relations_with_date_and_the_other_party(mila: str):
    assert re.search(r"^  party of\s+→ ", mila, re.MULTILINE)
    assert re.search(r"→ Mila–Seoul AI Hub MOU \(2023-06-27\) with Seoul AI Hub \[\d+", mila)
    out = kq("describe", "ford", env={"COLUMNS": "400"})[1]
    assert re.search(r"investor of\s+→ EcoPro BM, SK On and Ford's Bécancour cathode plant "
                     r"investment \(2023-08-17\) with .*left 2024-10 \[", out)


def test_describe_fits_the_terminal():
    for name in ("mila", "quebec-government-office-seoul", "퀘벡"):
        code, out, _ = kq("describe", name, env={"COLUMNS": "80"})
        assert code == 0
        assert max(width(line) for line in out.splitlines()) <= 80, name
    assert max(width(line) for line in kq("describe", "mila", "--lang", "ko",
                                          env={"COLUMNS": "60"})[1].splitlines()) <= 60


def test_describe_as_markdown_and_json():
    code, out, _ = kq("describe", "mila", "--format", "markdown")
    assert code == 0
    assert out.startswith("# Mila\n")
    assert "## Relations" in out and "## Sources" in out
    assert "- **founding date**: 1993 [" in out
    assert re.search(r"^1\. .+ — <https?://", out, re.MULTILINE)  # numbered, linked
    desc = json.loads(kq("describe", "mila", "--format", "json")[1])
    figure = next(line for line in desc["lines"] if line["section"] == "figures"
                  and line["property"] == "Number of Mila researchers")
    value = figure["values"][0]
    assert (value["text"], value["when"]) == ("more than 1,400 researchers", "2025-02-11")
    talk = next(s for s in desc["sources"] if s["iri"] == TALK)
    assert value["sources"] == [talk["number"]]


def test_describe_in_korean_keeps_korean_word_order():
    code, out, _ = kq("describe", "mila", "--lang", "ko", env={"COLUMNS": "200"})
    assert code == 0
    assert "밀라의 연구원 수: 1,400 researchers 초과 (2025-02-11) [" in out
    assert re.search(r"^  당사자로서\s+→ ", out, re.MULTILINE)
    assert "\n출처\n" in out


# --- brief -----------------------------------------------------------------------------------

def sections(markdown: str) -> dict[str, str]:
    """A Markdown brief by its `## ` headings."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def check_sources(markdown: str) -> None:
    """Every mark points to a listed source and every listed source is cited."""
    body, listed = markdown.split("\n## Sources\n", 1) if "\n## Sources\n" in markdown \
        else markdown.split("\n## 출처\n", 1)
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", listed, re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1))
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    cited |= {n for a, b in re.findall(r"\[(\d+)–(\d+)\]", body)
              for n in range(int(a), int(b) + 1)}
    assert cited == set(numbers)


def test_brief_on_mila_section_by_section():
    code, out, err = kq("brief", "mila", "--on", DAY)
    assert code == 0, err
    assert out.startswith("# Briefing: Mila\n\nStatuses as of 2025-06-01.")
    parts = sections(out)
    assert list(parts) == ["Who", "Agreements (5)", "Presences (1)",
                           "Investments and funding (1)", "Partners", "Key figures",
                           "Open disputes (the sources disagree)", "Timeline", "Sources"]
    assert "ko 밀라 · en Mila · fr Mila" in parts["Who"]
    agreements = parts["Agreements (5)"].splitlines()
    assert agreements[0].startswith("- Mila's university partnership — partnership agreement "
                                    "· 2017 · in force")
    assert any(line.startswith("- Mila–Seoul AI Hub MOU (2023) — memorandum of understanding "
                               "· 2023-06-27 · in force · Mila, Seoul AI Hub [")
               for line in agreements)
    assert parts["Presences (1)"].startswith(
        "- Samsung's SAIT AI lab at Mila — research lab · 2018-10 · active")
    assert "4,500,000 CAD" in parts["Investments and funding (1)"]
    assert parts["Partners"].startswith("- Partners of Mila: Seoul AI Hub (3 ties); ")
    assert re.search(r"Number of Mila researchers: more than 1,400 researchers \(2025-02-11\) "
                     r"\[\d+\]", parts["Key figures"])
    assert re.search(r"Mila's founding year: 1993 \[\d+\] · 2009 \[\d+\] · 2017 \[\d+\]",
                     parts["Open disputes (the sources disagree)"])
    days = re.findall(r"^- (\S+) · ", parts["Timeline"], re.MULTILINE)
    assert days and [dates.interval(d) for d in days] == sorted(dates.interval(d) for d in days)
    assert "How" not in out  # one entity: nothing to connect
    check_sources(out)


def test_brief_on_quebec_and_seoul():
    code, out, err = kq("brief", "Quebec and Seoul", "--on", DAY)
    assert code == 0, err
    parts = sections(out)
    assert out.startswith("# Briefing: Quebec and Seoul\n")
    assert parts["Who"].splitlines() == [
        "- Quebec — province · Canada: ko 퀘벡주 · en Quebec · fr Québec [1–3]",
        "- Seoul — city · Republic of Korea: ko 서울 · en Seoul · fr Séoul [1]"]
    agreements = next(v for k, v in parts.items() if k.startswith("Agreements"))
    # Only what ties the two: Montreal is in Quebec, the Seoul AI Hub in Seoul.
    assert "Quebec–Seoul Friendship and Cooperation Agreement — friendship and cooperation " \
           "agreement · 2024-08 · in force · Government of Quebec, Seoul Metropolitan " \
           "Government [" in agreements
    assert "Montreal–Seoul friendship and cooperation agreement (2015)" in agreements
    assert "Mila–Seoul AI Hub MOU (2023)" in agreements
    assert "ETRI" not in agreements  # Mila and a Daejeon institute: not Seoul
    # Known only as announced, as the saved query in-force says too.
    assert "Investissement Québec office in Seoul — office · 2013-12-10 · announced" in \
        next(v for k, v in parts.items() if k.startswith("Presences"))
    partners = parts["Partners"].splitlines()
    assert partners[0].startswith("- Partners of Quebec: Seoul AI Hub (4 ties)")
    assert partners[1].startswith("- Partners of Seoul: Mila (3 ties)")
    connection = parts["How Quebec and Seoul are connected"]
    # kqgraph path's shortest chain, every hop labelled and the chain's sources numbered
    assert connection.startswith("Shortest chains of relations (Graph.path):")
    assert "Quebec ← location ← Government of Quebec ← part of (1991) ← Quebec Government " \
           "Office in Seoul → location (1991) → Seoul [" in connection
    check_sources(out)


def test_brief_in_korean():
    code, out, err = kq("brief", "밀라", "--lang", "ko", "--on", DAY)
    assert code == 0, err
    parts = sections(out)
    assert out.startswith("# 브리핑: 밀라\n\n상태 기준일 2025-06-01.")
    assert list(parts) == ["개요", "협정 (5)", "진출 (1)", "투자 및 자금 지원 (1)", "협력 상대",
                           "주요 수치", "미해결 불일치 (출처 간 차이)", "연표", "출처"]
    assert "밀라–서울 AI 허브 양해각서 (2023) — 양해각서 · 2023-06-27 · 발효 중" in \
        parts["협정 (5)"]
    assert "밀라의 연구원 수: 1,400 researchers 초과 (2025-02-11) [" in parts["주요 수치"]
    assert "- 밀라의 협력 상대: 서울 AI 허브 (3건)" in parts["협력 상대"]
    code, out, _ = kq("brief", "퀘벡주와 서울", "--lang", "ko", "--on", DAY)
    assert code == 0 and out.startswith("# 브리핑: 퀘벡주와 서울\n")
    assert "## 퀘벡주와 서울의 연결 관계" in out


def test_brief_statuses_follow_the_dates():
    code, out, _ = kq("brief", "EcoPro BM", "--on", DAY)
    assert code == 0
    assert "EcoPro BM and SK On's cathode plant in Bécancour — plant · 2023-08-17 · paused" in out
    assert re.search(r"Ford Motor Company left 2024-10 \[\d+", out)
    assert "Hyundai Bromont assembly plant — plant · 1989-07-04 – 1993-09-17 · closed" in \
        kq("brief", "hyundai", "--on", DAY)[1]
    # Two sources date the Quebec–Daejeon signing apart: disputed between their dates.
    agreement = ("Quebec–Daejeon research and innovation collaboration agreement — agreement "
                 "(treaty or accord), memorandum of understanding · 2025-06-11 · 2025-08 · ")
    assert agreement + "disputed" in kq("brief", "Quebec", "Daejeon", "--on", "2025-07-01")[1]
    assert agreement + "in force" in kq("brief", "Quebec", "Daejeon", "--on", "2025-09-01")[1]


class Hop(NamedTuple):
    source_label: str
    label: str
    target_label: str
    date: str
    sources: tuple[str, ...]


class Path_(NamedTuple):
    hops: list[Hop]


class WithPaths(Graph):
    """A graph that can find paths, as Graph will once the analysis stage lands."""

    def path(self, a: str, b: str, *, lang: str = "en") -> list[Path_]:
        return [Path_([Hop("Quebec", "contains", "City of Montreal", "", ()),
                       Hop("City of Montreal", "sister city", "Busan", "2000-09-19",
                           ("kqs:busan-montreal",))])]


def test_brief_uses_graph_path_when_the_graph_has_it():
    from kqgraph.briefing import render

    found = WithPaths().brief("Quebec", "Busan", day=DAY)
    assert found.connection_method == "path"
    text = render(found, "markdown")
    assert "Shortest chains of relations (Graph.path):" in text
    number = next(s.number for s in found.sources if s.iri == KQS + "busan-montreal")
    assert f"- Quebec → contains → City of Montreal → sister city (2000-09-19) → Busan " \
           f"[{number}]" in text


class Stop(NamedTuple):  # the analysis stage's answer, as kqgraph.analysis shapes it
    id: str
    iri: str
    label: str
    kind: str
    kind_label: str


class Link(NamedTuple):
    source: str
    target: str
    property: str
    label: str
    forward: bool
    start: str
    end: str
    sources: tuple[str, ...]
    source_labels: tuple[str, ...]


class Chain(NamedTuple):
    stops: list[Stop]
    hops: list[Link]


class Connection(NamedTuple):
    chains: list[Chain]
    hops: int | None


class WithConnections(Graph):
    def path(self, a: str, b: str, *, lang: str = "en") -> Connection:
        stops = [Stop("kqr:mila", KQR + "mila", "Mila", "kq:ResearchInstitute", ""),
                 Stop("kqr:m", KQR + "mila-seoul-ai-hub-mou-2023", "Mila–Seoul AI Hub MOU",
                      "kq:Agreement", ""),
                 Stop("kqr:s", KQR + "seoul-ai-hub", "Seoul AI Hub", "kq:Hub", "")]
        hops = [Link("kqr:mila", "kqr:m", "kq:party", "party", False, "2023-06-27", "",
                     ("kqs:hankyung-202307093270",), ()),
                Link("kqr:m", "kqr:s", "kq:party", "party", True, "2023-06-27", "", (), ())]
        return Connection([Chain(stops, hops)], 2)


def test_brief_reads_the_analysis_stages_connection():
    from kqgraph.briefing import render

    found = WithConnections().brief("mila", "seoul-ai-hub", day=DAY)
    number = next(s.number for s in found.sources if s.iri == KQS + "hankyung-202307093270")
    assert f"- Mila ← party (2023-06-27) ← Mila–Seoul AI Hub MOU → party (2023-06-27) → " \
           f"Seoul AI Hub [{number}]" in render(found, "markdown")
    empty = type("Empty", (Graph,), {"path": lambda self, a, b, lang="en": Connection([], None)})
    assert empty().brief("mila", "seoul-ai-hub", day=DAY).connection_method == "shared"
    assert Graph().brief("Quebec", "Busan", day=DAY).connection_method == "path"


def test_brief_files_by_suffix(tmp_path: Path):
    md, page = tmp_path / "mila.md", tmp_path / "mila.html"
    assert kq("brief", "mila", "-o", str(md), "--on", DAY)[:2] == (0, f"{md}\n")
    assert md.read_text(encoding="utf-8").startswith("# Briefing: Mila")
    assert kq("brief", "mila", "-o", str(page), "--on", DAY)[0] == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html
    assert "<script" not in html and "@page { size: A4" in html
    code, _, err = kq("brief", "mila", "-o", str(tmp_path / "mila.pdf"))
    assert code == 2 and "name it .md or .html" in err
    assert kq("brief", "nowhere-at-all")[0] == 2
    assert kq("brief", "mila", "--on", "2025-13-01")[0] == 2


def test_brief_html_escapes_the_data(tmp_path: Path):
    ttl = tmp_path / "hostile.ttl"
    ttl.write_text("""
@prefix kq: <https://w3id.org/kqgraph/ontology#> .
@prefix kqs: <https://w3id.org/kqgraph/source/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
<https://example.org/a> a kq:Company ; rdfs:label "<img src=x onerror=alert(1)>"@en ;
    schema:description "</style><script>alert(2)</script>"@en ; prov:wasDerivedFrom kqs:x .
kqs:x a kq:Source ; rdfs:label "<b>bold</b>"@en ; schema:url "javascript:alert(3)" .
""", encoding="utf-8")
    out = tmp_path / "b.html"
    code, _, err = kq("brief", "https://example.org/a", "-g", str(ttl), "-o", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in html  # not an http(s) address: not a link, not shown as one


# --- timeline --------------------------------------------------------------------------------

def test_timeline_is_in_date_order_with_sources():
    events = Graph().timeline()
    assert len(events) > 100
    spans = [(e.lo, e.hi) for e in events]
    assert spans == sorted(spans)
    assert all(e.sources for e in events)
    by_date = [e.date for e in events]
    # A year covers all of it: 2016 comes after 2015-... and before 2016-12-20's day ends.
    assert by_date.index("2016") < by_date.index("2016-12-20")
    assert max(i for i, d in enumerate(by_date) if d.startswith("2015")) < by_date.index("2016")


def test_timeline_of_ford():
    code, out, _ = kq("timeline", "ford", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["date"], r["step_label"], r["relation_label"], r["value_label"]) for r in rows] == [
        ("2023-08-17", "date announced", "", ""),
        ("2023-08-17", "start date", "investor", "Ford Motor Company"),
        ("2024-10", "end date", "investor", "Ford Motor Company")]
    assert "https://fordauthority.com/2024/11/ford-pulls-out-of-ecopro-cathode-plant-in-canada/" \
        in rows[2]["source_urls"].split()
    assert KQS + "fordauthority-ford-pulls-out-ecopro" in rows[2]["sources"].split()
    code, out, _ = kq("timeline", "ford", env={"COLUMNS": "80"})
    assert code == 0 and out.splitlines()[0].split() == ["date", "what", "step", "sources"]
    assert max(width(line) for line in out.splitlines()) <= 80


def test_timeline_range_keeps_what_overlaps_it():
    events = Graph().timeline(start="2024-10-05", end="2024-10-05")
    assert "2024-10" in {e.date for e in events}  # Ford left some day in October 2024
    assert all(e.lo <= "2024-10-05" <= e.hi for e in events)
    data = json.loads(kq("timeline", "--from", "2024", "--to", "2024", "--format", "json")[1])
    assert data and all(d["date"].startswith("2024") for d in data)
    assert all(s["label"] and "url" in s for d in data for s in d["sources"])
    assert kq("timeline", "--from", "2025", "--to", "2024")[0] == 2
    assert kq("timeline", "--from", "soon")[0] == 2


# --- terminal output -------------------------------------------------------------------------

def test_query_tables_show_labels_and_fit_the_terminal():
    code, out, _ = kq("query", "agreements", "--format", "table", env={"COLUMNS": "100"})
    assert code == 0
    assert max(width(line) for line in out.splitlines()) <= 100
    assert "space-environment" not in out and "memorandumOfUnderstanding" not in out
    code, out, _ = kq("query", "agreements", "--format", "table", env={"COLUMNS": "400"})
    sti = next(line for line in out.splitlines() if line.startswith("Canada–Korea Agreement "
                                                                     "for Science"))
    assert "aerospace; artificial intelligence; energy" in sti
    assert "koreaherald.com: view.php?ud=20161226000244" in out  # sources by label too
    assert "https://w3id.org/kqgraph/source/" not in out


def test_a_query_naming_a_term_not_in_the_vocabulary_warns():
    code, out, err = kq("query", "SELECT ?u WHERE { ?u a kq:Universty }", "--format", "csv")
    assert (code, out.strip()) == (0, "u")
    assert err == ("kqgraph: warning: kq:Universty is not a term of the kq: vocabulary (did you "
                   "mean kq:University?); it matches nothing\n")
    assert kq("query", "SELECT ?u WHERE { ?u a kq:University }", "--format", "csv")[2] == ""
    own = "PREFIX kq: <http://example.org/> SELECT ?u WHERE { ?u a kq:Universty }"
    assert kq("query", own, "--format", "csv")[2] == ""  # the user's own kq: prefix
