"""Probable duplicates are found among people born on one day, and merging two records loses nothing."""

import random
import time
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations

import pytest
from django.core.exceptions import ValidationError
from rapidfuzz import fuzz

from events.models import Edition, EventSeries, Opportunity, OpportunityKind, Participation, Role, SeriesKind
from participants.duplicates import RELATED_LABELS, _parts_agree, merge_participants, probable_duplicates
from participants.models import (
    Achievement,
    AchievementLevel,
    AchievementResult,
    Category,
    Competence,
    ConsentGiver,
    Diagnostic,
    DiagnosticScore,
    Instrument,
    Membership,
    Participant,
    ProjectTeam,
    Sex,
    Stage,
    TeamMember,
)
from participants.tests.factories import MembershipFactory, ParticipantFactory, ProgrammeFactory

BORN = date(2008, 5, 20)
RELATED_MODELS = {
    "memberships": Membership,
    "participations": Participation,
    "diagnostics": Diagnostic,
    "achievements": Achievement,
    "opportunities": Opportunity,
    "team_memberships": TeamMember,
}


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


# Merging


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


def edition(programme, name):
    series = EventSeries.objects.create(programme=programme, name=name, kind=SeriesKind.ACCREDITED)
    return Edition.objects.create(series=series, period=2023, starts_on=date(2023, 10, 1))


def diagnostic(participant, programme, instrument, stage, scores):
    made = Diagnostic.objects.create(
        participant=participant, programme=programme, period=2023, instrument=instrument, stage=stage
    )
    for competence, score in zip(instrument.competences.all(), scores, strict=False):
        DiagnosticScore.objects.create(diagnostic=made, competence=competence, score=Decimal(score))
    return made


def counts():
    return {key: model.objects.count() for key, model in RELATED_MODELS.items()} | {
        "scores": DiagnosticScore.objects.count(),
        "people": Participant.objects.count(),
    }


def attached_to(participant_pk):
    return {key: model.objects.filter(participant_id=participant_pk).count() for key, model in RELATED_MODELS.items()}


@pytest.fixture
def two_records(programme):
    """One pupil entered twice, with records on both sides, some of them the same thing twice."""
    other_programme = ProgrammeFactory(region=programme.region)
    keep = person("Иванова", "Мария", "Петровна", sex=Sex.FEMALE, phone="")
    duplicate = person("Иванова", "Марья", "Петровна", sex=Sex.FEMALE, phone="+7 913 000-00-00")

    # Memberships: the same open school membership on both (clash), plus one of another programme.
    MembershipFactory(participant=keep, programme=programme, included_on=date(2021, 9, 1))
    MembershipFactory(participant=duplicate, programme=programme, included_on=date(2022, 1, 10))
    MembershipFactory(participant=duplicate, programme=other_programme, category=Category.POTENTIAL)

    forum, olympiad = edition(programme, "Форум"), edition(programme, "Олимпиада")
    Participation.objects.create(edition=forum, participant=keep, role=Role.PARTICIPANT)
    Participation.objects.create(edition=forum, participant=duplicate, role=Role.WINNER)  # clash
    Participation.objects.create(edition=olympiad, participant=duplicate, role=Role.PRIZE_WINNER)

    instrument = Instrument.objects.create(name="Навыки будущего")
    for n, name in enumerate(["Коммуникация", "Креативность"]):
        Competence.objects.create(instrument=instrument, name=name, sort_order=n)
    diagnostic(keep, programme, instrument, Stage.ENTRY, ["50", "60"])
    diagnostic(duplicate, programme, instrument, Stage.ENTRY, ["51", "61"])  # clash
    diagnostic(duplicate, programme, instrument, Stage.FINAL, ["70", "80"])

    for n in range(2):
        Achievement.objects.create(
            participant=duplicate,
            event_name=f"Олимпиада {n}",
            level=AchievementLevel.REGIONAL,
            result=AchievementResult.WINNER,
            achieved_on=date(2023, 3, 1),
        )
    Opportunity.objects.create(
        programme=programme,
        participant=duplicate,
        kind=OpportunityKind.INTERNSHIP,
        place="Технопарк",
        starts_on=date(2023, 7, 1),
    )

    robots = ProjectTeam.objects.create(programme=programme, period=2023, name="Роботы")
    drones = ProjectTeam.objects.create(programme=programme, period=2023, name="Дроны")
    TeamMember.objects.create(team=robots, participant=keep)
    TeamMember.objects.create(team=robots, participant=duplicate, is_leader=True)  # clash
    TeamMember.objects.create(team=drones, participant=duplicate)
    return keep, duplicate


