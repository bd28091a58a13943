"""Two «Создать» of the same new period at the same moment (a double click, two coordinators) create
each target and each edition once."""

from datetime import date

import pytest

from events.models import Edition, EventSeries, SeriesKind
from participants.models import Criterion, CriterionTarget, Metric
from participants.tests.factories import ProgrammeFactory
from reports.new_period import create_new_period, plan_new_period
from talentbank.testing import at_once


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_the_period_once():
    programme = ProgrammeFactory()
    criterion = Criterion.objects.create(programme=programme, number=1, title="Новые резиденты")
    CriterionTarget.objects.create(criterion=criterion, period=2019, metric=Metric.NEW_RESIDENTS, value=75)
    series = EventSeries.objects.create(programme=programme, name="Форум", kind=SeriesKind.SATELLITE)
    Edition.objects.create(series=series, period=2019, starts_on=date(2019, 4, 1))
    plan = plan_new_period(programme, 2020)
    targets = {draft.key: (80, "") for draft in plan.targets}
    assert len(targets) == 1 and [s.pk for s in plan.series] == [series.pk]
    results, errors = at_once(lambda: create_new_period(programme, 2020, targets, {series.pk}))
    assert not errors, errors
    assert sorted((r.targets, r.editions) for r in results) == [(0, 0), (1, 1)]
    assert list(CriterionTarget.objects.filter(period=2020).values_list("value", flat=True)) == [80]
    assert Edition.objects.filter(series=series, period=2020).count() == 1
