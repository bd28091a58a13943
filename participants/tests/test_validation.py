"""Bad input is refused with a Russian message that says what and where; the database refuses it too."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from participants.models import Membership, Municipality, Organisation, Participant
from participants.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
)

PARTICIPANT_INLINES = ["memberships", "participations", "achievements"]


def participant_form(organisation, **overrides):
    data = {
        "last_name": "Петрова",
        "first_name": "Мария",
        "patronymic": "Сергеевна",
        "birth_date": "2006-05-20",
        "sex": "Ж",
        "organisation": organisation.pk,
        "grade": "8",
        "course": "",
        "phone": "",
        "email": "",
        "consent_date": "",
        "consent_given_by": "",
        "consent_given_by_name": "",
        "_save": "Сохранить",
    }
    for prefix in PARTICIPANT_INLINES:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def add_participant(client, data):
    return client.post("/admin/participants/participant/add/", data)


@pytest.fixture
def school(db):
    return OrganisationFactory(name="МАОУ гимназия № 29 г. Томска", municipality__name="г. Томск")


def test_a_valid_pupil_is_saved(coordinator_client, school):
    response = add_participant(coordinator_client, participant_form(school))
    assert response.status_code == 302
    assert Participant.objects.get().full_name == "Петрова Мария Сергеевна"


def test_birth_date_in_the_future_is_refused(coordinator_client, school):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = add_participant(coordinator_client, participant_form(school, birth_date=tomorrow.isoformat()))
    assert response.status_code == 200
    assert f"Дата рождения {tomorrow:%d.%m.%Y} ещё не наступила." in response.content.decode()
    assert not Participant.objects.exists()


@pytest.mark.parametrize("grade", ["0", "12"])
def test_grade_outside_1_to_11_is_refused(coordinator_client, school, grade):
    response = add_participant(coordinator_client, participant_form(school, grade=grade))
    assert response.status_code == 200
    assert "Класс должен быть от 1 до 11" in response.content.decode()
    assert not Participant.objects.exists()


def test_grade_and_course_together_are_refused(coordinator_client, school):
    response = add_participant(coordinator_client, participant_form(school, course="2"))
    assert "Укажите либо класс (для школьников), либо курс (для студентов)" in response.content.decode()
    assert not Participant.objects.exists()


def test_consent_without_date_is_refused(coordinator_client, school):
    response = add_participant(coordinator_client, participant_form(school, consent="on"))
    assert "Согласие отмечено, но не указана его дата." in response.content.decode()


def test_same_person_is_refused_after_normalising_case_spaces_and_yo(coordinator_client, school):
    existing = ParticipantFactory(
        last_name="Ёлкина", first_name="Анна", patronymic="Петровна", birth_date=date(2006, 5, 20), organisation=school
    )
    response = add_participant(
        coordinator_client,
        participant_form(
            school, last_name="  елкина ", first_name="АННА", patronymic="петровна  ", birth_date="2006-05-20"
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Этот человек уже есть в банке: Ёлкина Анна Петровна, 20.05.2006 г. р." in page
    assert f"МАОУ гимназия № 29 г. Томска, г. Томск; запись № {existing.pk}" in page
    assert Participant.objects.count() == 1


def test_same_name_with_another_birth_date_is_another_person(coordinator_client, school):
    ParticipantFactory(last_name="Ёлкина", first_name="Анна", patronymic="Петровна", birth_date=date(2006, 5, 20))
    response = add_participant(
        coordinator_client,
        participant_form(school, last_name="Елкина", first_name="Анна", patronymic="Петровна", birth_date="2007-01-02"),
    )
    assert response.status_code == 302
    assert Participant.objects.count() == 2


def test_names_are_stored_tidy(db):
    person = ParticipantFactory(last_name="  Фёдорова ", first_name="Анна   Мария", patronymic="")
    assert person.last_name == "Фёдорова"
    assert person.first_name == "Анна Мария"
    assert person.name_key == "федорова анна мария"


def membership_form(membership_participant, programme, **overrides):
    data = {
        "participant": membership_participant.pk,
        "programme": programme.pk,
        "category": "school",
        "included_on": "2019-04-01",
        "basis": "Победитель конкурса",
        "left_on": "",
        "leaving_reason": "",
        "_save": "Сохранить",
    }
    data.update(overrides)
    return data


def test_leaving_date_before_inclusion_is_refused(coordinator_client):
    existing = MembershipFactory()
    response = coordinator_client.post(
        "/admin/participants/membership/add/",
        membership_form(
            ParticipantFactory(), existing.programme, left_on="2019-03-01", leaving_reason="Окончание школы"
        ),
    )
    assert response.status_code == 200
    assert "Дата выбытия 01.03.2019 раньше даты включения 01.04.2019." in response.content.decode()
    assert Membership.objects.count() == 1


def test_overlapping_membership_is_refused_with_the_clashing_one_named(coordinator_client):
    existing = MembershipFactory(included_on=date(2018, 9, 1))
    response = coordinator_client.post(
        "/admin/participants/membership/add/",
        membership_form(existing.participant, existing.programme, category="student", included_on="2019-09-01"),
    )
    page = response.content.decode()
    assert "Пересекается с другим членством в этой программе: резидент-школьник с 01.09.2018 без даты выбытия." in page
    assert Membership.objects.count() == 1


def test_category_change_closes_one_membership_and_opens_another(coordinator_client):
    existing = MembershipFactory(included_on=date(2018, 9, 1))
    existing.left_on = date(2019, 9, 1)
    existing.leaving_reason = "Окончание школы"
    existing.save()
    response = coordinator_client.post(
        "/admin/participants/membership/add/",
        membership_form(existing.participant, existing.programme, category="student", included_on="2019-09-01"),
    )
    assert response.status_code == 302
    assert Membership.objects.count() == 2


# The database keeps the same rules when code bypasses the forms.


def _violates(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_database_refuses_a_grade_outside_1_to_11(db):
    _violates(lambda: ParticipantFactory(grade=12))


def test_database_refuses_the_same_person_twice(db):
    ParticipantFactory(last_name="Ёлкин", first_name="Иван", patronymic="", birth_date=date(2006, 1, 1))
    _violates(
        lambda: ParticipantFactory(last_name="ЕЛКИН", first_name=" иван", patronymic="", birth_date=date(2006, 1, 1))
    )


def test_database_refuses_leaving_before_inclusion(db):
    _violates(lambda: MembershipFactory(included_on=date(2019, 4, 1), left_on=date(2019, 3, 1)))


def test_database_refuses_two_open_memberships_of_one_programme(db):
    first = MembershipFactory()
    _violates(lambda: MembershipFactory(participant=first.participant, programme=first.programme, category="student"))


def test_database_refuses_a_municipality_name_twice_in_a_region(db):
    municipality = MunicipalityFactory(name="Томский район")
    _violates(lambda: Municipality.objects.create(region=municipality.region, name="Томский район", kind="district"))
    Municipality.objects.create(region=MunicipalityFactory().region, name="Томский район", kind="district")


def test_database_refuses_an_organisation_name_twice_in_a_region(db):
    school = OrganisationFactory(name="МБОУ «СОШ № 1»")
    elsewhere_in_region = MunicipalityFactory(region=school.municipality.region)
    _violates(lambda: Organisation.objects.create(municipality=elsewhere_in_region, name="МБОУ «СОШ № 1»"))


def test_organisation_form_names_the_clashing_organisation(coordinator_client):
    school = OrganisationFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1", municipality__name="Асиновский район")
    other = MunicipalityFactory(region=school.municipality.region, name="Бакчарский район")
    response = coordinator_client.post(
        "/admin/participants/organisation/add/",
        {"municipality": other.pk, "name": "МБОУ «СОШ № 2»", "short_name": "сош № 1", "kind": "school", "_save": "1"},
    )
    assert (
        "Название «сош № 1» уже занято организацией «МБОУ «СОШ № 1»» (Асиновский район)." in response.content.decode()
    )
