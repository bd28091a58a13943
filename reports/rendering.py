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


@dataclass
class DocumentSection:
    key: str
    title: str
    data: object
    template: str
    table_number: int | None
    chart: str


def document_sections(report: Report) -> list[DocumentSection]:
    sections, table = [], 0
    for key, title, data in report.ordered_sections():
        number = None
        if key in TABLE_SECTIONS:
            table += 1
            number = table
        chart = CHARTS[key](data) if key in CHARTS and report.has_data else ""
        sections.append(DocumentSection(key, title, data, f"reports/sections/{key}.html", number, chart))
    return sections


def document_context(report: Report) -> dict:
    return {"report": report, "programme": report.programme, "sections": document_sections(report)}
