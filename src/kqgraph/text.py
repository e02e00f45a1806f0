"""Output stage for people: what `describe`, `search`, `timeline`, `stats`, `queries` and
`validate` print, as text that fits the terminal (Hangul takes two cells), Markdown or JSON.
Sources are cited by number and listed once, with their address."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from kqgraph.cells import hanging, pad, terminal_width, width, wrap
from kqgraph.vocab import curie

if TYPE_CHECKING:
    from kqgraph.cite import Source
    from kqgraph.describe import Description, Line, Value
    from kqgraph.graph import Hit
    from kqgraph.saved import SavedQuery
    from kqgraph.timeline import Event
    from kqgraph.validate import Violation


TEXT = {
    "en": {"relations": "Relations", "figures": "Figures", "claims": "Claims",
           "disputes": "Disputes (every value, side by side)", "checks": "Checks",
           "sources": "Sources", "own": "values without a mark rest on {marks}",
           "disputed": "disputed", "via": "via",
           "hits": ("entity", "label", "names matched"),
           "no_match": "no name contains {text!r}, in any language",
           "near": "close names: {names}",
           "events": ("date", "what", "step", "sources"), "no_events": "no dated step"},
    "fr": {"relations": "Relations", "figures": "Chiffres", "claims": "Affirmations",
           "disputes": "Désaccords (chaque valeur, côte à côte)", "checks": "Vérifications",
           "sources": "Sources", "own": "les valeurs sans renvoi reposent sur {marks}",
           "disputed": "contesté", "via": "via",
           "hits": ("entité", "nom", "noms trouvés"),
           "no_match": "aucun nom ne contient {text!r}, dans aucune langue",
           "near": "noms proches : {names}",
           "events": ("date", "quoi", "étape", "sources"), "no_events": "aucune étape datée"},
    "ko": {"relations": "관계", "figures": "수치", "claims": "주장", "disputes": "불일치 (모든 값)",
           "checks": "검증", "sources": "출처", "own": "표시가 없는 값의 출처: {marks}",
           "disputed": "불일치", "via": "경유",
           "hits": ("개체", "이름", "일치한 이름"),
           "no_match": "어느 언어로도 {text!r}을(를) 포함하는 이름이 없음",
           "near": "비슷한 이름: {names}",
           "events": ("날짜", "대상", "단계", "출처"), "no_events": "날짜가 있는 단계 없음"},
}
HEADED = ("relations", "figures", "claims", "disputes", "checks")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def md(text: str) -> str:
    """Text from the data, safe in Markdown: characters that would format are escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def address(url: str) -> str | None:
    """An http(s) address fit to print as a link (no spaces or angle brackets), else None."""
    return url if re.fullmatch(r"https?://[^\s<>\"]+", url or "") else None


def value_text(value: Value, section: str, own: tuple[int, ...] = (),
               esc: Any = str, mark: Any = None) -> str:
    """One value as read: "ko 밀라", "1993 [7]", "more than 1,400 researchers (2025-02-11)
    [13]"; `esc` escapes the data's text for Markdown or HTML, `mark` writes the sources'
    numbers (plain [1][2] by default)."""
    from kqgraph.cite import marks

    mark = mark or marks
    if section == "names" and value.lang:
        text = f"{value.lang} — {esc(value.text)}" if value.missing \
            else f"{value.lang} {esc(value.text)}"
    else:
        text = esc(value.text)
    if value.when:
        text += f" ({esc(value.when)})"
    if value.extra:
        text += (": " if section == "checks" else " ") + esc(value.extra)
    if value.sources and not (section in ("names", "values") and value.sources == own):
        text += " " + mark(value.sources)
    return text


def line_text(line: Line, own: tuple[int, ...], words: dict[str, Any], esc: Any = str,
              arrow: str = "→ ", mark: Any = None) -> list[str]:
    """A line's values: one string side by side, or one per relation."""
    if line.section == "relations":
        return [arrow + value_text(v, line.section, esc=esc, mark=mark) for v in line.values]
    text = " · ".join(value_text(v, line.section, own, esc, mark) for v in line.values)
    if line.section == "values" and line.note:
        text += f" — {words['disputed']}"
    if line.section == "disputes" and line.note:
        return [text, esc(line.note)]
    return [text]


