"""No silent loss: every table with a person's data keeps history (bulk paths included), a deleted
person comes back with everything deleted with them, an edition's named participations are not
deleted by a single click."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from events.models import Edition, EventSeries, Opportunity, Participation, SeriesKind
from participants.merging import merge_participants, plan_merge
from participants.models import (
    Achievement,
    Competence,
    Diagnostic,
    DiagnosticScore,
    Instrument,
    Membership,
    Participant,
    ProjectTeam,
    TeamMember,
)
from participants.restore import restore_person
from participants.tests.factories import MembershipFactory, ParticipantFactory, ProgrammeFactory

PERSON_TABLES = [Membership, Participation, Diagnostic, DiagnosticScore, Achievement, Opportunity, TeamMember]


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pass")


@pytest.fixture
def person_with_everything(db):
    membership = MembershipFactory()
    person, programme = membership.participant, membership.programme
    series = EventSeries.objects.create(programme=programme, name="Форум", kind=SeriesKind.ACCREDITED)
    edition = Edition.objects.create(series=series, period=2019, starts_on=date(2019, 5, 1))
    Participation.objects.create(edition=edition, participant=person, result="победитель")
    instrument = Instrument.objects.create(name="Skillfolio")
    competence = Competence.objects.create(instrument=instrument, name="Коммуникация")
    diagnostic = Diagnostic.objects.create(
        participant=person, programme=programme, period=2019, instrument=instrument, stage="entry"
    )
    DiagnosticScore.objects.create(diagnostic=diagnostic, competence=competence, score=57)
    Achievement.objects.create(
        participant=person, event_name="Олимпиада", level="regional", result="winner", achieved_on=date(2019, 4, 1)
    )
    Opportunity.objects.create(
        programme=programme, participant=person, kind="internship", place="ТГУ", starts_on=date(2019, 7, 1)
    )
    team = ProjectTeam.objects.create(programme=programme, period=2019, name="Команда")
    TeamMember.objects.create(team=team, participant=person, is_leader=True)
    return person


def test_every_table_with_a_persons_data_keeps_history(person_with_everything):
    for model in PERSON_TABLES:
        assert model.history.filter(history_type="+").count() == model.objects.count() == 1, model


def test_a_merge_writes_the_history_of_what_it_moves(person_with_everything, superuser):
    twin = ParticipantFactory(
        last_name=person_with_everything.last_name + "а",
        first_name=person_with_everything.first_name,
        patronymic=person_with_everything.patronymic,
        birth_date=person_with_everything.birth_date,
    )
    merge_participants(twin, person_with_everything, user=superuser)
    for model in (Participation, Diagnostic, Achievement, Opportunity, TeamMember):
        record = model.history.filter(history_type="~").get()
        assert record.participant_id == twin.pk
        assert record.history_user == superuser
        assert record.history_change_reason == f"Объединение с записью № {person_with_everything.pk}"


def test_a_superuser_restores_a_deleted_person_with_everything_from_history(person_with_everything, superuser, client):
    person = person_with_everything
    before = {model: list(model.objects.values()) for model in PERSON_TABLES}
    client.force_login(superuser)
    assert (
        client.post(reverse("admin:participants_participant_delete", args=[person.pk]), {"post": "yes"}).status_code
        == 302
    )
    assert not Participant.objects.filter(pk=person.pk).exists()
    assert all(not model.objects.exists() for model in PERSON_TABLES)

    page = client.get(reverse("admin:participants_participant_deleted")).content.decode()
    assert f"№ {person.pk}: {person.last_name}" in page
    response = client.post(reverse("admin:participants_participant_deleted"), {"person": person.pk}, follow=True)
    assert "восстановлена" in response.content.decode()

    restored = Participant.objects.get(pk=person.pk)
    assert (restored.last_name, restored.birth_date, restored.organisation_id) == (
        person.last_name,
        person.birth_date,
        person.organisation_id,
    )
    for model in PERSON_TABLES:
        assert list(model.objects.values()) == before[model], model
    assert f"№ {person.pk}:" not in client.get(reverse("admin:participants_participant_deleted")).content.decode()


def test_a_restore_is_refused_when_the_same_person_was_entered_again(person_with_everything):
    person = person_with_everything
    pk = person.pk
    person.delete()
    ParticipantFactory(
        last_name=person.last_name,
        first_name=person.first_name,
        patronymic=person.patronymic,
        birth_date=person.birth_date,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="объедините их вместо восстановления"):
        restore_person(pk)
    assert Membership.objects.count() == 0  # nothing half-restored


def test_a_restore_skips_what_cannot_come_back_and_says_so(person_with_everything):
    pk = person_with_everything.pk
    person_with_everything.delete()
    Edition.objects.all().delete()  # the event went after the person
    summary = restore_person(pk)
    assert summary.restored["участие в мероприятиях"] == 0
    assert summary.skipped == {"участие в мероприятиях": 1}
    assert summary.restored["членство в программах"] == 1


def test_only_superusers_see_and_restore_deleted_people(db, client):
    coordinator = get_user_model().objects.create_user("k", is_staff=True)
    from django.contrib.auth.models import Group

    from participants.roles import COORDINATOR

    coordinator.groups.add(Group.objects.get(name=COORDINATOR))
    ProgrammeFactory().coordinators.add(coordinator)
    client.force_login(coordinator)
    assert client.get(reverse("admin:participants_participant_deleted")).status_code == 403
    assert client.post(reverse("admin:participants_participant_deleted"), {"person": 1}).status_code == 403


def test_an_edition_with_named_participations_needs_an_explicit_confirmation(person_with_everything, superuser, client):
    edition = Edition.objects.get()
    url = reverse("admin:events_edition_delete", args=[edition.pk])
    client.force_login(superuser)
    page = client.get(url).content.decode()
    assert "Да, удалить вместе с выпуском 1 запись об участии" in page
    response = client.post(url, {"post": "yes"}, follow=True)
    assert "Подтвердите, что вместе с выпуском удаляются 1 запись об участии" in response.content.decode()
    assert Edition.objects.filter(pk=edition.pk).exists()

    response = client.delete(f"/api/v1/editions/{edition.pk}/")
    assert response.status_code == 409
    assert "участие в мероприятиях — 1" in response.json()["detail"]
    assert Participation.objects.count() == 1

    assert client.post(url, {"post": "yes", "participations": "1"}).status_code == 302
    assert not Edition.objects.filter(pk=edition.pk).exists()
    assert Participation.history.filter(history_type="-").count() == 1  # and restorable from history


def test_record_numbers_in_forms_are_not_digit_grouped(superuser, client):
    """Regression: with USE_THOUSAND_SEPARATOR the duplicates page posted «12 345» and no merge of
    records numbered from 1 000 on could go through."""
    first = ParticipantFactory(pk=12345, last_name="Гринева", first_name="Анна", patronymic="")
    second = ParticipantFactory(
        pk=12346, last_name="Гринёвва", first_name="Анна", patronymic="", birth_date=first.birth_date
    )
    client.force_login(superuser)
    page = client.get(reverse("admin:participants_participant_duplicates")).content.decode()
    merge_url = reverse("admin:participants_participant_merge", args=[12345, 12346])
    assert merge_url == "/admin/participants/participant/merge/12345/12346/" and merge_url in page
    page = client.get(merge_url).content.decode()
    assert "Запись № 12345 (остаётся)" in page and "12 345" not in page
    client.post(merge_url, {"fingerprint": plan_merge(first, second).fingerprint})
    assert list(Participant.objects.values_list("pk", flat=True)) == [12345]
