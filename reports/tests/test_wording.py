from datetime import date
from decimal import Decimal

import pytest

from reports import wording as w

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 человек"),
        (2, "2 человека"),
        (4, "4 человека"),
        (5, "5 человек"),
        (11, "11 человек"),
        (21, "21 человек"),
        (22, "22 человека"),
        (2584, "2 584 человека"),
    ],
)
def test_people_take_russian_plural_forms(n, expected):
    assert w.people(n).replace(NBSP, " ") == expected


@pytest.mark.parametrize(
    ("n", "expected"), [(1, "1 мероприятие"), (3, "3 мероприятия"), (11, "11 мероприятий"), (101, "101 мероприятие")]
)
def test_events_take_russian_plural_forms(n, expected):
    assert w.events(n) == expected


def test_numbers_percentages_and_dates_are_written_the_russian_way():
    assert w.number(2584) == f"2{NBSP}584"
    assert w.number(1234567) == f"1{NBSP}234{NBSP}567"
    assert w.percent(Decimal("3.6")) == f"3,6{NBSP}%"
    assert w.percent(Decimal("65.3"), signed=True) == f"+65,3{NBSP}%"
    assert w.percent(Decimal("-1.8"), signed=True) == f"−1,8{NBSP}%"
    assert w.percent(None) == "—"
    assert w.long_date(date(2020, 1, 20)) == f"20 января 2020{NBSP}г."