def test_merge_moves_everything_and_drops_only_what_the_kept_person_already_has(two_records, coordinator):
    keep, duplicate = two_records
    duplicate_pk = duplicate.pk
    before, kept_before, duplicate_before = counts(), attached_to(keep.pk), attached_to(duplicate_pk)

    summary = merge_participants(keep, duplicate, user=coordinator)

    expected_dropped = {
        "memberships": 1,
        "participations": 1,
        "diagnostics": 1,
        "achievements": 0,
        "opportunities": 0,
        "team_memberships": 1,
    }
    expected_moved = {key: duplicate_before[key] - expected_dropped[key] for key in RELATED_LABELS}
    assert (
        summary.moved
        == expected_moved
        == {
            "memberships": 1,
            "participations": 1,
            "diagnostics": 1,
            "achievements": 2,
            "opportunities": 1,
            "team_memberships": 1,
        }
    )
    assert summary.dropped == expected_dropped
    assert summary.kept.pk == keep.pk

    after = counts()
    for key in RELATED_LABELS:
        assert after[key] == before[key] - expected_dropped[key], key
    assert after["scores"] == before["scores"] - 2  # the dropped diagnostic's own scores
    assert after["people"] == before["people"] - 1
    assert not Participant.objects.filter(pk=duplicate_pk).exists()
    assert attached_to(duplicate_pk) == dict.fromkeys(RELATED_LABELS, 0)  # nothing orphaned
    assert attached_to(keep.pk) == {key: kept_before[key] + expected_moved[key] for key in RELATED_LABELS}

    # The kept person's own rows win a clash; the moved diagnostic keeps its scores.
    assert Participation.objects.get(participant=keep, edition__series__name="Форум").role == Role.PARTICIPANT
    final = Diagnostic.objects.get(participant=keep, stage=Stage.FINAL)
    assert sorted(final.scores.values_list("score", flat=True)) == [Decimal("70"), Decimal("80")]
    assert not TeamMember.objects.get(participant=keep, team__name="Роботы").is_leader


def test_a_clashing_membership_of_the_duplicate_is_dropped_and_the_kept_one_stays(two_records, programme):
    keep, duplicate = two_records

    merge_participants(keep, duplicate)

    school = Membership.objects.get(participant=keep, programme=programme)
    assert school.included_on == date(2021, 9, 1)
    assert Membership.objects.filter(participant=keep).count() == 2


def test_a_membership_that_does_not_overlap_is_moved(programme):
    keep = person("Петров", "Олег", "Игоревич")
    duplicate = person("Петров", "Олег", "Игорвич")
    MembershipFactory(participant=keep, programme=programme, included_on=date(2022, 9, 1))
    MembershipFactory(
        participant=duplicate,
        programme=programme,
        included_on=date(2020, 9, 1),
        left_on=date(2022, 9, 1),  # the first day out: no overlap
        leaving_reason="переход в другую категорию",
    )

    summary = merge_participants(keep, duplicate)

    assert summary.moved["memberships"] == 1 and summary.dropped["memberships"] == 0
    assert list(keep.memberships.order_by("included_on").values_list("included_on", flat=True)) == [
        date(2020, 9, 1),
        date(2022, 9, 1),
    ]


def test_blank_fields_of_the_kept_record_are_filled_from_the_duplicate(db):
    keep = person("Иванова", "Мария", phone="", email="", organisation=None, grade=None)
    duplicate = person(
        "Иванова",
        "Мария",
        "Петровна",
        phone="+7 913 000-00-00",
        email="maria@example.org",
        grade=10,
        consent=True,
        consent_date=date(2023, 9, 1),
        consent_given_by=ConsentGiver.PARENT,
        consent_given_by_name="Иванова Ольга Сергеевна",
    )
    organisation = duplicate.organisation

    summary = merge_participants(keep, duplicate)

    assert summary.filled_fields == [
        "patronymic",
        "phone",
        "email",
        "organisation",
        "grade",
        "consent",
        "consent_date",
        "consent_given_by",
        "consent_given_by_name",
    ]
    keep.refresh_from_db()
    assert keep.full_name == "Иванова Мария Петровна"
    assert keep.name_key == "иванова мария петровна"  # the duplicate's key, free once it is gone
    assert (keep.phone, keep.email, keep.organisation, keep.grade) == (
        "+7 913 000-00-00",
        "maria@example.org",
        organisation,
        10,
    )
    assert keep.consent and keep.consent_date == date(2023, 9, 1)
    assert keep.consent_given_by == ConsentGiver.PARENT


