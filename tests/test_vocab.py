"""The vocabulary in Python and in graph/ontology.ttl stay in sync, and graph files follow
the review style (prefixes from the one table, `a` first, sorted subjects)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kqgraph.engine import LocalEngine
from kqgraph.files import graph_dir
from kqgraph.vocab import KQ, PREFIXES, SCHEMA_HTTP, curie

GRAPH = graph_dir()
TURTLE_FILES = sorted(GRAPH.rglob("*.ttl"))
PREFIX_RE = re.compile(r"^@prefix ([\w-]*): <([^>]*)> \.$")


def test_closed_namespace_matches_the_ontology():
    ontology = LocalEngine.open([GRAPH / "ontology.ttl"])
    rows = ontology.query("SELECT DISTINCT ?t WHERE { ?t ?p ?o "
                          "FILTER(STRSTARTS(STR(?t), STR(kq:))) }").rows
    in_ontology = {r["t"].value.removeprefix(PREFIXES["kq"]) for r in rows}
    assert in_ontology == set(dir(KQ))


def test_the_code_names_terms_through_the_namespaces():
    # A term spelt as PREFIXES["kq"] + "..." would mint a new IRI from a typo, silently.
    src = Path(__file__).resolve().parents[1] / "src" / "kqgraph"
    spelt = [f"{path.name}:{n}" for path in src.rglob("*.py") if path.name != "vocab.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if 'PREFIXES["' in line]
    assert spelt == []


def test_every_kq_term_has_three_labels_and_a_comment(select):
    rows = select("""
        SELECT ?t (GROUP_CONCAT(DISTINCT LANG(?l); SEPARATOR=",") AS ?langs)
               (COUNT(DISTINCT ?c) AS ?comments)
        WHERE { ?t a ?type . FILTER(STRSTARTS(STR(?t), STR(kq:)))
                OPTIONAL { ?t rdfs:label ?l } OPTIONAL { ?t rdfs:comment ?c } }
        GROUP BY ?t""")
    assert rows, "no kq: terms found"
    bad = [r for r in rows
           if sorted(r["langs"].split(",")) != ["en", "fr", "ko"] or r["comments"] == "0"]
    assert bad == []


def test_every_property_used_in_data_has_three_labels(select):
    # Tools show predicates by label in --lang; a predicate without labels would show raw.
    rows = select("""
        SELECT DISTINCT ?p WHERE { ?s ?p ?o . FILTER(?p != rdf:type)
          FILTER NOT EXISTS { ?p rdfs:label ?ko, ?en, ?fr .
                              FILTER(LANG(?ko) = "ko" && LANG(?en) = "en" && LANG(?fr) = "fr") }
          FILTER NOT EXISTS { ?s a owl:Ontology }
          FILTER NOT EXISTS { ?s a ?c . FILTER(?c IN (owl:Class, owl:ObjectProperty,
              owl:DatatypeProperty, rdf:Property, kq:Indicator, skos:ConceptScheme,
              kq:ValueQualifier, kq:AgreementKind, kq:PresenceKind)) }
        }""")
    assert rows == []


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(GRAPH)))
def test_prefixes_come_from_the_one_table(path: Path):
    declared = [m.groups() for line in path.read_text(encoding="utf-8").splitlines()
                if (m := PREFIX_RE.match(line))]
    assert declared, "no prefixes declared"
    assert [p for p, _ in declared] == sorted(p for p, _ in declared)
    assert {p: ns for p, ns in declared} == {p: PREFIXES[p] for p, _ in declared}


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(GRAPH)))
def test_review_style(path: Path):
    """One subject per block, `a` first, subjects sorted within each section."""
    text = path.read_text(encoding="utf-8")
    assert not [line for line in text.splitlines()
                if SCHEMA_HTTP in line and not line.startswith("#")]
    sections = re.split(r"\n# -{20,}\n", text)
    for section in sections:
        blocks = re.findall(r"^(\S+)\n((?:    .*\n?)+)", section, flags=re.MULTILINE)
        subjects = [s for s, _ in blocks if not s.startswith(("@", "#"))]
        assert subjects == sorted(subjects), f"subjects not sorted in {path.name}"
        assert len(subjects) == len(set(subjects))
        for subject, body in blocks:
            assert body.startswith("    a "), f"{subject}: `a` must come first"


LITERAL_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"')
LONG_STRING_RE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL)


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(GRAPH)))
def test_one_literal_per_line(path: Path):
    """Labels in three languages, descriptions and comments each on a line of their own, so a
    one-word change to one of them changes one line of the diff."""
    text = LONG_STRING_RE.sub('""', path.read_text(encoding="utf-8"))
    crowded = [line for line in text.splitlines() if not line.lstrip().startswith("#")
               and len(LITERAL_RE.findall(line)) > 1]
    assert crowded == []


def test_shapes_target_every_sourced_property(select):
    """kqsh:SourcedShape lists the subjects it checks by property: the list must be the
    ontology's kq:SourcedProperty terms, or a new sourced property would go unchecked."""
    import rdflib

    shapes = rdflib.Graph().parse(GRAPH / "shapes.ttl")
    sh = rdflib.Namespace(PREFIXES["sh"])
    targets = {str(o) for o in shapes.objects(
        rdflib.URIRef(PREFIXES["kqsh"] + "SourcedShape"), sh.targetSubjectsOf)}
    sourced = {r["p"] for r in select("SELECT ?p WHERE { ?p a kq:SourcedProperty }")}
    assert targets == sourced
    dated = {str(o) for o in shapes.objects(
        rdflib.URIRef(PREFIXES["kqsh"] + "DatedShape"), sh.targetSubjectsOf)}
    lifecycle = {r["p"] for r in select(
        "SELECT ?p WHERE { ?p rdfs:subPropertyOf* kq:lifecycleDate }")}
    assert lifecycle <= dated


def test_curie():
    assert curie("https://w3id.org/kqgraph/id/mila") == "kqr:mila"
    assert curie("https://schema.org/founder") == "schema:founder"
    assert curie("http://example.org/x") == "<http://example.org/x>"


def test_kq_is_closed():
    assert str(KQ.Agreement) == PREFIXES["kq"] + "Agreement"
    with pytest.raises(AttributeError):
        KQ.Agreemnt  # noqa: B018 - the typo must fail
