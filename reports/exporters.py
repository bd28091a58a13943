"""The справка as an Excel workbook: a title sheet «Справка» with the conclusions, then one sheet
per table of the programme's configured sections.

Cells hold real values: counts are numbers, percentages are fractions shown with a '%' format
(165.3 % is stored as 1.653), dates are dates. Everything is read from `build_report`'s result;
nothing is computed here except layout. Every cell is written by `talentbank.xlsx.write_cell`:
a name or a title that starts with "=", "+", "-", "@", a tab or a carriage return stays text.
"""

import io
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from participants.formats import short_date
from participants.models import ReportSection
from participants.periods import PeriodKind
from reports import wording
from reports.services import criteria as criteria_status
from talentbank.xlsx import write_cell

from . import narrative as prose
from .rendering import document_frame

S = ReportSection

MAX_WIDTH = 60
MIN_WIDTH = 6
SHEET_NAME_LENGTH = 31
FIRST_SHEET = "Справка"
NARRATIVE_SHEET = "Текст"
DEMO_MARK = "Демонстрационные данные: часть показателей вымышлена."
NO_DATA = wording.NO_DATA  # a figure nothing was recorded for: the words in the cell, never 0
NO_TARGET = wording.NO_TARGET
UNNAMED = "не указывается (нет согласия)"

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="DCE6F1")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=13)
BOLD = Font(bold=True)
ITALIC = Font(italic=True)
LINK_FONT = Font(color="0563C1", underline="single")
TOP = Alignment(vertical="top")
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")

# How each kind of column is stored and shown.
FORMATS = {
    "text": None,
    "int": "#,##0",
    "id": "0",  # numbers that name something (row №, place, year): never digit-grouped
    "decimal": "0.0",
    "growth": "+0.0;-0.0;0.0",
    "percent": "0.0%",
    "change": "+0.0%;-0.0%;0.0%",
    "date": "DD.MM.YYYY",
}


@dataclass(frozen=True)
class Col:
    title: str
    kind: str = "text"


class Emphasis(list):
    """A table row printed in bold (totals)."""


class Subheading(list):
    """A table row printed in italic (a group inside a table)."""


# Cells and tables


def _known(value):
    """A figure as it goes into a cell: None (nothing recorded) is the text «нет данных»."""
    return NO_DATA if value is None else value


def _yes_no(value: bool | None) -> str:
    return NO_DATA if value is None else ("да" if value else "нет")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _period_name(report, label: str) -> str:
    return f"{label} {'учебный год' if report.programme.period_kind == PeriodKind.ACADEMIC else 'год'}"


