"""Merging two records of one person with the coordinator's choice of values, and undoing it exactly:
plain-function tests of participants.merging."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from events.models import Edition, EventSeries, Opportunity, OpportunityKind, Participation, Role, SeriesKind
from participants.merging import KEPT, RELATED_LABELS, REMOVED, merge_participants, plan_merge, undo_merge
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
    MergeRecord,
    Participant,
    ProjectTeam,
    Sex,
    Stage,
    TeamMember,
)
from participants.tests.factories import MembershipFactory, OrganisationFactory, ParticipantFactory, ProgrammeFactory

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


def test_merge_moves_everything_and_sets_aside_only_what_the_kept_person_already_has(two_records, coordinator):
    keep, duplicate = two_records
    duplicate_pk = duplicate.pk
    before, kept_before, duplicate_before = counts(), attached_to(keep.pk), attached_to(duplicate_pk)

    summary = merge_participants(keep, duplicate, user=coordinator)

    expected_set_aside = {
        "memberships": 1,
        "participations": 1,
        "diagnostics": 1,
        "achievements": 0,
        "opportunities": 0,
        "team_memberships": 1,
    }
    expected_moved = {key: duplicate_before[key] - expected_set_aside[key] for key in RELATED_LABELS}
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
    assert summary.set_aside == expected_set_aside
    assert summary.kept.pk == keep.pk

    after = counts()
    for key in RELATED_LABELS:
        assert after[key] == before[key] - expected_set_aside[key], key
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


def test_a_clashing_membership_of_the_duplicate_is_set_aside_and_the_kept_one_stays(two_records, programme):
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

    assert summary.moved["memberships"] == 1 and summary.set_aside["memberships"] == 0
    assert list(keep.memberships.order_by("included_on").values_list("included_on", flat=True)) == [
        date(2020, 9, 1),
        date(2022, 9, 1),
    ]


def test_by_default_a_blank_group_of_the_kept_record_takes_the_other_value_and_the_name_stays(db):
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

    defaults = {choice.key: choice.default for choice in plan_merge(keep, duplicate).differing}
    summary = merge_participants(keep, duplicate)

    assert defaults == {
        "name": KEPT,  # a name is never blank: which one stays is the coordinator's choice
        "organisation": REMOVED,
        "study": REMOVED,
        "phone": REMOVED,
        "email": REMOVED,
        "consent": REMOVED,
    }
    assert summary.taken == ["organisation", "study", "phone", "email", "consent"]
    keep.refresh_from_db()
    assert keep.full_name == "Иванова Мария"
    assert (keep.phone, keep.email, keep.organisation, keep.grade) == (
        "+7 913 000-00-00",
        "maria@example.org",
        organisation,
        10,
    )
    assert keep.consent and keep.consent_date == date(2023, 9, 1)
    assert keep.consent_given_by == ConsentGiver.PARENT


def test_the_coordinator_chooses_each_differing_value_and_the_value_not_kept_is_in_the_record(db):
    school, other_school = OrganisationFactory(name="МБОУ «Лицей № 1»"), OrganisationFactory(name="МБОУ «СОШ № 2»")
    keep = person("Иванова", "Марья", organisation=school, phone="+7 900 111-11-11", grade=9)
    duplicate = person(
        "Иванова", "Мария", "Петровна", organisation=other_school, phone="+7 913 000-00-00", grade=None, course=1
    )

    summary = merge_participants(
        keep,
        duplicate,
        choices={"name": REMOVED, "organisation": KEPT, "phone": REMOVED, "study": KEPT},
        reason="одна ученица, внесена двумя школами",
    )

    keep.refresh_from_db()
    assert keep.full_name == "Иванова Мария Петровна"
    assert keep.name_key == "иванова мария петровна"  # the duplicate's key, free once it is gone
    assert (keep.organisation, keep.phone, keep.grade, keep.course) == (school, "+7 913 000-00-00", 9, None)
    record = summary.record
    assert record.choices == {"name": REMOVED, "phone": REMOVED}
    assert record.reason == "одна ученица, внесена двумя школами"
    # Nothing dropped silently: both values of every field are in the record.
    assert record.removed_before[0]["fields"]["organisation"] == other_school.pk
    assert record.removed_before[0]["fields"]["course"] == 1
    assert record.kept_before[0]["fields"]["phone"] == "+7 900 111-11-11"
    assert record.kept_before[0]["fields"]["first_name"] == "Марья"


def test_an_unknown_choice_is_refused(db):
    keep, duplicate = person("Иванова", "Мария"), person("Иванова", "Марья")

    with pytest.raises(ValidationError) as refused:
        merge_participants(keep, duplicate, choices={"birth_date": REMOVED, "phone": "both"})

    assert refused.value.messages == ["Неизвестный выбор значений: birth_date, phone. Откройте страницу заново."]
    assert Participant.objects.count() == 2


def test_the_values_kept_by_default_never_overwrite_the_kept_ones(db):
    keep = person("Иванова", "Мария", "Петровна", phone="+7 900 111-11-11", grade=None, course=2)
    duplicate = person("Иванова", "Марья", "Петровна", phone="+7 913 000-00-00", grade=11)

    summary = merge_participants(keep, duplicate)

    assert summary.taken == []
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


# Undoing


def dump(pk):
    """A person's row and every row attached to them, as the database holds them (not the time of the
    last change, which an undo is a change of)."""
    person = Participant.objects.filter(pk=pk).values().first()
    if person is not None:
        person.pop("updated_at")
    rows = {
        key: list(model.objects.filter(participant_id=pk).order_by("pk").values())
        for key, model in RELATED_MODELS.items()
    }
    rows["scores"] = list(DiagnosticScore.objects.filter(diagnostic__participant_id=pk).order_by("pk").values())
    return person, rows


@pytest.fixture
def merged(two_records, coordinator):
    """The pair merged with values taken from both sides; returns (keep, duplicate pk, record)."""
    keep, duplicate = two_records
    Participant.objects.filter(pk=keep.pk).update(phone="+7 900 111-11-11", email="keep@example.org")
    keep.refresh_from_db()
    duplicate_pk = duplicate.pk
    summary = merge_participants(
        keep, duplicate, user=coordinator, choices={"name": REMOVED, "organisation": REMOVED, "phone": REMOVED}
    )
    return keep, duplicate_pk, summary.record


def test_undo_splits_the_two_people_back_exactly(two_records, coordinator):
    keep, duplicate = two_records
    Participant.objects.filter(pk=keep.pk).update(phone="+7 900 111-11-11", email="keep@example.org")
    duplicate_pk = duplicate.pk
    before = dump(keep.pk), dump(duplicate_pk)
    summary = merge_participants(
        keep, duplicate, user=coordinator, choices={"name": REMOVED, "organisation": REMOVED, "phone": REMOVED}
    )
    assert dump(duplicate_pk)[0] is None and dump(keep.pk) != before[0]

    undone = undo_merge(summary.record.pk, user=coordinator, reason="это брат и сестра-близнецы")

    assert (dump(keep.pk), dump(duplicate_pk)) == before
    assert undone.restored.pk == duplicate_pk
    assert undone.moved_back == {key: summary.moved[key] for key in RELATED_LABELS}
    assert undone.recreated == summary.set_aside
    record = MergeRecord.objects.get(pk=summary.record.pk)
    assert (record.undone_by, record.undo_reason) == (coordinator, "это брат и сестра-близнецы")
    assert record.undone_at is not None
    back = Participant.history.filter(id=duplicate_pk).latest()
    assert (back.history_type, back.history_user) == ("+", coordinator)
    assert back.history_change_reason == f"Отмена объединения с записью № {keep.pk}"
    # Split back, the pair is two records again, and may be merged again.
    assert merge_participants(Participant.objects.get(pk=keep.pk), Participant.objects.get(pk=duplicate_pk)).kept


def test_an_undo_is_refused_when_a_moved_row_was_deleted_and_nothing_changes(merged, coordinator):
    keep, duplicate_pk, record = merged
    achievement = Achievement.objects.filter(participant=keep).first()
    Achievement.objects.filter(pk=achievement.pk).delete()
    after_merge = dump(keep.pk)

    with pytest.raises(ValidationError) as refused:
        undo_merge(record.pk, user=coordinator, reason="ошибка")

    assert refused.value.messages == [
        "Отменить объединение нельзя.",
        f"Достижения: записи № {achievement.pk} удалены после объединения.",
    ]
    assert dump(keep.pk) == after_merge and dump(duplicate_pk)[0] is None
    record.refresh_from_db()
    assert record.undone_at is None


def test_an_undo_is_refused_when_a_field_the_merge_set_was_edited_or_a_row_given_to_someone_else(merged, coordinator):
    keep, duplicate_pk, record = merged
    Participant.objects.filter(pk=keep.pk).update(phone="+7 999 999-99-99", email="new@example.org")
    third = person("Сидоров", "Олег")
    moved = Participation.objects.get(pk=record.related["participations"]["moved"][0])
    Participation.objects.filter(pk=moved.pk).update(participant=third)

    with pytest.raises(ValidationError) as refused:
        undo_merge(record.pk, user=coordinator, reason="ошибка")

    # The e-mail was not changed by the merge: editing it since does not stand in the way.
    assert refused.value.messages == [
        "Отменить объединение нельзя.",
        f"После объединения в записи № {keep.pk} изменены поля, которые объединение заполнило: «телефон». "
        "Верните им значения, оставленные объединением, или исправьте запись вручную.",
        f"Участие в мероприятиях: записи № {moved.pk} после объединения переданы другому участнику.",
    ]
    assert dump(duplicate_pk)[0] is None


def test_an_undo_needs_a_reason_and_happens_once(merged, coordinator):
    _, _, record = merged

    with pytest.raises(ValidationError) as refused:
        undo_merge(record.pk, user=coordinator, reason="  ")
    assert refused.value.messages == ["Укажите причину отмены объединения."]

    undo_merge(record.pk, user=coordinator, reason="разные люди")
    with pytest.raises(ValidationError) as again:
        undo_merge(record.pk, user=coordinator, reason="разные люди")
    assert again.value.messages[1].startswith("Это объединение уже отменено ")


def test_an_undo_is_refused_when_the_removed_record_was_restored_another_way(two_records, coordinator):
    from participants.restore import restore_person

    keep, duplicate = two_records
    duplicate_pk = duplicate.pk
    record = merge_participants(keep, duplicate).record  # the kept name stays: the removed one is free
    restore_person(duplicate_pk, user=coordinator)

    with pytest.raises(ValidationError) as refused:
        undo_merge(record.pk, user=coordinator, reason="ошибка")

    assert f"Запись № {duplicate_pk} снова есть в банке" in refused.value.messages[1]


def test_a_page_confirmed_after_the_pair_changed_is_refused(two_records):
    keep, duplicate = two_records
    seen = plan_merge(keep, duplicate).fingerprint
    Achievement.objects.filter(participant=duplicate).first().delete()

    with pytest.raises(ValidationError) as refused:
        merge_participants(keep, duplicate, fingerprint=seen)

    assert "изменились после того, как вы открыли страницу" in refused.value.messages[0]
    assert Participant.objects.filter(pk=duplicate.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_one_pair_at_the_same_time_cannot_both_succeed(monkeypatch):
    import threading

    from django.db import connection

    from participants import merging

    keep, duplicate = person("Иванова", "Мария"), person("Иванова", "Марья")
    holding, release = threading.Event(), threading.Event()
    plan = merging.plan_merge

    def plan_and_wait(*args, **kwargs):
        found = plan(*args, **kwargs)
        if threading.current_thread().name == "first":
            holding.set()
            release.wait(5)
        return found

    monkeypatch.setattr(merging, "plan_merge", plan_and_wait)
    results = {}

    def run(a, b):
        try:
            merging.merge_participants(a, b)
            results[threading.current_thread().name] = "merged"
        except ValidationError as error:
            results[threading.current_thread().name] = error.messages[0]
        finally:
            connection.close()

    first = threading.Thread(target=run, name="first", args=(keep, duplicate))
    first.start()
    assert holding.wait(5)
    second = threading.Thread(target=run, name="second", args=(duplicate, keep))  # the other way round
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first merge's locks
    release.set()
    first.join(5)
    second.join(5)

    assert results == {
        "first": "merged",
        "second": f"Записи № {duplicate.pk} уже нет в банке: возможно, её объединили или удалили.",
    }
    assert MergeRecord.objects.count() == 1
    assert list(Participant.objects.values_list("pk", flat=True)) == [keep.pk]


def test_an_undo_is_refused_when_a_school_to_give_back_was_deleted_but_not_for_a_deleted_account(db, django_user_model):
    clerk = django_user_model.objects.create_user("clerk")
    keep = person("Иванова", "Мария", created_by=clerk)
    duplicate = person("Иванова", "Марья", created_by=clerk)
    kept_school, removed_school = keep.organisation, duplicate.organisation
    record = merge_participants(keep, duplicate, choices={"organisation": REMOVED}).record
    kept_school.delete()  # nobody's school any more
    clerk.delete()  # who entered them: emptied, as the deletion did to the kept record

    with pytest.raises(ValidationError) as refused:
        undo_merge(record.pk, reason="ошибка")

    assert refused.value.messages == [
        "Отменить объединение нельзя.",
        f"У записи № {keep.pk} не вернуть прежнее значение поля «образовательная организация»: оно удалено из банка.",
    ]
    assert Participant.objects.get(pk=keep.pk).organisation == removed_school


def test_a_merge_record_survives_the_bank_export_and_load_and_can_still_be_undone(merged, tmp_path, coordinator):
    from participants.backup import export_bank, load_bank
    from talentbank.tests.test_backup import empty_the_bank, to_millisecond

    keep, duplicate_pk, record = merged
    before = [{k: to_millisecond(v) for k, v in row.items()} for row in MergeRecord.objects.values()]
    path = tmp_path / "bank.xlsx"
    export_bank(path)
    empty_the_bank()

    load_bank(path)

    assert list(MergeRecord.objects.values()) == before
    undo_merge(record.pk, user=coordinator, reason="после загрузки копии")
    assert Participant.objects.filter(pk__in=[keep.pk, duplicate_pk]).count() == 2
