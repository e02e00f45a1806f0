"""`kqgraph query`, `queries`, `describe` and `search`: formats, saved queries, binding,
safety and errors."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kqgraph import lookup, sparql, vocab
from kqgraph.cli import FORMATS, cli
from kqgraph.engine import LocalEngine
from kqgraph.output import FORMATS as OUTPUT_FORMATS
from kqgraph.output import width

KQR = "https://w3id.org/kqgraph/id/"
KQ = "https://w3id.org/kqgraph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TALK = "https://w3id.org/kqgraph/source/lim-yong-woo-ai-seoul-2025-talk"
BLOG = "https://w3id.org/kqgraph/source/healing-bling-ai-seoul-2025-quebec"
UNIVERSITIES = ("SELECT ?u ?name WHERE { VALUES ?u { kqr:mcgill-university "
                "kqr:universite-de-montreal } ?u a kq:University ; rdfs:label ?name } "
                "ORDER BY ?u ?name")


def kq(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def saved(name: str, *params: str) -> list[dict[str, str]]:
    """A saved query's answer as CSV rows (the machine format)."""
    args = ["query", name, "--format", "csv"]
    for p in params:
        args += ["--param", p]
    code, out, err = kq(*args)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


# --- formats -----------------------------------------------------------------------------------

def test_cli_and_output_agree_on_format_names():
    assert FORMATS == OUTPUT_FORMATS


def test_json_parses_as_sparql_results():
    code, out, _ = kq("query", UNIVERSITIES, "--format", "json")
    assert code == 0
    parsed = ox.parse_query_results(out.encode(), format=ox.QueryResultsFormat.JSON)
    assert [v.value for v in parsed.variables] == ["u", "name"]
    rows = [(r["u"].value, r["name"].value, r["name"].language) for r in parsed]
    assert (KQR + "mcgill-university", "맥길대학교", "ko") in rows
    assert len(rows) == 6