def description(desc: Description, fmt: str, lang: str = "en", total: int | None = None
                ) -> str:
    """`describe` as a table for the terminal (fitting `total` cells), Markdown, or JSON."""
    from kqgraph.describe import as_dict

    if fmt == "json":
        return dumps(as_dict(desc))
    if fmt == "markdown":
        return _description_md(desc, lang)
    from kqgraph.cite import marks

    words = TEXT[lang]
    total = total or terminal_width()
    out = wrap(f"{desc.label}  <{desc.iri}>", total)
    head = [desc.kind, curie(desc.iri)]
    if desc.own:
        head.append(words["own"].format(marks=marks(desc.own)))
    out += wrap(" · ".join(x for x in head if x), total)
    pw = min(max((width(line.property) for line in desc.section("names") +
                  desc.section("values")), default=0), total // 3, 32)
    for section in ("names", "values", *HEADED):
        lines = desc.section(section)
        if not lines:
            continue
        if section in HEADED:
            out.append(words[section])
        if section == "relations":
            rw = min(max(width(line.property) for line in lines), total // 3, 32)
            for line in lines:
                out += _row(line.property, line_text(line, desc.own, words), rw, total)
            continue
        for line in lines:
            texts = line_text(line, desc.own, words)
            if section in HEADED:  # a long label: the value follows it, not in a column
                out += hanging("  ", f"{line.property}: {texts[0]}", total, indent=4)
                out += [x for t in texts[1:] for x in hanging("    ", t, total)]
            else:
                out += _row(line.property, texts, pw, total)
    if desc.sources:
        out.append(words["sources"])
        out += [x for src in desc.sources
                for x in hanging("  ", reference(src, words), total, indent=6)]
    return "\n".join(out)


def _row(prop: str, texts: list[str], pw: int, total: int) -> list[str]:
    """`  property  text`, the text wrapped beside the property column."""
    out = []
    if width(prop) > pw:
        out += wrap("  " + prop, total)
        prop = ""
    for number, text in enumerate(texts):
        first = "  " + pad(prop if number == 0 else "", pw) + "  "
        out += hanging(first, text, total, indent=width(first) + (2 if text[:1] == "→" else 0))
    return out


def reference(src: Source, words: dict[str, Any]) -> str:
    """[3] label, publisher, date — address (or "via" the address it is known from)."""
    parts = [src.label, *(p for p in (src.publisher, src.date) if p and p not in src.label)]
    where = src.url or (f"{words['via']} {src.via}" if src.via else "")
    return f"[{src.number}] " + ", ".join(parts) + (f" — {where}" if where else "")


def _description_md(desc: Description, lang: str) -> str:
    from kqgraph.cite import marks

    words = TEXT[lang]
    out = [f"# {md(desc.label)}", "",
           " · ".join(x for x in (md(desc.kind), f"`{curie(desc.iri)}`", f"<{desc.iri}>") if x)]
    if desc.own:
        out += ["", md(words["own"].format(marks=marks(desc.own)))]
    for section in ("names", "values", *HEADED):
        lines = desc.section(section)
        if not lines:
            continue
        out += ["", f"## {words[section]}", ""] if section in HEADED else [""]
        for line in lines:
            texts = line_text(line, desc.own, words, md, arrow="")
            if line.section == "relations":
                out.append(f"- **{md(line.property)}**")
                out += [f"  - {t}" for t in texts]
                continue
            out.append(f"- **{md(line.property)}**: " + texts[0])
            out += [f"  {t}" for t in texts[1:]]
    if desc.sources:
        out += ["", f"## {words['sources']}", ""]
        out += [source_md(src, words) for src in desc.sources]
    return "\n".join(out) + "\n"


def source_md(src: Source, words: dict[str, Any]) -> str:
    """A numbered source as a Markdown list item, its address a link."""
    parts = [md(src.label), *(md(p) for p in (src.publisher, src.date) if p and p not in src.label)]
    url, via = address(src.url), address(src.via)
    where = f"<{url}>" if url else f"{words['via']} <{via}>" if via else ""
    return f"{src.number}. " + ", ".join(parts) + (f" — {where}" if where else "")


def hits(found: list[Hit], fmt: str, lang: str = "en", total: int | None = None) -> str:
    if fmt == "json":
        return dumps([{"iri": h.iri, "curie": h.curie, "label": h.label, "matched": h.matched}
                      for h in found])
    rows = [list(TEXT[lang]["hits"])] + [[h.curie, h.label, " | ".join(h.matched)]
                                         for h in found]
    from kqgraph.cells import table

    return "\n".join(table(rows, total or terminal_width(), keep=(0,)))


def no_match(text: str, near: list[tuple[str, str]], lang: str = "en") -> str:
    """What `search` says when nothing matches, with the closest names in any language."""
    words = TEXT[lang]
    said = words["no_match"].format(text=text)
    if near:
        said += "; " + words["near"].format(names=", ".join(f"{n} ({c})" for c, n in near))
    return said


def events(found: list[Event], fmt: str, lang: str = "en", *, engine: Any = None,
           total: int | None = None) -> str:
    """`timeline` as a table (sources by label), CSV (sources as IRIs and addresses), or
    JSON (each source with its label and address)."""
    from kqgraph.cite import Citations

    cites = Citations()
    for event in found:
        cites.cite(event.sources)
    known = {s.iri: s for s in cites.sources(engine, lang)} if engine is not None else {}
    if fmt == "json":
        return dumps([e.as_dict() | {"sources": [known[s].as_dict() if s in known else
                                                 {"iri": s} for s in e.sources]}
                      for e in found])
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["date", "subject", "subject_label", "step", "step_label", "relation",
                         "relation_label", "value", "value_label", "sources", "source_urls"])
        for e in found:
            urls = [known[s].url or known[s].via if s in known else "" for s in e.sources]
            writer.writerow([e.date, e.subject, e.subject_label, e.step, e.step_label,
                             e.relation, e.relation_label, e.value, e.value_label,
                             " ".join(e.sources), " ".join(u for u in urls if u)])
        return out.getvalue().rstrip("\r\n")
    from kqgraph.cells import table

    words = TEXT[lang]
    rows = [list(words["events"])]
    for e in found:
        step = e.step_label + (f": {e.relation_label} → {e.value_label}" if e.relation else "")
        rows.append([e.date, e.subject_label, step,
                     "; ".join(known[s].label if s in known else s for s in e.sources)])
    if not found:
        return words["no_events"]
    return "\n".join(table(rows, total or terminal_width(), keep=(0,)))


def stats(result: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return dumps(result)
    missing = ", ".join(f"{n} without {code}" for code, n in result["missing_labels"].items())
    lines = [f"{result['triples']} triples in {result['files']} files",
             f"{result['entities']} entities; labels: {missing}",
             f"{result['relations']} relation nodes (agreements, presences, investments, "
             f"missions, events), {result['sources']} sources, {result['statements']} "
             "sourced statements"]
    cw = max((len(row["class"]) for row in result["classes"]), default=0)
    lines += [f"{row['count']:>6}  {row['class']:<{cw}}  {row['label']}"
              for row in result["classes"]]
    return "\n".join(lines)


def saved_queries(found: list[SavedQuery], fmt: str) -> str:
    if fmt == "json":
        return dumps([{"name": s.name, "title": s.title, "description": s.description,
                       "params": [p._asdict() for p in s.params]} for s in found])
    lines = []
    for saved in found:
        lines.append(f"{saved.name}: {saved.title}")
        if saved.description:
            lines.append(f"    {saved.description}")
        lines += [f"    --param {p.name}=VALUE  {p.description} (default {p.default})"
                  for p in saved.params]
    return "\n".join(lines)


def violations(found: list[Violation], fmt: str) -> str:
    if fmt == "json":
        return dumps({"conforms": not found, "violations": [v.as_dict() for v in found]})
    return "\n".join(str(v) for v in found)
