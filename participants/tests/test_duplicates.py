"""Probable duplicates are found among people born on one day (merging them: test_merging.py)."""

import random
import time
from datetime import date, timedelta
from itertools import combinations

import pytest
from rapidfuzz import fuzz

from participants.duplicates import _parts_agree, probable_duplicates
from participants.models import Participant, Sex
from participants.tests.factories import MembershipFactory, ParticipantFactory, ProgrammeFactory

BORN = date(2008, 5, 20)


def person(last, first, patronymic="", born=BORN, **fields):
    return ParticipantFactory(last_name=last, first_name=first, patronymic=patronymic, birth_date=born, **fields)


def found_names(queryset=None, **kwargs):
    pairs = probable_duplicates(queryset if queryset is not None else Participant.objects.all(), **kwargs)
    return [(pair.first.full_name, pair.second.full_name) for pair in pairs]


# Finding


@pytest.mark.django_db
def test_a_typo_in_the_first_name_is_found_with_score_and_reason():
    maria = person("Иванова", "Мария", "Петровна", sex=Sex.FEMALE)
    marya = person("Иванова", "Марья", "Петровна", sex=Sex.FEMALE)
    person("Сидоров", "Олег", "Игоревич")

    [pair] = probable_duplicates(Participant.objects.all())

    assert (pair.first, pair.second) == (maria, marya)  # the lower pk first
    assert pair.score == pytest.approx(95.45, abs=0.01)
    assert pair.reason == "похожие ФИО (95 %), одна дата рождения"


@pytest.mark.django_db
def test_swapped_parts_and_a_missing_patronymic_are_found():
    person("Иванова", "Мария", "Петровна")
    person("Мария", "Иванова", "Петровна")  # surname typed into the first-name field
    person("Смирнов", "Олег", born=date(2009, 1, 2))
    person("Смирнов", "Олег", "Игоревич", born=date(2009, 1, 2))

    assert sorted(found_names()) == [
        ("Иванова Мария Петровна", "Мария Иванова Петровна"),
        ("Смирнов Олег", "Смирнов Олег Игоревич"),
    ]


@pytest.mark.django_db
def test_the_same_name_with_another_birth_date_is_not_a_duplicate():
    person("Иванова", "Мария", "Петровна", born=date(2008, 5, 20))
    person("Иванова", "Мария", "Петровна", born=date(2008, 5, 21))

    assert probable_duplicates(Participant.objects.all()) == []


@pytest.mark.django_db
def test_different_people_born_on_one_day_are_not_duplicates():
    person("Иванова", "Мария", "Петровна")
    person("Сидоров", "Олег", "Игоревич")
    # A whole-name score ranks these at 90: same first name and patronymic, another surname.
    person("Козлов", "Александр", "Иванович")
    person("Морозов", "Александр", "Иванович")
    # Twins: brother and sister.
    person("Смирнов", "Александр", "Сергеевич")
    person("Смирнова", "Александра", "Сергеевна", sex=Sex.FEMALE)

    assert probable_duplicates(Participant.objects.all()) == []


@pytest.mark.django_db
def test_a_different_sex_is_pointed_out():
    person("Ким", "Александр", sex=Sex.MALE)
    person("Ким", "Александра", sex=Sex.FEMALE)

    [pair] = probable_duplicates(Participant.objects.all())

    assert pair.reason == "похожие ФИО (96 %), одна дата рождения, но указан разный пол"


@pytest.mark.django_db
def test_only_people_of_the_queryset_are_compared_and_each_only_once():
    programme = ProgrammeFactory()
    maria = person("Иванова", "Мария", "Петровна")
    marya = person("Иванова", "Марья", "Петровна")
    outsider = person("Иванова", "Мария")
    for someone in (maria, marya):  # two memberships each: the join repeats them
        MembershipFactory(
            participant=someone,
            programme=programme,
            included_on=date(2020, 1, 1),
            left_on=date(2021, 1, 1),
            leaving_reason="выпуск",
        )
        MembershipFactory(participant=someone, programme=programme, included_on=date(2022, 1, 1))

    in_programme = Participant.objects.filter(memberships__programme=programme)
    assert found_names(in_programme) == [("Иванова Мария Петровна", "Иванова Марья Петровна")]
    assert len(found_names()) == 3  # with the outsider: every two of the three
    assert outsider.pk not in {p.pk for pair in probable_duplicates(in_programme) for p in (pair.first, pair.second)}


@pytest.mark.django_db
def test_pairs_come_best_first_and_at_most_limit(django_assert_num_queries):
    person("Иванова", "Мария", "Петровна")
    person("Иванова", "Марья", "Петровна")
    person("Петров", "Олег", "Игоревич", born=date(2009, 1, 1))
    person("Петров", "Олег", "Игоревич", born=date(2010, 1, 1))
    person("Петров", "Олег", "Игорвич", born=date(2010, 1, 1))

    pairs = probable_duplicates(Participant.objects.all())
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert len(pairs) == 2
    assert probable_duplicates(Participant.objects.all(), limit=1) == pairs[:1]
    assert probable_duplicates(Participant.objects.all(), threshold=99) == []

    with django_assert_num_queries(2):
        pairs = probable_duplicates(Participant.objects.all())
        places = [str(pair.first.organisation.municipality) for pair in pairs]
    assert len(places) == 2


