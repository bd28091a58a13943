"""The scope holds beyond the lists: accounts, choice lists, imports, duplicate messages, deletes,
merges — tried as a coordinator of one region and as school staff would try them."""

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from accounts.rules import manageable_users
from events.models import Coverage, Edition
from participants import importing
from participants.access import ORGANISATION_REQUIRED
from participants.models import (
    ALREADY_REGISTERED,
    Instrument,
    Membership,
    Municipality,
    Organisation,
    Participant,
    Programme,
    Region,
)

pytestmark = pytest.mark.usefixtures("demo_data")

ROOT = Path(__file__).resolve().parents[2]
TOMSK_SCHOOL = "МАОУ гимназия № 29 г. Томска"


def tomsk_only_person() -> Participant:
    return (
        Participant.objects.filter(memberships__programme__slug="tomsk-mkr")
        .exclude(memberships__programme__slug="tula-kadry")
        .exclude(organisation=None)
        .select_related("organisation")
        .first()
    )


def body(response) -> str:
    return response.content.decode()


# Accounts ---------------------------------------------------------------------------------------


def test_the_escalation_through_a_schools_staff_is_refused_step_by_step(login, users):
    """A coordinator of one region tries to make another region's coordinator "staff of my school",
    then to reset that account's password: every step is refused and nothing changes."""
    school = Organisation.objects.get(name=TOMSK_SCHOOL)
    staff_before = set(school.staff.values_list("pk", flat=True))
    client = login("koordinator-tomsk")
    target = users["koordinator-tula"]

    # 1. The account is not among the choices of «сотрудники».
    page = body(client.get(reverse("admin:participants_organisation_change", args=[school.pk])))
    assert "koordinator-tula" not in page and "vlast" not in page and ">demo<" not in page
    assert "shkola-29" in page

    # 2. A crafted POST naming it is refused in Russian and changes nothing.
    response = client.post(
        reverse("admin:participants_organisation_change", args=[school.pk]),
        {
            "municipality": school.municipality_id,
            "name": school.name,
            "short_name": school.short_name,
            "kind": school.kind,
            "staff": [*staff_before, target.pk, users["vlast"].pk],
        },
    )
    assert response.status_code == 200
    assert "не относится к сотрудникам организаций вашего региона" in body(response)
    assert set(school.staff.values_list("pk", flat=True)) == staff_before

    # 3. Its password cannot be reset, and it cannot be tokened.
    assert client.get(reverse("admin:accounts_manageduser_password", args=[target.pk])).status_code == 404
    assert not manageable_users(users["koordinator-tomsk"], include_self=True).filter(pk=target.pk).exists()


@pytest.mark.parametrize("other", ["koordinator-tula", "vlast", "demo", "shkola-tula"])
def test_a_coordinator_manages_no_account_outside_their_regions_school_staff(users, other):
    assert not manageable_users(users["koordinator-tomsk"]).filter(username=other).exists()


def test_an_account_attached_in_two_regions_is_managed_by_neither_coordinator(users):
    staff = users["shkola-29"]
    assert manageable_users(users["koordinator-tomsk"]).filter(pk=staff.pk).exists()
    Organisation.objects.filter(region__name="Тульская область").first().staff.add(staff)
    assert not manageable_users(users["koordinator-tomsk"]).filter(pk=staff.pk).exists()
    assert not manageable_users(users["koordinator-tula"]).filter(pk=staff.pk).exists()


def test_a_coordinator_saving_a_school_keeps_the_accounts_they_may_not_manage(login, users):
    school = Organisation.objects.get(name=TOMSK_SCHOOL)
    school.staff.add(users["vlast"])  # attached by a superuser
    client = login("koordinator-tomsk")
    response = client.post(
        reverse("admin:participants_organisation_change", args=[school.pk]),
        {
            "municipality": school.municipality_id,
            "name": school.name,
            "short_name": school.short_name,
            "kind": school.kind,
            "staff": [],
        },
    )
    assert response.status_code == 302
    assert set(school.staff.values_list("username", flat=True)) == {"vlast"}


def test_only_superusers_choose_a_programmes_coordinators(login, users):
    programme = Programme.objects.get(slug="tomsk-mkr")
    page = body(login("koordinator-tomsk").get(reverse("admin:participants_programme_change", args=[programme.pk])))
    assert 'name="coordinators"' not in page
    assert 'name="coordinators"' in body(
        login("demo").get(reverse("admin:participants_programme_change", args=[programme.pk]))
    )