def _store(value, kind: str):
    """The value as it goes into the cell: numbers as int/float, percentages as fractions."""
    if value is None or isinstance(value, str):
        return value
    if kind in ("int", "id"):
        return int(value)
    if kind in ("decimal", "growth"):
        return float(value)
    if kind in ("percent", "change"):
        return float(Decimal(value) / 100)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _shown_length(value, kind: str) -> int:
    """Roughly how many characters the cell shows, for the column width."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max(len(line) for line in value.splitlines() or [""])
    if isinstance(value, date):
        return 10
    if kind in ("percent", "change"):
        return len(f"{value * 100:+.1f}") + 2
    if isinstance(value, float):
        return len(f"{value:+,.1f}")
    return len(f"{value:,}")


def _header_length(title: str) -> int:
    """Headers wrap: wide enough for the longest word, and for short headers on one line."""
    return max(max(len(word) for word in title.split()), min(len(title), 14))


def _widen(ws: Worksheet, column: int, length: int) -> None:
    letter = get_column_letter(column)
    width = min(max(length + 2, MIN_WIDTH), MAX_WIDTH)
    if letter in ws.column_dimensions and ws.column_dimensions[letter].width:
        width = max(width, ws.column_dimensions[letter].width)
    ws.column_dimensions[letter].width = width


def _table(ws: Worksheet, row: int, columns: list[Col], rows: list[list], *, freeze: bool = False) -> int:
    """Header, rows and column widths from `row`; returns the row after the table and a blank line.

    A row may be Emphasis (bold, for totals) or Subheading (italic, a group name in the first column).
    """
    for n, col in enumerate(columns, start=1):
        cell = write_cell(ws, row, n, col.title)
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT, BORDER
        _widen(ws, n, _header_length(col.title))
    header = row
    for values in rows:
        row += 1
        font = BOLD if isinstance(values, Emphasis) else ITALIC if isinstance(values, Subheading) else None
        padded = [*values, *[None] * (len(columns) - len(values))]
        for n, (col, value) in enumerate(zip(columns, padded, strict=True), start=1):
            stored = _store(value, col.kind)
            cell = write_cell(ws, row, n, stored)
            cell.border = BORDER
            cell.alignment = WRAP if isinstance(stored, str) else TOP
            if FORMATS[col.kind] and not isinstance(stored, str):
                cell.number_format = FORMATS[col.kind]
            if font:
                cell.font = font
            _widen(ws, n, _shown_length(stored, col.kind))
    if freeze:
        ws.freeze_panes = ws.cell(header + 1, 1)
        ws.print_title_rows = f"{header}:{header}"
    return row + 2


def _note(ws: Worksheet, row: int, text: str, columns: int = 1, font: Font | None = None) -> int:
    """A line of text across the first `columns` columns (merged and wrapped); returns the next row."""
    cell = write_cell(ws, row, 1, text)
    cell.alignment = WRAP
    if font:
        cell.font = font
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    # Merged cells do not grow by themselves: set the height from the text's length.
    width = sum((ws.column_dimensions[get_column_letter(n)].width or 13) for n in range(1, columns + 1))
    lines = math.ceil(len(text) * 1.1 / max(width, 1))
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines
    return row + 1


def _new_sheet(wb: Workbook, name: str, title: str, report, qualifier: str = "") -> tuple[Worksheet, int]:
    """A sheet with its title block; returns it and the row its first table starts at."""
    ws = wb.create_sheet(name)
    write_cell(ws, 1, 1, title, font=TITLE_FONT)
    write_cell(ws, 2, 1, f"{report.programme.name} — {report.period_title}", font=ITALIC)
    if qualifier:
        write_cell(ws, 3, 1, qualifier)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws, 5 if qualifier else 4


def _table_or_line(ws: Worksheet, row: int, columns: list[Col], rows: list[list], empty: str, **options) -> int:
    """The table, or, when it has no rows, the one line that says what was not recorded."""
    if not rows:
        return _note(ws, row, empty, columns=len(columns), font=ITALIC) + 1
    return _table(ws, row, columns, rows, **options)


def _not_recorded(report, key: str) -> str:
    return wording.not_recorded(report.period_title, key)


def _names_table(ws: Worksheet, row: int, title: str, names: list[str]) -> int:
    return _table(ws, row, [Col(title)], [[name] for name in names])


# One writer per section: (workbook, sheet name, title, result, report) -> None


def criteria_sheet(wb, name, title, results, report):
    ws, row = _new_sheet(wb, name, title, report)
    rows = []
    for r in results:
        if not r.indicators:
            rows.append([r.number, r.title, NO_TARGET])
        for i in r.indicators:
            figures = [i.target, _known(i.actual), _yes_no(i.met), i.percent_of_target, i.excess_percent]
            rows.append([r.number, r.title, _capital(i.label), *figures])
    columns = [
        Col("№", "id"),
        Col("Критерий"),
        Col("Показатель"),
        Col("Целевое значение", "int"),
        Col("Фактическое значение", "int"),
        Col("Выполнен"),
        Col("% от цели", "percent"),
        Col("Превышение (+) / отставание (−)", "change"),
    ]
    row = _table_or_line(ws, row, columns, rows, _not_recorded(report, S.CRITERIA), freeze=True)
    evaluated = [r for r in results if r.status in (criteria_status.MET, criteria_status.MISSED)]
    if evaluated:
        met = sum(1 for r in evaluated if r.status == criteria_status.MET)
        row = _note(ws, row, f"Выполнено критериев: {met} из {len(evaluated)}.", columns=3, font=BOLD)
    no_data = [str(r.number) for r in results if r.status == criteria_status.NO_DATA]
    if no_data:
        _note(ws, row, f"Нет данных (не оценены): {', '.join(no_data)}.", columns=3)


def residents_sheet(wb, name, title, summary, report):
    ws, row = _new_sheet(wb, name, title, report, f"По состоянию на {short_date(summary.on_date)}")
    rows = [[_capital(c.label), c.count] for c in summary.resident_categories]
    rows.append(Emphasis(["Резидентов всего (школьники и студенты)", _known(summary.residents)]))
    rows.append([f"Новых резидентов за {report.period_title}", _known(summary.new_residents)])
    if summary.other_categories:
        # Not parts of the total above: a row of their own, under a heading that says so.
        rows.append(Subheading(["Кроме того, в банке (не резиденты)"]))
        rows += [[_capital(c.label), c.count] for c in summary.other_categories]
    _table(ws, row, [Col("Категория"), Col("Человек", "int")], rows, freeze=True)


def residents_by_municipality_sheet(wb, name, title, table, report):
    ws, row = _new_sheet(wb, name, title, report, f"Резиденты-школьники по состоянию на {short_date(table.on_date)}")
    rows = [[r.municipality, r.organizations, r.residents] for r in table.rows]
    if table.other_regions:
        rows.append(Subheading(["Другие регионы"]))
        rows += [[r.municipality, r.organizations, r.residents] for r in table.other_regions]
    if table.without_organization:
        rows.append(["Организация не указана", None, table.without_organization])
    rows.append(Emphasis(["Итого", table.total.organizations, table.total.residents]))
    columns = [Col("Муниципалитет"), Col("Организаций с резидентами", "int"), Col("Резидентов", "int")]
    row = _table(ws, row, columns, rows, freeze=True)
    if table.regional_organizations:
        _names_table(ws, row, "Региональные образовательные организации с резидентами", table.regional_organizations)


def accredited_participants_sheet(wb, name, title, figures, report):
    ws, row = _new_sheet(wb, name, title, report)
    rows = [[_period_name(report, p.label), _known(p.participants), _known(p.editions)] for p in figures.periods]
    columns = [Col("Период"), Col("Участников", "int"), Col("Проведено мероприятий", "int")]
    row = _table(ws, row, columns, rows, freeze=True)
    two_before, previous, current = (p.label for p in figures.periods)
    changes = [
        [f"{current} к {previous}", figures.change_vs_previous],
        [f"{current} к {two_before}", figures.change_vs_two_before],
    ]
    row = _table(ws, row, [Col("Изменение числа участников"), Col("%", "change")], changes)
    if figures.municipalities:
        row = _names_table(
            ws, row, f"Муниципалитеты региона — участники, {report.period_title}", figures.municipalities
        )
    if figures.sources:
        _note(ws, row, f"Источник численности: {', '.join(figures.sources)}.", columns=3)


def territorial_coverage_sheet(wb, name, title, coverage, report):
    ws, row = _new_sheet(wb, name, title, report)
    rows = []
    for series in coverage.series:
        for label, cell in zip(coverage.period_labels, series.periods.values(), strict=True):
            rows.append(
                [
                    series.name,
                    _period_name(report, label),
                    _yes_no(cell.held),
                    cell.count,
                    ", ".join(cell.municipalities),
                    ", ".join(cell.other_regions),
                    cell.note,
                ]
            )
    columns = [
        Col("Мероприятие"),
        Col("Период"),
        Col("Проводилось"),
        Col("Муниципалитетов", "int"),
        Col("Муниципалитеты"),
        Col("Другие регионы"),
        Col("Примечание"),
    ]
    years = f"{coverage.period_labels[0]}–{coverage.period_labels[-1]}"
    if not rows:
        _note(ws, row, f"За {years} годы аккредитованных мероприятий не зарегистрировано.", columns=3, font=ITALIC)
        return
    row = _table(ws, row, columns, rows, freeze=True)
    _names_table(ws, row, f"Муниципалитеты без участников аккредитованных мероприятий, {years}", coverage.not_covered)


def satellite_events_sheet(wb, name, title, satellites, report):
    qualifier = f"Проведено мероприятий-спутников за {report.period_title}: {wording.figure(satellites.held)}"
    ws, row = _new_sheet(wb, name, title, report, qualifier)
    if not satellites.rows:
        _note(ws, row, _not_recorded(report, S.SATELLITE_EVENTS), columns=4, font=ITALIC)
        return
    before, now = satellites.previous_label, satellites.period_label
    rows = [
        [r.name, _capital(r.direction_label), r.previous, r.current, r.change, r.change_percent]
        for r in satellites.rows
    ]
    total = satellites.total
    figures = [_known(total.previous), _known(total.current), total.change, total.change_percent]
    rows.append(Emphasis(["Итого", None, *figures]))
    columns = [
        Col("Мероприятие"),
        Col("Направление"),
        Col(f"Участников, {before}", "int"),
        Col(f"Участников, {now}", "int"),
        Col("Изменение", "int"),
        Col("Изменение, %", "change"),
    ]
    row = _table(ws, row, columns, rows, freeze=True)
    subtotals = [
        [_capital(d.label), _known(d.previous), _known(d.current), d.change, d.change_percent]
        for d in satellites.by_direction
    ]
    columns = [Col("Направление"), *columns[2:]]
    row = _table(ws, row, columns, subtotals)
    if satellites.sources:
        _note(ws, row, f"Источник численности: {', '.join(satellites.sources)}.", columns=2)


def opportunities_sheet(wb, name, title, opportunities, report):
    ws, row = _new_sheet(wb, name, title, report)
    if opportunities.residents is None:
        _note(ws, row, _not_recorded(report, S.OPPORTUNITIES), columns=2, font=ITALIC)
        return
    rows = [[_capital(k.label), k.residents] for k in opportunities.by_kind]
    rows.append(Emphasis(["Итого резидентов (каждый учтён один раз)", opportunities.residents]))
    _table(ws, row, [Col("Вид"), Col("Резидентов", "int")], rows, freeze=True)


def partners_sheet(wb, name, title, partners, report):
    ws, row = _new_sheet(wb, name, title, report)
    if partners.active is None:
        _note(ws, row, _not_recorded(report, S.PARTNERS), columns=2, font=ITALIC)
        return
    rows = [
        [f"Организаций-партнёров на {short_date(report.period.end)}", partners.active],
        [f"Из них новых за {report.period_title}", partners.new],
    ]
    row = _table(ws, row, [Col("Показатель"), Col("Организаций", "int")], rows, freeze=True)
    if partners.new_names:
        _names_table(ws, row, "Новые организации-партнёры", partners.new_names)


def publications_sheet(wb, name, title, publications, report):
    ws, row = _new_sheet(wb, name, title, report)
    rows = [[_capital(o.label), o.publications, o.outlets] for o in publications.by_outlet]
    if rows:
        rows.append(Emphasis(["В СМИ и на сайтах (без социальных сетей)", _known(publications.media)]))
    columns = [Col("Площадка"), Col("Публикаций", "int"), Col("Изданий, сайтов, групп", "int")]
    _table_or_line(ws, row, columns, rows, _not_recorded(report, S.PUBLICATIONS), freeze=True)


def achievements_sheet(wb, name, title, achievements, report):
    qualifier = (
        f"Человек с достижениями: {achievements.people}, из них не названы (нет согласия): {achievements.unnamed}"
    )
    ws, row = _new_sheet(wb, name, title, report, qualifier)
    rows = [
        [n, a.name or UNNAMED, a.organization, a.municipality, a.event, a.level, a.result, a.place, a.achieved_on]
        for n, a in enumerate(achievements.rows, start=1)
    ]
    columns = [
        Col("№", "id"),
        Col("ФИО"),
        Col("Организация"),
        Col("Муниципалитет"),
        Col("Мероприятие"),
        Col("Уровень"),
        Col("Результат"),
        Col("Место", "id"),
        Col("Дата", "date"),
    ]
    _table_or_line(ws, row, columns, rows, _not_recorded(report, S.ACHIEVEMENTS), freeze=True)


def cohort_sheet(wb, name, title, cohort, report):
    ws, row = _new_sheet(wb, name, title, report)
    rows = [
        [_period_name(report, p.label), _known(p.participants), _known(p.organizations)]
        for p in (cohort.previous, cohort.current)
    ]
    columns = [Col("Период"), Col("Участников", "int"), Col("Образовательных организаций", "int")]
    _table(ws, row, columns, rows, freeze=True)


def teams_sheet(wb, name, title, teams, report):
    ws, row = _new_sheet(wb, name, title, report)
    rows = [[t.name, t.members, t.mentor] for t in teams.rows]
    if rows:
        rows.append(Emphasis(["Итого", teams.members]))
    columns = [Col("Команда"), Col("Участников", "int"), Col("Наставник")]
    _table_or_line(ws, row, columns, rows, _not_recorded(report, S.TEAMS), freeze=True)


def organizations_ranking_sheet(wb, name, title, ranking, report):
    ws, row = _new_sheet(wb, name, title, report, "Равное число участников — одно место")
    rows = [[r.place, r.organization, r.participants] for r in ranking.rows]
    if rows:
        rows.append(Emphasis([None, "Итого", ranking.participants]))
    columns = [Col("Место", "id"), Col("Организация"), Col("Участников", "int")]
    _table_or_line(ws, row, columns, rows, _not_recorded(report, S.ORGANIZATIONS_RANKING), freeze=True)


def diagnostics_by_organization_sheet(wb, name, title, diagnostics, report):
    ws, row = _new_sheet(wb, name, title, report, "Прошли входную и итоговую диагностику")
    rows = [[r.organization, r.participants] for r in diagnostics.rows]
    if rows:
        rows.append(Emphasis(["Итого", diagnostics.participants]))
    columns = [Col("Организация"), Col("Участников", "int")]
    _table_or_line(ws, row, columns, rows, _not_recorded(report, S.DIAGNOSTICS_BY_ORGANIZATION), freeze=True)


def activities_sheet(wb, name, title, activities, report):
    ws, row = _new_sheet(wb, name, title, report)
    rows = [
        [a.starts_on, a.ends_on, a.title if a.held else f"{a.title} (не состоялось)", a.pupils, a.teachers]
        for a in activities.rows
    ]
    columns = [
        Col("Начало", "date"),
        Col("Окончание", "date"),
        Col("Мероприятие"),
        Col("Обучающихся", "int"),
        Col("Педагогов", "int"),
    ]
    _table_or_line(ws, row, columns, rows, _not_recorded(report, S.ACTIVITIES), freeze=True)


def diagnostic_growth_sheet(wb, name, title, growth, report):
    qualifier = f"Инструмент: {growth.instrument or '—'}; участников, прошедших обе диагностики: {growth.participants}"
    ws, row = _new_sheet(wb, name, title, report, qualifier)
    rows = [[r.competence, r.entry, r.final, r.growth] for r in growth.rows]
    columns = [
        Col("Компетенция"),
        Col("Входная диагностика, средний балл", "decimal"),
        Col("Итоговая диагностика, средний балл", "decimal"),
        Col("Прирост, баллов", "growth"),
    ]
    _table_or_line(ws, row, columns, rows, _not_recorded(report, S.DIAGNOSTIC_GROWTH), freeze=True)


def _sheet_name(wanted: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique regardless of case."""
    base = "".join(" " if c in "[]:*?/\\" else c for c in wanted).strip(" '")[:SHEET_NAME_LENGTH] or "Лист"
    name, n = base, 1
    while name.casefold() in used:
        n += 1
        suffix = f" ({n})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
    used.add(name.casefold())
    return name


