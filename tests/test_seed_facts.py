"""One test per seed fact S1–S24 (../shared/seed/facts-from-seed.md), asserted by SPARQL
over the loaded graph, each with its source. Where other sources correct the talk, the graph
keeps both values (tests/test_landscape.py checks the corrections): these tests read what the
talk or the blog post says, through the values' statements or the nodes they source."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

TALK = "https://w3id.org/kqgraph/source/lim-yong-woo-ai-seoul-2025-talk"
BLOG = "https://w3id.org/kqgraph/source/healing-bling-ai-seoul-2025-quebec"
KQR = "https://w3id.org/kqgraph/id/"


def observation(select, about: str, indicator: str) -> dict[str, str]:
    """The one observation of `indicator` about `about` that the talk gives, with qualifier
    and source (other sources' values of the same indicator are observations of their own)."""
    rows = select(f"""
        SELECT ?value ?qualifier ?unit ?unitText ?date ?source ?about WHERE {{
          ?o a kq:Observation ; schema:observationAbout {about} ;
             schema:measuredProperty {indicator} ; schema:value ?value ;
             schema:observationDate ?date ; prov:wasDerivedFrom ?source .
          FILTER(?source = <{TALK}>)
          OPTIONAL {{ ?o kq:valueQualifier ?qualifier }}
          OPTIONAL {{ ?o schema:unitCode ?unit }}
          OPTIONAL {{ ?o schema:unitText ?unitText }}
        }}""")
    assert len(rows) == 1, rows
    return rows[0]


def claim_text(select, slug: str) -> dict[str, str]:
    rows = select(f"""
        SELECT ?en ?ko ?source WHERE {{
          kqr:{slug} a kq:Claim ; prov:wasDerivedFrom ?source ;
              schema:description ?en, ?ko .
          FILTER(LANG(?en) = "en" && LANG(?ko) = "ko")
        }}""")
    assert len(rows) == 1, rows
    return rows[0]


def test_s01_ai_seoul_2025_date_and_venue(select):
    rows = select("""
        SELECT ?date ?venue ?hall ?city ?source WHERE {
          kqr:ai-seoul-2025 a kq:Event ; schema:startDate ?date ;
              schema:location ?hallNode ; prov:wasDerivedFrom ?source .
          ?hallNode rdfs:label ?hall ; schema:containedInPlace ?venueNode .
          ?venueNode rdfs:label ?venue ; schema:containedInPlace/rdfs:label ?city .
          FILTER(LANG(?hall) = "en" && LANG(?venue) = "ko" && LANG(?city) = "en")
          FILTER(?source = <https://w3id.org/kqgraph/source/healing-bling-ai-seoul-2025-quebec>)
          ?st a kq:Statement ; rdf:subject kqr:ai-seoul-2025 ; rdf:predicate schema:startDate ;
              rdf:object ?date ; prov:wasDerivedFrom ?source .
        }""")
    assert rows == [{"date": "2025-02-11", "venue": "코엑스", "hall": "COEX Grand Ballroom",
                     "city": "Seoul", "source": BLOG}]


def test_s02_hosted_by_seoul_metropolitan_government(select):
    rows = select("""
        SELECT ?host WHERE { kqr:ai-seoul-2025 schema:organizer ?o . ?o rdfs:label ?host .
                             FILTER(LANG(?host) = "ko") }""")
    # The Seoul AI Hub organised it (F049); the seed names the host.
    assert {"host": "서울시"} in rows


def test_s03_mayor_gave_the_morning_keynote(select):
    rows = select("""
        SELECT ?role ?session ?org ?source WHERE {
          ?t a kq:Talk ; schema:superEvent kqr:ai-seoul-2025 ; kq:speakerRole ?role ;
             kq:session ?session ; kq:representing ?org ; prov:wasDerivedFrom ?source .
          FILTER(LANG(?role) = "en" && LANG(?session) = "en")
        }""")
    assert rows == [{"role": "Mayor of Seoul", "session": "morning",
                     "org": KQR + "seoul-metropolitan-government", "source": BLOG}]


def test_s04_lim_yong_woo_talk(select):
    rows = select("""
        SELECT ?speaker ?title ?office ?job ?event ?date ?session ?reported WHERE {
          ?t a kq:Talk, kq:Source ; kq:speaker ?p ; rdfs:label ?title ;
             schema:superEvent ?event ; schema:startDate ?date ; kq:session ?session ;
             kq:representing ?office ; prov:wasDerivedFrom ?reported .
          ?p rdfs:label ?speaker ; schema:worksFor ?office ; schema:jobTitle ?job .
          FILTER(LANG(?speaker) = "ko" && LANG(?title) = "ko" && LANG(?job) = "en"
                 && LANG(?session) = "en")
        }""")
    assert rows == [{
        "speaker": "임용우", "title": "퀘벡의 AI 동향과 국제 협력 기회",
        "office": KQR + "quebec-government-office-seoul", "job": "commercial attaché",
        "event": KQR + "ai-seoul-2025", "date": "2025-02-11", "session": "afternoon session",
        "reported": BLOG,
    }]


def test_s04_office_label_is_the_seeds_korean(select):
    rows = select("""SELECT ?ko WHERE { kqr:quebec-government-office-seoul rdfs:label ?ko ;
                                        org:subOrganizationOf kqr:government-of-quebec .
                                        FILTER(LANG(?ko) = "ko") }""")
    assert rows == [{"ko": "주한퀘벡정부대표부"}]


def test_s05_quebec_largest_province_17_times_korea(select):
    rank = observation(select, "kqr:quebec", "kq:areaRank")
    assert (rank["value"], rank["source"]) == ("1", TALK)
    scope = select("SELECT ?s WHERE { ?o schema:measuredProperty kq:areaRank ; kq:scope ?s }")
    assert scope == [{"s": KQR + "canada"}]
    provinces = observation(select, "kqr:canada", "kq:provinceCount")
    assert provinces["value"] == "10"
    multiple = observation(select, "kqr:quebec", "kq:areaMultiple")
    assert multiple["value"] == "17"
    compared = select(
        "SELECT ?c WHERE { ?o schema:measuredProperty kq:areaMultiple ; kq:comparedTo ?c }")
    assert compared == [{"c": KQR + "south-korea"}]


def test_s06_french_official_and_mother_tongue_of_78_percent(select):
    assert select("SELECT ?l WHERE { kqr:quebec kq:officialLanguage ?l }") == [{"l": "fr"}]
    share = observation(select, "kqr:quebec", "kq:motherTongueShare")
    assert (share["value"], share["unit"], share["source"]) == ("78", "P1", TALK)
    assert select("SELECT ?l WHERE { ?o schema:measuredProperty kq:motherTongueShare ; "
                  f"schema:inLanguage ?l ; prov:wasDerivedFrom <{TALK}> }}") == [{"l": "fr"}]


def test_s07_43_percent_bilingual(select):
    share = observation(select, "kqr:quebec", "kq:bilingualShare")
    assert (share["value"], share["unit"], share["source"]) == ("43", "P1", TALK)
    assert "qualifier" not in share  # an exact figure, not a bound


def test_s08_2016_canada_korea_sti_memorandum(select):
    # The talk's kind and date, each a statement with the talk as its source; the Korea
    # Herald's Agreement of 2016-12-20 stands beside them (test_landscape.py).
    rows = select(f"""
        SELECT ?a ?property ?value WHERE {{
          ?st a kq:Statement ; rdf:subject ?a ; rdf:predicate ?property ; rdf:object ?value ;
              prov:wasDerivedFrom <{TALK}> .
          ?a a kq:Agreement .
          FILTER(?property IN (kq:agreementKind, kq:dateSigned))
        }} ORDER BY ?property""")
    sti = KQR + "canada-korea-sti-memorandum-2016"
    assert [(r["a"], r["value"]) for r in rows if r["a"] == sti] == [
        (sti, "https://w3id.org/kqgraph/ontology#memorandumOfUnderstanding"), (sti, "2016")]
    rows = select("""
        SELECT (GROUP_CONCAT(DISTINCT STR(?party); SEPARATOR=" ") AS ?parties)
               (GROUP_CONCAT(DISTINCT STR(?sector); SEPARATOR=" ") AS ?sectors) WHERE {
          kqr:canada-korea-sti-memorandum-2016 kq:party ?party ; kq:sector ?sector ;
              prov:wasDerivedFrom ?source .
        }""")
    assert sorted(rows[0]["parties"].split()) == [KQR + "government-of-canada",
                                                  KQR + "government-of-korea"]
    assert sorted(rows[0]["sectors"].split()) == [
        KQR + s for s in ("aerospace", "ai", "energy", "space-environment")]
    assert {"s": TALK} in select(
        "SELECT ?s WHERE { kqr:canada-korea-sti-memorandum-2016 prov:wasDerivedFrom ?s }")


def test_s09_companies_established_in_quebec(select):
    claim = claim_text(select, "korean-companies-in-quebec")
    assert "established in Quebec" in claim["en"] and "artificial intelligence" in claim["en"]
    assert claim["source"] == TALK


def test_s10_mcgill_korean_studies_faculty_2013(select):
    rows = select("""
        SELECT ?ko ?year ?source WHERE {
          ?u org:subOrganizationOf kqr:mcgill-university ; a kq:AcademicUnit ;
             schema:foundingDate ?year ; prov:wasDerivedFrom ?source .
          kqr:mcgill-university rdfs:label ?ko . FILTER(LANG(?ko) = "ko")
        }""")
    assert rows == [{"ko": "맥길대학교", "year": "2013", "source": TALK}]


def test_s11_cae_flight_simulators_present_in_korea(select):
    rows = select("""
        SELECT ?where ?desc ?source WHERE {
          ?p a kq:Presence ; org:siteOf kqr:cae ; schema:location ?where ;
             prov:wasDerivedFrom ?source .
          FILTER(?source = <https://w3id.org/kqgraph/source/lim-yong-woo-ai-seoul-2025-talk>)
          kqr:cae a kq:Company ; schema:description ?desc . FILTER(LANG(?desc) = "en")
        }""")
    assert len(rows) == 1
    assert rows[0]["where"] == KQR + "south-korea"
    assert "flight simulators" in rows[0]["desc"] and "helicopters" in rows[0]["desc"]
    assert rows[0]["source"] == TALK


def test_s12_six_shared_sectors(select):
    rows = select("""
        SELECT ?label WHERE {
          kqr:korea-quebec-shared-sectors kq:about kqr:quebec, kqr:south-korea ;
              kq:sector ?s ; prov:wasDerivedFrom ?src .
          ?s rdfs:label ?label . FILTER(LANG(?label) = "ko")
        } ORDER BY ?label""")
    assert sorted(r["label"] for r in rows) == sorted(
        ["인공지능", "첨단소재/나노", "양자컴퓨팅", "스마트시티", "배터리", "항공"])


def test_s13_fifth_in_a_global_ai_index(select):
    obs = observation(select, "kqr:quebec", "kq:globalAIIndexRank")
    assert (obs["value"], obs["unitText"], obs["source"]) == ("5", "rank", TALK)


def test_s14_first_in_ai_paper_citations(select):
    obs = observation(select, "kqr:quebec", "kq:aiPaperCitationRank")
    assert (obs["value"], obs["source"]) == ("1", TALK)


def test_s15_more_than_2000_ai_organisations(select):
    obs = observation(select, "kqr:quebec", "kq:aiOrganizationCount")
    assert (obs["value"], obs["qualifier"]) == ("2000", "https://w3id.org/kqgraph/ontology#moreThan")


def test_s16_rd_budget_share(select):
    claim = claim_text(select, "quebec-rd-budget-share")
    assert "R&D" in claim["en"] and "Korean cities" in claim["en"]


def test_s17_energy_policy_2030(select):
    obs = observation(select, "kqr:quebec-energy-policy-2030", "kq:oilConsumptionReductionTarget")
    assert (obs["value"], obs["unit"]) == ("40", "P1")
    assert select("SELECT ?end WHERE { kqr:quebec-energy-policy-2030 a kq:Policy ; "
                  "kq:about kqr:quebec ; schema:endDate ?end }") == [{"end": "2030"}]
    assert "coal" in claim_text(select, "quebec-coal-power-phase-out")["en"]
    assert "hydroelectric" in claim_text(select, "quebec-hydroelectricity")["en"]


def test_s18_google_and_microsoft_labs_in_quebec(select):
    rows = select("""
        SELECT ?company WHERE {
          ?p a kq:Presence ; kq:presenceKind kq:researchLab ; schema:location kqr:quebec ;
             org:siteOf/rdfs:label ?company . FILTER(LANG(?company) = "en")
        } ORDER BY ?company""")
    assert rows == [{"company": "Google"}, {"company": "Microsoft"}]
    assert "every year" in claim_text(select, "global-companies-open-labs-in-quebec")["en"]


def test_s19_at_least_18000_ai_students(select):
    obs = observation(select, "kqr:quebec", "kq:aiStudentCount")
    # The seed says 18000명 이상: "18,000 or more", a lower bound.
    assert (obs["value"], obs["qualifier"]) == ("18000", "https://w3id.org/kqgraph/ontology#atLeast")


def test_s20_low_health_costs_and_safest_province(select):
    assert "low" in claim_text(select, "quebec-health-insurance-costs")["en"]
    assert "safest province" in claim_text(select, "quebec-safest-province")["en"]


def test_s21_python_and_ml_skills(select):
    claim = claim_text(select, "quebec-ai-skills")
    assert "Python" in claim["en"] and "machine learning" in claim["en"]
    assert "파이썬" in claim["ko"]


def test_s22_mila_founder_university_and_researchers(select):
    rows = select("""
        SELECT ?mila ?founder ?university WHERE {
          kqr:mila a kq:ResearchInstitute ; rdfs:label ?mila ; schema:founder ?f .
          ?f rdfs:label ?founder ; schema:affiliation/rdfs:label ?university .
          FILTER(LANG(?mila) = "ko" && LANG(?founder) = "ko" && LANG(?university) = "fr")
        }""")
    assert rows == [{"mila": "밀라", "founder": "요수아 벤지오",
                     "university": "Université de Montréal"}]
    obs = observation(select, "kqr:mila", "kq:researcherCount")
    # "More than 1,400" is a lower bound, not an exact count.
    assert (obs["value"], obs["qualifier"], obs["source"]) == \
        ("1400", "https://w3id.org/kqgraph/ontology#moreThan", TALK)


def test_s23_mila_seoul_ai_hub_partnership_2023(select):
    rows = select(f"""
        SELECT ?a ?date ?kind WHERE {{
          ?a a kq:Agreement ; kq:party kqr:mila, kqr:seoul-ai-hub .
          ?d a kq:Statement ; rdf:subject ?a ; rdf:predicate kq:dateSigned ; rdf:object ?date ;
             prov:wasDerivedFrom <{TALK}> .
          ?k a kq:Statement ; rdf:subject ?a ; rdf:predicate kq:agreementKind ; rdf:object ?kind ;
             prov:wasDerivedFrom <{TALK}> .
        }}""")
    assert rows == [{"a": KQR + "mila-seoul-ai-hub-partnership-2023", "date": "2023",
                     "kind": "https://w3id.org/kqgraph/ontology#partnershipAgreement"}]


def test_s24_quebec_cooperates_with_korean_organisations(select):
    claim = claim_text(select, "quebec-korean-partners")
    assert "research institutes" in claim["en"] and "universities" in claim["en"]
    assert claim["source"] == TALK


SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "facts-from-seed.md"
# The seed's fact list is a curation note beside the project, not test data to vendor: the
# S1-S24 tests above hold each fact without it. A user's clone has no ../shared and skips this
# one check; CI (KQGRAPH_CI, set by .ci/run, which also refuses to run without ../shared)
# runs it, and a missing list there fails on reading it.


@pytest.mark.skipif(not SEED.is_file() and not os.environ.get("KQGRAPH_CI"),
                    reason=f"the seed's fact list is not beside this checkout ({SEED}); CI "
                           "lays it out there")
def test_every_seed_fact_has_its_test():
    listed = {int(n) for n in re.findall(r"^\| S(\d+) \|", SEED.read_text(encoding="utf-8"),
                                         flags=re.MULTILINE)}
    tested = {int(n) for n in re.findall(r"^def test_s(\d+)_", Path(__file__).read_text(
        encoding="utf-8"), flags=re.MULTILINE)}
    assert listed == tested == set(range(1, 25))
