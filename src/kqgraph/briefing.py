"""Output stage for briefs: a `kqgraph.brief.Brief` as Markdown (to paste into a note) or
as one offline HTML page that prints cleanly on A4.

The HTML page has no script at all and forbids itself any fetch (Content-Security-Policy
`default-src 'none'`); every text from the data is escaped, addresses become links only
when they are http(s) addresses, and the citation marks link to the numbered sources on the
same page. Headings and the words around the data are in the brief's language (TEXT).
"""

from __future__ import annotations

from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from kqgraph import __version__
from kqgraph.text import TEXT as DESCRIBE_TEXT
from kqgraph.text import address, md, source_md, value_text
from kqgraph.wording import joined

if TYPE_CHECKING:
    from collections.abc import Callable

    from kqgraph.brief import Brief, Item
    from kqgraph.cite import Source

TEXT = {
    "en": {"title": "Briefing: {names}", "as_of": "Statuses as of {day}. Numbers in brackets "
           "point to the sources listed at the end.", "who": "Who", "Agreement": "Agreements",
           "Presence": "Presences", "Investment": "Investments and funding",
           "partners": "Partners", "partners_of": "Partners of {x}", "through": "through",
           "figures": "Key figures", "disputes": "Open disputes (the sources disagree)",
           "timeline": "Timeline", "connection": "How {names} are connected",
           "path": "Shortest chains of relations (Graph.path):",
           "shared": "Path finding (Graph.path) is not available in this kqgraph; instead, "
                     "what they share. The items above tie them directly ({counts}).",
           "both": "Belongs to both sides", "both_partners": "Partners of both sides",
           "counts": "agreements: {a}, presences: {p}, investments: {i}", "ties": "{n} ties",
           "sources": "Sources", "none": "None in the graph.", "more": "… {n} more: {how}",
           "left": "{who} left {date}", "generated": "kqgraph {version} · {iri}",
           "status": {"in force": "in force", "active": "active", "ended": "ended",
                      "withdrawn": "withdrawn", "closed": "closed", "paused": "paused",
                      "not yet": "not yet", "uncertain": "uncertain", "disputed": "disputed",
                      "undated": "undated", "announced": "announced"}},
    "fr": {"title": "Note d'information : {names}", "as_of": "Statuts au {day}. Les numéros "
           "entre crochets renvoient aux sources listées à la fin.", "who": "Qui",
           "Agreement": "Ententes", "Presence": "Présences",
           "Investment": "Investissements et financements", "partners": "Partenaires",
           "partners_of": "Partenaires de {x}", "through": "par",
           "figures": "Chiffres clés", "disputes": "Désaccords ouverts (les sources divergent)",
           "timeline": "Chronologie", "connection": "Comment {names} sont liés",
           "path": "Plus courtes chaînes de relations (Graph.path) :",
           "shared": "La recherche de chemins (Graph.path) n'est pas disponible dans ce kqgraph; "
                     "à la place, ce qu'ils ont en commun. Les éléments ci-dessus les lient "
                     "directement ({counts}).",
           "both": "Appartient aux deux côtés", "both_partners": "Partenaires des deux côtés",
           "counts": "ententes : {a}, présences : {p}, investissements : {i}",
           "ties": "{n} liens",
           "sources": "Sources", "none": "Rien dans le graphe.", "more": "… {n} de plus : {how}",
           "left": "{who} s'est retiré en {date}", "generated": "kqgraph {version} · {iri}",
           "status": {"in force": "en vigueur", "active": "active", "ended": "terminé",
                      "withdrawn": "retiré", "closed": "fermé", "paused": "suspendu",
                      "not yet": "pas encore", "uncertain": "incertain", "disputed": "contesté",
                      "undated": "non daté", "announced": "annoncé"}},
    "ko": {"title": "브리핑: {names}", "as_of": "상태 기준일 {day}. 대괄호 안의 번호는 끝에 있는 "
           "출처를 가리킵니다.", "who": "개요", "Agreement": "협정", "Presence": "진출",
           "Investment": "투자 및 자금 지원", "partners": "협력 상대",
           "partners_of": "{x}의 협력 상대", "through": "경로",
           "figures": "주요 수치", "disputes": "미해결 불일치 (출처 간 차이)",
           "timeline": "연표", "connection": "{names}의 연결 관계",
           "path": "가장 짧은 관계 사슬 (Graph.path):",
           "shared": "이 kqgraph에는 경로 찾기(Graph.path)가 없어, 대신 공통점을 보여 줍니다. "
                     "위 항목들이 직접 연결합니다 ({counts}).",
           "both": "양쪽에 모두 속함", "both_partners": "양쪽의 공통 협력 상대",
           "counts": "협정 {a}건, 진출 {p}건, 투자 {i}건", "ties": "{n}건",
           "sources": "출처", "none": "그래프에 없음.", "more": "… 외 {n}건: {how}",
           "left": "{who} {date} 탈퇴", "generated": "kqgraph {version} · {iri}",
           "status": {"in force": "발효 중", "active": "운영 중", "ended": "종료",
                      "withdrawn": "철회", "closed": "폐쇄", "paused": "중단",
                      "not yet": "시작 전", "uncertain": "불확실", "disputed": "불일치",
                      "undated": "날짜 없음", "announced": "발표됨"}},
}


