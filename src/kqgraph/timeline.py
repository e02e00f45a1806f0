"""Timeline stage: the dated steps of the graph (or of one entity), in order, with sources.

The steps are those of the saved query `timeline` (graph/queries/timeline.rq, run here with
its entity filter): every lifecycle date (signed, in force, announced, opened, paused,
closed, founded, ...) and the start or end of what a statement dates (a role, a name, a
partner leaving a project). Python then orders them by the interval each date stands for
(kqgraph.dates: "2016" is all of 2016, so it sorts before 2016-12-20 and after 2015), keeps
those that overlap `start`..`end`, and labels them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from kqgraph import dates
from kqgraph.describe import sources_of
from kqgraph.lookup import display, label, node


class Event(NamedTuple):
    """One dated step: when, what, which step, what it concerns, and who says so."""

    date: str  # as the source writes it
    lo: str  # the first and last day the date stands for
    hi: str
    subject: str
    subject_label: str
    step: str  # the date property (kq:dateSigned, schema:endDate, ...)
    step_label: str
    relation: str  # for a statement's dates: the property whose value started or ended
    relation_label: str
    value: str  # ... and that value (an IRI or a text)
    value_label: str
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return self._asdict() | {"sources": list(self.sources)}


def timeline(engine: Any, *, entity: str | None = None, start: str | None = None,
             end: str | None = None, lang: str = "en") -> list[Event]:
    """The dated steps of the graph, or of `entity` (an IRI) and of what it takes part in,
    overlapping `start`..`end` (dates as precise as wanted: 2016, 2016-12, 2016-12-20)."""
    from kqgraph.saved import find_saved

    text = find_saved("timeline").text
    bindings = {"entity": node(entity)} if entity else None
    lo = dates.interval(start)[0] if start else "0000-00-00"
    hi = dates.interval(end)[1] if end else "9999-99-99"
    events = []
    for row in engine.query(text, bindings=bindings).rows:
        day = row["date"].value
        first, last = dates.interval(day)
        if last < lo or first > hi:
            continue
        subject = row["subject"].value
        sources = tuple(row["sources"].value.split()) if "sources" in row else ()
        relation = row["relation"].value if "relation" in row else ""
        value = row.get("value")
        events.append(Event(
            day, first, last, subject, label(engine, subject, lang), row["step"].value,
            label(engine, row["step"].value, lang), relation,
            label(engine, relation, lang) if relation else "",
            value.value if value is not None else "",
            " ".join(display(engine, value, lang).split()) if value is not None else "",
            sources or tuple(sorted(sources_of(engine, subject)))))
    return sorted(events, key=lambda e: (e.lo, e.hi, e.subject_label, e.step_label,
                                         e.relation_label, e.value_label))


def of_items(events: list[Event], items: set[str]) -> list[Event]:
    """The events about these nodes (a brief's entities and the relations it lists)."""
    return [e for e in events if e.subject in items]


def validate_range(start: str | None, end: str | None) -> None:
    """Refuse a --from after --to, and dates that are not dates."""
    import datetime
    import re

    from kqgraph.errors import KqError

    for name, value in (("--from", start), ("--to", end)):
        if value is None:
            continue
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise KqError(f"{name} wants a date: YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        try:
            for day in dates.interval(value):
                datetime.date.fromisoformat(day)
        except ValueError:
            raise KqError(f"{name} {value!r} is not a valid date") from None
    if start and end and dates.interval(start)[0] > dates.interval(end)[1]:
        raise KqError(f"--from {start} is after --to {end}")
