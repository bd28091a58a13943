"""The database keeps at most one membership in force per person and programme on any day, however
many writers race past the model's own check. A loser is refused by the exclusion constraint, or,
when two writers' constraint checks wait on each other's new row, aborted by PostgreSQL's deadlock
detector (which the site answers with «Повторите его», talentbank.dberrors)."""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from participants.models import Category, Membership
from participants.tests.factories import ParticipantFactory, ProgrammeFactory
from talentbank import dberrors

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")

RANGES = [
    (date(2019, 1, 1), date(2019, 12, 31)),
    (date(2019, 6, 1), date(2020, 6, 1)),
    (date(2019, 9, 1), None),
]


def test_three_concurrent_writers_leave_one(transactional_db):
    person, programme = ParticipantFactory(), ProgrammeFactory()
    ready = threading.Barrier(len(RANGES))
    outcomes = []

    def write(included_on, left_on):
        try:
            membership = Membership(
                participant=person,
                programme=programme,
                category=Category.SCHOOL,
                included_on=included_on,
                left_on=left_on,
                leaving_reason="перевод" if left_on else "",
            )
            membership.full_clean()  # every writer sees no clash: nobody has committed yet
            ready.wait(timeout=10)
            with transaction.atomic():
                membership.save()
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")
        except OperationalError as error:
            outcomes.append("refused" if dberrors.kind(error) == dberrors.DEADLOCK else f"failed: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=span) for span in RANGES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "refused", "saved"]
    assert Membership.objects.filter(participant=person, programme=programme).count() == 1


def test_adjacent_memberships_are_allowed_and_an_overlap_is_refused_by_the_database(db):
    person, programme = ParticipantFactory(), ProgrammeFactory()
    common = {"participant": person, "programme": programme, "category": Category.SCHOOL}
    Membership.objects.create(**common, included_on=date(2019, 1, 1), left_on=date(2019, 9, 1), leaving_reason="x")
    Membership.objects.create(**common, included_on=date(2019, 9, 1))  # the first day out is the next one's first
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(**common, included_on=date(2018, 6, 1), left_on=date(2019, 2, 1), leaving_reason="x")