# The first sheet


def _title_sheet(
    ws: Worksheet, report, contents: list[tuple[str, str]], conclusions: list[str], stamp=None, frame=None
) -> None:
    programme, period = report.programme, report.period
    ws.title = FIRST_SHEET
    ws.column_dimensions["A"].width = 52
    ws.column_dimensions["B"].width = 60
    write_cell(ws, 1, 1, "Аналитическая справка", font=TITLE_FONT)
    write_cell(ws, 2, 1, frame.subject if frame else f"{programme.name} — {report.period_title}", font=ITALIC)
    if frame and frame.is_demo:
        write_cell(ws, 3, 1, DEMO_MARK, font=Font(bold=True, color="C00000"))
    details = [
        ("Программа", programme.name),
        ("Субъект РФ", programme.region.name),
        ("Оператор", programme.operator or "—"),
        ("Отчётный период", report.period_title),
        ("Начало периода", period.start),
        ("Окончание периода", period.end),
        ("Дата формирования", timezone.localdate(report.generated_at)),
        ("Статус", _status(stamp)),
    ]
    if frame:
        details[2:2] = [("Выпускает", frame.issuer or "—")]
        details += [
            (label, value)
            for label, value in (
                ("Подписывает", " ".join(v for v in (frame.signer_position, frame.signer_name) if v)),
                ("Исполнитель", frame.executor),
            )
            if value
        ]
    row = 4
    for label, value in details:
        write_cell(ws, row, 1, label, font=BOLD)
        cell = write_cell(ws, row, 2, value)
        cell.alignment = WRAP if isinstance(value, str) else Alignment(horizontal="left", vertical="top")
        if isinstance(value, date):
            cell.number_format = FORMATS["date"]
        row += 1
    if not report.has_data:
        row += 1
        text = "Нет данных за отчётный период: ни участников программы, ни мероприятий."
        write_cell(ws, row, 1, text, font=Font(bold=True, color="C00000"))
        row += 1
    if contents:
        row += 1
        first = row + 1
        row = _table(ws, row, [Col("Раздел"), Col("Лист")], [list(item) for item in contents])
        for n, (_, sheet) in enumerate(contents):
            cell = ws.cell(first + n, 2)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1", display=sheet)
            cell.font = LINK_FONT
    if conclusions:
        write_cell(ws, row, 1, S(S.CONCLUSIONS).label, font=TITLE_FONT)
        row += 1
        for n, sentence in enumerate(conclusions, start=1):
            row = _note(ws, row, f"{n}. {sentence}", columns=2)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _status(stamp) -> str:
    if stamp is None:
        return "Черновик: справка не утверждена, показатели могут измениться"
    when = timezone.localtime(stamp.approved_at).strftime("%d.%m.%Y %H:%M")
    return f"Утверждена: версия {stamp.number}, {when}, {stamp.approved_by}"