class Writer:
    """The few things Markdown and HTML write differently."""

    def __init__(self, esc: Callable[[str], str], mark: Callable[[Any], str]) -> None:
        self.esc, self.mark = esc, mark


def sections(b: Brief, w: Writer) -> list[tuple[str, list[str], list[str], list[str]]]:
    """The brief as (heading, notes before, list items, notes after), in order: the items'
    text escaped and their sources marked by `w`, the notes plain."""
    words = TEXT[b.lang]
    esc, mark = w.esc, w.mark
    out: list[tuple[str, list[str], list[str], list[str]]] = []
    who = []
    for one in b.who:
        names = " · ".join(value_text(v, "names", esc=esc) for v in one.names)
        head = " · ".join(esc(x) for x in (one.kind, one.place) if x)
        line = f"{esc(one.label)} — {head}: {names}" + (f" {mark(one.sources)}" if one.sources
                                                       else "")
        who.append(line + (f". {esc(one.description)}" if one.description else ""))
    out.append((words["who"], [], who, []))
    for kind in ("Agreement", "Presence", "Investment"):
        items = [_item(it, b.lang, w) for it in b.listed(kind)]
        out.append((f"{words[kind]} ({len(items)})", [] if items else [words["none"]], items,
                    []))
    partners = []
    for of in dict.fromkeys(p.of for p in b.partners):
        mine = [p for p in b.partners if p.of == of]
        listed = "; ".join(esc(p.label) + (f" ({words['ties'].format(n=len(p.via))})"
                                           if len(p.via) > 1 else "") for p in mine)
        partners.append(f"{esc(words['partners_of'].format(x=of))}: {listed}")
    out.append((words["partners"], [] if partners else [words["none"]], partners,
                _more(b, "partners", words)))
    figures = [f"{esc(line.property)}: {value_text(line.values[0], 'figures', esc=esc, mark=mark)}"
               for line in b.figures]
    out.append((words["figures"], [] if figures else [words["none"]], figures,
                _more(b, "figures", words)))
    disputes = [f"{esc(line.property)}: " + " · ".join(
        value_text(v, "disputes", esc=esc, mark=mark) for v in line.values) +
        (f" — {esc(line.note)}" if line.note else "") for line in b.disputes]
    out.append((words["disputes"], [] if disputes else [words["none"]], disputes, []))
    events = [f"{esc(e.date)} · {esc(e.subject_label)} · {esc(e.step_label)}" +
              (f": {esc(e.relation_label)} → {esc(e.value_label)}" if e.relation else "") +
              (f" {mark(e.sources)}" if e.sources else "") for e in b.timeline]
    out.append((words["timeline"], _more(b, "timeline", words), events, []))
    if len(b.who) > 1:
        out.append(_connection(b, words, w))
    return out


def _item(it: Item, lang: str, w: Writer) -> str:
    words = TEXT[lang]
    esc = w.esc
    when = it.start + (f" – {it.end}" if it.end else "")
    parts = [x for x in (it.kinds, when, words["status"].get(it.status, it.status)) if x]
    text = f"{esc(it.label)} — " + " · ".join(esc(x) for x in parts)
    if it.parties:
        text += " · " + esc(", ".join(it.parties))
    if it.amounts:
        text += " · " + esc(", ".join(it.amounts))
    if it.sources:
        text += " " + w.mark(it.sources)
    for gone in it.left:
        text += "; " + esc(words["left"].format(who=gone.text, date=gone.when)) + (
            f" {w.mark(gone.sources)}" if gone.sources else "")
    return text


def _more(b: Brief, section: str, words: dict[str, Any]) -> list[str]:
    n = b.more.get(section, 0)
    if not n:
        return []
    from kqgraph.vocab import curie

    command = "timeline" if section == "timeline" else "describe"
    how = "; ".join(f"kqgraph {command} {curie(who.iri)}" for who in b.who)
    return [words["more"].format(n=n, how=how)]


