"""Numbers in the prose of a справка, checked against its tables.

A coordinator writes commentary around the computed tables; a number typed into it should be one
the tables show. `report_figures(report)` collects every figure of the справка, and
`unmatched_numbers(text, figures)` lists the numbers of a text that are not among them, each with
the nearest figure, so that `message()` can say «в тексте 2 439, в таблицах 2 457».

What counts as a figure of the справка:
- every count, total, percentage and average of its sections (`Report.to_dict()`), and the
  numbers printed in its generated conclusions;
- the length of every list it prints (municipalities without residents: 6);
- what a reader computes from its tables, the way reports/figures.py computes it: each row's
  share of its total, the sum of the first rows of a ranking (up to `LEADERS_AT_MOST`) with its
  share and the remainder, the difference and percentage change between periods it shows,
  averages per edition, per organisation, per team;
- with `earlier` справки (the one or two preceding periods): their headline figures
  (`HEADLINES`) and the change of each against this period — what a commentary comparing
  periods may quote.

How a text is read (`read_numbers`):
- «2 584» with a space, no-break space or narrow no-break space between thousands, «2584»,
  «3,6 %», «69%», «+65,3 %», «−12 %», «3,6 процента»; a sign is not part of the figure
  («снижение на 1,8 %» and «−1,8 %» both match 1,8 %);
- a number typed with fewer decimals than the figure matches the rounded figure (69 % for 68,9 %);
- not checked: years (a four-digit 1990–2100 written without a thousands separator; the справка
  groups every figure from 1 000 on, «2 019», so no figure looks like a year), ranges and
  academic-year labels of years (2017–2019, 2019/2020, 2019/20), dates (20.01.2020,
  «20 января 2020 г.», «23–25 января», «с 1 по 3 февраля»), times (10:00), addresses (URLs,
  e-mail);
  references (таблица 1, рисунок 2, критерий 3, № 5, №№ 7, 10, 11, пункт 4, раздел 2,
  приложение 1); school grades (9–11 классов, 11 класса); ordinals (2-й, 3-го); digits that
  belong to a name (COVID-19, «Сезон проектов_1819», 3D);
- small enumerations: a single digit 1, 2 or 3 followed by a word («в 2 этапа», «3 дня»,
  «1 место») is not a figure. The same digit elsewhere («(3)», «— 2», «из 3») or before a
  preposition or conjunction («2 из 6», «2 и 4») is checked. Numbers written in words are never
  read.

What is near: the same kind (a percentage is compared only with percentages, any other number
only with other numbers), and within 5 % of the figure; for percentages also within one
percentage point (2,5 % against 2,7 %). Nothing near: «такого числа нет в таблицах справки».
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reports import wording as w
from reports.figures import average, percent_change, percent_of

NUMBER = "number"
PERCENT = "percent"

# A ranking's leaders: the sums of its first rows are figures up to this many rows.
LEADERS_AT_MOST = 5


@dataclass(frozen=True)
class Figure:
    kind: str  # NUMBER or PERCENT
    value: Decimal  # without its sign

    @classmethod
    def of(cls, value, kind: str = NUMBER) -> "Figure":
        if isinstance(value, float):
            value = Decimal(str(value))
        return cls(kind, abs(Decimal(value)))

    def __str__(self) -> str:
        return format_figure(self)


def format_figure(figure: Figure) -> str:
    """As the справка prints it: 2 457, 68,9 %, 516,8."""
    if figure.kind == PERCENT:
        return w.percent(figure.value)
    if figure.value == figure.value.to_integral_value():
        return w.number(int(figure.value))
    return w.number(figure.value)


@dataclass(frozen=True)
class TypedNumber:
    text: str  # as typed: "2439", "+65,3 %"
    start: int
    end: int
    figure: Figure  # what it reads as
    decimals: int  # digits typed after the decimal comma
    ignored: str = ""  # why it is not checked: "год", "дата", "ссылка", ...; "" when it is


@dataclass(frozen=True)
class Mismatch:
    typed: str  # the number as typed
    start: int
    end: int
    figure: Figure  # what it reads as
    nearest: Figure | None  # the figure of the справка it is near, None when nothing is


# Reading ----------------------------------------------------------------------------------------

_SPACE = "[ \u00a0\u202f\u2009]"
_MONTH = r"(?:январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*"
_NUMBER_RE = re.compile(
    r"(?P<sign>[+\-−–]?)"
    rf"(?P<digits>\d{{1,3}}(?:{_SPACE}\d{{3}}(?!\d))+|\d+)"
    r"(?:[,.](?P<fraction>\d+)(?![.,]?\d))?"
    rf"(?P<percent>{_SPACE}?%|{_SPACE}*процент\w*)?",
    re.IGNORECASE,
)
# Spans whose digits are not figures, with the reason shown to whoever asks why.
_NOT_FIGURES = [
    ("адрес", re.compile(r"\S+://\S+|www\.\S+|\S+@\S+\.\S+", re.IGNORECASE)),
    ("дата", re.compile(r"(?<![\d.,])\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?![\d])")),
    (
        "дата",
        re.compile(
            rf"(?<![\d,])\d{{1,2}}(?:\s*(?:[-–—]|по|и)\s*\d{{1,2}})?{_SPACE}+{_MONTH}(?:{_SPACE}+\d{{4}})?",
            re.IGNORECASE,
        ),
    ),
    ("время", re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")),
    ("годы", re.compile(r"(?<![\d,])(?:199\d|20\d\d|2100)\s*[-–—/]\s*(?:\d{4}|\d{2})(?![\d%])")),
    (
        "ссылка",
        re.compile(
            r"(?:№№|(?<!\w)(?:критерии|критериев|критериям|критериях|таблицы|таблицах|рисунки|рисунков|пункты|пунктов"
            r"|разделы|разделов))\s*\d+(?:\s*(?:,|и|–|—|-)\s*\d+)*",
            re.IGNORECASE,
        ),
    ),
    (
        "ссылка",
        re.compile(
            r"(?:№|(?<!\w)(?:таблиц\w*|табл\.|рисун\w*|рис\.|диаграмм\w*|график\w*|критери\w*|пункт\w*|п\."
            r"|раздел\w*|глав\w*|приложени\w*))\s*\d+",
            re.IGNORECASE,
        ),
    ),
    ("класс", re.compile(r"(?<![\d,])\d{1,2}(?:\s*[-–—]\s*\d{1,2})?(?:-?х)?\s+класс\w*", re.IGNORECASE)),
]
_LETTER = re.compile(r"[^\W\d]")
# Words after a small digit that do not make it an enumeration: «2 из 6» is a figure, «2 этапа» is not.
_FUNCTION_WORDS = {
    "и",
    "или",
    "а",
    "но",
    "из",
    "в",
    "во",
    "на",
    "по",
    "при",
    "против",
    "от",
    "до",
    "к",
    "с",
    "со",
    "за",
}


def _reason_in_context(text: str, match: re.Match, sign: str) -> str:
    """Why a number is not a figure, judged from the characters around it; "" when it is."""
    start, end = match.start("digits"), match.end()
    before = text[start - 1] if start else ""
    if not sign and before in "-–" and start >= 2 and _LETTER.match(text[start - 2]):
        return "название"  # COVID-19
    if before and (before.isalnum() or before == "_"):
        return "название"  # _1819, x2
    after = text[end : end + 1]
    if after == "-" and _LETTER.match(text[end + 1 : end + 2]):
        return "порядковое"  # 2-й, 3-го
    if after and (_LETTER.match(after) or after == "_"):
        return "название"  # 3D
    digits, fraction, percent = match["digits"], match["fraction"], match["percent"]
    if not sign and not fraction and not percent and re.fullmatch(r"\d{4}", digits) and 1990 <= int(digits) <= 2100:
        return "год"
    following = re.match(rf"{_SPACE}+([^\W\d]+)", text[end:])
    if not sign and not fraction and not percent and digits in ("1", "2", "3") and following:
        if following[1].lower() not in _FUNCTION_WORDS:
            return "малое число"  # в 2 этапа
    return ""


def read_numbers(text: str) -> list[TypedNumber]:
    """Every number written in digits, in order, with the reason it is not checked where it is not."""
    skipped = [(m.start(), m.end(), reason) for reason, pattern in _NOT_FIGURES for m in pattern.finditer(text)]
    found = []
    for match in _NUMBER_RE.finditer(text):
        sign = match["sign"]
        if sign:
            before = text[match.start() - 1] if match.start() else " "
            # A dash between two numbers or after a word is a range or a hyphen, not a minus.
            if not (before.isspace() or before in "([«\"'/:;="):
                sign = ""
        start = match.start() if sign else match.start("digits")
        digits = re.sub(_SPACE, "", match["digits"])
        fraction = match["fraction"] or ""
        value = Decimal(f"{digits}.{fraction}" if fraction else digits)
        kind = PERCENT if match["percent"] else NUMBER
        reason = next((r for s, e, r in skipped if s <= match.start("digits") < e), "")
        reason = reason or _reason_in_context(text, match, sign)
        found.append(
            TypedNumber(
                text=text[start : match.end()].strip(),
                start=start,
                end=match.end(),
                figure=Figure(kind, value),
                decimals=len(fraction),
                ignored=reason,
            )
        )
    return found


# Checking ---------------------------------------------------------------------------------------


def _rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _matches(typed: TypedNumber, figure: Figure) -> bool:
    if figure.kind != typed.figure.kind:
        return False
    return figure.value == typed.figure.value or _rounded(figure.value, typed.decimals) == typed.figure.value


def _is_near(typed: Figure, figure: Figure) -> bool:
    allowed = figure.value * Decimal("0.05")
    if figure.kind == PERCENT:
        allowed = max(allowed, Decimal(1))
    return abs(typed.value - figure.value) <= allowed


def nearest_figure(typed: Figure, figures: Iterable[Figure]) -> Figure | None:
    """The figure of the same kind closest to the typed one, if it is near (see the module's rules)."""
    same_kind = [f for f in figures if f.kind == typed.kind]
    if not same_kind:
        return None
    best = min(same_kind, key=lambda f: (abs(f.value - typed.value), f.value))
    return best if _is_near(typed, best) else None


def unmatched_numbers(text: str, figures: Iterable[Figure]) -> list[Mismatch]:
    """The numbers of the text that are not figures of the справка, in the order they are typed."""
    figures = set(figures)
    mismatches = []
    for typed in read_numbers(text):
        if typed.ignored or typed.figure in figures or any(_matches(typed, f) for f in figures):
            continue
        mismatches.append(
            Mismatch(typed.text, typed.start, typed.end, typed.figure, nearest_figure(typed.figure, figures))
        )
    return mismatches


def message(mismatch: Mismatch) -> str:
    """«в тексте 2 439, в таблицах 2 457» — or that nothing in the tables is near it."""
    if mismatch.nearest is None:
        return f"в тексте {mismatch.typed} — такого числа нет в таблицах справки"
    return f"в тексте {mismatch.typed}, в таблицах {format_figure(mismatch.nearest)}"


# What a reader computes from the tables ---------------------------------------------------------
# The drafts (reports/drafts.py) compute their shares, leaders and changes with these functions,
# so that what they print is exactly what report_figures() holds.


def share(part, whole) -> Decimal | None:
    """part of whole in percent, one decimal: reports.figures.percent_of."""
    return percent_of(part, whole)


def difference(current, previous) -> int | None:
    if current is None or previous is None:
        return None
    return current - previous


def change(current, previous) -> tuple[int | None, Decimal | None]:
    """(difference, percentage change) from previous to current."""
    return difference(current, previous), percent_change(current, previous)


def mean(total, count) -> Decimal | None:
    """total / count to one decimal (516,8 participants per edition); None when count is 0."""
    if total is None or not count:
        return None
    return average(Decimal(total) / Decimal(count))


def ranked(rows: Sequence, value) -> list:
    """Rows from the largest value down; equal values keep the table's order."""
    return sorted(rows, key=lambda row: -value(row))


def leaders(rows: Sequence, value, total: int) -> list:
    """The first rows of the ranking that together reach half of the total; at most LEADERS_AT_MOST
    rows and never half of a tie (8 and 8 are both in or both out). When no such cut reaches half,
    the longest one within the limit."""
    ordered = [r for r in ranked(rows, value) if value(r) > 0]
    chosen: list = []
    for k in range(1, min(len(ordered), LEADERS_AT_MOST) + 1):
        if k < len(ordered) and value(ordered[k]) == value(ordered[k - 1]):
            continue  # the cut would split a tie
        chosen = ordered[:k]
        if 2 * sum(value(r) for r in chosen) >= total:
            break
    return chosen


def _ranking_figures(values: list[int], total: int | None) -> Iterable[Figure]:
    """Shares of each row, sums of the first rows with their shares and remainders."""
    ordered = sorted(values, reverse=True)
    for value in values:
        yield from _numbers(share(value, total))
    running = 0
    for value in ordered[:LEADERS_AT_MOST]:
        running += value
        yield Figure.of(running)
        yield from _numbers(share(running, total))
        if total is not None:
            yield Figure.of(total - running)
            yield from _numbers(share(total - running, total))
    for count in Counter(values).values():
        yield Figure.of(count)  # how many rows have this value (организаций с одним участником: 2)


def _numbers(*values, kind: str | None = None) -> Iterable[Figure]:
    """Figures of the given values (Decimal shares are percentages unless kind says otherwise)."""
    for value in values:
        if value is None:
            continue
        if kind is None:
            yield Figure.of(value, PERCENT if isinstance(value, Decimal) else NUMBER)
        else:
            yield Figure.of(value, kind)


def _change_figures(current, previous) -> Iterable[Figure]:
    diff, percent = change(current, previous)
    yield from _numbers(diff, percent)


def region_size(report) -> int | None:
    """How many municipalities the programme's region has, from the sections that list them."""
    for key, attribute in (("territorial_coverage", "municipalities"), ("residents_by_municipality", "rows")):
        section = report.sections.get(key)
        if section is not None and getattr(section, attribute):
            return len(getattr(section, attribute))
    return None


def _cohort_size(report) -> int | None:
    cohort = report.sections.get("cohort")
    return cohort.participants if cohort is not None else None


def _criteria(results, report):
    evaluated = [r for r in results if r.met is not None]
    yield from _numbers(len(evaluated), sum(1 for r in evaluated if r.met), sum(1 for r in evaluated if not r.met))
    for result in results:
        for indicator in result.indicators:
            yield from _numbers(difference(indicator.actual, indicator.target))


def _residents(summary, report):
    for category in summary.by_category:
        yield from _numbers(share(category.count, summary.residents))
    yield from _numbers(share(summary.new_residents, summary.residents))


def _residents_by_municipality(table, report):
    rows = table.rows + table.other_regions
    yield from _ranking_figures([r.residents for r in rows], table.total.residents)
    for row in rows:
        yield from _numbers(share(row.organizations, table.total.organizations))
    # Organisations of the municipalities that lead by residents.
    running = 0
    for row in ranked(rows, lambda r: r.residents)[:LEADERS_AT_MOST]:
        running += row.organizations
        yield from _numbers(running, share(running, table.total.organizations))
    for part in (len(table.with_residents), len(table.without_residents)):
        yield from _numbers(share(part, len(table.rows)))


def _accredited_participants(figures, report):
    periods = figures.periods
    for i, earlier in enumerate(periods):
        yield from _numbers(mean(earlier.participants, earlier.editions), kind=NUMBER)
        for later in periods[i + 1 :]:
            yield from _change_figures(later.participants, earlier.participants)
            yield from _numbers(difference(later.editions, earlier.editions))
    yield from _numbers(share(len(figures.municipalities), region_size(report)))


def _territorial_coverage(coverage, report):
    region = len(coverage.municipalities) or None
    covered_now, covered_ever = set(), set()
    for series in coverage.series:
        cells = list(series.periods.values())
        for i, cell in enumerate(cells):
            covered_ever.update(cell.municipalities)
            for later in cells[i + 1 :]:
                yield from _numbers(difference(later.count, cell.count))
        if cells:
            covered_now.update(cells[-1].municipalities)
    yield from _numbers(len(covered_now), len(covered_ever), share(len(covered_now), region))
    yield from _numbers(share(len(coverage.not_covered), region), share(len(covered_ever), region))
    for year in coverage.periods:  # accredited events held in each period
        yield from _numbers(sum(1 for s in coverage.series if s.periods[str(year)].held))


def _satellite_events(satellites, report):
    total = satellites.total
    yield from _change_figures(total.current, total.previous)
    yield from _ranking_figures([r.current or 0 for r in satellites.rows], total.current)
    for direction in satellites.by_direction:
        yield from _change_figures(direction.current, direction.previous)
        yield from _numbers(share(direction.current, total.current), share(direction.previous, total.previous))


def _opportunities(opportunities, report):
    for kind in opportunities.by_kind:
        yield from _numbers(share(kind.residents, opportunities.residents))
    residents = report.sections.get("residents")
    if residents is not None:
        yield from _numbers(share(opportunities.residents, residents.residents))


def _partners(partners, report):
    yield from _numbers(partners.active - partners.new, share(partners.new, partners.active))


def _publications(publications, report):
    counted = [o for o in publications.by_outlet if o.kind != "social_network"]
    for outlet in counted:
        yield from _numbers(share(outlet.publications, publications.media))
    yield from _numbers(sum(o.outlets for o in counted), sum(o.publications for o in publications.by_outlet))


def _achievements(achievements, report):
    rows = achievements.rows
    yield from _numbers(achievements.people - achievements.unnamed)
    for field in ("level", "result", "municipality"):
        for count in Counter(getattr(r, field) for r in rows).values():
            yield from _numbers(count, share(count, len(rows)))


def _cohort(cohort, report):
    yield from _change_figures(cohort.current.participants, cohort.previous.participants)
    yield from _change_figures(cohort.current.organizations, cohort.previous.organizations)
    for period in (cohort.current, cohort.previous):
        yield from _numbers(mean(period.participants, period.organizations), kind=NUMBER)


def _teams(teams, report):
    yield from _ranking_figures([r.members for r in teams.rows], teams.members)
    yield from _numbers(mean(teams.members, len(teams.rows)), kind=NUMBER)
    if teams.rows:
        yield from _numbers(max(r.members for r in teams.rows) - min(r.members for r in teams.rows))
    cohort = _cohort_size(report)
    yield from _numbers(difference(cohort, teams.members), share(teams.members, cohort))


def _organizations_ranking(ranking, report):
    yield from _ranking_figures([r.participants for r in ranking.rows], ranking.participants)
    yield from _numbers(mean(ranking.participants, len(ranking.rows)), kind=NUMBER)


def _diagnostics_by_organization(diagnostics, report):
    cohort = _cohort_size(report)
    yield from _numbers(share(diagnostics.participants, cohort), difference(cohort, diagnostics.participants))
    ranking = report.sections.get("organizations_ranking")
    passed = {r.organization: r.participants for r in diagnostics.rows}
    for row in ranking.rows if ranking is not None else []:
        yield from _numbers(
            difference(row.participants, passed.get(row.organization, 0)),
            share(passed.get(row.organization, 0), row.participants),
        )


def _activities(activities, report):
    cohort = _cohort_size(report)
    held = [r for r in activities.rows if r.held]
    yield from _numbers(len(held), sum(1 for r in held if r.teachers))
    for row in held:
        yield from _numbers(share(row.pupils, cohort))


def _diagnostic_growth(growth, report):
    yield from _numbers(share(growth.participants, _cohort_size(report)))
    rows = [r for r in growth.rows if r.growth is not None]
    if rows:
        values = [r.growth for r in rows]
        yield from _numbers(mean(sum(values), len(values)), max(values) - min(values), kind=NUMBER)
        yield from _numbers(mean(sum(r.entry for r in rows), len(rows)), kind=NUMBER)
        yield from _numbers(mean(sum(r.final for r in rows), len(rows)), kind=NUMBER)


DERIVED = {
    "criteria": _criteria,
    "residents": _residents,
    "residents_by_municipality": _residents_by_municipality,
    "accredited_participants": _accredited_participants,
    "territorial_coverage": _territorial_coverage,
    "satellite_events": _satellite_events,
    "opportunities": _opportunities,
    "partners": _partners,
    "publications": _publications,
    "achievements": _achievements,
    "cohort": _cohort,
    "teams": _teams,
    "organizations_ranking": _organizations_ranking,
    "diagnostics_by_organization": _diagnostics_by_organization,
    "activities": _activities,
    "diagnostic_growth": _diagnostic_growth,
}

# Figures a commentary may compare with the same figure of an earlier справка: name -> (section, figure).
HEADLINES = {
    "residents": ("residents", lambda s: s.residents),
    "new_residents": ("residents", lambda s: s.new_residents),
    "school_residents": ("residents_by_municipality", lambda s: s.total.residents),
    "resident_organizations": ("residents_by_municipality", lambda s: s.total.organizations),
    "residents_with_opportunities": ("opportunities", lambda s: s.residents),
    "partners": ("partners", lambda s: s.active),
    "publications": ("publications", lambda s: s.media),
    "achievement_holders": ("achievements", lambda s: s.people),
    "teams": ("teams", lambda s: len(s.rows)),
    "diagnosed": ("diagnostics_by_organization", lambda s: s.participants),
}


def headline(report, name: str):
    """A headline figure of the справка, None when it does not have that section."""
    key, figure = HEADLINES[name]
    section = report.sections.get(key)
    return None if section is None else figure(section)


def comparable(report, earlier: Sequence = ()) -> list:
    """The earlier справки a commentary compares with: the same programme, the periods before this
    one and with something recorded, the nearest first, at most two."""
    chosen = [
        e
        for e in earlier
        if e.programme.pk == report.programme.pk and e.period.year < report.period.year and e.has_data
    ]
    return sorted(chosen, key=lambda e: -e.period.year)[:2]


# The figures ------------------------------------------------------------------------------------

_NOT_A_FIGURE_KEYS = {"period", "year", "number", "place", "sort_order"}


def _is_percent_key(key: str | None) -> bool:
    return bool(key) and (key.endswith("percent") or key.startswith("change_vs"))


def _walk(value, key: str | None, found: set) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _walk(v, k, found)
    elif isinstance(value, list):
        if key == "periods" and all(isinstance(v, int) for v in value):
            return  # the years of a table's columns
        found.add(Figure.of(len(value)))
        for v in value:
            _walk(v, key, found)
    elif isinstance(value, bool) or value is None or key in _NOT_A_FIGURE_KEYS:
        return
    elif isinstance(value, int | float | Decimal):
        found.add(Figure.of(value, PERCENT if _is_percent_key(key) else NUMBER))


def report_figures(report, earlier: Sequence = ()) -> set[Figure]:
    """Every figure the справка shows or a reader computes from its tables (see the module's rules);
    with earlier справки, also their headline figures and this period's change against them."""
    found: set[Figure] = set()
    _walk(report.to_dict(), None, found)
    for sentence in report.sections.get("conclusions") or []:
        found.update(n.figure for n in read_numbers(sentence) if not n.ignored)
    for key, section in report.sections.items():
        if key in DERIVED:
            found.update(DERIVED[key](section, report))
    for before in comparable(report, earlier):
        for name in HEADLINES:
            now, then = headline(report, name), headline(before, name)
            if now is not None and then is not None:
                found.update(_numbers(then))
                found.update(_change_figures(now, then))
    return found
