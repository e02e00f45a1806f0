"""How values read in ko, en and fr: numbers, figures with their qualifier and unit, a
relation's date beside its name, and the words the describe and brief stages add themselves.

Kept apart from the stages so that `describe`, `brief`, `timeline` and the network's panel
say the same thing the same way.
"""

from __future__ import annotations

from typing import Any

from kqgraph.lookup import display, node
from kqgraph.vocab import KQ, ORG, SCHEMA

# The one table of words these stages add (labels of terms come from the ontology).
WORDS = {
    "en": {"of": "{p} of", "with": "with {x}", "type": "type", "name": "name",
           "missing": "no {language} name in the sources", "left": "left {date}",
           "joined": "since {date}", "until": "until {date}",
           "languages": {"ko": "Korean", "en": "English", "fr": "French"}},
    "fr": {"of": "{p} de", "with": "avec {x}", "type": "type", "name": "nom",
           "missing": "aucun nom {language} dans les sources", "left": "parti en {date}",
           "joined": "depuis {date}", "until": "jusqu'en {date}",
           "languages": {"ko": "coréen", "en": "anglais", "fr": "français"}},
    "ko": {"of": "{p}", "with": "상대: {x}", "type": "유형", "name": "이름",
           "missing": "출처에 {language} 이름 없음", "left": "{date} 탈퇴",
           "joined": "{date}부터", "until": "{date}까지",
           "languages": {"ko": "한국어", "en": "영어", "fr": "프랑스어"}},
}
# Properties that do not read "X of" from their object: "employer of", not "works for of".
# Korean reads "근무처로서" (as the workplace) from the label alone, except where the label
# names the subject's role.
INVERSE = {
    SCHEMA.worksFor: {"en": "employer of", "fr": "employeur de"},
    KQ.hostedBy: {"en": "host of", "fr": "hôte de"},
    KQ.representing: {"en": "represented in", "fr": "représenté dans"},
    ORG.subOrganizationOf: {"en": "includes", "fr": "comprend"},
    SCHEMA.superEvent: {"en": "includes", "fr": "comprend"},
    SCHEMA.containedInPlace: {"en": "contains", "fr": "contient"},
    ORG.siteOf: {"en": "has a presence", "fr": "a une présence"},
    ORG.headOf: {"en": "headed by", "fr": "dirigé par", "ko": "책임자"},
    KQ.comparedTo: {"en": "compared with", "fr": "comparé avec"},
}
# Korean puts these qualifiers after the number ("1,400 초과"), the others before ("약 900").
AFTER_IN_KO = {KQ.moreThan, KQ.atLeast}


def joined(names: list[str], lang: str) -> str:
    """"Quebec and Seoul", "Québec et Séoul", "퀘벡주와 서울" (와 or 과 as Korean wants)."""
    if len(names) < 2:
        return "".join(names)
    head, last = names[:-1], names[-1]
    if lang == "ko":
        return "".join(f"{n}{'과' if final_consonant(n) else '와'} " for n in head) + last
    return ", ".join(head) + (" et " if lang == "fr" else " and ") + last


def word(lang: str, key: str, **fields: str) -> str:
    return WORDS[lang][key].format(**fields)


def inverse(prop: str, label: str, lang: str) -> str:
    """A property (its IRI and label) read from its object: "party of" (en), "partie de"
    (fr), "당사자로서" (ko); "employer of" for "works for"."""
    if lang in INVERSE.get(prop, {}):
        return INVERSE[prop][lang]
    prop = label
    if lang == "ko":
        return prop + ("으로서" if final_consonant(prop) not in (0, 8) else "로서")
    return word(lang, "of", p=prop)


def final_consonant(text: str) -> int:
    """The final consonant of a Hangul syllable (0 for none, 8 for ㄹ); 0 for other text."""
    last = text.rstrip()[-1:] or " "
    return (ord(last) - 0xAC00) % 28 if "\uac00" <= last <= "\ud7a3" else 0


def missing_name(lang: str, code: str) -> str:
    """"no Korean name in the sources", in `lang`."""
    return word(lang, "missing", language=WORDS[lang]["languages"][code])


def number(text: str, lang: str) -> str:
    """A number as people write it: 1,400 (en, ko), 1 400 and 3,5 (fr)."""
    whole, dot, decimals = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("+-")
    if not digits.isdigit() or (decimals and not decimals.isdigit()):
        return text
    grouped = f"{int(digits):,}".replace(",", "\u202f" if lang == "fr" else ",")
    mark = "," if lang == "fr" else "."
    return sign + grouped + (mark + decimals if dot and decimals else "")


def figure(engine: Any, obs: str, lang: str) -> str:
    """An observation's value for people: "more than 1,400 researchers", "약 900 researchers",
    "1,400 researchers 초과" keeps Korean word order; a share as 27% (27 % in French)."""
    subject = node(obs)

    def one(prop: str) -> Any:
        found = sorted((t.object for t in engine.triples(subject, node(prop), None)), key=str)
        return found[0] if found else None

    value = one(SCHEMA.value)
    if value is None:
        return ""
    unit = one(SCHEMA.unitCode)
    unit_text = "%" if unit is not None and unit.value == "P1" else (
        unit.value if unit is not None else "")
    if not unit_text:
        texts = {t.object.language or "": t.object.value
                 for t in engine.triples(subject, node(SCHEMA.unitText), None)}
        from kqgraph.vocab import pick_label

        unit_text = pick_label(texts, lang) or ""
    gap = "" if unit_text == "%" and lang != "fr" else "\u00a0" if unit_text == "%" else " "
    shown = number(value.value, lang) + (gap + unit_text if unit_text else "")
    qualifier = one(KQ.valueQualifier)
    if qualifier is None:
        return shown
    said = display(engine, qualifier, lang)
    return f"{shown} {said}" if lang == "ko" and qualifier.value in AFTER_IN_KO \
        else f"{said} {shown}"


def step_text(step: Any) -> str:
    """A start or end (kqgraph.dates.Span) as precise as its sources agree: "2023",
    "2023-12" and "2023-12-21" read 2023-12-21; values that disagree stay side by side."""
    from kqgraph import dates

    if step is None:
        return ""
    if not step.disputed:
        exact = [v for v in step.values if dates.interval(v) == (step.lo, step.hi)]
        if exact:
            return exact[0]
    return dates.shown(step)


def dated(label: str, when: str) -> str:
    """A name with its date: "Mila–Seoul AI Hub MOU (2023)" on 2023-06-27 reads
    "Mila–Seoul AI Hub MOU (2023-06-27)"; a name without a year gets the date after it."""
    if not when:
        return label
    first = when.split(" ")[0]
    year = first[:4]
    if label.endswith(f"({year})"):
        return label[: -len(year) - 2] + f"({when})"
    return f"{label} ({when})"
