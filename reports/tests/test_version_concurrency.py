"""Two coordinators approving the same справка at the same moment get versions 1 and 2."""

import pytest

from participants.tests.factories import ProgrammeFactory
from reports import versions
from reports.models import ReportVersion
from talentbank.testing import at_once


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_get_consecutive_numbers(django_user_model):
    programme = ProgrammeFactory()
    user = django_user_model.objects.create_superuser("approver", "a@example.org", "x")
    _, errors = at_once(lambda: versions.approve(programme, 2019, user))
    assert not errors, errors
    assert sorted(ReportVersion.objects.values_list("number", flat=True)) == [1, 2]
