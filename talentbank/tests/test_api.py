"""The REST API: same scope and permissions as the admin, model validation, nested writes,
constant query counts, and a whole programme written and reported through a token."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import issue_token
from participants.models import Participant
from reports.demo.loader import ensure_demo_accounts
from talentbank.api import router

pytestmark = pytest.mark.usefixtures("demo_data")
SCHOOL = "МАОУ гимназия № 29 г. Томска"
ROUTES = [prefix for prefix, _, _ in router.registry]


@pytest.fixture
def api(db):
    ensure_demo_accounts()
    users = {u.username: u for u in get_user_model().objects.all()}

    def as_user(username=None):
        client = APIClient()
        if username:
            client.force_authenticate(users[username])
        return client

    return as_user


def test_anonymous_requests_get_401(api):
    for url in ("/api/v1/participants/", "/api/v1/editions/", "/api/v1/reports/tomsk-mkr/2019/"):
        response = api().get(url)
        assert response.status_code == 401, url
        assert "WWW-Authenticate" in response


@pytest.mark.parametrize("prefix", ROUTES)
def test_every_list_endpoint_answers_a_superuser(api, prefix):
    response = api("demo").get(f"/api/v1/{prefix}/")
    assert response.status_code == 200
    assert {"count", "results"} <= set(response.data)


@pytest.mark.parametrize("prefix", ROUTES)
def test_list_query_count_does_not_grow_with_page_size(api, prefix):
    client = api("demo")
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/{prefix}/", {"page_size": size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{prefix}: {counts}"


def test_school_staff_read_and_write_only_their_pupils(api):
    client = api("shkola-29")
    listed = client.get("/api/v1/participants/", {"page_size": 500}).data
    assert listed["count"] == Participant.objects.filter(organisation__name=SCHOOL).count()
    stranger = Participant.objects.exclude(organisation__name=SCHOOL).first()
    assert client.get(f"/api/v1/participants/{stranger.pk}/").status_code == 404
    assert client.patch(f"/api/v1/participants/{stranger.pk}/", {"phone": "1"}).status_code == 404
    created = client.post(
        "/api/v1/participants/",
        {
            "last_name": "Апишная",
            "first_name": "Вера",
            "birth_date": "2008-01-01",
            "sex": "Ж",
            "organisation": stranger.organisation_id,
        },
    )
    assert created.status_code == 400
    assert "organisation" in created.data
    assert client.get("/api/v1/editions/").status_code == 403
    assert client.post("/api/v1/memberships/", {}).status_code == 403


def test_officials_read_only_reports(api):
    client = api("vlast")
    assert client.get("/api/v1/participants/").status_code == 403
    assert client.get("/api/v1/memberships/").status_code == 403
    report = client.get("/api/v1/reports/tomsk-mkr/2019/")
    assert report.status_code == 200
    assert report.data["residents_by_municipality"]["total"] == {"organizations": 69, "residents": 312}


def test_a_coordinator_cannot_reach_another_programmes_people(api):
    client = api("koordinator-tula")
    tomsk_person = Participant.objects.filter(memberships__programme__slug="tomsk-mkr").first()
    assert client.get(f"/api/v1/participants/{tomsk_person.pk}/").status_code == 404
    assert client.get("/api/v1/reports/tomsk-mkr/2019/").status_code == 404
    assert (
        client.get("/api/v1/participants/").data["count"]
        == Participant.objects.filter(memberships__programme__slug="tula-kadry").distinct().count()
    )


def test_bad_input_gets_the_forms_russian_messages(api):
    client = api("demo")
    organisation = Participant.objects.filter(organisation__name=SCHOOL).first().organisation_id
    person = {"last_name": "Будущая", "first_name": "Вера", "sex": "Ж", "organisation": organisation}
    future = client.post("/api/v1/participants/", {**person, "birth_date": "2999-01-01"})
    assert future.status_code == 400
    assert "Дата рождения 01.01.2999 ещё не наступила." in str(future.data["birth_date"])
    grade = client.post("/api/v1/participants/", {**person, "birth_date": "2008-01-01", "grade": 12})
    assert grade.status_code == 400
    assert "Класс должен быть от 1 до 11" in str(grade.data["grade"])
    existing = Participant.objects.filter(organisation__name=SCHOOL).first()
    twin = client.post(
        "/api/v1/participants/",
        {
            "last_name": existing.last_name.upper(),
            "first_name": existing.first_name,
            "patronymic": existing.patronymic,
            "birth_date": existing.birth_date.isoformat(),
            "sex": existing.sex,
            "organisation": organisation,
        },
    )
    assert twin.status_code == 400
    assert "Этот человек уже есть в банке" in str(twin.data)
    assert client.get("/api/v1/participants/999999999/").status_code == 404
    assert client.post("/api/v1/memberships/", {"participant": existing.pk}, format="json").status_code == 400


def test_a_script_with_a_token_builds_a_programme_and_reads_its_report(api, django_user_model):
    """The issue's acceptance: everything written through the API, the справка computed from it."""
    user = django_user_model.objects.get(username="demo")
    _, key = issue_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def post(url, data):
        response = client.post(f"/api/v1/{url}/", data, format="json")
        assert response.status_code == 201, (url, response.data)
        return response.data["id"]

    region = post("regions", {"name": "Новая область", "code": "99"})
    centre = post("municipalities", {"region": region, "name": "г. Центр", "kind": "urban_okrug", "sort_order": 1})
    village = post("municipalities", {"region": region, "name": "Сельский район", "kind": "district", "sort_order": 2})
    school = post("organisations", {"municipality": centre, "name": "Школа № 1", "kind": "school"})
    programme = post(
        "programmes",
        {
            "region": region,
            "name": "Банк API",
            "slug": "api-bank",
            "period_kind": "calendar",
            "report_sections": [
                "residents",
                "residents_by_municipality",
                "accredited_participants",
                "satellite_events",
            ],
        },
    )
    people = [
        post(
            "participants",
            {
                "last_name": f"Апиев{n}",
                "first_name": "Иван",
                "birth_date": "2006-01-0" + str(n + 1),
                "sex": "М",
                "organisation": school,
                "grade": 9,
            },
        )
        for n in range(3)
    ]
    for person in people:
        post(
            "memberships",
            {
                "participant": person,
                "programme": programme,
                "category": "school",
                "included_on": "2021-04-01",
                "basis": "API",
            },
        )
    accredited = post(
        "event-series", {"programme": programme, "name": "Форум", "kind": "accredited", "direction": "project_research"}
    )
    satellite = post(
        "event-series",
        {
            "programme": programme,
            "name": "Ярмарка",
            "kind": "satellite",
            "direction": "project_research",
            "prepares_for": accredited,
        },
    )
    edition = post(
        "editions",
        {
            "series": accredited,
            "period": 2021,
            "starts_on": "2021-03-01",
            "ends_on": "2021-03-02",
            "headcount_pupils": 90,
            "headcount_teachers": 10,
            "municipalities": [centre, village],
        },
    )
    post(
        "editions",
        {
            "series": satellite,
            "period": 2021,
            "starts_on": "2021-02-01",
            "ends_on": "2021-02-01",
            "headcount_total": 40,
        },
    )
    post("participations", {"edition": edition, "participant": people[0], "role": "winner"})
    assert client.get(f"/api/v1/editions/{edition}/").data["municipalities"] == [centre, village]

    report = client.get("/api/v1/reports/api-bank/2021/").data
    assert report["residents"]["residents"] == 3
    assert report["residents_by_municipality"]["rows"] == [
        {"municipality": "г. Центр", "organizations": 1, "residents": 3},
        {"municipality": "Сельский район", "organizations": 0, "residents": 0},
    ]
    assert report["accredited_participants"]["participants"] == 100
    assert report["satellite_events"]["total"]["current"] == 40