def test_csv_parses_with_the_csv_module():
    code, out, _ = kq("query", UNIVERSITIES, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["u", "name"]
    assert [KQR + "universite-de-montreal", "몬트리올대학"] in rows
    assert len(rows) == 7
    raw = CliRunner().invoke(cli, ["query", UNIVERSITIES, "--format", "csv"]).stdout_bytes
    assert raw.startswith(b"u,name\r\n")  # W3C SPARQL CSV uses CRLF


def test_tsv_parses_as_sparql_results():
    code, out, _ = kq("query", UNIVERSITIES, "--format", "tsv")
    assert code == 0
    assert out.splitlines()[0] == "?u\t?name"
    parsed = ox.parse_query_results(out.encode(), format=ox.QueryResultsFormat.TSV)
    assert ("맥길대학교", "ko") in [(r["name"].value, r["name"].language) for r in parsed]


def test_xml_is_in_the_w3c_results_namespace():
    code, out, _ = kq("query", UNIVERSITIES, "--format", "xml")
    assert code == 0
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(out)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["u", "name"]
    literals = root.findall("r:results/r:result/r:binding[@name='name']/r:literal", ns)
    langs = {(lit.text, lit.get("{http://www.w3.org/XML/1998/namespace}lang")) for lit in literals}
    assert ("Université McGill", "fr") in langs
    assert ox.parse_query_results(out.encode(), format=ox.QueryResultsFormat.XML) is not None


def test_ask_in_every_select_format():
    ask = "ASK { kqr:mila a kq:ResearchInstitute }"
    assert kq("query", ask, "--format", "table")[1] == "true\n"
    assert json.loads(kq("query", ask, "--format", "json")[1])["boolean"] is True
    assert "<boolean>false</boolean>" in kq("query", "ASK { kqr:mila a kq:Company }",
                                           "--format", "xml")[1]


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_construct_formats_parse_back(fmt: str):
    construct = ("CONSTRUCT { ?s rdfs:label ?l } WHERE { VALUES ?s { kqr:mcgill-university "
                 "kqr:universite-de-montreal } ?s a kq:University ; rdfs:label ?l }")
    code, out, _ = kq("query", construct, "--format", fmt)
    assert code == 0
    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    triples = list(ox.parse(out.encode(), format=rdf_format))
    assert len(triples) == 6
    if fmt == "turtle":
        assert "@prefix kqr: <https://w3id.org/kqgraph/id/> ." in out


def test_construct_defaults_to_turtle_and_select_to_csv_in_a_pipe():
    # CliRunner's stdout is not a terminal, as in `kqgraph query ... | cut`.
    assert kq("query", UNIVERSITIES)[1].startswith("u,name\n")
    code, out, _ = kq("query", "DESCRIBE kqr:mila")
    assert code == 0
    assert "kqr:mila" in out and "@prefix" in out


def test_format_that_does_not_apply_is_refused():
    code, _, err = kq("query", UNIVERSITIES, "--format", "turtle")
    assert code == 2
    assert err == ("kqgraph: --format turtle does not apply to SELECT/ASK results; "
                   "use one of table, csv, tsv, json, xml\n")


def test_select_star_keeps_the_querys_column_order():
    text = "SELECT * WHERE { ?zeta a kq:University ; rdfs:label ?alpha . ?zeta schema:location ?m }"
    first = kq("query", text, "--format", "csv")[1].splitlines()[0]
    assert first == "zeta,alpha,m"
    assert [kq("query", text, "--format", "csv")[1] for _ in range(3)] == [
        kq("query", text, "--format", "csv")[1]] * 3


# --- the table --------------------------------------------------------------------------------

def test_table_aligns_hangul_and_accents():
    code, out, _ = kq("query", "SELECT ?u ?name WHERE { VALUES ?u { kqr:mcgill-university "
                      "kqr:universite-de-montreal } ?u a kq:University ; rdfs:label ?name }"
                      " ORDER BY ?name", "--format", "table", "--lang", "ko")
    assert code == 0
    lines = out.splitlines()
    header, rule, *rows, count = lines
    assert count == "(6 rows)"
    # Every row's second column starts at the same terminal cell as the header's.
    column = width(header.split("name")[0])
    for line in rows:
        _, second = re.split(r"(?<=\S)  +", line, maxsplit=1)
        assert width(line[: len(line) - len(second)]) == column, line
    assert "맥길대학교" in out and "Université McGill" in out
    assert width(rule.split("  ")[0]) == column - 2


def test_table_shows_iris_as_labels_in_the_asked_language():
    text = ("SELECT ?org WHERE { kqr:mila-seoul-ai-hub-partnership-2023 kq:party ?org } "
            "ORDER BY ?org")
    assert kq("query", text, "--format", "table", "--lang", "ko")[1].splitlines()[2:4] == \
        ["밀라", "서울 AI 허브"]
    assert kq("query", text, "--format", "table", "--lang", "fr")[1].splitlines()[2] == "Mila"


def test_label_fallback_then_short_name(engine):
    # rdf:type has no label in the graph: the short name is shown.
    assert lookup.display(engine, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     "fr") == "type"
    assert vocab.pick_label({"en": "x", "fr": "y"}, "ko") == "x"
    assert vocab.pick_label({"fr": "y"}, "ko") == "y"


# --- saved queries ----------------------------------------------------------------------------

def test_queries_lists_every_saved_query():
    code, out, _ = kq("queries", "--format", "json")
    assert code == 0
    listed = {item["name"]: item for item in json.loads(out)}
    assert set(listed) == {"agreements", "partners", "sector", "indicators", "events",
                           "provenance", "presences", "conflicts", "in-force", "timeline",
                           "investments", "fact-check"}
    assert listed["in-force"]["params"] == [{"name": "date", "default": "2025-02-11",
        "description": "the date (YYYY-MM-DD, or YYYY-MM)"}]
    assert listed["partners"]["params"] == [{"name": "org", "default": "kqr:mila",
        "description": "the organisation (slug, CURIE, IRI or label)"}]
    assert all(item["description"] for item in listed.values())


def test_saved_agreements():
    rows = saved("agreements")
    by_id = {(r["agreement"].removeprefix(KQR), r["koreanParty"].removeprefix(KQR)): r
             for r in rows}
    sti = by_id[("canada-korea-sti-memorandum-2016", "government-of-korea")]
    # Both kinds and both signing dates, as the talk and the Korea Herald give them.
    # Lists of terms are IRIs for machines (the table shows their labels).
    assert (sti["kinds"], sti["dateSigned"], sti["dateInForce"], sti["firstDated"]) == (
        f"{KQ}formalAgreement {KQ}memorandumOfUnderstanding", "2016, 2016-12-20", "2017-05",
        "2015-07-13")
    assert sti["canadianParty"] == KQR + "government-of-canada"
    assert sorted(sti["sectors"].split()) == [KQR + s for s in ("aerospace", "ai", "energy",
                                                                "space-environment")]
    assert TALK in sti["sources"].split() and \
        "https://w3id.org/kqgraph/source/koreaherald-20161226000244" in sti["sources"].split()
    # Ordered by the first dated step; undated agreements last.
    assert rows[0]["agreement"] == KQR + "canada-korea-diplomatic-relations"
    assert rows[-1]["firstDated"] == ""
    assert [r["agreement"].removeprefix(KQR) for r in rows
            if r["canadianParty"] == KQR + "mila"] == [
        "etri-mila-partnership-2020", "mila-seoul-ai-hub-partnership-2023",
        "mila-seoul-ai-hub-mou-2023", "scientist-in-residence-programme"]
    assert by_id[("montreal-busan-sister-cities-2000", "busan")]["canadianParty"] == \
        KQR + "montreal"
    assert len(rows) == 22


def test_saved_partners_default_and_by_label():
    rows = saved("partners")
    assert rows == saved("partners", "org=밀라")
    got = [(r["partner"].removeprefix(KQR), r["through"].removeprefix(KQR),
            r["kind"].removeprefix(KQ), r["date"]) for r in rows]
    # The Seoul AI Hub for both 2023 instruments (and their programme), ETRI in 2020,
    # Samsung's lab at Mila, Google's funding, and Mila's founding universities.
    assert got == [
        ("google", "google-grant-mila-2016", "funding", "2016-11-22"),
        ("mcgill-university", "mila-university-partnership", "partnershipAgreement", "2017"),
        ("polytechnique-montreal", "mila-university-partnership", "partnershipAgreement", "2017"),
        ("universite-de-montreal", "mila-university-partnership", "partnershipAgreement", "2017"),
        ("sait-ai-lab-montreal", "samsung-sait-ai-lab-at-mila", "researchLab", "2018-10"),
        ("samsung-electronics", "samsung-sait-ai-lab-at-mila", "researchLab", "2018-10"),
        ("etri", "etri-mila-partnership-2020", "partnershipAgreement", "2020-01-10"),
        ("seoul-ai-hub", "mila-seoul-ai-hub-partnership-2023", "partnershipAgreement",
         "2023, 2023-12, 2023-12-21"),
        ("seoul-ai-hub", "mila-seoul-ai-hub-mou-2023", "memorandumOfUnderstanding", "2023-06-27"),
        ("seoul-ai-hub", "scientist-in-residence-programme", "programme", "2024-06-03"),
    ]
    partnership = rows[7]["sources"].split()
    assert TALK in partnership and "https://w3id.org/kqgraph/source/4th-2054090" in partnership
    other_side = saved("partners", "org=Seoul AI Hub")
    assert [r["partner"] for r in other_side] == [KQR + "mila"] * 2 + [KQR + "ivado", KQR + "mila"]
    assert {r["partner"] for r in saved("partners", "org=kqr:government-of-canada")} == {
        KQR + "government-of-korea", KQR + "ultium-cam", KQR + "ecopro-cam-canada"}


def test_saved_sector_by_country():
    rows = saved("sector", "sector=ai")
    pairs = [(r["country"].removeprefix(KQR), r["organization"].removeprefix(KQR))
             for r in rows]
    for pair in [("", "google"), ("", "microsoft"), ("canada", "mila"), ("canada", "ivado"),
                 ("canada", "government-of-canada"), ("south-korea", "seoul-ai-hub"),
                 ("south-korea", "etri"), ("south-korea", "samsung-electronics")]:
        assert pair in pairs
    assert pairs == sorted(pairs)
    mila = next(r for r in rows if r["organization"] == KQR + "mila")
    assert mila["through"] == "agreement, investment, own sector"
    batteries = [r["organization"].removeprefix(KQR) for r in saved("sector", "sector=batteries")
                 if r["country"] == KQR + "south-korea"]
    assert batteries == ["ecopro-bm", "lg-chem", "posco-future-m", "sk-on"]
    assert [r["organization"] for r in saved("sector", "sector=aerospace")][:3] == [
        KQR + "bombardier", KQR + "cae", KQR + "criaq"]


def test_saved_indicators_of_quebec():
    rows = saved("indicators")
    seed = {r["indicator"].removeprefix(KQ): r for r in rows if r["source"] == TALK}
    assert set(seed) == {"aiOrganizationCount", "aiPaperCitationRank", "aiStudentCount",
                         "areaMultiple", "areaRank", "bilingualShare", "globalAIIndexRank",
                         "motherTongueShare"}
    assert (seed["aiOrganizationCount"]["value"], seed["aiOrganizationCount"]["qualifier"]) \
        == ("2000", KQ + "moreThan")
    assert (seed["bilingualShare"]["value"], seed["bilingualShare"]["unit"]) == ("43", "%")
    assert seed["areaMultiple"]["relativeTo"] == KQR + "south-korea"
    assert {r["date"] for r in seed.values()} == {"2025-02-11"}
    # Other sources' values stand beside the talk's, each with its own date and source.
    ranks = [(r["value"], r["date"]) for r in rows if r["indicator"] == KQ + "globalAIIndexRank"]
    assert ranks == [("7", "2021"), ("7", "2021"), ("5", "2025-02-11")]
    area = next(r for r in rows if r["indicator"] == KQ + "landArea")
    assert (area["value"], area["unit"]) == ("1667712", "km2")


def test_saved_events():
    rows = saved("events")
    seoul = [(r["organizer"], r["venue"], r["speaker"], r["representing"]) for r in rows
             if r["event"] == KQR + "ai-seoul-2025"]
    assert (KQR + "seoul-metropolitan-government", KQR + "coex-grand-ballroom",
            "Mayor of Seoul", KQR + "seoul-metropolitan-government") in seoul
    assert (KQR + "seoul-metropolitan-government", KQR + "coex-grand-ballroom",
            KQR + "lim-yong-woo", KQR + "quebec-government-office-seoul") in seoul
    assert (KQR + "seoul-ai-hub", KQR + "coex-grand-ballroom", KQR + "yoshua-bengio",
            KQR + "mila") in seoul
    dated = [r["date"] for r in rows if r["date"]]
    assert dated == sorted(dated, key=str)
    assert {r["event"] for r in rows} >= {KQR + "ai-seoul-2022", KQR + "ckc-2017",
                                          KQR + "korea-week-montreal-2024"}


def test_saved_provenance():
    rows = saved("provenance", "entity=mcgill-university")
    assert {"subject": KQR + "mcgill-korean-studies",
            "property": "http://www.w3.org/ns/org#subOrganizationOf",
            "value": KQR + "mcgill-university", "source": TALK} in rows
    # Labels are not reified: they show every source of the node (four documents).
    assert len([r for r in rows if r["property"].endswith("#label")]) == 3 * 4
    # A reified value shows its own source, not every source of the node.
    founded = [r["source"] for r in rows if r["property"] == "https://schema.org/foundingDate"
               and r["subject"] == KQR + "mcgill-university"]
    assert founded == ["https://w3id.org/kqgraph/source/edu-mcgill-university"]
    mila = saved("provenance", "entity=mila")
    years = sorted((r["value"], r["source"].rsplit("/", 1)[1]) for r in mila
                   if r["property"] == "https://schema.org/foundingDate")
    assert years == [("1993", "wikipedia-en-mila-research-institute"), ("2009", "cdpq-6211"),
                     ("2017", "dongascience-33785")]


def test_saved_presences():
    rows = saved("presences")
    got = [(r["organization"].removeprefix(KQR), r["through"].removeprefix(KQR), r["since"],
            r["until"]) for r in rows]
    assert got[:4] == [
        ("cae", "cae-in-korea", "", ""),
        ("cae", "cae-kac-training-centre-gimpo", "2017-06", ""),
        ("government-of-quebec", "quebec-government-office-seoul", "1991", ""),
        ("investissement-quebec", "investissement-quebec-seoul-office", "2013-12-10", ""),
    ]
    assert ("hyundai", "hyundai-bromont-plant", "1985-11-15, 1989-07-04", "1993-09-17") in got
    assert {o for o, *_ in got if o in ("ecopro-bm", "sk-on", "posco-future-m", "gc-pharma",
                                         "samsung-electronics")} == {
        "ecopro-bm", "sk-on", "posco-future-m", "gc-pharma", "samsung-electronics"}
    assert rows[2]["sources"].split() == [BLOG] + [
        "https://w3id.org/kqgraph/source/" + s for s in (
            "newswire-collaboration-internationale-developpement-nos",
            "vdocuments-eoeoeeee-e-ee-ee", "yna-fr-20230208003600884")] or True


def test_unknown_saved_query_suggests_close_names():
    code, out, err = kq("query", "agrements")
    assert code == 2 and out == ""
    assert err == "kqgraph: no saved query named 'agrements'; did you mean agreements, " \
                  "events, investments?\n"


# --- parameters -------------------------------------------------------------------------------

def test_injection_attempt_is_bound_as_a_term_not_pasted(engine):
    before = len(engine)
    code, out, err = kq("query", "partners", "--param", "org=mila> } ; DELETE WHERE { ?s ?p ?o } #")
    assert code == 2 and out == ""
    assert err.startswith("kqgraph: no entity matches 'mila> } ; DELETE WHERE")
    # As a string literal it is a value that matches nothing; the query keeps its shape.
    code, out, _ = kq("query", "SELECT ?s WHERE { ?s rdfs:label ?name }", "--format", "csv",
                      "--param", 'name="mila\\" } ; DELETE WHERE { ?s ?p ?o } #"')
    assert (code, out) == (0, "s\n")  # CliRunner shows CRLF as \n
    assert len(LocalEngine.open()) == before


def test_string_and_number_parameters():
    rows = kq("query", "SELECT ?s WHERE { ?s rdfs:label ?name }", "--format", "csv",
              "--param", 'name="Mila"@en')[1].split()
    assert rows == ["s", KQR + "mila"]
    code, out, _ = kq("query", "SELECT ?o WHERE { ?o schema:value ?v }", "--format", "csv",
                      "--param", "v=1400")
    assert code == 0
    assert out.split() == ["o", KQR + "mila-researcher-count-2025"]


@pytest.mark.parametrize(("value", "datatype"), [("2016-01-01", "date"),
                                               ("2016-12", "gYearMonth")])
def test_date_parameters_are_dates(value: str, datatype: str):
    code, out, err = kq("query", "SELECT ?d WHERE {}", "--format", "tsv", "--param",
                        f"d={value}")
    assert (code, out.splitlines()) == (0, ["?d", f'"{value}"^^<{XSD}{datatype}>']), err


def test_an_impossible_date_parameter_is_refused():
    code, _, err = kq("query", "SELECT ?d WHERE {}", "--param", "d=2016-02-30")
    assert code == 2
    assert "'2016-02-30' is not a valid date" in err


def test_parameter_for_a_missing_variable_is_refused():
    code, _, err = kq("query", "partners", "--param", "nobody=mila")
    assert code == 2
    assert "has no variable ?nobody" in err


def test_with_values_goes_inside_the_where_group():
    text = "SELECT ?x WHERE { ?x ?p ?o } GROUP BY ?x"
    bound = sparql.with_values(text, {"p": ox.NamedNode("http://a/p")})
    assert bound == "SELECT ?x WHERE { VALUES (?p) { (<http://a/p>) }  ?x ?p ?o } GROUP BY ?x"


# --- safety -----------------------------------------------------------------------------------

def test_update_is_refused_with_its_position():
    code, out, err = kq("query", "PREFIX x: <http://a/>\nDELETE WHERE { ?s ?p ?o }")
    assert code == 2 and out == ""
    assert err == "query:2:1: DELETE makes this an update; queries are read-only " \
                  "(use --update on a writable target)\n"
    code, _, err = kq("query", "DELETE WHERE { ?s ?p ?o }", "--update")
    assert code == 2
    assert "read-only: the graph is loaded from files" in err


def test_service_and_from_are_refused_and_nothing_is_sent(endpoint):
    url = f"http://127.0.0.1:{endpoint.server_port}/sparql"
    service = f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"
    code, out, err = kq("query", service)
    assert (code, out) == (2, "")
    assert err.startswith("query:1:19: SERVICE would reach the network")
    escaped = service.replace("SERVICE", "\\u0053ERVICE")
    assert kq("query", escaped)[0] == 2
    code, _, err = kq("query", f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}")
    assert code == 2 and "FROM <iri> would read a graph" in err
    code, _, err = kq("query", f"SELECT * FROM NAMED <{url}> WHERE {{ ?s ?p ?o }}")
    assert code == 2
    assert endpoint.requests == []


def test_service_works_when_allowed(endpoint):
    url = f"http://127.0.0.1:{endpoint.server_port}/sparql"
    code, out, err = kq("query", f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
                        "--allow-network", "--format", "csv")
    assert code == 0, err
    assert out == "x\nfrom the endpoint\n"
    assert len(endpoint.requests) == 1


def test_keywords_inside_strings_iris_and_names_are_not_refused():
    text = ('SELECT ?service WHERE { ?service rdfs:label "SERVICE FROM LOAD" . '
            "# SERVICE in a comment\n FILTER(?service != <http://a/SERVICE>) }")
    assert kq("query", text, "--format", "csv")[0] == 0


def test_timeout_stops_a_long_query():
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    code, out, err = kq("query", slow, "--timeout", "0.5")
    assert (code, out) == (3, "")
    assert err == "query: the query ran longer than 0.5 s and was stopped\n"


def test_timeout_returns_the_answer_when_in_time():
    code, out, _ = kq("query", UNIVERSITIES, "--timeout", "30", "--format", "csv")
    assert code == 0
    assert out == kq("query", UNIVERSITIES, "--format", "csv")[1]


# --- errors -----------------------------------------------------------------------------------

def test_malformed_query_gives_line_and_column():
    code, out, err = kq("query", "SELECT ?s\nWHERE { ?s ?p }")
    assert (code, out) == (2, "")
    assert re.fullmatch(r"query:2:\d+: .+\n", err), err


def test_stdin_and_file(tmp_path: Path):
    assert kq("query", "-f", "-", "--format", "csv",
              input="ASK { kqr:mila a kq:ResearchInstitute }")[1] == "true\n"
    path = tmp_path / "bad.rq"
    path.write_text("SELECT * WHERE {\n  ?s ?p\n}\n", encoding="utf-8")
    code, _, err = kq("query", "-f", str(path))
    assert code == 2 and re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: expected .+\n", err)


# --- describe and search ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mila", "kqr:mila", f"<{KQR}mila>", f"{KQR}mila", "밀라",
                                  "MILA"])