def _narrative_sheet(wb: Workbook, name: str, report, narrative: dict | None) -> None:
    """Every narrative block in print order: its heading (the section it follows), then its text."""
    texts = prose.blocks(report.programme, narrative)
    ws = wb.create_sheet(name)
    ws.column_dimensions["A"].width = 110
    write_cell(ws, 1, 1, f"Текст справки — {report.period_title}", font=TITLE_FONT)
    row = 3
    for part in prose.parts(report.programme):
        if part.key not in texts:
            continue
        write_cell(ws, row, 1, part.heading or part.label, font=BOLD)
        row += 1
        for line in prose.to_lines(texts[part.key]):
            write_cell(ws, row, 1, line).alignment = WRAP
            row += 1
        row += 1


def report_workbook(report, *, holder=None, narrative: dict | None = None, stamp=None) -> bytes:
    """The справка as .xlsx bytes: «Справка» (title block with its status, list of sheets,
    conclusions), «Текст справки» (the narrative), then one sheet per table section in print order."""
    wb = Workbook()
    wb.properties.title = f"Справка: {report.programme.name}, {report.period_title}"
    wb.properties.creator = report.programme.operator or "talentbank"
    used = {FIRST_SHEET.casefold(), NARRATIVE_SHEET.casefold()}
    from .sections import SECTIONS  # the registry imports this module's sheet writers

    planned = []
    for key, title, result in report.ordered_sections():
        section = SECTIONS[key]
        if section.sheet is not None:
            planned.append((section, title, result, _sheet_name(section.sheet_name or title, used)))
    conclusions = report.sections.get(S.CONCLUSIONS) if S.CONCLUSIONS in report.programme.section_keys() else None
    narrative = prose.narrative_of(holder, narrative)
    frame = document_frame(report, holder)
    has_text = bool(prose.blocks(report.programme, narrative))
    contents = ([("Текст справки", NARRATIVE_SHEET)] if has_text else []) + [
        (title, name) for _, title, _, name in planned
    ]
    _title_sheet(wb.active, report, contents, conclusions or [], stamp, frame)
    if has_text:
        _narrative_sheet(wb, NARRATIVE_SHEET, report, narrative)
    for section, title, result, name in planned:
        section.sheet(wb, name, title, result, report)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
