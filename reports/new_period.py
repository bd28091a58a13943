"""A new period in one step: the criteria targets copied from the previous period with targets, and
new editions of the recurring accredited and satellite series.

`plan_new_period` says what would be created and what already exists; `create_new_period` creates
what the coordinator kept of it, in one transaction, never a second target for a criterion,
period and metric nor a second edition of a series in the period.

Which series recur: an accredited or satellite series that had an edition in the period before the
new one, and, for an accredited series, whose accreditation has not ended before the new period
begins. Its new edition is created without dates and place (the coordinator fills them in when
they are known), and as not yet held, with a note saying so: an edition held in a period counts in
the справка's figures (editions held, participants), and the model itself refuses to mark as held
an edition that has not begun.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q

from events.models import Edition, EventSeries, SeriesKind
from participants.models import CriterionTarget, Metric, Programme
from participants.periods import Period

PLANNED_NOTE = "Запланировано: укажите даты и место; после проведения отметьте «состоялось»."


@dataclass
class TargetDraft:
    key: str  # "criterion_id:metric", how the form names the line
    criterion_number: int
    criterion_title: str
    metric: str
    metric_label: str
    value: int
    note: str


@dataclass
class NewPeriodPlan:
    programme: Programme
    period: Period
    source: Period | None  # the period the targets are copied from; None: no earlier targets
    targets: list[TargetDraft]  # to create (copied, editable)
    existing_targets: list[CriterionTarget]  # already set for the new period: left as they are
    series: list[EventSeries]  # recurring series without an edition in the new period
    existing_editions: list[Edition]  # editions of those series already in the new period

    @property
    def empty(self) -> bool:
        return not self.targets and not self.series


@dataclass
class Created:
    targets: int = 0
    editions: int = 0
    skipped: list[str] = field(default_factory=list)  # what appeared meanwhile and was not created again


def _key(criterion_id: int, metric: str) -> str:
    return f"{criterion_id}:{metric}"


def recurring_series(programme: Programme, period: Period):
    """Accredited and satellite series that had an edition in the period before `period` (accredited
    ones still accredited when it begins)."""
    before = period.shifted(-1)
    still_accredited = Q(kind=SeriesKind.SATELLITE) | Q(kind=SeriesKind.ACCREDITED) & (
        Q(accredited_until__isnull=True) | Q(accredited_until__gte=period.start)
    )
    return (
        EventSeries.objects.filter(programme=programme, editions__period=before.year)
        .filter(still_accredited)
        .distinct()
        .order_by("kind", "sort_order", "name")
    )


def plan_new_period(programme: Programme, year: int) -> NewPeriodPlan:
    period = programme.period(year)
    targets = CriterionTarget.objects.filter(criterion__programme=programme).select_related("criterion")
    existing = list(targets.filter(period=year).order_by("criterion__number", "metric"))
    taken = {_key(t.criterion_id, t.metric) for t in existing}
    source_year = targets.filter(period__lt=year).order_by("-period").values_list("period", flat=True).first()
    drafts = []
    if source_year is not None:
        for target in targets.filter(period=source_year).order_by("criterion__number", "metric"):
            key = _key(target.criterion_id, target.metric)
            if key not in taken:
                drafts.append(
                    TargetDraft(
                        key=key,
                        criterion_number=target.criterion.number,
                        criterion_title=target.criterion.title,
                        metric=target.metric,
                        metric_label=Metric(target.metric).label,
                        value=target.value,
                        note=target.note,
                    )
                )
    series = list(recurring_series(programme, period))
    editions = list(
        Edition.objects.filter(series__in=series, period=year).select_related("series").order_by("series__name")
    )
    with_edition = {e.series_id for e in editions}
    return NewPeriodPlan(
        programme=programme,
        period=period,
        source=programme.period(source_year) if source_year is not None else None,
        targets=drafts,
        existing_targets=existing,
        series=[s for s in series if s.pk not in with_edition],
        existing_editions=editions,
    )


def create_new_period(
    programme: Programme, year: int, targets: dict[str, tuple[int, str]], series_ids: set[int]
) -> Created:
    """Create the targets {key: (value, note)} and an edition of each series in `series_ids`, both
    only among what plan_new_period offers now. Concurrent runs for one programme wait for each other
    (the programme row is locked), so the second finds the first's rows and skips them."""
    created = Created()
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        plan = plan_new_period(programme, year)
        offered = {draft.key: draft for draft in plan.targets}
        for key, (value, note) in targets.items():
            draft = offered.get(key)
            if draft is None:
                continue  # set meanwhile by someone else: the page lists it among the existing ones
            criterion_id = int(key.split(":", 1)[0])
            target = CriterionTarget(
                criterion_id=criterion_id, period=year, metric=draft.metric, value=value, note=note
            )
            target.full_clean()
            try:
                with transaction.atomic():
                    target.save()
            except IntegrityError:
                created.skipped.append(f"критерий {draft.criterion_number}: {draft.metric_label}")
                continue
            created.targets += 1
        for series in plan.series:
            if series.pk in series_ids:
                edition = Edition(series=series, period=year, held=False, note=PLANNED_NOTE)
                edition.full_clean()
                edition.save()
                created.editions += 1
    return created
