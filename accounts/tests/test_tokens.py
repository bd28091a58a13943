"""API tokens (accounts.tokens): a key is shown once, when issued, and only its digest is stored; the
admin «Токены API» issues tokens to and revokes them for the accounts one manages (accounts.rules)
and never shows a key again; issuing and revoking are in the audit log; DRF's old plain-text keys
are taken over by accounts 0002 and keep working."""

import hashlib
import importlib
import secrets
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

import audit
from accounts import tokens
from accounts.models import ApiToken
from accounts.rules import REFUSED
from accounts.tokens import issue_token
from audit.models import AuditEvent
from participants.roles import COORDINATOR

pytestmark = pytest.mark.usefixtures("demo_data")
CHANGELIST = "/admin/accounts/apitoken/"
ADD = "/admin/accounts/apitoken/add/"
take_over_authtoken_keys = importlib.import_module("accounts.migrations.0002_apitoken").take_over_authtoken_keys


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_get(key: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key is not None else {}
    return APIClient().get("/api/v1/regions/", **headers)


def stored_row(token) -> list[str]:
    """Every column of the token's row, as the database gives it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken WHERE id = %s", [token.pk])
        return [str(value) for value in cursor.fetchone()]


def issue_in_admin(client, owner, label="школьная система") -> tuple[ApiToken, str]:
    response = client.post(ADD, {"user": owner.pk, "label": label})
    assert response.status_code == 200, response.content.decode()
    return ApiToken.objects.get(pk=response.context["token"].pk), response.context["key"]


def test_a_key_works_and_only_its_digest_and_prefix_are_stored(users):
    token, key = issue_token(users["koordinator-tomsk"], "проверка")
    assert len(key) >= 43
    assert api_get(key).status_code == 200
    secret_part = key[tokens.PREFIX_LENGTH :]
    row = stored_row(token)
    assert not [value for value in row if key in value or secret_part in value], row
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[: tokens.PREFIX_LENGTH]
    # several tokens per user
    _, other = issue_token(users["koordinator-tomsk"])
    assert other != key and api_get(other).status_code == 200


def test_last_use_is_written_at_most_once_a_minute(users):
    token, key = issue_token(users["koordinator-tomsk"])
    assert token.last_used_at is None
    assert api_get(key).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=10)

    with CaptureQueriesContext(connection) as queries:
        assert api_get(key).status_code == 200
    assert not [q["sql"] for q in queries if q["sql"].startswith('UPDATE "accounts_apitoken"')]
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert api_get(key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first


def test_missing_wrong_revoked_keys_and_inactive_owners_get_401(users):
    owner = users["koordinator-tomsk"]
    token, key = issue_token(owner)
    for response in (api_get(None), api_get("wrong"), api_get("")):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert api_get(key).status_code == 401
    owner.is_active = True
    owner.save(update_fields=["is_active"])
    assert api_get(key).status_code == 200
    token.delete()
    assert api_get(key).status_code == 401


def test_the_admin_shows_the_key_once_and_never_again(users):
    tomsk = as_user(users["koordinator-tomsk"])
    response = tomsk.post(ADD, {"user": users["shkola-29"].pk, "label": "школьная система"})
    assert response.status_code == 200
    page = response.content.decode()
    key = response.context["key"]
    assert key in page and "больше он показан не будет" in page
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=users["shkola-29"])
    assert api_get(key).status_code == 403  # authenticated; school staff have no regions

    pages = [
        CHANGELIST,
        f"{CHANGELIST}?q=shkola",
        f"{CHANGELIST}{token.pk}/change/",
        f"{CHANGELIST}{token.pk}/delete/",
        f"{CHANGELIST}{token.pk}/history/",
        ADD,
        "/admin/",
        "/admin/audit/auditevent/",
    ]
    for client in (tomsk, as_user(users["demo"])):
        for url in pages:
            later = client.get(url, follow=True)
            assert later.status_code == 200, url
            assert key not in later.content.decode(), url
        listed = client.get(CHANGELIST)
        assert f"{token.prefix}…" in listed.content.decode() and "школьная система" in listed.content.decode()
        assert "Сохранить и добавить другой объект" not in client.get(ADD).content.decode()
    assert tomsk.get(f"{CHANGELIST}{token.pk}/change/").status_code == 302  # no change page
    # the delete confirmation after an action
    action = tomsk.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [token.pk]})
    assert action.status_code == 200 and key not in action.content.decode()


@pytest.mark.parametrize("target", ["koordinator-tula", "vlast", "demo"])
def test_a_coordinator_cannot_issue_a_token_to_an_account_they_do_not_manage(users, target):
    tomsk = as_user(users["koordinator-tomsk"])
    offered = tomsk.get(ADD).context["adminform"].form.fields["user"].queryset
    assert set(offered.values_list("username", flat=True)) == {"koordinator-tomsk", "shkola-29"}
    before = (ApiToken.objects.count(), AuditEvent.objects.count())

    refused = tomsk.post(ADD, {"user": users[target].pk, "label": "чужой"})
    assert refused.status_code == 200
    assert REFUSED in refused.content.decode()
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before

    request = RequestFactory().post(ADD)
    request.user = users["koordinator-tomsk"]
    with pytest.raises(PermissionDenied):
        tokens.issue(request, ApiToken(user=users[target]))
    assert ApiToken.objects.count() == before[0]


def test_school_staff_and_officials_have_no_token_pages(users):
    for username in ("shkola-29", "vlast"):
        client = as_user(users[username])
        assert client.get(CHANGELIST).status_code in (302, 403), username
        assert client.post(ADD, {"user": users[username].pk}).status_code in (302, 403), username
    assert not ApiToken.objects.exists()


def test_issuing_and_revoking_are_in_the_audit_log_and_only_for_manageable_accounts(users):
    coordinator, staff = users["koordinator-tomsk"], users["shkola-29"]
    tomsk, tula = as_user(coordinator), as_user(users["koordinator-tula"])
    first, first_key = issue_in_admin(tomsk, staff)
    second, second_key = issue_in_admin(tomsk, staff, label="второй")
    issued = AuditEvent.objects.filter(action=audit.TOKEN_ISSUED).order_by("pk")
    assert [(e.user, e.what) for e in issued] == [
        (coordinator, f"shkola-29: {first.prefix}…"),
        (coordinator, f"shkola-29: {second.prefix}…"),
    ]

    # another region's coordinator: neither the delete page nor a crafted action revokes
    assert tula.post(f"{CHANGELIST}{first.pk}/delete/", {"post": "yes"}).status_code == 404
    tula.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"})
    assert ApiToken.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert not AuditEvent.objects.filter(action=audit.TOKEN_REVOKED).exists()

    # the delete page, then the list action
    assert tomsk.post(f"{CHANGELIST}{first.pk}/delete/", {"post": "yes"}).status_code == 302
    response = tomsk.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=staff).exists()
    revoked = AuditEvent.objects.filter(action=audit.TOKEN_REVOKED).order_by("pk")
    assert [(e.user, e.what) for e in revoked] == [
        (coordinator, f"shkola-29: {first.prefix}…"),
        (coordinator, f"shkola-29: {second.prefix}…"),
    ]
    assert not [e for e in AuditEvent.objects.all() if first_key in e.what or second_key in e.what]
    assert api_get(first_key).status_code == 401 and api_get(second_key).status_code == 401

    # revoke itself checks the rule
    third, _ = issue_token(staff)
    request = RequestFactory().post(CHANGELIST)
    request.user = users["koordinator-tula"]
    with pytest.raises(PermissionDenied):
        tokens.revoke(request, [third])
    assert ApiToken.objects.filter(pk=third.pk).exists()


def test_coordinators_hold_the_permissions_of_the_token_model(db):
    coordinators = Group.objects.get(name=COORDINATOR).permissions.filter(content_type__app_label="accounts")
    assert set(coordinators.values_list("codename", flat=True)) == {"view_apitoken", "add_apitoken", "delete_apitoken"}
    assert not Permission.objects.filter(content_type__app_label="authtoken").exists()


def test_the_migration_turns_plain_authtoken_keys_into_digests(users):
    """DRF's table, a key in it, the admin log entry DRF's admin wrote (the key as its text), the
    app's permission granted to coordinators and its migration record; then the migration's step."""
    owner = users["koordinator-tomsk"]
    key = secrets.token_hex(20)  # DRF's key format
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
            " user_id integer NOT NULL UNIQUE REFERENCES auth_user (id))"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now() - interval '1 day', %s)", [key, owner.pk])
    proxy = ContentType.objects.create(app_label="authtoken", model="tokenproxy")
    permission = Permission.objects.create(content_type=proxy, codename="view_tokenproxy", name="Can view token")
    Group.objects.get(name=COORDINATOR).permissions.add(permission)
    entry = LogEntry.objects.create(
        user=owner, content_type=proxy, object_id=str(owner.pk), object_repr=key, action_flag=ADDITION
    )
    MigrationRecorder(connection).record_applied("authtoken", "0001_initial")

    with connection.schema_editor() as editor:
        take_over_authtoken_keys(apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=owner)
    assert token.prefix == key[:8] and token.label
    assert timezone.now() - token.created > timedelta(hours=23)
    assert not [value for value in stored_row(token) if key in value]
    assert api_get(key).status_code == 200
    entry.refresh_from_db()
    assert (entry.object_repr, entry.object_id, entry.content_type) == (f"{key[:8]}…", None, None)
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    assert not Permission.objects.filter(codename="view_tokenproxy").exists()
    assert not MigrationRecorder(connection).migration_qs.filter(app="authtoken").exists()
    ContentType.objects.clear_cache()
