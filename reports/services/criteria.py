"""Criteria of effectiveness: each target compared with the figure its metric computes."""

from dataclasses import dataclass
from decimal import Decimal

from events.models import PartnerOrganisation
from participants.models import Criterion, CriterionTarget, Metric, Programme, ReportSection
from participants.periods import Period
from reports.figures import percent_of

from . import bank, events


def _new_partners(programme: Programme, period: Period, section) -> int:
    # Every partnership begun in the period counts, even one already ended; the partners section
    # lists only those still in force at the period's end, so this figure is its own.
    return PartnerOrganisation.objects.filter(programme=programme, since__range=(period.start, period.end)).count()


def _figure_of(key: str, compute, figure):
    """A metric that is a figure of a section: read from the section, so it is computed once per
    справка and cannot differ between the criteria table and the section's own table."""

    def metric(programme: Programme, period: Period, section) -> int:
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


@dataclass
class Indicator:
    metric: str
    label: str
    target: int
    actual: int
    met: bool
    percent_of_target: Decimal | None  # 124 of 75 -> 165.3
    excess_percent: Decimal | None  # 165.3 -> +65.3; 68.0 -> -32.0
    shortfall: int  # how many are missing to the target, 0 when met


@dataclass
class CriterionResult:
    number: int
    title: str
    description: str
    indicators: list[Indicator]
    # The first indicator's figures, for readers that expect one per criterion (JSON `criteria`).
    target: int | None
    actual: int | None
    met: bool | None  # None: no target set for the period
    percent_of_target: Decimal | None


def evaluate(metric: str, target: int, actual: int) -> Indicator:
    share = percent_of(actual, target)
    return Indicator(
        metric=metric,
        label=Metric(metric).label,
        target=target,
        actual=actual,
        met=actual >= target,
        percent_of_target=share,
        excess_percent=None if share is None else share - 100,
        shortfall=max(target - actual, 0),
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
        results.append(
            CriterionResult(
                number=criterion.number,
                title=criterion.title,
                description=criterion.description,
                indicators=indicators,
                target=first.target if first else None,
                actual=first.actual if first else None,
                met=all(i.met for i in indicators) if indicators else None,
                percent_of_target=first.percent_of_target if first else None,
            )
        )
    return results
