"""Login throttling (django-axes): 5 failures for one user name from one address lock that pair for
30 minutes, on the site's login page and the admin's; API tokens keep working. Sessions end after
30 minutes without a request."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import issue_token

PASSWORD = "Длинный-пароль-2024"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def anna(django_user_model):
    return django_user_model.objects.create_user("anna", password=PASSWORD, is_staff=True, is_superuser=True)


@pytest.fixture
def boris(django_user_model):
    return django_user_model.objects.create_user("boris", password=PASSWORD)


def attempt(username, password, url=LOGIN, ip="10.0.0.1", client=None):
    client = client or Client()
    response = client.post(url, {"username": username, "password": password, "next": "/"}, REMOTE_ADDR=ip)
    return response


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_five_failures_lock_that_name_from_that_address(anna, boris, url):
    for number in range(1, 5):
        response = attempt("anna", "wrong-password", url)
        assert response.status_code == 200, number
        assert "пароль" in response.content.decode()  # the login form again, with its error
    fifth = attempt("anna", "wrong-password", url)
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "Вход временно заблокирован" in page
    assert "под именем «anna»" in page and "(5 подряд)" in page and "через 30 мин." in page

    # the right password does not help now
    right = attempt("anna", PASSWORD, url)
    assert right.status_code == 429 and "_auth_user_id" not in right.client.session
    # the lock is for the pair: the same name from another address, another name from this one, pass
    assert signed_in(attempt("anna", PASSWORD, url, ip="10.0.0.2"))
    assert signed_in(attempt("boris", PASSWORD, LOGIN))
    # ...and a success elsewhere does not lift it here
    assert attempt("anna", PASSWORD, url).status_code == 429


def test_four_failures_and_a_success_start_the_count_again(anna):
    for _ in range(4):
        assert attempt("anna", "wrong-password").status_code == 200
    assert signed_in(attempt("anna", PASSWORD))
    for _ in range(4):
        assert attempt("anna", "wrong-password").status_code == 200
    assert signed_in(attempt("anna", PASSWORD))


def test_the_lock_ends_after_30_minutes(anna):
    for _ in range(5):
        attempt("anna", "wrong-password")
    assert attempt("anna", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert attempt("anna", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert signed_in(attempt("anna", PASSWORD))


def test_api_tokens_work_while_the_login_is_locked(anna):
    _, key = issue_token(anna)
    for _ in range(6):
        attempt("anna", "wrong-password")
    assert attempt("anna", PASSWORD).status_code == 429
    api = APIClient(REMOTE_ADDR="10.0.0.1")
    response = api.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert api.get("/api/v1/regions/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_settings_are_five_attempts_and_thirty_minutes_per_name_and_address(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_passwords_have_at_least_ten_characters(anna):
    with pytest.raises(ValidationError, match="10 символов"):
        validate_password("Зебра-7-о", anna)  # 9 characters
    validate_password("Зебра-7-ок", anna)  # 10


# Sessions -----------------------------------------------------------------------------------------


def test_a_session_ends_after_30_minutes_without_a_request(client, boris):
    assert signed_in(attempt("boris", PASSWORD, client=client))
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    session = Session.objects.get(session_key=client.session.session_key)
    assert abs(session.expire_date - timezone.now() - timedelta(minutes=30)) < timedelta(seconds=30)

    # each request moves the end on: 1 minute left becomes 30 again
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get(reverse("reports:index")).status_code == 200
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + timedelta(minutes=29)

    # 30 minutes without a request: signed out
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