def test_a_patronymic_that_would_make_the_kept_record_another_one_is_not_filled(db):
    keep = person("Иванова", "Марья")
    duplicate = person("Иванова", "Мария", "Петровна")
    person("Иванова", "Марья", "Петровна")  # a third record: the completed name would be its own

    summary = merge_participants(keep, duplicate)

    assert "patronymic" not in summary.filled_fields
    keep.refresh_from_db()
    assert keep.full_name == "Иванова Марья"


def test_filled_fields_never_overwrite_the_kept_values(db):
    keep = person("Иванова", "Мария", "Петровна", phone="+7 900 111-11-11", grade=None, course=2)
    duplicate = person("Иванова", "Марья", "Петровна", phone="+7 913 000-00-00", grade=11)

    summary = merge_participants(keep, duplicate)

    assert summary.filled_fields == []
    keep.refresh_from_db()
    assert (keep.phone, keep.grade, keep.course, keep.first_name) == ("+7 900 111-11-11", None, 2, "Мария")


def test_history_records_the_merge_its_reason_and_who_did_it(two_records, coordinator):
    keep, duplicate = two_records
    duplicate_pk = duplicate.pk

    merge_participants(keep, duplicate, user=coordinator)

    latest = keep.history.latest()
    assert latest.history_type == "~"
    assert latest.history_change_reason == f"Объединение с записью № {duplicate_pk}"
    assert latest.history_user == coordinator
    assert latest.phone == "+7 913 000-00-00"
    removal = Participant.history.get(id=duplicate_pk, history_type="-")
    assert removal.history_change_reason == f"Объединение с записью № {keep.pk}"
    assert removal.history_user == coordinator
    moved = Membership.objects.get(participant=keep, category=Category.POTENTIAL)
    moved_history = moved.history.latest()
    assert moved_history.participant_id == keep.pk
    assert moved_history.history_change_reason == f"Объединение с записью № {duplicate_pk}"
    assert moved_history.history_user == coordinator
    dropped = Membership.history.filter(history_type="-", participant_id=duplicate_pk).get()
    assert dropped.history_change_reason == f"Объединение с записью № {duplicate_pk}"


def test_merging_a_record_with_itself_is_refused(two_records):
    keep, _ = two_records
    before = counts()

    with pytest.raises(ValidationError) as refused:
        merge_participants(keep, Participant.objects.get(pk=keep.pk))

    assert refused.value.messages == ["Нельзя объединить запись саму с собой: выберите две разные записи."]
    assert counts() == before


def test_merging_people_with_different_birth_dates_is_refused_and_changes_nothing(two_records):
    keep, duplicate = two_records
    Participant.objects.filter(pk=duplicate.pk).update(birth_date=date(2008, 5, 21))
    before, history_before = counts(), Participant.history.count()

    with pytest.raises(ValidationError) as refused:
        merge_participants(keep, duplicate)

    assert refused.value.messages == [
        f"Нельзя объединить записи с разными датами рождения (20.05.2008 в записи № {keep.pk} и "
        f"21.05.2008 в записи № {duplicate.pk}). Если это один человек, сначала исправьте дату рождения "
        "в ошибочной записи."
    ]
    assert counts() == before
    assert attached_to(duplicate.pk)["achievements"] == 2
    assert Participant.history.count() == history_before


def test_a_failure_half_way_leaves_everything_as_it_was(two_records, monkeypatch):
    keep, duplicate = two_records
    before, attached_before = counts(), attached_to(duplicate.pk)

    def fail(self, *args, **kwargs):
        raise RuntimeError("диск переполнен")

    monkeypatch.setattr(Participant, "delete", fail)  # after everything has been moved
    with pytest.raises(RuntimeError):
        merge_participants(keep, duplicate)

    assert counts() == before
    assert attached_to(duplicate.pk) == attached_before
    keep.refresh_from_db()
    assert keep.phone == ""


def test_a_record_already_merged_away_is_refused(two_records):
    keep, duplicate = two_records
    merge_participants(keep, duplicate)

    with pytest.raises(ValidationError) as refused:
        merge_participants(keep, duplicate)

    assert "уже нет в банке" in refused.value.messages[0]


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
