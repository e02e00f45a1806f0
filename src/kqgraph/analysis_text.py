"""Output stage for `path`, `hubs` and `gaps`: readable chains and tables for people, JSON
and CSV for tools. Every hop and every gap row is printed with its sources."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from kqgraph.output import pad, width

if TYPE_CHECKING:
    from collections.abc import Callable

    from kqgraph.analysis import Chain, Connection, Hop, Hubs
    from kqgraph.gaps import Gaps


def plain(value: Any) -> Any:
    """Records (NamedTuples) as dicts, all the way down, for JSON."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def dumps(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, indent=2)


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


NO_SOURCE = "no source in the data"


def cited(labels: tuple[str, ...] | list[str]) -> str:
    """Source labels for people; saying so when there are none (data without provenance)."""
    return "; ".join(labels) or NO_SOURCE


def when(start: str, end: str) -> str:
    """A hop's dates as written: '2017', '2022-07 – 2024-10', 'until 2024-10', 'undated'."""
    if start and end:
        return f"{start} – {end}"
    return start or (f"until {end}" if end else "undated")


def arrow(hop: Hop) -> str:
    """'─ party →' when the statement reads from the last stop to the next, '← party ─'
    when it reads the other way."""
    return f"─ {hop.label} →" if hop.forward else f"← {hop.label} ─"


# --- path -------------------------------------------------------------------------------------

def connection(found: Connection, fmt: str) -> str:
    if fmt == "json":
        return dumps(found)
    if fmt == "csv":
        rows = [[i, step, hop.source, chain.stops[step - 1].label,
                 "→" if hop.forward else "←", hop.property, hop.label, hop.target,
                 chain.stops[step].label, hop.start, hop.end, " | ".join(hop.sources),
                 " | ".join(hop.source_labels)]
                for i, chain in enumerate(found.chains, 1)
                for step, hop in enumerate(chain.hops, 1)]
        return _csv(["chain", "step", "from", "from_label", "direction", "property",
                     "relation", "to", "to_label", "start", "end", "sources", "source_labels"],
                    rows)
    return "\n".join(_connection_lines(found))


def _connection_lines(found: Connection) -> list[str]:
    ends = f"{found.source.label} → {found.target.label}"
    on = f" on {found.at}" if found.at else ""
    if found.hops is None:
        within = f" within {found.max_hops} hops" if found.max_hops is not None else ""
        return [f"{ends}: no chain of links{within}{on}."]
    avoided = ", ".join(found.avoided_labels)
    listed = len(found.chains)
    count = (f"{found.count} shortest chain" + ("s" if found.count != 1 else "")
             + (f", {listed} listed" if listed < found.count else ""))
    head = f"{ends}: {found.hops} hop{'s' if found.hops != 1 else ''}{on}, {count}"
    lines = [head + (f" (avoiding {avoided})." if avoided and not found.through_avoided
                     else ".")]
    if found.through_avoided:
        lines.append(f"No chain avoids {avoided}: the shortest goes through one.")
    elif listed < found.count and listed == 1:
        lines.append("The first by IRI; --all lists every one.")
    for i, chain in enumerate(found.chains, 1):
        if len(found.chains) > 1:
            lines.append(f"\nChain {i}:")
        lines += _chain_lines(chain)
    return lines


def _chain_lines(chain: Chain, indent: str = "  ") -> list[str]:
    first = chain.stops[0]
    lines = [f"{indent}{first.label} ({first.kind_label})"]
    for hop, there in zip(chain.hops, chain.stops[1:], strict=True):
        lines.append(f"{indent}  {arrow(hop)} {there.label} ({there.kind_label})")
        lines.append(f"{indent}      {when(hop.start, hop.end)} · sources: "
                     f"{cited(hop.source_labels)}")
    return lines


def chain_text(chain: Chain) -> str:
    """A chain on one line: 'A ← party ─ B ─ party → C'."""
    parts = [chain.stops[0].label]
    for hop, there in zip(chain.hops, chain.stops[1:], strict=True):
        parts += [arrow(hop), there.label]
    return " ".join(parts)


# --- hubs -------------------------------------------------------------------------------------

