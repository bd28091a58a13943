"""Criteria of effectiveness: each target compared with the figure its metric computes."""

from dataclasses import dataclass
from decimal import Decimal

from events.models import Edition, PartnerOrganisation, SeriesKind
from participants.models import Criterion, CriterionTarget, Metric, Programme
from participants.periods import Period
from reports.figures import percent_of

from . import bank


def _held_editions(programme: Programme, period: Period, kind: str):
    return Edition.objects.filter(series__programme=programme, series__kind=kind, period=period.year, held=True)


def _satellite_participants(programme: Programme, period: Period) -> int:
    editions = _held_editions(programme, period, SeriesKind.SATELLITE).with_participant_count()
    return sum(editions.values_list("participant_count", flat=True))


def _new_partners(programme: Programme, period: Period) -> int:
    return PartnerOrganisation.objects.filter(programme=programme, since__range=(period.start, period.end)).count()


def _media_publications(programme: Programme, period: Period) -> int:
    return bank.publications(programme, period).media


def _residents_with_opportunities(programme: Programme, period: Period) -> int:
    return bank.opportunities(programme, period).residents


# One computation per metric; each is a fixed number of queries.
METRICS = {
    Metric.NEW_RESIDENTS: bank.new_resident_count,
    Metric.ACCREDITED_EDITIONS: lambda programme, period: _held_editions(
        programme, period, SeriesKind.ACCREDITED
    ).count(),
    Metric.NEW_PARTNERS: _new_partners,
    Metric.SATELLITE_EDITIONS: lambda programme, period: _held_editions(
        programme, period, SeriesKind.SATELLITE
    ).count(),
    Metric.SATELLITE_PARTICIPANTS: _satellite_participants,
    Metric.RESIDENTS_WITH_OPPORTUNITIES: _residents_with_opportunities,
    Metric.PUBLICATIONS: _media_publications,
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


def criteria(programme: Programme, period: Period) -> list[CriterionResult]:
    targets = list(
        CriterionTarget.objects.filter(criterion__programme=programme, period=period.year).order_by("criterion", "pk")
    )
    actual = {metric: METRICS[metric](programme, period) for metric in dict.fromkeys(t.metric for t in targets)}
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
