"""`kqgraph validate`: the shipped graph conforms; each kind of mistake is reported readably."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from kqgraph.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def edit(path: Path, old: str, new: str, *, within: str | None = None) -> None:
    """Replace the first `old` in the file, or in the block of subject `within`."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{within}\n") if within else 0
    at = text.find(old, start)
    assert at >= 0, f"fixture text not found in {path}"
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


def test_shipped_graph_is_valid():
    code, out, err = run()
    assert (code, out) == (0, "")
    assert "conforms" in err


def test_missing_label_language(graph_copy: Path):
    orgs = graph_copy / "data" / "organizations.ttl"
    edit(orgs, ',\n        "Université McGill"@fr', "", within="kqr:mcgill-university")
    code, out, _ = run(str(graph_copy))
    assert code == 1
    line = _line_of(orgs, "kqr:mcgill-university\n")
    assert out.splitlines() == [
        f"{orgs}:{line}: kqr:mcgill-university (McGill University): "
        'Missing a French label (rdfs:label "…"@fr), or kq:labelMissing "fr" if no source '
        "gives one."
    ]


def test_label_missing_marker_allows_no_label_but_not_both(graph_copy: Path):
    orgs = graph_copy / "data" / "organizations.ttl"
    edit(orgs, ',\n        "Université McGill"@fr', "", within="kqr:mcgill-university")
    edit(orgs, '    kq:factSheetRow "E13" ;',
         '    kq:factSheetRow "E13" ;\n    kq:labelMissing "fr" ;', within="kqr:mcgill-university")
    assert run(str(graph_copy))[0] == 0
    edit(orgs, '    kq:labelMissing "fr" ;', '    kq:labelMissing "en" ;',
         within="kqr:mcgill-university")
    code, out, _ = run(str(graph_copy))
    assert code == 1
    assert "kq:labelMissing names a language that has a label" in out
    assert "Missing a French label" in out


def test_missing_source(graph_copy: Path):
    people = graph_copy / "data" / "people.ttl"
    edit(people, "    prov:wasDerivedFrom\n        kqs:kidd-240359,\n"
                 "        kqs:lim-yong-woo-ai-seoul-2025-talk,\n"
                 "        kqs:oecd-yoshua-bengio ;\n", "", within="kqr:yoshua-bengio")
    code, out, _ = run(str(graph_copy))
    assert code == 1
    assert out.splitlines() == [
        f"{people}:{_line_of(people, 'kqr:yoshua-bengio')}: kqr:yoshua-bengio (Yoshua Bengio) "
        "prov:wasDerivedFrom: No source: add prov:wasDerivedFrom pointing to a source in "
        "graph/sources.ttl."
    ]


def test_agreement_with_one_party(graph_copy: Path):
    agreements = graph_copy / "data" / "agreements.ttl"
    edit(agreements, "kq:party kqr:mila, kqr:seoul-ai-hub ;", "kq:party kqr:mila ;",
         within="kqr:mila-seoul-ai-hub-partnership-2023")
    code, out, _ = run(str(graph_copy), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False
    assert [(v["focus_curie"], v["path"], v["message"], v["label"], v["file"])
            for v in report["violations"]] == [(
        "kqr:mila-seoul-ai-hub-partnership-2023", "kq:party",
        "An agreement needs at least two parties (kq:party).",
        "Mila–Seoul AI Hub partnership (2023)", str(agreements),
    )]


def test_bad_date_datatype(graph_copy: Path):
    events = graph_copy / "data" / "events.ttl"
    edit(events, 'schema:startDate "2025-02-11"^^xsd:date ;\n    schema:superEvent',
         'schema:startDate "11 February 2025" ;\n    schema:superEvent',
         within="kqr:ai-seoul-2025-mayor-keynote")
    code, out, _ = run(str(graph_copy))
    assert code == 1
    assert "kqr:ai-seoul-2025-mayor-keynote" in out and "schema:startDate" in out
    assert "xsd:date, xsd:gYearMonth or xsd:gYear" in out


def test_http_schema_org_is_refused(graph_copy: Path):
    places = graph_copy / "data" / "places.ttl"
    edit(places, "<https://schema.org/>", "<http://schema.org/>")
    code, out, _ = run(str(graph_copy))
    assert code == 1
    assert f"{places}:{_line_of(places, '@prefix schema:')}: <http://schema.org/>: uses " \
        "http://schema.org/; this project writes https://schema.org/" in out.splitlines()


def test_broken_turtle_gives_file_line_column_and_exit_2(graph_copy: Path):
    bad = graph_copy / "data" / "broken.ttl"
    bad.write_text('@prefix kqr: <https://w3id.org/kqgraph/id/> .\n\nkqr:x kqr:y "open .\n',
                   encoding="utf-8")
    code, out, err = run(str(graph_copy))
    assert code == 2
    assert out == ""
    assert re.fullmatch(rf"{re.escape(str(bad))}:3:13: .+\n", err), err
    assert "Traceback" not in err


def test_missing_path_is_a_clear_error(tmp_path: Path):
    code, _, err = run(str(tmp_path / "nope.ttl"))
    assert code == 2
    assert err == f"{tmp_path / 'nope.ttl'}: no such file or folder\n"


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(start.strip()))


