"""Property-based: any label or literal (any Unicode, quotes, backslashes, newlines, markup)
survives load → export in each RDF format → load, and reaches the HTML as the same text."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pyoxigraph as ox
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kqgraph import export as ex
from kqgraph.engine import LocalEngine
from kqgraph.files import with_ontology
from kqgraph.output import write_files
from kqgraph.viz import render

KQ = "https://w3id.org/kqgraph/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DESCRIPTION = "https://schema.org/description"
ENTITY = ox.NamedNode("https://w3id.org/kqgraph/id/thing")

# XML 1.0 cannot carry most C0 controls, U+FFFE/U+FFFF or lone surrogates at all; RDF/XML
# exports are checked on the characters XML can hold, the other formats on everything else.
ANY = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
XML_OK = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff",
                               min_codepoint=0x20) | st.sampled_from("\t\n\r<>&\"'\\"),
                 max_size=40)
MARKUP = st.sampled_from(['<img src=x onerror="alert(1)">', "</script><script>x</script>",
                          "\\u0053", '"""', "'''", "\\", "\n\r\t", "🍁 퀘벡 Québec", "]]>"])
LANG = st.sampled_from(["ko", "en", "fr"])
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def graph_file(folder: Path, label: str, lang: str, description: str) -> Path:
    """A small valid graph holding the literals, written by Oxigraph's Turtle serializer."""
    triples = [
        ox.Triple(ENTITY, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode(KQ + "Company")),
        ox.Triple(ENTITY, ox.NamedNode(RDFS_LABEL), ox.Literal(label, language=lang)),
        ox.Triple(ENTITY, ox.NamedNode(DESCRIPTION), ox.Literal(description)),
    ]
    path = folder / "thing.ttl"
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    return path


def round_trip(label: str, lang: str, description: str, formats: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = LocalEngine.open([graph_file(folder, label, lang, description)])
        files = ex.render(engine, formats)
        out = folder / "out"
        write_files(files, out)
        for name in files:
            again = LocalEngine.open([out / name])
            labels = {t.object for t in again.triples(ENTITY, ox.NamedNode(RDFS_LABEL), None)}
            descriptions = {t.object for t in again.triples(
                ENTITY, ox.NamedNode(DESCRIPTION), None)}
            assert labels == {ox.Literal(label, language=lang)}, name
            assert descriptions == {ox.Literal(description)}, name


@SETTINGS
@given(label=ANY | MARKUP, lang=LANG, description=ANY | MARKUP)
def test_literals_round_trip_through_every_rdf_export(label: str, lang: str, description: str):
    round_trip(label, lang, description, ["turtle", "nt", "jsonld", "trig"])


@SETTINGS
@given(label=XML_OK | MARKUP, lang=LANG, description=XML_OK | MARKUP)
def test_literals_round_trip_through_rdfxml(label: str, lang: str, description: str):
    if any(ord(c) < 0x20 and c not in "\t\n\r" for c in label + description):
        return  # not representable in XML 1.0 (MARKUP holds only \t \n \r of those)
    round_trip(label, lang, description, ["rdfxml"])


@SETTINGS
@given(label=ANY | MARKUP, description=ANY | MARKUP)
@example(label="", description="| ")  # found by hypothesis: " | " separates a node's details
def test_labels_reach_the_html_unchanged_as_text(label: str, description: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = graph_file(Path(tmp), label, "en", description)
        html = render(LocalEngine.open(with_ontology([path])), title=label)
    # Only the page's own three scripts: no data can close or open a script element.
    assert len(re.findall(r"</script", html, flags=re.IGNORECASE)) == 3
    data = json.loads(re.search(r'<script id="kq-data" type="application/json">(.*?)</script>',
                                html, re.S)[1])
    node = next(n for n in data["nodes"] if n["id"] == "kqr:thing")
    shown = label if label else "thing"  # an empty label falls back to the short name
    assert node["label"] == shown
    assert data["title"] == (label or "Korea–Quebec cooperation knowledge graph")
    assert any(d.endswith(description) for d in node["details"]) or description == ""


# Lists in the projection's attributes (GraphML, CSV, the page) are one string each; an item
# holding the separator or a backslash must come back as it was (a description "a | b" came
# back as two details before).
LIST = st.lists(ANY | st.sampled_from(["|", " | ", "\\", "\\|", " \\ | ", "a | b"]), max_size=6)


@SETTINGS
@given(items=LIST)
def test_joined_lists_split_back_into_their_items(items: list[str]):
    from kqgraph.project import join, split

    if items == [""]:
        return  # one empty item and no item are both "" (an attribute with nothing in it)
    assert split(join(items)) == items


def test_joined_lists_escape_only_what_needs_it():
    from kqgraph.project import join, split

    assert join(["kqr:ai", "kqr:aerospace"]) == "kqr:ai | kqr:aerospace"
    assert join(["a | b", "c\\d", "e"]) == "a \\| b | c\\\\d | e"
    assert split("a \\| b | c\\\\d | e") == ["a | b", "c\\d", "e"]
    assert split("") == [] and join([]) == ""