def hubs(found: Hubs, fmt: str) -> str:
    if fmt == "json":
        return dumps(found)
    left = f", left out: {', '.join(found.left_out_labels)}" if found.left_out else ""
    on = f" on {found.at}" if found.at else ""
    lines = [f"Network{on}: {found.nodes} nodes, {found.edges} links{left}."]
    lines += ["", "Most linked (distinct neighbours):"]
    lines += _ranked(found.degree, "{:.0f}")
    how = (f"estimated from {found.betweenness_sample} sampled nodes"
           if found.betweenness_sample else "exact")
    lines += ["", f"Most between (betweenness centrality, {how}):"]
    lines += _ranked(found.betweenness, "{:.4f}")
    lines += ["", f"Communities (Louvain, fixed seed): {len(found.communities)}"]
    alone = [c for c in found.communities if c.size == 1]
    for c in found.communities:
        if c.size == 1:
            continue
        names = ", ".join(m.label for m in c.members[:5])
        more = f", … ({c.size - 5} more)" if c.size > 5 else ""
        where = ", ".join(f"{name} {n}" for name, n in c.countries)
        lines.append(f"  {c.number:>3}. {c.size} nodes: {names}{more}"
                     + (f" [{where}]" if where else ""))
    if alone:
        lines.append(f"       and {len(alone)} of one node: "
                     + ", ".join(c.members[0].label for c in alone))
    sizes = ", ".join(map(str, found.components[:10]))
    lines += ["", f"Connected components: {len(found.components)} (sizes {sizes}"
              + (", …" if len(found.components) > 10 else "") + ")"]
    for title, rows in (("Organisations and people per country", found.by_country),
                        ("Nodes per sector", found.by_sector),
                        ("Relations per year they began", found.by_year)):
        lines += ["", f"{title}:"]
        lw = max((width(r.label or "(none)") for r in rows), default=0)
        for r in rows:
            kinds = ", ".join(f"{n} {found.kind_labels.get(k, k)}" for k, n in r.by_kind.items())
            lines.append(f"  {pad(r.label or '(none)', lw)}  {r.total:>4}  ({kinds})")
    return "\n".join(lines)


def _ranked(rows: list[Any], shape: str) -> list[str]:
    lw = max((width(r.label) for r in rows), default=0)
    return [f"  {shape.format(r.value):>7}  {pad(r.label, lw)}  ({r.kind_label})" for r in rows]


# --- gaps -------------------------------------------------------------------------------------

def gaps(found: Gaps, fmt: str) -> str:
    if fmt == "json":
        return dumps(found)
    if fmt == "csv":
        rows = [[i, g.first.id, g.first.label, g.second.id, g.second.label,
                 " | ".join(s for s, _ in g.sectors), " | ".join(p.id for p in g.partners),
                 " | ".join(p.label for p in g.partners), " | ".join(e.id for e in g.events),
                 g.hops, chain_text(g.chain) if g.chain else "",
                 " | ".join(sorted({s for e in g.active for s in e.sources})),
                 " | ".join(sorted({s for e in g.close for s in e.sources}))]
                for i, g in enumerate(found.rows, 1)]
        return _csv(["rank", "first", "first_label", "second", "second_label", "sectors",
                     "partners", "partner_labels", "events", "hops", "chain",
                     "active_sources", "close_sources"], rows)
    first, second = (s.label for s in found.sides)
    sector = f" in {found.sector[1]}" if found.sector else ""
    lines = [f"{first}–{second} organisations{sector} active in the same sector with no "
             f"agreement, presence or investment linking them, within {found.max_hops} hops: "
             f"{found.candidates - found.linked} of {found.candidates} pairs "
             f"({found.linked} already linked); closest first."]
    for i, g in enumerate(found.rows, 1):
        lines += ["", f"{i:>3}. {g.first.label} — {g.second.label}  "
                      f"[{', '.join(name for _, name in g.sectors)}]"]
        if g.partners:
            lines.append("     shared partners (who could introduce them):")
        for partner in g.partners:
            lines.append(f"       {partner.label}")
            lines += _firsts(g, [e for e in g.close if e.claim == "partner"
                                 and e.detail == partner.id], lambda e: e.detail, indent=9)
        if g.events:
            lines.append("     shared events:")
        for event in g.events:
            lines.append(f"       {event.label}")
            lines += _firsts(g, [e for e in g.close if e.claim == "event"
                                 and e.via == event.id], lambda e: e.via, indent=9)
        if g.chain:
            sources = sorted({s for e in g.close if e.claim == "path" for s in e.source_labels})
            lines.append(f"     {g.hops} hops: {chain_text(g.chain)}")
            lines.append(f"       [{cited(sources)}]")
        lines.append("     active in the sector:")
        names = dict(g.sectors) if len(g.sectors) > 1 else {}
        lines += _firsts(g, g.active, lambda e: e.detail, names)
    return "\n".join(lines)


def _firsts(gap: Any, evidence: list[Any], key: Callable[[Any], str],
            names: dict[str, str] | None = None, indent: int = 7) -> list[str]:
    """For each organisation and each partner, event or sector: the first piece of evidence
    with its sources, and how many more there are (--format json lists them all)."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for e in evidence:
        groups.setdefault((e.about, key(e)), []).append(e)
    lines = []
    for (about, what), found in groups.items():
        e = found[0]
        via = "its own record" if e.via == about else e.via_label
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        name = f" ({names[what]})" if names and what in names else ""
        lines.append(f"{' ' * indent}{_who(gap, about)}{name}: {via} "
                     f"[{cited(e.source_labels)}]{more}")
    return lines


def _who(gap: Any, about: str) -> str:
    return gap.first.label if about == gap.first.id else gap.second.label
