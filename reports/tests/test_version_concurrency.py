"""Two coordinators approving the same справка at the same moment get versions 1 and 2."""

import threading

import pytest
from django.db import connection

from participants.tests.factories import ProgrammeFactory
from reports import versions
from reports.models import ReportVersion


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_get_consecutive_numbers(django_user_model):
    programme = ProgrammeFactory()
    user = django_user_model.objects.create_superuser("approver", "a@example.org", "x")
    errors = []
    start = threading.Barrier(2)

    def approve():
        try:
            start.wait()
            versions.approve(programme, 2019, user)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(ReportVersion.objects.values_list("number", flat=True)) == [1, 2]