def _pyshacl(data: bytes, shapes: bytes):
    """pySHACL's report, the reference shifty is held to (the engine before it)."""
    import pyshacl
    import rdflib

    _, results, _ = pyshacl.validate(
        rdflib.Graph().parse(data=data, format="nt"),
        shacl_graph=rdflib.Graph().parse(data=shapes, format="nt"),
        inference="none", allow_warnings=True)
    return results


def test_shifty_reports_what_pyshacl_reports(graph_copy: Path, monkeypatch):
    # One copy of the graph with a mistake of each kind the shapes check: labels, markers,
    # sources, parties, datatypes, a second label in one language, a sourced value without
    # its statement. The report users see must not change with the engine.
    from kqgraph import validate as engine

    orgs = graph_copy / "data" / "organizations.ttl"
    edit(orgs, ',\n        "Université McGill"@fr', "", within="kqr:mcgill-university")
    edit(orgs, '    kq:factSheetRow "E13" ;',
         '    kq:factSheetRow "E13" ;\n    kq:labelMissing "en" ;', within="kqr:mcgill-university")
    people = graph_copy / "data" / "people.ttl"
    edit(people, "    prov:wasDerivedFrom\n        kqs:kidd-240359,\n"
                 "        kqs:lim-yong-woo-ai-seoul-2025-talk,\n"
                 "        kqs:oecd-yoshua-bengio ;\n", "", within="kqr:yoshua-bengio")
    agreements = graph_copy / "data" / "agreements.ttl"
    edit(agreements, "kq:party kqr:mila, kqr:seoul-ai-hub ;", "kq:party kqr:mila ;",
         within="kqr:mila-seoul-ai-hub-partnership-2023")
    events = graph_copy / "data" / "events.ttl"
    edit(events, 'schema:startDate "2025-02-11"^^xsd:date ;\n    schema:superEvent',
         'schema:startDate "11 February 2025" ;\n    schema:superEvent',
         within="kqr:ai-seoul-2025-mayor-keynote")
    (graph_copy / "data" / "more.ttl").write_text(
        "@prefix kqr: <https://w3id.org/kqgraph/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix schema: <https://schema.org/> .\n"
        'kqr:mila rdfs:label "Mila, again"@en .\n'
        "kqr:yoshua-bengio schema:worksFor kqr:mcgill-university .\n", encoding="utf-8")
    found = engine.validate([graph_copy])
    assert [(Path(v.file).name, v.focus.rsplit("/", 1)[1], v.path) for v in found] == [
        ("agreements.ttl", "mila-seoul-ai-hub-partnership-2023", "kq:party"),
        ("events.ttl", "ai-seoul-2025-mayor-keynote", "schema:startDate"),  # datatype
        ("events.ttl", "ai-seoul-2025-mayor-keynote", "schema:startDate"),  # no statement
        ("events.ttl", "ai-seoul-2025-mayor-keynote--start-date--2025-02-11", ""),
        ("organizations.ttl", "mcgill-university", ""),
        ("organizations.ttl", "mcgill-university", "kq:labelMissing"),
        ("organizations.ttl", "mila", "rdfs:label"),
        ("people.ttl", "yoshua-bengio", "prov:wasDerivedFrom"),
        ("people.ttl", "yoshua-bengio", "schema:worksFor"),
    ]
    monkeypatch.setattr(engine, "check", _pyshacl)
    assert engine.validate([graph_copy]) == found
