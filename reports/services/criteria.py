"""Criteria of effectiveness: each target compared with the figure its metric computes."""

from dataclasses import dataclass
from decimal import Decimal

from events.models import PartnerOrganisation
from participants.models import Criterion, CriterionTarget, Metric, Programme, ReportSection
from participants.periods import Period
from reports.figures import percent_of

from . import bank, events


def _new_partners(programme: Programme, period: Period, section) -> int | None:
    # Every partnership begun in the period counts, even one already ended; the partners section
    # lists only those still in force at the period's end, so this figure is its own. No
    # partnership recorded up to the period's end is no data, not 0 new partners.
    recorded = PartnerOrganisation.objects.filter(programme=programme, since__lte=period.end)
    if not recorded.exists():
        return None
    return recorded.filter(since__gte=period.start).count()


def _figure_of(key: str, compute, figure):
    """A metric that is a figure of a section: read from the section, so it is computed once per
    справка and cannot differ between the criteria table and the section's own table."""

    def metric(programme: Programme, period: Period, section) -> int | None:
        return figure(section(key, compute))

    return metric


S = ReportSection
METRICS = {
    Metric.NEW_RESIDENTS: _figure_of(S.RESIDENTS, bank.residents_summary, lambda s: s.new_residents),
    Metric.ACCREDITED_EDITIONS: _figure_of(
        S.ACCREDITED_PARTICIPANTS, events.accredited_participants, lambda s: s.periods[-1].editions
    ),
    Metric.NEW_PARTNERS: _new_partners,
    Metric.SATELLITE_EDITIONS: _figure_of(S.SATELLITE_EVENTS, events.satellite_events, lambda s: s.held),
    Metric.SATELLITE_PARTICIPANTS: _figure_of(S.SATELLITE_EVENTS, events.satellite_events, lambda s: s.total.current),
    Metric.RESIDENTS_WITH_OPPORTUNITIES: _figure_of(S.OPPORTUNITIES, bank.opportunities, lambda s: s.residents),
    Metric.PUBLICATIONS: _figure_of(S.PUBLICATIONS, bank.publications, lambda s: s.media),
}


# What a criterion's line says: each one a different thing, never shown as another.
MET = "met"  # выполнен
MISSED = "missed"  # не выполнен
NO_DATA = "no_data"  # нет данных: nothing of the kind recorded for the period, so neither of the above
NO_TARGET = "no_target"  # цель не задана for the period


@dataclass
class Indicator:
    metric: str
    label: str
    target: int
    actual: int | None  # None: nothing of the kind recorded for the period
    met: bool | None  # None with actual None
    percent_of_target: Decimal | None  # 124 of 75 -> 165.3
    excess_percent: Decimal | None  # 165.3 -> +65.3; 68.0 -> -32.0
    shortfall: int | None  # how many are missing to the target, 0 when met; None without data

    @property
    def status(self) -> str:
        return NO_DATA if self.met is None else MET if self.met else MISSED


@dataclass
class CriterionResult:
    number: int
    title: str
    description: str
    indicators: list[Indicator]
    # The first indicator's figures, for readers that expect one per criterion (JSON `criteria`).
    target: int | None
    actual: int | None
    met: bool | None  # None: no target set for the period, or no data for a target
    percent_of_target: Decimal | None
    status: str = NO_TARGET  # MET, MISSED, NO_DATA or NO_TARGET
    criterion_id: int | None = None  # for the link that sets a missing target


def overall_status(indicators: list[Indicator]) -> str:
    """Missed if any target is missed; else no data if any figure is missing; else met."""
    if not indicators:
        return NO_TARGET
    statuses = {i.status for i in indicators}
    for status in (MISSED, NO_DATA):
        if status in statuses:
            return status
    return MET


def evaluate(metric: str, target: int, actual: int | None) -> Indicator:
    share = percent_of(actual, target)
    return Indicator(
        metric=metric,
        label=Metric(metric).label,
        target=target,
        actual=actual,
        met=None if actual is None else actual >= target,
        percent_of_target=share,
        excess_percent=None if share is None else share - 100,
        shortfall=None if actual is None else max(target - actual, 0),
    )


def criteria(programme: Programme, period: Period, section=None) -> list[CriterionResult]:
    """section(key, compute) returns a section's result; the справка passes its own cache, and
    without one each needed section is computed here."""
    if section is None:
        computed = {}

        def section(key, compute):
            if key not in computed:
                computed[key] = compute(programme, period)
            return computed[key]

    targets = list(
        CriterionTarget.objects.filter(criterion__programme=programme, period=period.year).order_by("criterion", "pk")
    )
    actual = {
        metric: METRICS[metric](programme, period, section) for metric in dict.fromkeys(t.metric for t in targets)
    }
    results = []
    for criterion in Criterion.objects.filter(programme=programme).order_by("number"):
        indicators = [evaluate(t.metric, t.value, actual[t.metric]) for t in targets if t.criterion_id == criterion.pk]
        first = indicators[0] if indicators else None
        status = overall_status(indicators)
        results.append(
            CriterionResult(
                number=criterion.number,
                title=criterion.title,
                description=criterion.description,
                indicators=indicators,
                target=first.target if first else None,
                actual=first.actual if first else None,
                met={MET: True, MISSED: False}.get(status),
                percent_of_target=first.percent_of_target if first else None,
                status=status,
                criterion_id=criterion.pk,
            )
        )
    return results
