"""Text laid out in terminal cells: Hangul takes two, accents none; long lines wrap.

Tables and descriptions must fit the terminal (80 columns is common), so cells are
measured, not characters counted, and what does not fit wraps at spaces (or anywhere in
a word longer than the room, such as an address).
"""

from __future__ import annotations

import unicodedata

# `typing` would cost the light commands' start-up; annotations are strings here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

MIN_COLUMN = 6
WORD_FLOOR = 14


def width(text: str) -> int:
    """Terminal cells a string takes: wide (Hangul, CJK) = 2, combining marks = 0."""
    return sum(_cells(c) for c in text)


def _cells(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def pad(text: str, cells: int) -> str:
    return text + " " * (cells - width(text))


def terminal_width() -> int:
    """The terminal's width ($COLUMNS first; 80 when there is no terminal)."""
    import shutil

    return max(shutil.get_terminal_size().columns, 20)


def wrap(text: str, cells: int) -> list[str]:
    """`text` in lines of at most `cells` cells, broken at spaces where possible."""
    cells = max(cells, 1)
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if width(candidate) <= cells:
            line = candidate
            continue
        if line:
            lines.append(line)
        while width(word) > cells:
            head = _take(word, cells)
            lines.append(head)
            word = word[len(head):]
        line = word
    lines.append(line)
    return lines


def _take(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells` (at least one character)."""
    used = 0
    for i, char in enumerate(text):
        used += _cells(char)
        if used > cells:
            return text[:i] or text[:1]
    return text


def hanging(first: str, text: str, total: int, indent: int | None = None) -> list[str]:
    """`first` then `text`, wrapped to `total` cells; continuation lines are indented to
    where `text` starts (or by `indent`)."""
    start = width(first) if indent is None else indent
    room = total - start
    if room < 20:  # too narrow beside the label: the text goes below it
        return [first.rstrip(), *("    " + x for x in wrap(text, total - 4))]
    parts = wrap(text, room)
    return [first + parts[0], *(" " * start + p for p in parts[1:])]


def fit(widths: Sequence[int], total: int, gap: int = 2,
        words: Sequence[int] | None = None, keep: Sequence[int] = ()) -> list[int]:
    """Column widths that fit in `total` cells. Each column first gets room for its
    longest word (up to WORD_FLOOR cells: dates and names stay whole); if even that is too
    wide, the columns with the longest words give way first, down to MIN_COLUMN. What room
    is left goes to the columns in proportion to what they still lack."""
    room = total - gap * (len(widths) - 1)
    if sum(widths) <= room:
        return list(widths)
    mins = [min(w, room // 2) if i in keep else
            min(w, max(MIN_COLUMN, min(words[i] if words else 0, WORD_FLOOR)))
            for i, w in enumerate(widths)]
    while sum(mins) > room and max(mins) > MIN_COLUMN:
        mins[max(range(len(mins)), key=lambda i: (mins[i], -i))] -= 1
    # Water-filling: every column up to one level, narrow ones whole, so that the room left
    # goes first to the columns that need little to fit.
    lo, hi = 0, max(widths)
    while lo < hi:
        level = (lo + hi + 1) // 2
        if sum(max(m, min(w, level)) for w, m in zip(widths, mins, strict=True)) <= room:
            lo = level
        else:
            hi = level - 1
    out = [max(m, min(w, lo)) for w, m in zip(widths, mins, strict=True)]
    spare = room - sum(out)
    for i in sorted(range(len(out)), key=lambda i: widths[i] - out[i]):
        if spare <= 0:
            break
        if out[i] < widths[i]:
            out[i] += 1
            spare -= 1
    return out


def table(rows: Sequence[Sequence[str]], total: int | None, *, header: bool = True,
          gap: int = 2, keep: Sequence[int] = ()) -> list[str]:
    """Rows as aligned columns within `total` cells (None: no limit); long cells wrap
    within their column, except in the columns `keep` (identifiers), which stay whole up
    to half the width. With `header`, the first row is underlined."""
    if not rows:
        return []
    natural = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    words = [max(width(w) for row in rows for w in row[i].split(" ")) for i in range(len(natural))]
    widths = fit(natural, total, gap, words, keep) if total else natural
    out = []
    for number, row in enumerate(rows):
        columns = [wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        for depth in range(max(map(len, columns))):
            parts = [pad(col[depth] if depth < len(col) else "", w)
                     for col, w in zip(columns, widths, strict=True)]
            out.append((" " * gap).join(parts).rstrip())
        if header and number == 0:
            out.append((" " * gap).join("─" * w for w in widths))
    return out
