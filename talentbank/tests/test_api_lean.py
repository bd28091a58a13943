"""The lean API answers exactly what DRF's own serializers answer: the fast representation of a row
(participants.api.base.ModelMessagesSerializer) is compared, field by field, with DRF's general path
over the same records, for lists and single records, as several roles."""

import json

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.permissions import load_permissions
from accounts.tokens import issue_token
from participants.access import scope
from participants.tests.factories import ParticipantFactory
from talentbank.api import router

pytestmark = pytest.mark.usefixtures("demo_data")
VIEWSETS = {prefix: viewset for prefix, viewset, _ in router.registry}
# Columns of every kind (text, dates, times, choices, numbers, references, empty references), a
# property (full_name), nested rows (a diagnostic's scores) and a many-to-many (an edition's municipalities).
ENDPOINTS = ["participants", "memberships", "organisations", "programmes", "diagnostics", "achievements", "editions"]
ROLES = ["demo", "koordinator-tomsk", "koordinator-tula", "shkola-29"]


def drf_representation(prefix, objects) -> list:
    """What DRF's own Serializer.to_representation makes of `objects`, rendered as the API renders it."""
    serializer = VIEWSETS[prefix].serializer_class(context={"request": None})
    rows = [serializers.Serializer.to_representation(serializer, obj) for obj in objects]
    return json.loads(JSONRenderer().render(rows))


def records(prefix, ids) -> list:
    """The records of `ids`, in that order, read as the endpoint reads them."""
    found = {obj.pk: obj for obj in VIEWSETS[prefix].queryset.filter(pk__in=ids)}
    return [found[pk] for pk in ids]


@pytest.fixture
def token_client(users):
    def as_user(username):
        _, key = issue_token(users[username], "test")
        return APIClient(HTTP_AUTHORIZATION=f"Token {key}")

    return as_user


@pytest.fixture
def person_without_organisation(users):
    """A row with empty columns and an empty reference, entered by the Tomsk coordinator."""
    return ParticipantFactory(organisation=None, created_by=users["koordinator-tomsk"], consent_date=None, email="")


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_pages_are_drfs_own_representation(token_client, users, person_without_organisation, role):
    client = token_client(role)
    compared = set()
    for prefix in ENDPOINTS:
        model = VIEWSETS[prefix].queryset.model
        for page in (1, 2):
            response = client.get(f"/api/v1/{prefix}/", {"page_size": 20, "page": page})
            if response.status_code == 403:  # school staff have no permission on events
                assert role == "shkola-29" and prefix == "editions"
                break
            if response.status_code == 404:  # a scope of fewer than 21 rows has no second page
                assert page == 2
                break
            data = response.json()
            assert data["count"] == scope(users[role], model._default_manager.all()).count()
            ids = [row["id"] for row in data["results"]]
            assert data["results"] == drf_representation(prefix, records(prefix, ids)), prefix
            if ids:
                compared.add(prefix)
                detail = client.get(f"/api/v1/{prefix}/{ids[-1]}/")
                assert [detail.json()] == drf_representation(prefix, records(prefix, ids[-1:])), prefix
    # Something was compared: every kind of row as the superuser, the people at least as the others.
    assert compared == set(ENDPOINTS) if role == "demo" else {"participants", "memberships"} <= compared


def test_a_row_with_empty_columns_and_references_is_shown_as_before(token_client, person_without_organisation):
    row = token_client("koordinator-tomsk").get(f"/api/v1/participants/{person_without_organisation.pk}/").json()

    assert row["organisation"] is None and row["consent_date"] is None and row["email"] == ""
    assert row["full_name"] == person_without_organisation.full_name
    assert [row] == drf_representation("participants", [person_without_organisation])


def test_the_browsable_api_still_shows_the_rows(login):
    client = login("koordinator-tomsk")
    data = client.get("/api/v1/participants/", {"page_size": 5}, HTTP_ACCEPT="application/json").json()
    page = client.get("/api/v1/participants/?format=api&page_size=5")

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    text = page.content.decode()
    for row in data["results"]:
        assert f"&quot;last_name&quot;: &quot;{row['last_name']}&quot;" in text
    detail = client.get(f"/api/v1/participants/{data['results'][0]['id']}/?format=api")
    assert detail.status_code == 200 and data["results"][0]["last_name"] in detail.content.decode()


def test_a_list_is_filtered_whenever_a_filter_is_named(token_client, users):
    """Lists without filter parameters skip the filterset; any filter named still goes through it,
    its scoped choices included."""
    client = token_client("koordinator-tomsk")
    tomsk = scope(users["koordinator-tomsk"], VIEWSETS["participants"].queryset.model.objects.all())
    girls = tomsk.filter(sex="Ж").count()
    foreign = scope(users["koordinator-tula"], VIEWSETS["organisations"].queryset.model.objects.all()).first()

    assert client.get("/api/v1/participants/", {"page": 1, "page_size": 5, "format": "json"}).json()["count"] == (
        tomsk.count()
    )
    assert 0 < girls < tomsk.count()
    assert client.get("/api/v1/participants/", {"sex": "Ж", "page_size": 5}).json()["count"] == girls
    assert client.get("/api/v1/participants/", {"organisation": foreign.pk}).status_code == 400
    assert client.get("/api/v1/participants/", {"birth_date__gte": "not a date"}).status_code == 400


def test_permissions_read_in_one_query_are_djangos_own(users):
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    direct = users["shkola-29"]
    direct.user_permissions.add(Permission.objects.get(codename="view_report"))
    for username in ["koordinator-tomsk", "koordinator-tula", "shkola-29", "vlast"]:
        user = type(users[username]).objects.get(pk=users[username].pk)
        load_permissions(user)
        assert user._perm_cache == ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk)), username
        assert user._perm_cache, username
    superuser = type(users["demo"]).objects.get(pk=users["demo"].pk)
    load_permissions(superuser)  # a superuser's permissions are all of them, left to Django
    assert not hasattr(superuser, "_perm_cache") and superuser.has_perm("participants.view_participant")
    assert "participants.view_report" in direct.get_all_permissions()


def test_a_revoked_token_or_permission_takes_effect_on_the_next_request(token_client, users):
    from django.contrib.auth.models import Group, Permission

    client = token_client("shkola-29")
    assert client.get("/api/v1/participants/").status_code == 200
    group = users["shkola-29"].groups.get()
    group.permissions.remove(Permission.objects.get(codename="view_participant"))
    assert client.get("/api/v1/participants/").status_code == 403
    Group.objects.get(pk=group.pk).permissions.add(Permission.objects.get(codename="view_participant"))
    assert client.get("/api/v1/participants/").status_code == 200
    ApiToken.objects.filter(user=users["shkola-29"]).delete()
    assert client.get("/api/v1/participants/").status_code == 401
