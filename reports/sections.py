"""The справка's sections: one registration each, in print order.

A section is everything the справка does with one part of the figures: how it is computed, its
title, its HTML template (the page and the PDF share it), whether it prints as a numbered
«Таблица N», its chart, its Excel sheet, its key in the JSON and the draft of the coordinator's
commentary after it. `SECTIONS` is read by the report (reports.services.Report), the page and the
PDF (rendering), the workbook (exporters), the drafts and the narrative blocks; none of them keeps
a table of sections of its own.

To add a section: a `ReportSection` value (participants/models/programmes.py; programmes store the
keys, so no migration), one `register(...)` below in the same place of the order, and its template
`templates/reports/sections/<key>.html`. reports/tests/test_sections.py checks that they match.

This module imports the section functions, the charts, the sheet writers and the drafts; the
modules that read the registry import it inside their functions, so that no import goes in a circle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from participants.models import ReportSection as S

from . import charts, drafts, exporters
from .services import bank, cohort, conclusions, criteria, events

if TYPE_CHECKING:
    from .services import Report


@dataclass(frozen=True)
class Section:
    key: str  # a ReportSection value; also the section's key in the JSON and in the narrative
    compute: Callable[[Report], Any]  # the section's result (a dataclass, a list of them)
    table: bool = False  # printed as a numbered «Таблица N» (when it has rows)
    chart: Callable | None = None  # charts.*: chart(result) -> SVG, chart.png(result) -> <img> for the PDF
    long_list: bool = False  # a row per person, team or organisation: the page and the PDF print the first rows
    sheet: Callable | None = None  # exporters.*_sheet(wb, name, title, result, report): its worksheet
    sheet_name: str = ""  # at most 31 characters; the title when empty
    draft: Callable | None = None  # drafts.*_draft(result, ctx) -> the proposed commentary
    commentary: str = ""  # how the form names the text after the section; «Комментарий к разделу «…»» when empty

    @property
    def title(self) -> str:
        return S(self.key).label

    @property
    def template(self) -> str:
        return f"reports/sections/{self.key}.html"

    @property
    def json_key(self) -> str:
        return self.key

    @property
    def commentary_label(self) -> str:
        return self.commentary or f"Комментарий к разделу «{self.title}»"


SECTIONS: dict[str, Section] = {}


def register(key: S, compute: Callable[[Report], Any], **options) -> Section:
    """Add a section to the registry; the order of registrations is the order of print."""
    key = S(key).value
    if key in SECTIONS:
        raise ValueError(f"Раздел «{key}» уже зарегистрирован.")
    SECTIONS[key] = section = Section(key, compute, **options)
    return section


def of_period(function: Callable) -> Callable[[Report], Any]:
    """A section computed from the programme and the period alone: function(programme, period)."""

    def compute(report: Report):
        return function(report.programme, report.period)

    compute.__name__ = function.__name__
    return compute


def _criteria(report: Report):
    # Metrics read the report's own sections instead of computing them again.
    return criteria.criteria(report.programme, report.period, section=lambda key, _: report.get(key))


register(
    S.CRITERIA,
    _criteria,
    sheet=exporters.criteria_sheet,
    sheet_name="Критерии",
    draft=drafts.criteria_draft,
)
register(
    S.RESIDENTS,
    of_period(bank.residents_summary),
    sheet=exporters.residents_sheet,
    sheet_name="Резиденты",
    draft=drafts.residents_draft,
)
register(
    S.RESIDENTS_BY_MUNICIPALITY,
    of_period(bank.residents_by_municipality),
    table=True,
    chart=charts.residents_by_municipality_chart,
    sheet=exporters.residents_by_municipality_sheet,
    sheet_name="Резиденты по муниципалитетам",
    draft=drafts.residents_by_municipality_draft,
)
register(
    S.ACCREDITED_PARTICIPANTS,
    of_period(events.accredited_participants),
    sheet=exporters.accredited_participants_sheet,
    sheet_name="Аккредитованные мероприятия",
    draft=drafts.accredited_participants_draft,
)
register(
    S.TERRITORIAL_COVERAGE,
    of_period(events.territorial_coverage),
    table=True,
    chart=charts.coverage_matrix_chart,
    sheet=exporters.territorial_coverage_sheet,
    sheet_name="Территориальный охват",
    draft=drafts.territorial_coverage_draft,
)
register(
    S.SATELLITE_EVENTS,
    of_period(events.satellite_events),
    table=True,
    chart=charts.satellite_events_chart,
    sheet=exporters.satellite_events_sheet,
    sheet_name="Мероприятия-спутники",
    draft=drafts.satellite_events_draft,
)
register(
    S.OPPORTUNITIES,
    of_period(bank.opportunities),
    sheet=exporters.opportunities_sheet,
    sheet_name="Практики и стажировки",
    draft=drafts.opportunities_draft,
)
register(
    S.PARTNERS,
    of_period(bank.partners),
    sheet=exporters.partners_sheet,
    sheet_name="Партнёры",
    draft=drafts.partners_draft,
)
register(
    S.PUBLICATIONS,
    of_period(bank.publications),
    sheet=exporters.publications_sheet,
    sheet_name="Публикации",
    draft=drafts.publications_draft,
)
register(
    S.ACHIEVEMENTS,
    of_period(bank.achievements),
    long_list=True,
    sheet=exporters.achievements_sheet,
    sheet_name="Личные достижения",
    draft=drafts.achievements_draft,
)
register(
    S.COHORT,
    of_period(cohort.cohort),
    sheet=exporters.cohort_sheet,
    sheet_name="Участники и организации",
    draft=drafts.cohort_draft,
)
register(
    S.TEAMS,
    of_period(cohort.teams),
    table=True,
    long_list=True,
    sheet=exporters.teams_sheet,
    sheet_name="Проектные команды",
    draft=drafts.teams_draft,
)
register(
    S.ORGANIZATIONS_RANKING,
    of_period(cohort.organizations_ranking),
    table=True,
    long_list=True,
    sheet=exporters.organizations_ranking_sheet,
    sheet_name="Рейтинг организаций",
    draft=drafts.organizations_ranking_draft,
)
register(
    S.DIAGNOSTICS_BY_ORGANIZATION,
    of_period(cohort.diagnostics_by_organization),
    table=True,
    long_list=True,
    sheet=exporters.diagnostics_by_organization_sheet,
    sheet_name="Прохождение диагностики",
    draft=drafts.diagnostics_by_organization_draft,
)
register(
    S.ACTIVITIES,
    of_period(events.activities),
    sheet=exporters.activities_sheet,
    sheet_name="Мероприятия участников",
    draft=drafts.activities_draft,
)
register(
    S.DIAGNOSTIC_GROWTH,
    of_period(cohort.diagnostic_growth),
    chart=charts.diagnostic_growth_chart,
    sheet=exporters.diagnostic_growth_sheet,
    sheet_name="Прирост компетенций",
    draft=drafts.diagnostic_growth_draft,
)
# Read after every other section; printed on the workbook's first sheet rather than a sheet of its
# own, and drafted from what the drafts of the other sections collect (drafts.section_drafts).
register(
    S.CONCLUSIONS,
    conclusions.conclusions,
    commentary="Выводы",
)