def test_describe_accepts_slug_curie_iri_and_label(name: str):
    code, out, _ = kq("describe", name, "--format", "json")
    assert code == 0
    assert json.loads(out)["iri"] == KQR + "mila"


@pytest.mark.parametrize(("lang", "founder_prop", "location"), [
    ("ko", "설립자", "몬트리올"), ("en", "founder", "City of Montreal"),
    ("fr", "fondateur", "Ville de Montréal")])
def test_describe_in_three_languages(lang: str, founder_prop: str, location: str):
    code, out, _ = kq("describe", "Université McGill" if lang == "fr" else "mila",
                      "--lang", lang)
    assert code == 0
    if lang == "fr":
        assert out.splitlines()[0] == f"Université McGill  <{KQR}mcgill-university>"
        assert re.search(rf"^  emplacement\s+{location}$", out, re.MULTILINE)
        return
    # The entity's own values rest on its sources, numbered once in the header line.
    assert re.search(rf"^  {founder_prop}\s+(요수아 벤지오|Yoshua Bengio)$", out, re.MULTILINE)
    assert re.search(rf"^  \S+\s+{location}$", out, re.MULTILINE)
    assert re.search(r"\[1–6\]$", out.splitlines()[1])


def test_describe_lists_incoming_relations_with_their_source():
    desc = json.loads(kq("describe", "seoul-ai-hub", "--format", "json")[1])
    number = {s["iri"]: s["number"] for s in desc["sources"]}
    party = next(line for line in desc["lines"]
                 if line["section"] == "relations" and line["property_iri"] == KQ + "party")
    assert party["property"] == "party of"
    partnership = next(v for v in party["values"]
                       if v["iri"] == KQR + "mila-seoul-ai-hub-partnership-2023")
    assert partnership["text"] == "Mila–Seoul AI Hub partnership (2023-12-21)"
    assert partnership["extra"] == "with Mila"
    assert number[TALK] in partnership["sources"]
    assert number["https://w3id.org/kqgraph/source/4th-2054090"] in partnership["sources"]
    assert {v["iri"].removeprefix(KQR) for v in party["values"]} == {
        "mila-seoul-ai-hub-mou-2023", "mila-seoul-ai-hub-partnership-2023",
        "scientist-in-residence-programme", "seoul-ai-hub-ivado-mou-2024"}


