"""The справка's prose: which blocks it has, in what order, and how a block's text is laid out.

A block is plain text: paragraphs separated by an empty line, and lists whose lines start with
"- " (or "• "). Nothing else is markup: "<b>", "**" or "$x$" print as typed, in HTML (escaped), in
the PDF and in the workbook alike. Blocks of a справка, in print order:

- «Введение» (`introduction`), defaulting to the programme's description;
- after each section, a commentary keyed by the section's key (for «Выводы», the conclusions
  themselves, printed after the sentences computed from the figures);
- «Проблемы» (`problems`), «Задачи на следующий период» (`tasks`), «Рекомендации» (`recommendations`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INTRODUCTION = "introduction"
PROBLEMS = "problems"
TASKS = "tasks"
RECOMMENDATIONS = "recommendations"

CLOSING_PARTS = {
    PROBLEMS: "Проблемы",
    TASKS: "Задачи на следующий период",
    RECOMMENDATIONS: "Рекомендации",
}
MAX_BLOCK_LENGTH = 20_000

_ITEM = re.compile(r"^\s*(?:[-•–—]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Part:
    key: str
    label: str  # as the form and the list of differences name it
    heading: str  # printed above the block; "" when it follows a section under that section's title


def parts(programme) -> list[Part]:
    """The blocks of the programme's справка in print order."""
    from .sections import SECTIONS  # the registry imports the exporters, which import this module

    found = [Part(INTRODUCTION, "Введение", "Введение")]
    found += [Part(key, SECTIONS[key].commentary_label, "") for key in programme.section_keys()]
    found += [Part(key, label, label) for key, label in CLOSING_PARTS.items()]
    return found


def part_keys(programme) -> set[str]:
    return {part.key for part in parts(programme)}


def narrative_of(holder, narrative: dict | None = None) -> dict:
    """The blocks to print: `narrative` when given (an approved version's), else the holder's
    (reports.PeriodReport) as saved, else none."""
    if narrative is not None:
        return narrative
    return holder.narrative if holder is not None else {}


def blocks(programme, narrative: dict | None) -> dict[str, str]:
    """Each part's text as it prints: the introduction falls back to the programme's description."""
    narrative = narrative or {}
    texts = {part.key: _text(narrative.get(part.key)) for part in parts(programme)}
    if not texts[INTRODUCTION].strip():
        texts[INTRODUCTION] = programme.description or ""
    return {key: text for key, text in texts.items() if text.strip()}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def layout(text: str) -> list[tuple[str, str | list[str]]]:
    """[("p", paragraph) | ("ul", [item, …]) | ("ol", [item, …])]: lines of one paragraph are joined."""
    result: list[tuple[str, str | list[str]]] = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_ITEM.match(line) for line in lines):
            kind = "ol" if re.match(r"^\s*\d", lines[0]) else "ul"
            result.append((kind, [_ITEM.sub("", line, count=1) for line in lines]))
            continue
        paragraph: list[str] = []
        for line in lines:
            if _ITEM.match(line):
                if paragraph:
                    result.append(("p", " ".join(paragraph)))
                    paragraph = []
                if result and result[-1][0] == "ul":
                    result[-1][1].append(_ITEM.sub("", line, count=1))
                else:
                    result.append(("ul", [_ITEM.sub("", line, count=1)]))
            else:
                paragraph.append(line)
        if paragraph:
            result.append(("p", " ".join(paragraph)))
    return result


def to_html(text: str) -> SafeString:
    """The block as HTML: every character of the text escaped, only <p>, <ul>/<ol> and <li> added."""
    html = []
    for kind, content in layout(text):
        if kind == "p":
            html.append(f"<p>{escape(content)}</p>")
        else:
            items = "".join(f"<li>{escape(item)}</li>" for item in content)
            html.append(f"<{kind}>{items}</{kind}>")
    return mark_safe("\n".join(html))


def to_lines(text: str) -> list[str]:
    """The block as lines for a worksheet: a paragraph per line, list items with a dash."""
    lines = []
    for kind, content in layout(text):
        if kind == "p":
            lines.append(content)
        elif kind == "ul":
            lines += [f"– {item}" for item in content]
        else:
            lines += [f"{n}. {item}" for n, item in enumerate(content, 1)]
    return lines
