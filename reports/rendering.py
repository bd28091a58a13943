"""What the HTML page and the PDF share: the document's sections in order, table numbers, charts."""

from dataclasses import dataclass

from participants.models import ReportSection as S

from . import charts
from .services import Report

# Sections printed as a numbered table ("Таблица N"), in the order they appear.
TABLE_SECTIONS = {
    S.RESIDENTS_BY_MUNICIPALITY,
    S.TERRITORIAL_COVERAGE,
    S.SATELLITE_EVENTS,
    S.TEAMS,
    S.ORGANIZATIONS_RANKING,
    S.DIAGNOSTICS_BY_ORGANIZATION,
}

CHARTS = {
    S.RESIDENTS_BY_MUNICIPALITY: charts.residents_by_municipality_chart,
    S.SATELLITE_EVENTS: charts.satellite_events_chart,
    S.TERRITORIAL_COVERAGE: charts.coverage_matrix_chart,
    S.DIAGNOSTIC_GROWTH: charts.diagnostic_growth_chart,
}


# Sections that list a row per person, team or organisation. A national-size bank has thousands of
# them: the page and the PDF print the first rows, the workbook and the API carry them all.
LONG_LISTS = {S.ACHIEVEMENTS, S.TEAMS, S.ORGANIZATIONS_RANKING, S.DIAGNOSTICS_BY_ORGANIZATION}
PRINTED_ROWS = 50


@dataclass
class DocumentSection:
    key: str
    title: str
    data: object
    template: str
    table_number: int | None
    chart: str
    rows: list | None = None  # the rows printed, for a long list
    more: int = 0  # rows of the list not printed


def _has_table(data) -> bool:
    """An empty table is left out (the section says in one line what was not recorded), and takes
    no number: the tables that are printed are numbered 1, 2, 3 without gaps."""
    if hasattr(data, "series"):
        return bool(data.series)
    return bool(getattr(data, "rows", True))


def document_sections(report: Report, *, raster_charts: bool = False) -> list[DocumentSection]:
    """raster_charts: charts as PNG images (for the PDF) instead of inline SVG (for the page)."""
    sections, table = [], 0
    for key, title, data in report.ordered_sections():
        number = None
        if key in TABLE_SECTIONS and _has_table(data):
            table += 1
            number = table
        chart = ""
        if key in CHARTS and report.has_data:
            chart = CHARTS[key].png(data) if raster_charts else CHARTS[key](data)
        section = DocumentSection(key, title, data, f"reports/sections/{key}.html", number, chart)
        if key in LONG_LISTS:
            section.rows = data.rows[:PRINTED_ROWS]
            section.more = max(0, len(data.rows) - PRINTED_ROWS)
        sections.append(section)
    return sections


def document_context(report: Report, *, raster_charts: bool = False) -> dict:
    sections = document_sections(report, raster_charts=raster_charts)
    return {"report": report, "programme": report.programme, "sections": sections}