# Scale


LAST_NAMES = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
    "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
    "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов",
    "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
]  # fmt: skip
MALE_NAMES = ["Александр", "Максим", "Артём", "Михаил", "Даниил", "Иван", "Кирилл", "Егор", "Тимофей", "Матвей"]
FEMALE_NAMES = ["Анастасия", "Мария", "Анна", "Виктория", "Полина", "Елизавета", "Екатерина", "Дарья", "Софья", "Алиса"]
FATHERS = ["Александров", "Сергеев", "Андреев", "Алексеев", "Дмитриев", "Владимиров", "Николаев", "Евгеньев"]


def synthetic_people(count, rng):
    """`count` distinct people born over ten years, about five a day."""
    people, seen = [], set()
    while len(people) < count:
        female = rng.random() < 0.5
        last = rng.choice(LAST_NAMES) + ("а" if female else "")
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        patronymic = rng.choice(FATHERS) + ("на" if female else "ич")
        born = date(2005, 1, 1) + timedelta(days=rng.randrange(3650))
        if (last, first, patronymic, born) in seen:
            continue
        seen.add((last, first, patronymic, born))
        people.append(
            Participant(
                last_name=last,
                first_name=first,
                patronymic=patronymic,
                birth_date=born,
                sex=Sex.FEMALE if female else Sex.MALE,
            )
        )
    return people


def typo(name, rng):
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + ("о" if name[i] != "о" else "а") + name[i + 1 :]


@pytest.mark.django_db
def test_twenty_thousand_people_take_two_queries_and_the_planted_pairs_are_found(django_assert_max_num_queries):
    rng = random.Random(20)
    people = synthetic_people(20_000, rng)
    originals = rng.sample(people, 5)
    planted_names = set()
    for original in originals:
        twin = Participant(
            last_name=typo(original.last_name, rng),
            first_name=original.first_name,
            patronymic=original.patronymic,
            birth_date=original.birth_date,
            sex=original.sex,
        )
        people.append(twin)
        planted_names.add((original.birth_date, frozenset([original.full_name, twin.full_name])))
    for someone in people:
        someone.tidy_names()
    Participant.objects.bulk_create(people, batch_size=5_000)

    started = time.perf_counter()
    with django_assert_max_num_queries(2):
        pairs = probable_duplicates(Participant.objects.all())
    elapsed = time.perf_counter() - started

    found = {(pair.first.birth_date, frozenset([pair.first.full_name, pair.second.full_name])) for pair in pairs}
    assert found == planted_names
    assert elapsed < 10, f"{elapsed:.1f} s for 20 000 people"


def misspelt(name, rng):
    """The kinds of change a second entry of a name shows: a typo, a lost part, swapped parts."""
    parts = name.split()
    change = rng.choice(["typo", "typo", "drop", "swap", "two typos"])
    if change == "drop" and len(parts) == 3:
        parts = parts[:2]
    elif change == "swap":
        parts[0], parts[1] = parts[1], parts[0]
    else:
        where = rng.randrange(len(parts))
        parts[where] = typo(parts[where], rng)
        if change == "two typos":
            parts[-1] = typo(parts[-1], rng)
    return " ".join(parts)


@pytest.mark.django_db
def test_the_letter_count_prefilter_finds_what_comparing_every_pair_finds():
    """Crowded days (about 40 people each) with all kinds of near names: the prefilter must not lose
    a pair that scoring and checking every pair of one day would find."""
    rng = random.Random(7)
    people = []
    for someone in synthetic_people(2_400, rng):
        someone.birth_date = date(2008, 1, 1) + timedelta(days=rng.randrange(60))
        people.append(someone)
    for original in rng.sample(people, 300):
        last, first, *rest = misspelt(original.full_name, rng).split()
        people.append(
            Participant(
                last_name=last,
                first_name=first,
                patronymic=" ".join(rest),
                birth_date=original.birth_date,
                sex=original.sex,
            )
        )
    for someone in people:
        someone.tidy_names()
    Participant.objects.bulk_create(people, ignore_conflicts=True)
    rows = Participant.objects.values_list("pk", "name_key", "birth_date")

    expected = set()
    for (pk_a, key_a, born_a), (pk_b, key_b, born_b) in combinations(sorted(rows), 2):
        if born_a == born_b and fuzz.WRatio(key_a, key_b) >= 85 and (key_a == key_b or _parts_agree(key_a, key_b)):
            expected.add((pk_a, pk_b))
    found = {(pair.first.pk, pair.second.pk) for pair in probable_duplicates(Participant.objects.all(), limit=10_000)}

    assert len(expected) > 250
    assert found == expected
