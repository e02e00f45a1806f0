"""The landscape of the fact sheet in the graph: facts asserted by SPARQL (each from a
different row of ../shared/facts.md, every section), each with the source that gives it; and
the saved questions about them (conflicts, in-force, timeline, investments, fact-check)
through the command line, as a user asks them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kqgraph.cli import cli

KQR = "https://w3id.org/kqgraph/id/"
KQS = "https://w3id.org/kqgraph/source/"
KQ = "https://w3id.org/kqgraph/ontology#"
TALK = KQS + "lim-yong-woo-ai-seoul-2025-talk"


def stated(s: str, p: str, o: str, source: str, row: str) -> str:
    """ASK: the triple is in the graph, and a statement from the fact-sheet row says it with
    that source."""
    return f"""ASK {{ {s} {p} {o} .
      ?st a kq:Statement ; rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ;
          prov:wasDerivedFrom kqs:{source} ; kq:factSheetRow "{row}" . }}"""


def observed(about: str, indicator: str, value: str, source: str, row: str, extra: str = ""
             ) -> str:
    return f"""ASK {{ ?o a kq:Observation ; schema:observationAbout {about} ;
      schema:measuredProperty {indicator} ; schema:value {value} ;
      prov:wasDerivedFrom kqs:{source} ; kq:factSheetRow "{row}" . {extra} }}"""


def invested(node: str, value: int, currency: str, source: str, row: str, extra: str = ""
             ) -> str:
    return f"""ASK {{ {node} a kq:Investment ; kq:factSheetRow "{row}" ;
      prov:wasDerivedFrom kqs:{source} ; schema:amount ?m . ?m a schema:MonetaryAmount ;
      schema:value {value} ; schema:currency "{currency}" . {extra} }}"""


OFFICE = "kqr:quebec-government-office-seoul"
STI = "kqr:canada-korea-sti-memorandum-2016"
FACTS = [
    # --- section 1: entities, people, sectors
    ("E05", stated(OFFICE, "schema:foundingDate", '"1991"^^xsd:gYear', "mrif-relations-politiques",
                   "F001")),
    ("E06", stated("kqr:korean-consulate-general-montreal", "schema:foundingDate",
                   '"1980"^^xsd:gYear', "mrif-relations-politiques", "E06")),
    ("E09", stated("kqr:seoul-ai-hub", "skos:altLabel", '"AI Yangjae Hub"@en',
                   "hankyung-202307093270", "F040")),
    ("E10", stated("kqr:mila", "kq:wikidataId", '"Q67182995"', "4ort-mila", "E10")),
    ("E13", stated("kqr:mcgill-university", "schema:foundingDate", '"1821"^^xsd:gYear',
                   "edu-mcgill-university", "E13")),
    ("E22", stated("kqr:criaq", "schema:foundingDate", '"2002"^^xsd:gYear',
                   "criaq-aerospace-priority-driving-force", "E22")),
    ("E36", """ASK { kqr:ultium-cam a kq:JointVenture ; schema:location kqr:becancour ;
                 schema:parentOrganization kqr:posco-future-m, kqr:general-motors ;
                 schema:foundingDate "2022-07"^^xsd:gYearMonth ; kq:factSheetRow "E36" }"""),
    ("E45", stated("kqr:hyundai-bromont-plant", "kq:dateOpened", '"1989-07-04"^^xsd:date',
                   "passionautos-septembre-cest-fin-hyundai", "F073")),
    ("E52", stated("kqr:hydro-quebec", "schema:foundingDate", '"1944-04-14"^^xsd:date',
                   "franco-wiki-hydro-qu-bec", "E52")),
    ("E69", stated("kqr:ckfta", "kq:dateInForce", '"2015-01-01"^^xsd:date',
                   "global-affairs-canada-overview-apercu", "E69")),
    ("E71", """ASK { kqr:quebec-korea-social-security-agreement kq:labelMissing "ko" ;
                 kq:agreementKind kq:socialSecurityAgreement ;
                 rdfs:label "Entente en matière de sécurité sociale entre le gouvernement du Québec et le gouvernement de la République de Corée"@fr }"""),  # noqa: E501
    ("E73", """ASK { kqr:quebec-daejeon-agreement-2025 rdfs:label
                 "연구혁신 분야 협력에 관한 양해각서(MOU)"@ko ;
                 kq:party kqr:government-of-quebec, kqr:daejeon-metropolitan-city ;
                 kq:sector kqr:quantum-technologies, kqr:semiconductors }"""),
    ("E27", """ASK { kqr:busan a kq:City ; rdfs:label "부산광역시"@ko ; skos:altLabel "부산시"@ko ;
                 schema:containedInPlace kqr:south-korea ;
                 prov:wasDerivedFrom kqs:busan-montreal-2 }"""),
    ("E48", stated("kqr:cae", "schema:foundingDate", '"1947"^^xsd:gYear',
                   "marketwired-kenneth-patrick-fondateur-cae", "E48")),
    ("P02", stated("kqr:genevieve-rolland", "org:headOf", OFFICE, "yna-fr-20230208003600884",
                   "F004") + "\n# startDate below"),
    ("P13", """ASK { ?st a kq:Statement ; rdf:subject kqr:sangdo-kim ; rdf:predicate org:headOf ;
                 rdf:object kqr:korean-consulate-general-montreal ;
                 schema:startDate "2021-06"^^xsd:gYearMonth ; prov:wasDerivedFrom ?s .
                 kqr:sangdo-kim rdfs:label "김상도"@ko }"""),
    ("P12", """ASK { ?st rdf:subject kqr:jaewan-lee ; rdf:predicate org:headOf ;
                 kq:attestedOn "2023-08"^^xsd:gYearMonth ;
                 prov:wasDerivedFrom kqs:lapresse-relation-plein-essor }"""),
    ("P03", stated("kqr:damien-pereira", "org:headOf", OFFICE, "fnnews-202510300757360335",
                   "F006")),
    ("P01", """ASK { kqr:lim-yong-woo rdfs:label "임용우"@ko ; kq:labelMissing "fr" ;
                 prov:wasDerivedFrom kqs:aitimes-147704 }"""),
    ("S04", """ASK { kqr:quantum-technologies a kq:Sector ; rdfs:label "양자기술"@ko ;
                 kq:factSheetRow "S04" ; prov:wasDerivedFrom kqs:nocutnews-6354329 }"""),
    ("S07", """ASK { kqr:shipbuilding a kq:Sector ; kq:labelMissing "ko" ;
                 rdfs:label "construction navale"@fr }"""),
    # --- section 2: relations
    ("F011", stated("kqr:canada-korea-diplomatic-relations", "schema:startDate",
                    '"1963-01-14"^^xsd:date', "riteme-canada-south-korea-relations", "F011")),
    ("F025", stated("kqr:canada-korea-social-security-agreement", "kq:dateInForce",
                    '"1999-05-01"^^xsd:date', "justice-canada-textecomplet", "F025")),
    ("F026", stated(STI, "kq:dateSigned", '"2016-12-20"^^xsd:date', "koreaherald-20161226000244",
                    "F026")),
    ("F027", stated(STI, "kq:dateInitialled", '"2015-07-13"^^xsd:date', "mofa-315499", "F027")),
    ("F028", stated(STI, "kq:dateInForce", '"2017-05"^^xsd:gYearMonth', "dongponews-36843",
                    "F028")),
    ("F030", stated("kqr:ckfta", "kq:dateConcluded", '"2014-03-11"^^xsd:date',
                    "global-affairs-canada-overview-apercu", "E69")),
    ("F035", stated("kqr:montreal-busan-sister-cities-2000", "kq:dateSigned",
                    '"2000-09-19"^^xsd:date', "busan-montreal", "F035")),
    ("F037", stated("kqr:criaq-kitech-agreement-2017", "kq:dateSigned",
                    '"2017-02"^^xsd:gYearMonth', "mrif-secteurs-collaboration", "F037")),
    ("F038", stated("kqr:ust-polytechnique-agreement-2014", "kq:agreementKind",
                    "kq:formalAgreement", "wowtv-632014080550900", "F038")),
    ("F040", stated("kqr:mila-seoul-ai-hub-mou-2023", "kq:dateSigned", '"2023-06-27"^^xsd:date',
                    "hankyung-202307093270", "F040")),
    ("F042", stated("kqr:seoul-ai-hub-ivado-mou-2024", "kq:agreementKind",
                    "kq:memorandumOfUnderstanding", "heraldcorp-20240508050637", "F042")),
    ("F044", stated("kqr:etri-mila-partnership-2020", "kq:dateSigned", '"2020-01-10"^^xsd:date',
                    "ajudaily-20200122150435917", "F044")),
    ("F045", stated("kqr:samsung-ai-center-montreal-opening", "kq:dateOpened",
                    '"2018-10-18"^^xsd:date', "theinvestor-20181019000452", "F045")),
    ("F047", """ASK { ?st rdf:subject kqr:samsung-sait-ai-lab-at-mila ; rdf:predicate kq:hostedBy ;
                 rdf:object kqr:mila ; kq:attestedOn "2019-05-02"^^xsd:date ;
                 prov:wasDerivedFrom kqs:koreaherald-20190502000649 }"""),
    ("F055", invested("kqr:google-grant-mila-2016", 4500000, "CAD",
                      "investquebec-google-invests-million-dollars", "F055",
                      "kqr:google-grant-mila-2016 kq:investor kqr:google ; "
                      "schema:recipient kqr:mila .")),
    ("F058", invested("kqr:ultium-cam-initial-investment-2022", 327000000, "USD",
                      "koreanewsgazette-posco-chemical-gm-pick", "F058")),
    ("F062", invested("kqr:ecopro-cam-canada-quebec-loan-2023", 322000000, "CAD",
                      "electricautonomy-ford-battery-cathode-factory", "F062",
                      "kqr:ecopro-cam-canada-quebec-loan-2023 kq:investmentKind "
                      "kq:forgivableLoan ; schema:funder kqr:investissement-quebec .")),
    ("F065", """ASK { ?st rdf:subject kqr:ecopro-cam-canada-plant-investment-2023 ;
                 rdf:predicate kq:investor ; rdf:object kqr:ford ;
                 schema:endDate "2024-10"^^xsd:gYearMonth ; kq:factSheetRow "F065" ;
                 prov:wasDerivedFrom kqs:guideautoweb-ford-abandonne-projet-usine,
                     kqs:fordauthority-ford-pulls-out-ecopro, kqs:dayfr24-20141 }"""),
    ("F066", invested("kqr:lg-chem-piedmont-equity-2023", 75000000, "USD",
                      "mining-piedmont-lithium-lg-chem", "F066",
                      "kqr:lg-chem-piedmont-equity-2023 kq:about kqr:north-american-lithium .")),
    ("F069", stated("kqr:green-cross-montreal-plant", "kq:dateOpened", '"2017-10-30"^^xsd:date',
                    "portailconstructo-usine-m-inauguree-dans", "F069")),
    ("F073", stated("kqr:hyundai-bromont-plant", "kq:dateClosed", '"1993-09-17"^^xsd:date',
                    "fondation-lionel-groulx-annonce-fermeture-usine-hyundai", "F073")),
    ("F074", stated("kqr:korean-air-cs300-order-2011", "kq:dateAnnounced",
                    '"2011-07-29"^^xsd:date',
                    "centreforaviation-bombardier-delivers-korean-air", "F074")),
    ("F080", invested("kqr:korea-foundation-gift-mcgill-2012", 1000000, "CAD",
                      "mcgill-219591", "F080",
                      "kqr:korea-foundation-gift-mcgill-2012 kq:dateAnnounced "
                      '"2012-12-18"^^xsd:date ; schema:recipient kqr:mcgill-university .')),
    ("F082", stated("kqr:lebel-sur-quevillon-firefighters-2023", "schema:startDate",
                    '"2023-07-02"^^xsd:date', "ctvnews-south-korea-sending-firefighters", "F082")),
    ("F003", stated(OFFICE, "skos:altLabel", '"Délégation du Québec à Séoul"@fr',
                    "newswire-collaboration-internationale-developpement-nos", "F003")),
    ("F064", stated("kqr:ecopro-becancour-cathode-plant", "kq:datePaused",
                    '"2024-08-05"^^xsd:date', "dayfr-2226755", "F064")),
    # --- section 3: indicators
    ("Q01", observed("kqr:quebec", "kq:landArea", "1667712", "studylibfr-2039735", "Q01")),
    ("Q42", observed("kqr:quebec", "kq:globalAIIndexRank", "7", "benzinga-26056654", "Q42",
                     '?o schema:observationDate "2021"^^xsd:gYear .')),
    ("Q22", observed("kqr:ecopro-cam-canada", "kq:publicFundingAmount", "644",
                     "sustainablebiz-ford-ecoprobm-sk-investing", "Q22")),
    ("Q35", observed("kqr:quebec", "kq:koreanOriginPopulation", "4400", "statcan-4182191", "Q35",
                     '?o schema:observationDate "2001"^^xsd:gYear .')),
    ("Q47", observed("kqr:hydro-quebec", "kq:installedCapacity", "37248",
                     "franco-wiki-hydro-qu-bec", "Q47")),
    ("Q36", observed("kqr:mila", "kq:researcherCount", "1500", "techsoma-uaes-tii-canadas-mila",
                     "Q36", "?o kq:valueQualifier kq:moreThan .")),
    # --- section 4: the seed's verification
    ("SD05", """ASK { ?v a kq:Verification ; kq:factSheetRow "SD05" ; kq:verdict kq:partlyVerified ;
                 kq:verifies kqr:canada-korea-sti-memorandum-2016 ;
                 prov:wasDerivedFrom kqs:koreaherald-20161226000244 }"""),
    ("SD10", """ASK { ?v a kq:Verification ; kq:factSheetRow "SD10" ; kq:verdict kq:notFound ;
                 kq:verifies kqr:quebec-ai-citation-rank-2025 .
                 FILTER NOT EXISTS { ?v prov:wasDerivedFrom ?any } }"""),
    ("SD13", """ASK { ?v a kq:Verification ; kq:factSheetRow "SD13" ; kq:verdict kq:nuanced ;
                 kq:verifies kqr:quebec-hydroelectricity }"""),
]


def test_facts_are_many_from_distinct_rows_of_every_section():
    rows = [row for row, _ in FACTS]
    assert len(rows) >= 40 and len(set(rows)) == len(rows)
    assert {next(k for k in ("SD", "E", "P", "S", "F", "Q") if row.startswith(k))
            for row in rows} == {"E", "P", "S", "F", "Q", "SD"}


@pytest.mark.parametrize(("row", "query"), FACTS, ids=[row for row, _ in FACTS])
def test_fact(ask, row: str, query: str):
    assert ask(query), row


def test_corrections_of_the_seed_keep_both_sides(select):
    """Where the fact sheet corrects the talk, both values stay, each with its source."""
    kinds = select(f"""SELECT ?kind ?source WHERE {{ ?st rdf:subject {STI} ;
        rdf:predicate kq:agreementKind ; rdf:object ?kind ; prov:wasDerivedFrom ?source }}
        ORDER BY ?kind""")
    assert [(r["kind"].removeprefix(KQ), r["source"]) for r in kinds] == [
        ("formalAgreement", KQS + "koreaherald-20161226000244"),
        ("memorandumOfUnderstanding", TALK)]
    founded = select("""SELECT ?year WHERE { kqr:mila schema:foundingDate ?year }
                        ORDER BY ?year""")
    assert [r["year"] for r in founded] == ["1993", "2009", "2017"]
    students = select("""SELECT ?v WHERE { ?o schema:measuredProperty kq:aiStudentCount ;
                         schema:value ?v } ORDER BY ?v""")
    assert [r["v"] for r in students] == ["9000", "14000", "18000"]


def kq(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def saved(name: str, *params: str) -> list[dict[str, str]]:
    args = ["query", name, "--format", "csv"]
    for p in params:
        args += ["--param", p]
    code, out, err = kq(*args)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --- in force on a date -------------------------------------------------------------------------

def in_force(date: str) -> list[tuple[str, str, str, str]]:
    return [(short(r["item"]), r["status"], short(r["basis"]), r["start"])
            for r in saved("in-force", f"date={date}")]


def test_in_force_1990():
    assert in_force("1990-01-01") == [
        ("canada-korea-diplomatic-relations", "in force", "startDate", "1963-01-14"),
        ("korean-consulate-general-montreal", "active", "foundingDate", "1980"),
        ("hyundai-bromont-plant", "active", "dateOpened", "1989-07-04"),
    ]


def test_in_force_2016_before_the_sti_agreement():
    rows = in_force("2016-01-01")
    assert rows == [
        ("canada-korea-diplomatic-relations", "in force", "startDate", "1963-01-14"),
        ("canada-korea-social-security-agreement", "in force", "dateInForce", "1999-05-01"),
        ("montreal-busan-sister-cities-2000", "in force", "dateSigned", "2000-09-19"),
        ("korean-air-cs300-order-2011", "in force", "dateSigned", "2011-06-21"),
        ("ust-polytechnique-agreement-2014", "in force", "dateSigned", "2014-08-01"),
        ("montreal-seoul-friendship-agreement-2015", "in force", "dateSigned", "2015"),
        ("ckfta", "in force", "dateInForce", "2015-01-01"),
        ("quebec-korea-social-security-agreement", "in force", "dateSigned", "2015-11-24"),
        ("korean-consulate-general-montreal", "active", "foundingDate", "1980"),
        ("quebec-government-office-seoul", "active", "foundingDate", "1991"),
        ("investissement-quebec-seoul-office", "announced", "dateAnnounced", "2013-12-10"),
    ]
    # The talk's "2016" sorts before 2016-01-01 as text; compared as a year it does not start
    # the agreement, whose entry into force (2017-05) is its start anyway.
    assert "canada-korea-sti-memorandum-2016" not in {r[0] for r in rows}


def test_in_force_in_may_2017_is_uncertain_for_what_began_that_month():
    rows = in_force("2017-05-15")
    assert rows == [
        ("canada-korea-diplomatic-relations", "in force", "startDate", "1963-01-14"),
        ("canada-korea-social-security-agreement", "in force", "dateInForce", "1999-05-01"),
        ("montreal-busan-sister-cities-2000", "in force", "dateSigned", "2000-09-19"),
        ("korean-air-cs300-order-2011", "in force", "dateSigned", "2011-06-21"),
        ("ust-polytechnique-agreement-2014", "in force", "dateSigned", "2014-08-01"),
        ("montreal-seoul-friendship-agreement-2015", "in force", "dateSigned", "2015"),
        ("ckfta", "in force", "dateInForce", "2015-01-01"),
        ("quebec-korea-social-security-agreement", "in force", "dateSigned", "2015-11-24"),
        ("mila-university-partnership", "uncertain", "startDate", "2017"),
        ("criaq-kitech-agreement-2017", "in force", "dateSigned", "2017-02"),
        ("canada-korea-sti-memorandum-2016", "uncertain", "dateInForce", "2017-05"),
        ("korean-consulate-general-montreal", "active", "foundingDate", "1980"),
        ("quebec-government-office-seoul", "active", "foundingDate", "1991"),
        ("investissement-quebec-seoul-office", "announced", "dateAnnounced", "2013-12-10"),
        ("google-ai-research-group-montreal", "active", "dateOpened", "2016-11-22"),
    ]


def test_in_force_in_july_2025_shows_a_disputed_start_and_what_closed():
    rows = {r[0]: r for r in in_force("2025-07-01")}
    assert rows["quebec-daejeon-agreement-2025"] == (
        "quebec-daejeon-agreement-2025", "disputed", "dateSigned", "2025-06-11 | 2025-08")
    # The talk's "2023", wowtale's 2023-12 and 4th.kr's 2023-12-21 agree: in force.
    assert rows["mila-seoul-ai-hub-partnership-2023"][1:3] == ("in force", "dateSigned")
    assert "hyundai-bromont-plant" not in rows  # closed in 1993
    assert len(rows) == 32
    # Once every source's date has passed, the dispute no longer matters to the question.
    assert {r[0]: r[1] for r in in_force("2026-01-01")}["quebec-daejeon-agreement-2025"] == \
        "in force"


def test_in_force_names_the_sources_of_its_start():
    rows = {short(r["item"]): r for r in saved("in-force", "date=2017-06-01")}
    assert rows["canada-korea-sti-memorandum-2016"]["status"] == "in force"
    assert rows["canada-korea-sti-memorandum-2016"]["sources"].split() == [
        KQS + "dongponews-34513", KQS + "dongponews-36843"]


# --- conflicts, timeline, investments, fact-check ----------------------------------------------

def test_conflicts_lists_every_dispute_side_by_side():
    rows = saved("conflicts")
    disputes = {short(r["dispute"]) for r in rows}
    assert disputes == {
        "dispute-ai-student-count", "dispute-mcgill-korean-studies-date",
        "dispute-mila-founding-year", "dispute-mila-researcher-count",
        "dispute-quantum-session-date", "dispute-quebec-daejeon-instrument-kind",
        "dispute-quebec-daejeon-signing-date", "dispute-quebec-global-ai-index-rank",
        "dispute-quebec-hydro-share", "dispute-sti-instrument-kind"}
    founding = [(r["value"], [short(s) for s in r["sources"].split()]) for r in rows
                if r["dispute"] == KQR + "dispute-mila-founding-year"]
    assert founding == [("1993", ["wikipedia-en-mila-research-institute"]),
                        ("2009", ["cdpq-6211"]), ("2017", ["dongascience-33785"])]
    rank = [(r["value"], r["date"], short(r["property"])) for r in rows
            if r["dispute"] == KQR + "dispute-quebec-global-ai-index-rank"]
    assert rank == [("5", "2025-02-11", "globalAIIndexRank"), ("7", "2021", "globalAIIndexRank"),
                    ("5", "2021", "researchPillarRank")]
    researchers = [(r["value"], short(r["qualifier"])) for r in rows
                   if r["dispute"] == KQR + "dispute-mila-researcher-count"]
    assert sorted(researchers) == [("1300", "moreThan"), ("1400", "moreThan"),
                                   ("1500", "moreThan")]
    hydro = {short(r["member"]): r for r in rows
             if r["dispute"] == KQR + "dispute-quebec-hydro-share"}
    claim = hydro["quebec-hydroelectricity"]
    assert "hydroelectric power" in claim["value"] and claim["sources"] == TALK
    assert hydro["quebec-hydro-share-of-electricity-2011"]["value"] == "99"


def test_timeline_of_an_entity_in_order_with_sources():
    rows = saved("timeline", "entity=Ford Motor Company")
    assert [(r["date"], short(r["step"]), short(r["relation"])) for r in rows] == [
        ("2023-08-17", "startDate", "investor"), ("2023-08-17", "dateAnnounced", ""),
        ("2024-10", "endDate", "investor")]
    assert all(r["sources"] for r in rows)
    mila = saved("timeline", "entity=mila")
    dates = [r["date"] for r in mila]
    assert dates == sorted(dates)
    assert ("1993", "foundingDate") in [(r["date"], short(r["step"])) for r in mila]
    assert ("2023-06-27", "mila-seoul-ai-hub-mou-2023") in [
        (r["date"], short(r["subject"])) for r in mila]
    everything = saved("timeline")
    assert len(everything) > 100 and len(mila) > 15
    assert everything[0]["date"] == "1821"  # McGill University founded


def test_investments_as_stated_with_who_left():
    rows = saved("investments")
    ultium = [(short(r["investor"]), r["amount"], r["currency"], short(r["qualifier"]))
              for r in rows if r["investment"] == KQR + "ultium-cam-plant-announcement-2022"]
    assert ultium == [("general-motors", "500000000", "CAD", "approximately"),
                      ("general-motors", "400000000", "USD", ""),
                      ("posco-future-m", "500000000", "CAD", "approximately"),
                      ("posco-future-m", "400000000", "USD", "")]
    ecopro = {short(r["investor"]): r for r in rows
              if r["investment"] == KQR + "ecopro-cam-canada-plant-investment-2023"}
    assert set(ecopro) == {"ecopro-bm", "sk-on", "ford"}
    assert ecopro["ford"]["left"] == "2024-10" and ecopro["sk-on"]["left"] == ""
    assert short(ecopro["sk-on"]["investorCountry"]) == "south-korea"
    funding = [(short(r["investor"]), r["role"], short(r["kind"])) for r in rows
               if r["recipient"] == KQR + "ecopro-cam-canada"]
    assert sorted(funding) == [("ecopro-bm", "investor", "projectInvestment"),
                               ("ford", "investor", "projectInvestment"),
                               ("government-of-canada", "funder", "loan"),
                               ("government-of-quebec", "funder", "forgivableLoan"),
                               ("investissement-quebec", "funder", "forgivableLoan"),
                               ("sk-on", "investor", "projectInvestment")]
    # Never converted; the offtake states volumes, not money.
    assert {r["currency"] for r in rows} == {"CAD", "USD", ""}


def test_fact_check_of_the_seed():
    rows = saved("fact-check")
    assert [r["row"] for r in rows] == [f"SD{n:02d}" for n in range(1, 21)]
    verdicts = {r["row"]: short(r["verdict"]) for r in rows}
    assert [verdicts[f"SD{n:02d}"] for n in (1, 5, 10, 13, 19)] == [
        "verified", "partlyVerified", "notFound", "nuanced", "partlyVerified"]
    assert sum(v == "notFound" for v in verdicts.values()) == 6
    sd09 = rows[8]
    assert "7th overall" in sd09["summary"]
    assert sd09["sources"] == KQS + "benzinga-26056654"
    assert rows[9]["sources"] == ""  # nothing found, no source


# --- names and describe --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Délégation du Québec à Séoul", "Antenne du Québec à Séoul",
                                  "Quebec Government Delegation in Seoul", "주한퀘벡정부대표부"])
def test_other_names_of_the_seoul_office_are_searchable(name: str):
    code, out, _ = kq("search", name, "--format", "json")
    assert code == 0
    assert json.loads(out)[0]["iri"] == KQR + "quebec-government-office-seoul"


def test_former_names_resolve_to_one_entity():
    for name in ("AI Yangjae Hub", "POSCO Chemical"):
        assert kq("describe", name, "--format", "json")[0] == 0, name
    assert json.loads(kq("describe", "POSCO Chemical", "--format", "json")[1])["iri"] == \
        KQR + "posco-future-m"


def test_describe_mila_reads_at_this_size():
    code, out, _ = kq("describe", "mila")
    assert code == 0
    assert "Q67182995" in out and "City of Montreal" in out
    assert len(out.splitlines()) < 200


def test_the_data_model_page_queries_run_and_answer(select):
    """Every SPARQL example of docs/data-model.md runs on the shipped graph and answers."""
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"
    blocks = re.findall(r"```sparql\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 4
    answers = [select(block) for block in blocks]
    assert all(answers)
    assert [(r["year"], short(r["source"])) for r in answers[0]] == [
        ("1993", "wikipedia-en-mila-research-institute"), ("2009", "cdpq-6211"),
        ("2017", "dongascience-33785")]
    assert {short(r["dispute"]) for r in answers[2]} >= {"dispute-mila-founding-year"}
    signed = {short(r["agreement"]) for r in answers[3]}
    assert "canada-korea-sti-memorandum-2016" not in signed
    assert {"montreal-busan-sister-cities-2000", "quebec-korea-social-security-agreement"} <= signed


def test_every_link_points_to_a_described_node(select):
    """No link of the curated graph dangles: each points to a node with a type."""
    rows = select("""SELECT ?s ?t WHERE {
        ?s kq:verifies|kq:among|kq:about|schema:recipient|schema:funder|kq:investor|kq:hostedBy
           |schema:superEvent|schema:attendee|schema:organizer|kq:party|org:siteOf
           |schema:location|schema:parentOrganization|org:headOf|schema:worksFor
           |org:subOrganizationOf|schema:containedInPlace|rdf:subject ?t .
        FILTER NOT EXISTS { ?t a ?c } }""")
    assert rows == []