def _connection(b: Brief, words: dict[str, Any], w: Writer
                ) -> tuple[str, list[str], list[str], list[str]]:
    names = joined([who.label for who in b.who], b.lang)
    heading = words["connection"].format(names=names)
    if b.connection_method == "path":
        return heading, [words["path"]], [
            value_text(v, "path", esc=w.esc, mark=w.mark) for _, v in b.connection], []
    counts = words["counts"].format(a=len(b.listed("Agreement")), p=len(b.listed("Presence")),
                                    i=len(b.listed("Investment")))
    lines = []
    for group, title in (("both", words["both"]), ("partners", words["both_partners"])):
        mine = [value_text(v._replace(extra=""), group, esc=w.esc, mark=w.mark) +
                (f" ({w.esc(v.extra)})" if v.extra else "")
                for g, v in b.connection if g == group]
        if mine:
            lines.append(f"{w.esc(title)}: " + "; ".join(mine))
    return heading, [words["shared"].format(counts=counts)], lines, []


def markdown(b: Brief) -> str:
    """The brief as Markdown: headings, bullet lists, the sources as a numbered list."""
    from kqgraph.cite import marks

    words = TEXT[b.lang]
    title = words["title"].format(names=joined([w.label for w in b.who], b.lang))
    out = [f"# {md(title)}", "", md(words["as_of"].format(day=b.day))]
    for heading, before, items, after in sections(b, Writer(md, marks)):
        out += ["", f"## {md(heading)}", ""]
        out += [md(p) for p in before] + ([""] if before and items else [])
        out += [f"- {item}" for item in items]
        out += ([""] if after else []) + [md(p) for p in after]
    out += ["", f"## {md(words['sources'])}", ""]
    out += [source_md(src, DESCRIBE_TEXT[b.lang]) for src in b.sources]
    return "\n".join(out) + "\n"


def html(b: Brief) -> str:
    """The brief as one offline HTML page, styled for the screen and for A4 paper."""
    words = TEXT[b.lang]
    title = words["title"].format(names=joined([w.label for w in b.who], b.lang))
    body = [f"<header><h1>{escape(title)}</h1>",
            f"<p class=\"meta\">{escape(words['as_of'].format(day=b.day))}</p></header>"]
    for heading, before, items, after in sections(b, Writer(escape, _html_marks)):
        body.append(f"<section><h2>{escape(heading)}</h2>")
        body += [f"<p class=\"note\">{escape(p)}</p>" for p in before]
        if items:
            body.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
        body += [f"<p class=\"note\">{escape(p)}</p>" for p in after]
        body.append("</section>")
    body.append(f"<section class=\"sources\"><h2>{escape(words['sources'])}</h2><ol>")
    body += [_source_html(src, DESCRIBE_TEXT[b.lang]["via"]) for src in b.sources]
    body.append("</ol></section>")
    iri = b.who[0].iri if b.who else ""
    body.append(f"<footer>{escape(words['generated'].format(version=__version__, iri=iri))}"
                "</footer>")
    style = (resources.files("kqgraph") / "assets" / "brief.css").read_text(encoding="utf-8")
    return ("<!DOCTYPE html>\n"
            f"<html lang=\"{escape(b.lang)}\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{escape(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _html_marks(numbers: Any) -> str:
    return "".join(f"<a class=\"cite\" href=\"#s{n}\">[{n}]</a>" for n in sorted(set(numbers)))


def _source_html(src: Source, via_word: str) -> str:
    parts = [src.label, *(p for p in (src.publisher, src.date) if p and p not in src.label)]
    text = escape(", ".join(parts))
    url, via = address(src.url), address(src.via)
    if url:
        text += f" — <a href=\"{escape(url)}\" rel=\"noopener noreferrer\">{escape(url)}</a>"
    elif via:
        text += (f" — {escape(via_word)} <a href=\"{escape(via)}\" rel=\"noopener noreferrer\">"
                 f"{escape(via)}</a>")
    return f"<li id=\"s{src.number}\" value=\"{src.number}\">{text}</li>"


WRITERS: dict[str, Callable[[Brief], str]] = {"markdown": markdown, "html": html}
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def render(b: Brief, fmt: str) -> str:
    """The brief in `fmt` (a key of WRITERS)."""
    return WRITERS[fmt](b)


def format_for(path: str | None, fmt: str | None) -> str:
    """The format asked, else the one the output file's suffix names, else Markdown."""
    from pathlib import Path

    from kqgraph.errors import KqError

    if fmt:
        return fmt
    if not path or path == "-":
        return "markdown"
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise KqError(f"cannot tell the format from {path!r}: name it .md or .html, or give "
                      "--format markdown|html")
    return SUFFIXES[suffix]