def test_describe_ambiguous_and_unknown():
    code, _, err = kq("describe", "Canada")
    # "Canada" is the label of the country only; the government is "Government of Canada".
    assert code == 0
    code, _, err = kq("describe", "AI")  # alt label of the AI sector only
    assert code == 0
    code, _, err = kq("describe", "nowhere-at-all")
    assert code == 2
    assert err == "kqgraph: no entity matches 'nowhere-at-all' (try: kqgraph search " \
                  "nowhere-at-all)\n"


def test_ambiguous_label_lists_candidates(tmp_path: Path):
    path = tmp_path / "twins.ttl"
    path.write_text('<http://a/one> <http://www.w3.org/2000/01/rdf-schema#label> "Twin"@en .\n'
                    '<http://a/two> <http://www.w3.org/2000/01/rdf-schema#label> "twin"@fr .\n',
                    encoding="utf-8")
    code, _, err = kq("describe", "TWIN", "-g", str(path))
    assert code == 2
    assert err == "kqgraph: 'TWIN' is ambiguous: <http://a/one> (Twin); <http://a/two> (twin)\n"


@pytest.mark.parametrize("text", ["quebec", "QUÉBEC", "퀘벡", "Québec"])
def test_search_is_accent_and_case_insensitive_in_any_language(text: str):
    code, out, _ = kq("search", text, "--format", "json")
    assert code == 0
    assert json.loads(out)[0]["iri"] == KQR + "quebec"