def test_schema_and_docs_are_served(api):
    client = api("demo")
    schema = client.get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/participants/" in schema.json()["paths"]
    assert client.get("/api/v1/docs/").status_code == 200


def test_a_coordinator_issues_and_revokes_tokens_for_their_region_only(client, api, django_user_model):
    """The admin's side in full is accounts/tests/test_tokens.py; here, the issued key and the API."""
    coordinator = django_user_model.objects.get(username="koordinator-tomsk")
    school_staff = django_user_model.objects.get(username="shkola-29")
    client.force_login(coordinator)
    add = client.get("/admin/accounts/apitoken/add/")
    offered = set(add.context["adminform"].form.fields["user"].queryset.values_list("username", flat=True))
    assert offered == {"koordinator-tomsk", "shkola-29"}
    response = client.post("/admin/accounts/apitoken/add/", {"user": school_staff.pk, "label": "школьная система"})
    assert response.status_code == 200
    key = response.context["key"]
    token = ApiToken.objects.get(user=school_staff)
    refused = client.post("/admin/accounts/apitoken/add/", {"user": django_user_model.objects.get(username="demo").pk})
    assert refused.status_code == 200 and not ApiToken.objects.filter(user__username="demo").exists()
    # the issued token works, with the staff member's own scope
    system = APIClient()
    system.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert (
        system.get("/api/v1/participants/").data["count"]
        == Participant.objects.filter(organisation__name=SCHOOL).count()
    )
    # another region's coordinator neither sees nor revokes it
    client.force_login(django_user_model.objects.get(username="koordinator-tula"))
    assert client.get("/admin/accounts/apitoken/").context["cl"].result_count == 0
    assert client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 404
    # the issuing coordinator revokes it
    client.force_login(coordinator)
    assert client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.filter(user=school_staff).exists()
    assert system.get("/api/v1/participants/").status_code == 401
