"""A programme's key figures over all its periods: what the справки of those periods say.

`trends(programme)` builds, for each period that has a справка (services.available_years), a
Report and asks it only for the sections the key figures come from (Report.get computes a section
through the registry, reports/sections.py, exactly as the справка does, and the criteria reuse the
sections already computed). No figure is counted here: each is read from its section's result, so
the trends page and the справка of a year cannot disagree. A figure is shown only for programmes
whose справка has its section (Tomsk's residents, Tula's cohort); a period without records for it
is None, printed «нет данных», never 0.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from participants.models import Programme
from participants.models import ReportSection as S
from participants.periods import Period

from .services import Report, available_years


def _criteria_met(results) -> tuple[int, int] | None:
    """(met, evaluated) as the справка counts them (drafts.criteria_draft); None when none could be evaluated."""
    evaluated = [r for r in results if r.met is not None]
    if not evaluated:
        return None
    return sum(1 for r in evaluated if r.met), len(evaluated)


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    section: str  # the ReportSection it is read from
    read: Callable[[Any], Any]  # section result -> int | (met, evaluated) | None


KEY_FIGURES = [
    KeyFigure("residents", "Резиденты на начало периода", S.RESIDENTS, lambda s: s.residents),
    KeyFigure("new_residents", "Новые резиденты", S.RESIDENTS, lambda s: s.new_residents),
    KeyFigure("cohort", "Участники программы", S.COHORT, lambda s: s.participants),
    KeyFigure("organizations", "Организации участников", S.COHORT, lambda s: s.organizations),
    KeyFigure(
        "accredited",
        "Участники аккредитованных мероприятий",
        S.ACCREDITED_PARTICIPANTS,
        lambda s: s.participants,
    ),
    KeyFigure("satellite", "Участники мероприятий-спутников", S.SATELLITE_EVENTS, lambda s: s.total.current),
    KeyFigure("criteria", "Выполнено критериев", S.CRITERIA, _criteria_met),
]


@dataclass(frozen=True)
class TrendRow:
    figure: KeyFigure
    values: list  # one per period, in the order of Trends.periods; None: нет данных

    @property
    def is_criteria(self) -> bool:
        return self.figure.key == "criteria"


@dataclass(frozen=True)
class Trends:
    programme: Programme
    periods: list[Period]  # oldest first
    rows: list[TrendRow]

    @property
    def period_labels(self) -> list[str]:
        return [p.label for p in self.periods]


def key_figures(programme: Programme) -> list[KeyFigure]:
    """The key figures the programme's справка has sections for."""
    keys = set(programme.section_keys())
    return [f for f in KEY_FIGURES if S(f.section).value in keys]


def trends(programme: Programme) -> Trends:
    figures = key_figures(programme)
    periods = [programme.period(year) for year in sorted(available_years(programme))]
    values: dict[str, list] = {f.key: [] for f in figures}
    now = timezone.now()
    for period in periods:
        report = Report(programme=programme, period=period, generated_at=now)
        for figure in figures:
            values[figure.key].append(figure.read(report.get(S(figure.section).value)))
    return Trends(programme, periods, [TrendRow(f, values[f.key]) for f in figures])
