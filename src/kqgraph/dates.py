"""Dates as precise as their source, and what was in force on a day.

A date known to the year ("2016") stands for every day of that year, one known to the month
("2024-10") for every day of the month: it is an interval, never its first day. When several
sources date the same step, their intervals are intersected (a precise date refines a vaguer
one); intervals that do not meet are a dispute. These are the rules of the saved query
`in-force` (graph/queries/in-force.rq), here for the stages that need them in Python: the
network's date filter, `path --at`, timelines and briefs.
"""

from __future__ import annotations

import calendar
from typing import NamedTuple

from kqgraph.vocab import KQ, SCHEMA

# What starts a thing, by class, in order of preference: the first that has a value counts.
# A class not listed starts at its founding or opening; events start when they happen and
# never end (that they took place stays true).
STARTS = {
    "Agreement": (KQ.dateInForce, KQ.dateSigned, SCHEMA.startDate, KQ.dateConcluded),
    "Presence": (KQ.dateOpened, SCHEMA.startDate, SCHEMA.foundingDate, KQ.dateAnnounced),
    "GovernmentOffice": (KQ.dateOpened, SCHEMA.foundingDate),
    "Investment": (SCHEMA.startDate, KQ.dateSigned, KQ.dateAnnounced),
    "Event": (SCHEMA.startDate,),
    "Talk": (SCHEMA.startDate,),
    "Mission": (SCHEMA.startDate,),
}
OTHER_STARTS = (SCHEMA.foundingDate, KQ.dateOpened)
ENDS = (KQ.dateEnded, KQ.dateWithdrawn, KQ.dateClosed, SCHEMA.endDate)
TIMELESS_ENDS = {"Event", "Talk", "Mission"}
STATUSES = ("in force", "not yet", "ended", "uncertain", "disputed", "undated")


class Span(NamedTuple):
    """One step (a start or an end) dated by one or more sources: the values as written,
    and the intersection of their intervals (lo > hi when the sources disagree)."""

    values: tuple[str, ...]
    lo: str
    hi: str
    earliest: str
    latest: str

    @property
    def disputed(self) -> bool:
        return self.lo > self.hi


def interval(value: str) -> tuple[str, str]:
    """The first and last day a date stands for: "2016" → 2016-01-01..2016-12-31."""
    text = str(value)[:10]
    if len(text) == 4:
        return f"{text}-01-01", f"{text}-12-31"
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:7])
        return f"{text}-01", f"{text}-{calendar.monthrange(year, month)[1]:02d}"
    return text, text


def span(values: list[str] | tuple[str, ...]) -> Span | None:
    """The step dated by these values (None without any)."""
    if not values:
        return None
    bounds = [interval(v) for v in values]
    return Span(tuple(sorted(set(values))), max(lo for lo, _ in bounds),
                min(hi for _, hi in bounds), min(lo for lo, _ in bounds),
                max(hi for _, hi in bounds))


def starts_and_ends(classes: set[str], dates: dict[str, list[str]]
                    ) -> tuple[Span | None, Span | None]:
    """A thing's start and end from its lifecycle dates (property IRI → values)."""
    preferred = next((STARTS[c] for c in sorted(classes) if c in STARTS), OTHER_STARTS)
    start = next((span(dates[p]) for p in preferred if dates.get(p)), None)
    if classes & TIMELESS_ENDS:
        return start, None
    return start, span([v for p in ENDS for v in dates.get(p, [])])


def status(start: Span | None, end: Span | None, day: str) -> str:
    """One of STATUSES, on `day` (YYYY-MM-DD, or YYYY-MM: its first day)."""
    day = interval(day)[0]
    if start is None:
        return "undated"
    begun = _passed(start, day)
    if begun != "yes":
        return {"no": "not yet", "unsure": "uncertain", "disputed": "disputed"}[begun]
    if end is None:
        return "in force"
    ended = _passed(end, day)
    return {"no": "in force", "yes": "ended", "unsure": "uncertain",
            "disputed": "disputed"}[ended]


def _passed(step: Span, day: str) -> str:
    """Whether the step had happened by `day`: yes, no, unsure (the interval straddles
    the day) or disputed (the sources disagree on which side the day falls)."""
    if step.disputed:
        if step.latest <= day:
            return "yes"
        return "no" if day < step.earliest else "disputed"
    if step.hi <= day:
        return "yes"
    return "no" if day < step.lo else "unsure"


def shown(step: Span | None) -> str:
    """A step for people: its values as written, several sources' values side by side."""
    return " · ".join(step.values) if step else ""
