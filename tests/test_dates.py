"""Dates as precise as their source: intervals, several sources, and what was in force on a
day, in Python (kqgraph.dates) as the saved query `in-force` has it in SPARQL."""

from __future__ import annotations

import pytest

from kqgraph import dates
from kqgraph.project import in_force, span_of


@pytest.mark.parametrize(("value", "expected"), [
    ("2016", ("2016-01-01", "2016-12-31")), ("2024-02", ("2024-02-01", "2024-02-29")),
    ("2023-02", ("2023-02-01", "2023-02-28")), ("2016-12-20", ("2016-12-20", "2016-12-20"))])
def test_a_date_stands_for_every_day_it_covers(value: str, expected: tuple[str, str]):
    assert dates.interval(value) == expected


def test_a_precise_date_refines_a_vague_one_and_disagreement_is_a_dispute():
    signed = dates.span(["2016", "2016-12-20"])
    assert (signed.lo, signed.hi, signed.disputed) == ("2016-12-20", "2016-12-20", False)
    daejeon = dates.span(["2025-06-11", "2025-08"])
    assert daejeon.disputed
    assert [dates.status(daejeon, None, d) for d in ("2025-06-01", "2025-07-01", "2025-09-01")
            ] == ["not yet", "disputed", "in force"]


@pytest.mark.parametrize(("day", "expected"), [
    ("2015-12-31", "not yet"), ("2016-01-01", "uncertain"), ("2017-01-01", "in force"),
    ("2024-10-15", "uncertain"), ("2024-11-01", "ended")])
def test_status_on_a_day(day: str, expected: str):
    # Started some day in 2016, ended some day in 2024-10.
    assert dates.status(dates.span(["2016"]), dates.span(["2024-10"]), day) == expected


def test_the_network_on_a_day_drops_what_had_not_begun_or_had_ended(engine):
    from kqgraph.project import project

    network = project(engine)
    ford = ("kqr:ecopro-cam-canada-plant-investment-2023", "kqr:ford", "kq:investor")
    data = network.edges[ford]
    assert (data["start"], data["end"]) == ("2023-08-17", "2024-10")
    # Who says Ford left: the sources of the statement that ends its part.
    assert "kqs:guideautoweb-ford-abandonne-projet-usine" in data["sources"].split(" | ")
    assert network.has_edge(*ford) and in_force(network, "2023-09-01").has_edge(*ford)
    assert not in_force(network, "2024-11-01").has_edge(*ford)
    sti = network.nodes["kqr:canada-korea-sti-memorandum-2016"]
    assert dates.status(*span_of(sti), "2016-01-01") == "not yet"
    assert "kqr:canada-korea-sti-memorandum-2016" not in in_force(network, "2016-01-01")