def test_a_programme_a_coordinator_adds_in_the_admin_stays_in_their_sight(login, users):
    client = login("koordinator-tomsk")
    response = client.post(
        reverse("admin:participants_programme_add"),
        {
            "region": Region.objects.get(name="Томская область").pk,
            "name": "Новая программа",
            "slug": "novaya",
            "period_kind": "calendar",
            "kind": "programme",
            "criteria-TOTAL_FORMS": 0,
            "criteria-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, body(response)
    programme = Programme.objects.get(slug="novaya")
    assert list(programme.coordinators.all()) == [users["koordinator-tomsk"]]
    assert client.get(reverse("admin:participants_programme_change", args=[programme.pk])).status_code == 200


# Choice lists -----------------------------------------------------------------------------------


def test_the_browsable_apis_filter_forms_list_only_what_the_user_sees(login):
    client = login("koordinator-tula")
    page = body(client.get("/api/v1/participants/", HTTP_ACCEPT="text/html"))
    assert TOMSK_SCHOOL not in page
    assert any(o.name in page for o in Organisation.objects.filter(region__name="Тульская область"))
    page = body(client.get("/api/v1/memberships/", HTTP_ACCEPT="text/html"))
    assert "Молодёжный кадровый ресурс" not in page
    # The filter refuses an id out of sight as it refuses one that does not exist.
    tomsk = Programme.objects.get(slug="tomsk-mkr")
    assert client.get("/api/v1/memberships/", {"programme": tomsk.pk}).status_code == 400


def test_admin_value_filters_list_only_values_of_records_in_sight(login):
    series = Edition.objects.filter(series__programme__slug="tomsk-mkr").first().series
    edition = Edition.objects.create(series=series, period=2031, title="Выпуск будущего")
    Coverage.objects.create(
        edition=edition, municipality=Municipality.objects.filter(region=series.programme.region)[0]
    )
    assert "2031" in body(login("koordinator-tomsk").get("/admin/events/coverage/"))
    assert "2031" not in body(login("koordinator-tula").get("/admin/events/coverage/"))


def test_the_browsable_api_is_off_in_production_unless_turned_on():
    script = (
        "from django.conf import settings; import json; "
        "print(json.dumps(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']))"
    )

    def renderers(**extra):
        env = {
            **{k: v for k, v in __import__("os").environ.items() if k not in {"DEBUG", "API_BROWSABLE"}},
            "DEBUG": "0",
            "SECRET_KEY": "x" * 64,
            "ALLOWED_HOSTS": "example.org",
            **extra,
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert renderers() == ["rest_framework.renderers.JSONRenderer"]
    assert "rest_framework.renderers.BrowsableAPIRenderer" in renderers(API_BROWSABLE="1")


# Imports and duplicate messages ---------------------------------------------------------------


def import_row(person: Participant, school: str) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(importing.PARTICIPANT_COLUMNS)
    values = {
        "Фамилия": person.last_name,
        "Имя": person.first_name,
        "Отчество": person.patronymic,
        "Дата рождения": person.birth_date.strftime("%d.%m.%Y"),
        "Пол": "Ж",
        "Образовательная организация": school,
        "Телефон": "+7 900 000-00-00",
    }
    sheet.append([values.get(column, "") for column in importing.PARTICIPANT_COLUMNS])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "ученики.xlsx"
    return data


def test_an_import_row_matching_a_person_out_of_sight_is_refused_without_revealing_them(login):
    person = tomsk_only_person()
    before = Participant.objects.filter(pk=person.pk).values().get()
    client = login("koordinator-tula")
    tula_school = Organisation.objects.filter(region__name="Тульская область").first()
    programme = Programme.objects.get(slug="tula-kadry")
    response = client.post(
        "/admin/participants/participant/import/",
        {"programme": programme.pk, "file": import_row(person, tula_school.name)},
        follow=True,
    )
    page = body(response)
    assert "уже зарегистрирован в банке" in page and "региональному координатору" in page
    assert person.organisation.name not in page
    assert str(person.organisation.municipality) not in page
    assert f"№ {person.pk}" not in page
    # Confirming anyway saves nothing and moves nobody.
    upload_url = response.redirect_chain[-1][0]
    client.post(upload_url, {"confirm": "1"})
    assert Participant.objects.filter(pk=person.pk).values().get() == before
    assert not Participant.objects.filter(organisation=tula_school, name_key=person.name_key).exists()


def test_the_command_line_import_still_finds_everyone(db):
    person = tomsk_only_person()
    report = importing.import_participants(
        import_row(person, person.organisation.name).getvalue(),
        programme=Programme.objects.get(slug="tomsk-mkr"),
        organisations=Organisation.objects.all(),
        can_set_membership=True,
        commit=False,
    )
    assert report.ok and report.rows[0].action in {"update", "unchanged"}


def test_the_duplicate_check_names_the_existing_record_only_to_whoever_may_see_it(login):
    person = tomsk_only_person()
    twin = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "organisation": Organisation.objects.filter(region__name="Тульская область").first().pk,
    }
    hidden = login("koordinator-tula").post("/api/v1/participants/", twin, content_type="application/json")
    assert hidden.status_code == 400
    assert hidden.json()["last_name"] == [ALREADY_REGISTERED]
    assert person.organisation.name not in body(hidden) and str(person.pk) not in body(hidden)

    admin_form = {**twin, "birth_date": person.birth_date.strftime("%d.%m.%Y")}
    for prefix in ("memberships", "participations", "achievements"):
        admin_form |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    page = body(login("koordinator-tula").post(reverse("admin:participants_participant_add"), admin_form))
    assert "уже зарегистрирован в банке" in page and person.organisation.name not in page

    seen = login("koordinator-tomsk").post(
        "/api/v1/participants/",
        {**twin, "organisation": person.organisation_id},
        content_type="application/json",
    )
    assert seen.status_code == 400 and f"запись № {person.pk}" in seen.json()["last_name"][0]


def test_school_staff_must_give_a_person_their_school(login):
    client = login("shkola-29")
    response = client.post(
        "/api/v1/participants/",
        {"last_name": "Безшкольная", "first_name": "Анна", "birth_date": "2008-01-01", "sex": "Ж"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["organisation"] == [ORGANISATION_REQUIRED]
    assert not Participant.objects.filter(last_name="Безшкольная").exists()


def test_a_person_a_coordinator_enters_without_school_or_membership_stays_in_their_sight(login):
    client = login("koordinator-tomsk")
    response = client.post(
        "/api/v1/participants/",
        {"last_name": "Новенькая", "first_name": "Анна", "birth_date": "2008-01-01", "sex": "Ж"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client.get(f"/api/v1/participants/{pk}/").status_code == 200
    assert client.get(reverse("admin:participants_participant_change", args=[pk])).status_code == 200
    assert login("koordinator-tula").get(f"/api/v1/participants/{pk}/").status_code == 404


# Deletes ------------------------------------------------------------------------------------------


@pytest.fixture
def shared_person():
    """A Tomsk resident who is also in the Tula programme."""
    person = tomsk_only_person()
    Membership.objects.create(
        participant=person,
        programme=Programme.objects.get(slug="tula-kadry"),
        category="school",
        included_on=date(2019, 9, 1),
    )
    return person


def test_a_delete_reaching_another_programmes_records_is_refused_and_names_none(login, shared_person):
    client = login("koordinator-tomsk")
    url = reverse("admin:participants_participant_delete", args=[shared_person.pk])
    page = body(client.get(url))
    assert "которые вам не видны" in page
    assert "Кадры будущего" not in page and "tula-kadry" not in page
    assert client.post(url, {"post": "yes"}).status_code == 403
    response = client.delete(f"/api/v1/participants/{shared_person.pk}/")
    assert response.status_code == 403 and "которые вам не видны" in response.json()["detail"]
    assert Participant.objects.filter(pk=shared_person.pk).exists()
    assert login("demo").post(url, {"post": "yes"}).status_code == 302  # a superuser may
    assert not Participant.objects.filter(pk=shared_person.pk).exists()


def test_reference_data_is_read_only_for_coordinators(login):
    client = login("koordinator-tomsk")
    instrument = Instrument.objects.create(name="Skillfolio")
    region = Region.objects.get(name="Томская область")
    assert client.get(reverse("admin:participants_instrument_add")).status_code == 403
    assert client.post("/api/v1/instruments/", {"name": "Свой тест"}).status_code == 403
    assert client.delete(f"/api/v1/instruments/{instrument.pk}/").status_code == 403
    assert client.post(reverse("admin:participants_region_change", args=[region.pk]), {"name": "X"}).status_code == 403
    assert client.get("/api/v1/instruments/").status_code == 200  # still read


# Merges and coverage ----------------------------------------------------------------------------


def test_a_crafted_merge_of_two_people_born_on_different_days_is_refused(login):
    tomsk = Participant.objects.filter(memberships__programme__slug="tomsk-mkr").distinct()
    first = tomsk.first()
    second = tomsk.exclude(birth_date=first.birth_date).first()
    client = login("koordinator-tomsk")
    response = client.post(
        reverse("admin:participants_participant_merge", args=[first.pk, second.pk]), {"fingerprint": "x"}, follow=True
    )
    assert "Нельзя объединить записи с разными датами рождения" in body(response)
    assert Participant.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_a_coordinator_records_participants_from_another_regions_municipality(login):
    client = login("koordinator-tomsk")
    novosibirsk = Municipality.objects.filter(region__name="Новосибирская область").first()
    series = Edition.objects.filter(series__programme__slug="tomsk-mkr").first().series
    response = client.post(
        "/api/v1/editions/",
        {"series": series.pk, "period": 2019, "title": "Межрегиональная школа", "municipalities": [novosibirsk.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Coverage.objects.filter(edition_id=response.json()["id"], municipality=novosibirsk).exists()
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "events", "model_name": "coverage", "field_name": "municipality", "term": novosibirsk.name},
    ).json()
    assert [r["id"] for r in found["results"]] == [str(novosibirsk.pk)]
    # The municipality list itself stays the region's own.
    assert novosibirsk.name not in body(client.get("/admin/participants/municipality/"))
