"""The merge page and the journal of merges, as each role gets them: a coordinator merges and undoes
the people of their programmes; another region's coordinator, school staff, officials and anonymous
users reach nothing, whatever ids they post."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from participants.merging import merge_participants, plan_merge
from participants.models import Membership, MergeRecord, Participant
from participants.roles import COORDINATOR, OFFICIAL, SCHOOL_STAFF
from participants.tests.factories import MembershipFactory, OrganisationFactory, ParticipantFactory, ProgrammeFactory
from talentbank.tests.test_admin_russian import ALLOWED_LATIN, data_words, slips

BORN = date(2008, 5, 20)


def merge_url(keep, removed):
    return reverse("admin:participants_participant_merge", args=[keep.pk, removed.pk])


def record_url(record):
    return reverse("admin:participants_mergerecord_change", args=[record.pk])


@pytest.fixture
def world(db, django_user_model):
    """Tomsk and Tula, each a programme with its coordinator, a school with its staff, and one pupil
    entered twice (same birth date, a typo in the name, each record at another school)."""
    world = {}
    for key, name in (("tomsk", "Томск"), ("tula", "Тул")):
        programme = ProgrammeFactory(name=f"Программа {name}", region__name=f"{name} (область)")
        school = OrganisationFactory(name=f"Школа {name}", municipality__region=programme.region)
        other_school = OrganisationFactory(name=f"Лицей {name}", municipality__region=programme.region)
        first = ParticipantFactory(
            last_name=f"{name}ова", first_name="Мария", birth_date=BORN, organisation=school, phone=""
        )
        second = ParticipantFactory(
            last_name=f"{name}ова", first_name="Марья", birth_date=BORN, organisation=other_school, phone="+7 1"
        )
        MembershipFactory(participant=first, programme=programme, included_on=date(2021, 9, 1))
        MembershipFactory(participant=second, programme=programme, included_on=date(2022, 1, 10))
        coordinator = django_user_model.objects.create_user(f"coord-{key}", is_staff=True)
        coordinator.groups.add(Group.objects.get(name=COORDINATOR))
        programme.coordinators.add(coordinator)
        staff = django_user_model.objects.create_user(f"staff-{key}", is_staff=True)
        staff.groups.add(Group.objects.get(name=SCHOOL_STAFF))
        school.staff.add(staff)
        other_school.staff.add(staff)
        world[key] = {"pair": (first, second), "coordinator": coordinator, "staff": staff, "school": school}
    official = django_user_model.objects.create_user("official")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    world["official"] = official
    world["superuser"] = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    return world


def as_user(client, user):
    client.force_login(user)
    return client


def test_a_coordinator_sees_both_records_chooses_the_school_and_undoes_from_the_journal(client, world):
    first, second = world["tomsk"]["pair"]
    client = as_user(client, world["tomsk"]["coordinator"])

    page = client.get(merge_url(first, second)).content.decode()

    assert f"Запись № {first.pk} (остаётся)" in page and f"Запись № {second.pk} (удаляется)" in page
    assert 'name="field_organisation" value="kept" checked' in page  # the kept school stays unless chosen
    assert 'name="field_phone" value="removed" checked' in page  # a blank kept value takes the other one
    assert 'name="field_sex"' not in page  # the same in both: nothing to choose
    assert "Школа Томск" in page and "Лицей Томск" in page
    # The overlapping membership is shown, and what becomes of it.
    assert "не переносится: повторяет №" in page
    assert slips(page, ALLOWED_LATIN | data_words()) == []

    response = client.post(
        merge_url(first, second),
        {"fingerprint": plan_merge(first, second).fingerprint, "field_organisation": "removed", "reason": "дубль"},
        follow=True,
    )

    record = MergeRecord.objects.get()
    assert response.redirect_chain[-1][0] == record_url(record)
    text = response.content.decode()
    assert "Записи объединены" in text and "Отменить объединение" in text
    assert slips(text, ALLOWED_LATIN | data_words()) == []
    first.refresh_from_db()
    assert first.organisation.name == "Лицей Томск"
    assert not Participant.objects.filter(pk=second.pk).exists()
    assert str(first) in client.get(reverse("admin:participants_mergerecord_changelist")).content.decode()

    # Undo needs a reason.
    text = client.post(record_url(record), {"reason": ""}, follow=True).content.decode()
    assert "Укажите причину отмены объединения." in text
    assert not Participant.objects.filter(pk=second.pk).exists()

    text = client.post(record_url(record), {"reason": "разные люди"}, follow=True).content.decode()

    assert "Объединение отменено" in text
    assert slips(text, ALLOWED_LATIN | data_words()) == []
    first.refresh_from_db()
    assert first.organisation.name == "Школа Томск"
    assert Participant.objects.get(pk=second.pk).organisation.name == "Лицей Томск"
    assert Membership.objects.filter(participant=second).count() == 1
    record.refresh_from_db()
    assert (record.undone_by, record.undo_reason) == (world["tomsk"]["coordinator"], "разные люди")


def test_another_regions_coordinator_reaches_no_merge_and_no_undo_whatever_ids_they_post(client, world):
    first, second = world["tomsk"]["pair"]
    tula_person = world["tula"]["pair"][0]
    record = merge_participants(first, second, user=world["superuser"]).record
    third = ParticipantFactory(
        last_name="Томскова", first_name="Мари", birth_date=BORN, organisation=first.organisation
    )
    MembershipFactory(participant=third, programme=first.memberships.first().programme, included_on=date(2020, 1, 1))
    client = as_user(client, world["tula"]["coordinator"])

    assert client.get(merge_url(first, third)).status_code == 404
    assert (
        client.post(merge_url(first, third), {"fingerprint": plan_merge(first, third).fingerprint}).status_code == 404
    )
    assert client.post(merge_url(tula_person, third), {}).status_code == 404  # one of theirs, one not
    assert client.get(record_url(record)).status_code == 404
    assert client.post(record_url(record), {"reason": "чужое"}).status_code == 404
    journal = client.get(reverse("admin:participants_mergerecord_changelist")).content.decode()
    assert "Томскова" not in journal

    assert Participant.objects.filter(pk__in=[first.pk, third.pk]).count() == 2
    record.refresh_from_db()
    assert record.undone_at is None


def test_an_undo_that_would_bring_back_someone_out_of_the_coordinators_sight_is_not_theirs(client, world):
    tomsk_person = world["tomsk"]["pair"][0]
    tula_person = world["tula"]["pair"][1]
    tula_person.last_name, tula_person.first_name = tomsk_person.last_name, "Маруся"
    tula_person.save()
    record = merge_participants(tomsk_person, tula_person, user=world["superuser"]).record
    client = as_user(client, world["tomsk"]["coordinator"])
    assert client.get(record_url(record)).status_code == 200  # the kept person is theirs

    assert client.post(record_url(record), {"reason": "ошибка"}).status_code == 404

    assert not Participant.objects.filter(pk=tula_person.pk).exists()
    record.refresh_from_db()
    assert record.undone_at is None


@pytest.mark.parametrize("role", ["staff", "official"])
def test_school_staff_and_officials_may_not_merge_or_undo(client, world, role):
    first, second = world["tomsk"]["pair"]
    record = merge_participants(
        first, ParticipantFactory(last_name="Томскова", first_name="Маша", birth_date=BORN)
    ).record
    user = world["tomsk"]["staff"] if role == "staff" else world["official"]
    client = as_user(client, user)

    assert client.get(merge_url(first, second)).status_code in (302, 403)
    assert client.post(
        merge_url(first, second), {"fingerprint": plan_merge(first, second).fingerprint}
    ).status_code in (302, 403)
    assert client.post(record_url(record), {"reason": "x"}).status_code in (302, 403)
    assert client.get(reverse("admin:participants_mergerecord_changelist")).status_code in (302, 403)
    assert Participant.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    record.refresh_from_db()
    assert record.undone_at is None


def test_anonymous_users_are_sent_to_log_in(client, world):
    first, second = world["tomsk"]["pair"]
    response = client.post(merge_url(first, second), {})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Participant.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_the_list_action_opens_the_merge_page_for_exactly_two_people(client, world):
    first, second = world["tomsk"]["pair"]
    client = as_user(client, world["tomsk"]["coordinator"])
    changelist = reverse("admin:participants_participant_changelist")

    response = client.post(changelist, {"action": "merge_two", "_selected_action": [second.pk, first.pk]})
    assert response.status_code == 302 and response["Location"] == merge_url(first, second)

    response = client.post(changelist, {"action": "merge_two", "_selected_action": [first.pk]}, follow=True)
    assert "Для объединения выберите ровно две записи." in response.content.decode()


def test_a_page_confirmed_after_someone_else_changed_the_pair_merges_nothing(client, world):
    first, second = world["tomsk"]["pair"]
    client = as_user(client, world["tomsk"]["coordinator"])
    seen = plan_merge(first, second).fingerprint
    Participant.objects.filter(pk=second.pk).update(phone="+7 2")

    text = client.post(merge_url(first, second), {"fingerprint": seen}, follow=True).content.decode()

    assert "Записи изменились после того, как вы открыли страницу сравнения" in text
    assert "+7 2" in text  # the page shows the pair as it is now
    assert Participant.objects.filter(pk=second.pk).exists()


def test_the_merge_page_takes_as_many_queries_for_many_rows_as_for_one(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.models import Edition, EventSeries, Participation, SeriesKind

    first, second = world["tomsk"]["pair"]
    programme = first.memberships.first().programme
    series = EventSeries.objects.create(programme=programme, name="Форум", kind=SeriesKind.ACCREDITED)
    client = as_user(client, world["tomsk"]["coordinator"])

    def queries(editions):
        for year in editions:
            edition = Edition.objects.create(series=series, period=year, starts_on=date(year, 10, 1))
            Participation.objects.create(edition=edition, participant=second)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(merge_url(first, second)).status_code == 200
        return len(captured)

    assert queries([2020]) == queries(range(2010, 2020))
