"""A long list of the справка (the achievements: 38 000 a year at scale 1000) is read in full only
by the channels that show it in full: the page and the PDF take its length and first rows."""

from dataclasses import asdict
from datetime import date, timedelta

import pytest

from participants.models import Achievement, AchievementLevel, AchievementResult
from participants.tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory
from reports.rendering import PRINTED_ROWS
from reports.services import jsonable
from reports.services.bank import LongList, achievements


def test_a_long_list_reads_its_rows_only_when_they_are_all_asked_for():
    loads = []

    def load():
        loads.append(1)
        return [1, 2, 3, 4, 5]

    rows = LongList([1, 2], length=5, load=load)
    assert (len(rows), bool(rows), rows[:2], rows[0], rows[1]) == (5, True, [1, 2], 1, 2)
    assert not loads
    assert rows[:3] == [1, 2, 3] and loads == [1]
    assert (list(rows), len(rows), rows[-1]) == ([1, 2, 3, 4, 5], 5, 5) and loads == [1]
    assert LongList([1], length=3, load=lambda: [1, 2, 3]) == [1, 2, 3]
    assert [*LongList([], length=2, load=lambda: ["a", "b"])] == ["a", "b"]
    assert asdict_rows(LongList([1], length=2, load=lambda: [1, 2])) == [1, 2]


def asdict_rows(rows):
    from dataclasses import dataclass

    @dataclass
    class Holder:
        rows: list

    return jsonable(asdict(Holder(rows)))["rows"]


@pytest.mark.django_db
def test_the_first_rows_and_the_counts_are_those_of_the_whole_list():
    programme = ProgrammeFactory()
    school = OrganisationFactory()
    levels = list(AchievementLevel)
    people = [
        MembershipFactory(
            programme=programme,
            participant__organisation=school,
            participant__consent=n % 3 > 0,
            participant__consent_date=date(2022, 9, 1) if n % 3 else None,
        )
        for n in range(25)
    ]
    # Members and an outsider; levels and days interleaved, so that the list's order (level, date,
    # then as recorded) differs from the order of writing.
    outsider = MembershipFactory(participant__organisation=school).participant
    for n in range(3 * PRINTED_ROWS):
        person = outsider if n % 17 == 0 else people[n % len(people)].participant
        Achievement.objects.create(
            participant=person,
            event_name=f"Олимпиада {n}",
            level=levels[(n * 7) % len(levels)],
            result=AchievementResult.WINNER,
            place=1,
            achieved_on=date(2023, 1, 1) + timedelta(days=(n * 11) % 365),
        )
    found = achievements(programme, programme.period(2023))
    head, length = found.rows[:PRINTED_ROWS], len(found.rows)
    assert found.rows._load is not None  # not read yet
    every = list(found.rows)
    assert head == every[:PRINTED_ROWS] and length == len(every) == 3 * PRINTED_ROWS - 9
    assert [r.achieved_on for r in every if r.level == every[0].level] == sorted(
        r.achieved_on for r in every if r.level == every[0].level
    )
    assert found.people == 25 and found.unnamed == 9
    assert sum(1 for r in every if r.name is None) == sum(
        1 for n in range(3 * PRINTED_ROWS) if n % 17 and n % 25 % 3 == 0
    )