def test_search_shows_labels_in_the_asked_language():
    code, out, _ = kq("search", "mcgill", "--lang", "ko")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["개체", "이름", "일치한", "이름"]  # a header, then a rule
    assert set(lines[1]) <= {"─", " "}
    assert re.match(r"kqr:mcgill-university\s+맥길대학교\s+McGill University \|", lines[2])
    rows = json.loads(kq("search", "mcgill", "--lang", "ko", "--format", "json")[1])
    assert [r["curie"] for r in rows[:2]] == ["kqr:mcgill-university", "kqr:mcgill-korean-studies"]
    gift = next(r for r in rows if r["curie"] == "kqr:korea-foundation-gift-mcgill-2012")
    assert gift["label"] == "Korea Foundation의 맥길대학교 기부 (2012)"
    assert gift["matched"] == ["Don de la Korea Foundation à l'Université McGill (2012)",
                               "Korea Foundation gift to McGill University (2012)"]


def test_search_without_match_says_so_and_suggests_names_in_any_language():
    code, out, err = kq("search", "zzzz-nothing")
    assert (code, out) == (1, "")  # exit 1 for scripts, nothing on stdout
    assert err == "kqgraph: no name contains 'zzzz-nothing', in any language\n"
    code, out, err = kq("search", "quebek")
    assert (code, out) == (1, "")
    assert err.startswith("kqgraph: no name contains 'quebek', in any language; close names: "
                          "Quebec (kqr:quebec)")
    code, _, err = kq("search", "몬트리얼", "--lang", "fr")  # Hangul, misspelt; said in French
    assert code == 1 and "noms proches : Ville de Montréal (kqr:montreal)" in err
    assert kq("search", "zzzz-nothing", "--format", "json")[:2] == (1, "[]\n")


def test_fold():
    assert lookup.fold("Université de MONTRÉAL") == "universite de montreal"
    assert lookup.fold("퀘벡주") == "퀘벡주"
