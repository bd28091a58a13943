"""Two-factor login (accounts.second_factor): superusers and coordinators confirm their login with a one-time
code, school staff may choose to, officials are not asked. These tests log in through the password pages (or
with the marker otp_unverified): the password step only, as a person does."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts.models import PasswordChangeRequired
from accounts.second_factor import CHOSEN, REQUIRED, current_code, second_factor
from accounts.tokens import issue_token
from audit.models import AuditEvent
from participants.roles import COORDINATOR, OFFICIAL, SCHOOL_STAFF

PASSWORD = "Длинный-пароль-2024"
VERIFY = "/accounts/otp/verify/"
SETUP = "/accounts/otp/setup/"
SETTINGS = "/accounts/otp/"


def make_user(django_user_model, username, role=None, *, superuser=False, staff=True):
    user = django_user_model.objects.create_user(
        username, password=PASSWORD, is_staff=staff or superuser, is_superuser=superuser
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Приложение", confirmed=True)


def log_in(username, url="/accounts/login/", next_page="/admin/") -> Client:
    """The password step, through the login form."""
    client = Client()
    response = client.post(url, {"username": username, "password": PASSWORD, "next": next_page})
    assert response.status_code == 302, response.content.decode()[:500]
    assert "_auth_user_id" in client.session
    return client


def events(action, username):
    return list(AuditEvent.objects.filter(action=action, username=username).values_list("what", flat=True))


@pytest.fixture
def coordinator_user(django_user_model):
    user = make_user(django_user_model, "koordinator", COORDINATOR)
    return user, app(user)


@pytest.fixture
def staff_user(django_user_model):
    return make_user(django_user_model, "uchitel", SCHOOL_STAFF)


@pytest.fixture
def official_user(django_user_model):
    return make_user(django_user_model, "chinovnik", OFFICIAL, staff=False)


# The rule ----------------------------------------------------------------------------------------


def test_who_is_asked(django_user_model, coordinator_user, staff_user, official_user):
    superuser = make_user(django_user_model, "admin", superuser=True)
    plain = make_user(django_user_model, "nobody", staff=False)
    assert second_factor(superuser) == REQUIRED  # even without a device: they set one up
    assert second_factor(coordinator_user[0]) == REQUIRED
    assert second_factor(staff_user) is None
    assert second_factor(official_user) is None
    assert second_factor(plain) is None
    app(staff_user)
    assert second_factor(django_user_model.objects.get(pk=staff_user.pk)) == CHOSEN
    app(official_user)  # only school staff may choose
    assert second_factor(django_user_model.objects.get(pk=official_user.pk)) is None


# After the password only ----------------------------------------------------------------------------


@pytest.mark.parametrize("login_page", ["/accounts/login/", "/admin/login/"])
def test_a_coordinator_after_the_password_reaches_only_the_code_page(coordinator_user, login_page):
    client = log_in("koordinator", login_page)
    for page in ["/admin/", "/admin/participants/participant/", "/reports/", "/", "/accounts/password/change/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{VERIFY}?next="), (page, response["Location"])
    page = client.get(client.get("/admin/")["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Подтверждение входа" in text and "шестизначный код" in text
    assert 'name="next" value="/admin/"' in text


def test_the_api_through_the_session_answers_403_json_in_russian(coordinator_user):
    client = log_in("koordinator")
    for url in ["/api/v1/participants/", "/api/v1/reports/tomsk-mkr/2019/", "/api/v1/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/json"
        assert "Вход не подтверждён одноразовым кодом" in response.json()["detail"]
    assert client.post("/api/v1/regions/", {"name": "Новая"}).status_code == 403


@pytest.mark.otp_unverified
def test_force_login_without_the_fixture_is_the_password_step_only(client, coordinator_user):
    client.force_login(coordinator_user[0])
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_force_login_passes_the_second_factor(client, coordinator_user, django_user_model):
    client.force_login(coordinator_user[0])
    assert client.get("/admin/").status_code == 200
    superuser = make_user(django_user_model, "admin", superuser=True)  # no device: the fixture adds one
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200


def test_logout_works_before_the_code(coordinator_user):
    client = log_in("koordinator")
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
    client = log_in("koordinator", "/admin/login/")
    assert client.post("/admin/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


# Codes ----------------------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_logged(coordinator_user):
    client = log_in("koordinator")
    right = current_code(coordinator_user[1])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong, "next": "/admin/"})
    assert response.status_code == 200
    assert "Неверный код" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert events(audit.OTP_FAILED, "koordinator") == ["код из приложения"]
    assert audit.ACTIONS[audit.OTP_FAILED] == "Неверный одноразовый код"

    # django-otp's throttling: right after a failure even the right code waits a second, 2 after two …
    TOTPDevice.objects.update(throttling_failure_timestamp=timezone.now())
    refused = client.post(VERIFY, {"code": right, "next": "/admin/"})
    assert "Слишком много неверных кодов подряд. Повторите через" in refused.content.decode()
    assert len(events(audit.OTP_FAILED, "koordinator")) == 2
    TOTPDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    assert client.post(VERIFY, {"code": right, "next": "/admin/"})["Location"] == "/admin/"


def test_the_right_code_lets_the_coordinator_in(coordinator_user):
    client = log_in("koordinator", next_page="/reports/")
    session_key = client.session.session_key
    response = client.post(VERIFY, {"code": current_code(coordinator_user[1]), "next": "/reports/"})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert client.session.session_key != session_key  # a new session key, as at a password login
    assert client.get("/admin/").status_code == 200
    assert client.get("/reports/").status_code == 200
    assert client.get("/api/v1/regions/").status_code == 200
    assert events(audit.OTP_VERIFIED, "koordinator") == ["код из приложения"]
    # A code is used once: the same one does not open a second session.
    other = log_in("koordinator")
    assert "Неверный код" in other.post(VERIFY, {"code": current_code(coordinator_user[1])}).content.decode()


def test_a_recovery_code_works_once(coordinator_user):
    device = StaticDevice.objects.create(user=coordinator_user[0], name="Резервные коды")
    device.token_set.create(token="abcd2345")
    device.token_set.create(token="efgh6723")
    client = log_in("koordinator")
    response = client.post(VERIFY, {"code": "ABCD 2345", "next": "/admin/"})  # as printed, spaced, in capitals
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert events(audit.OTP_VERIFIED, "koordinator") == ["резервный код, осталось 1"]
    again = log_in("koordinator")
    refused = again.post(VERIFY, {"code": "abcd2345", "next": "/admin/"})
    assert "Неверный код" in refused.content.decode()
    assert events(audit.OTP_FAILED, "koordinator") == ["резервный код"]
    assert again.get("/admin/")["Location"].startswith(VERIFY)


def test_an_unsafe_next_is_not_followed(coordinator_user):
    client = log_in("koordinator")
    response = client.post(VERIFY, {"code": current_code(coordinator_user[1]), "next": "https://evil.example/"})
    assert response["Location"] == "/"


# Who is not asked -------------------------------------------------------------------------------------


def test_school_staff_without_a_device_and_officials_are_not_asked(staff_user, official_user):
    staff = log_in("uchitel")
    assert staff.get("/admin/").status_code == 200
    assert staff.get("/api/v1/participants/").status_code == 200
    official = log_in("chinovnik", next_page="/reports/")
    assert official.get("/reports/").status_code == 200
    assert "не предусмотрен" in official.get(SETTINGS).content.decode()
    assert official.get(SETUP).status_code == 403


# Setting up the app --------------------------------------------------------------------------------


def test_a_superuser_without_a_device_sets_up_the_app_and_gets_ten_recovery_codes(django_user_model):
    make_user(django_user_model, "admin", superuser=True)
    client = log_in("admin", "/admin/login/")
    response = client.get("/admin/")
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Подключение входа с кодом" in text
    assert "Администраторы и региональные координаторы подтверждают каждый вход" in text
    assert 'src="data:image/svg+xml' in text and "otpauth://totp/" in text
    device = TOTPDevice.objects.get(user__username="admin", confirmed=False)
    assert client.get(SETUP).context["secret"] == page.context["secret"]  # the same key on a reload
    # the verification page sends a user without a device here, and nothing else is open meanwhile
    assert client.get(VERIFY)["Location"].startswith(SETUP)
    assert client.get("/api/v1/regions/").status_code == 403

    wrong = client.post(SETUP, {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert "Неверный код" in wrong.content.decode()
    assert events(audit.OTP_FAILED, "admin") == ["подключение приложения"]
    TOTPDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))

    done = client.post(SETUP, {"code": current_code(device), "next": "/admin/"})
    assert done.status_code == 200
    assert done["Cache-Control"] == "no-store"
    codes = done.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert all(code in done.content.decode() for code in codes)
    assert sorted(StaticToken.objects.filter(device__user__username="admin").values_list("token", flat=True)) == codes
    device.refresh_from_db()
    assert device.confirmed
    assert events(audit.OTP_ENROLLED, "admin") == [""]
    assert client.get("/admin/").status_code == 200  # verified by the first code

    # next time: asked for a code, and a recovery code lets them in
    again = log_in("admin")
    assert again.get("/admin/")["Location"].startswith(VERIFY)
    assert again.post(VERIFY, {"code": codes[0]})["Location"] == "/"
    assert again.get("/admin/").status_code == 200


def test_with_a_device_the_setup_page_waits_for_a_code(coordinator_user):
    """A password alone never replaces the app: someone who has one confirms with it first."""
    client = log_in("koordinator")
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert client.post(SETUP, {"code": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=coordinator_user[0]).count() == 1


def test_school_staff_turn_it_on_and_are_asked_next_time_then_turn_it_off(staff_user):
    client = log_in("uchitel")
    settings_page = client.get(SETTINGS).content.decode()
    assert "Включить вход с кодом" in settings_page
    assert "Подключение входа с кодом" in client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=staff_user)
    done = client.post(SETUP, {"code": current_code(device)})
    assert len(done.context["codes"]) == 10
    codes = done.context["codes"]

    again = log_in("uchitel")
    assert again.get("/admin/")["Location"].startswith(VERIFY)
    assert again.post(VERIFY, {"code": codes[1], "next": "/admin/"})["Location"] == "/admin/"
    assert "Отключить" in again.get(SETTINGS).content.decode()

    wrong = again.post("/accounts/otp/off/", {"code": "zzzzzzzz"})
    assert wrong.status_code == 400 and "Неверный код" in wrong.content.decode()
    StaticDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    off = again.post("/accounts/otp/off/", {"code": codes[2]})
    assert off["Location"] == SETTINGS
    assert "Вход с одноразовым кодом отключён." in again.get(SETTINGS).content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert not StaticDevice.objects.filter(user=staff_user).exists()
    assert events(audit.OTP_DISABLED, "uchitel") == [""]
    assert log_in("uchitel").get("/admin/").status_code == 200  # not asked any more


def test_coordinators_cannot_turn_it_off(client, coordinator_user):
    client.force_login(coordinator_user[0])
    page = client.get(SETTINGS).content.decode()
    assert "обязательно" in page and "Отключить" not in page
    assert client.post("/accounts/otp/off/", {"code": current_code(coordinator_user[1])}).status_code == 403
    assert TOTPDevice.objects.filter(user=coordinator_user[0]).exists()


def test_new_recovery_codes_replace_the_old_ones(client, coordinator_user):
    client.force_login(coordinator_user[0])
    first = client.post("/accounts/otp/recovery-codes/").context["codes"]
    second = client.post("/accounts/otp/recovery-codes/").context["codes"]
    assert len(second) == 10 and not set(first) & set(second)
    assert len(events(audit.OTP_RECOVERY_CODES, "koordinator")) == 2
    fresh = log_in("koordinator")
    assert "Неверный код" in fresh.post(VERIFY, {"code": first[0]}).content.decode()
    StaticDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    assert fresh.post(VERIFY, {"code": second[0]})["Location"] == "/"


@pytest.mark.otp_unverified
def test_recovery_codes_are_not_given_before_the_code(client, coordinator_user):
    client.force_login(coordinator_user[0])
    assert client.post("/accounts/otp/recovery-codes/")["Location"].startswith(VERIFY)
    assert not StaticToken.objects.exists()


def test_the_admin_header_and_the_site_link_to_the_settings(client, coordinator_user):
    client.force_login(coordinator_user[0])
    assert '<a href="/accounts/otp/">Вход с кодом</a>' in client.get("/admin/").content.decode()
    assert '<a href="/accounts/otp/">Вход с кодом</a>' in client.get("/reports/").content.decode()


# The API with a token, and the password change ------------------------------------------------------


def test_the_api_with_a_token_does_not_ask_for_a_code(coordinator_user):
    key = issue_token(coordinator_user[0])[1]
    assert Client().get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    # even beside an unverified session of the same browser
    client = log_in("koordinator")
    assert client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert client.get("/api/v1/regions/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    assert client.get("/api/v1/regions/").status_code == 403


def test_a_temporary_password_is_changed_after_the_code(coordinator_user):
    PasswordChangeRequired.objects.create(user=coordinator_user[0])
    client = log_in("koordinator")
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert client.get("/accounts/password/change/")["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200  # no loop between the two requirements
    client.post(VERIFY, {"code": current_code(coordinator_user[1])})
    assert client.get("/admin/")["Location"] == "/accounts/password/change/"
    assert client.get("/accounts/password/change/").status_code == 200


# The demo ----------------------------------------------------------------------------------------------


def test_load_demo_gives_the_demo_runners_of_the_bank_the_documented_key(db, settings, capsys):
    from reports.demo.loader import DEMO_OTP_KEY, DEMO_OTP_SECRET

    settings.DEBUG = True
    call_command("load_demo", "--if-empty")
    out = capsys.readouterr().out
    assert "demo_code koordinator-tula" in out and DEMO_OTP_SECRET in out
    devices = TOTPDevice.objects.filter(confirmed=True, key=DEMO_OTP_KEY)
    assert sorted(devices.values_list("user__username", flat=True)) == ["demo", "koordinator-tomsk", "koordinator-tula"]
    call_command("load_demo", "--if-empty")  # the data is there now: the devices stay, one each
    assert devices.count() == 3 and TOTPDevice.objects.count() == 3
    assert "уже есть данные" in capsys.readouterr().out

    call_command("demo_code", "koordinator-tomsk")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    client = Client()
    client.post("/accounts/login/", {"username": "koordinator-tomsk", "password": "demo"})
    assert client.post(VERIFY, {"code": code, "next": "/admin/"})["Location"] == "/admin/"
    with pytest.raises(CommandError, match="нет демо-приложения"):
        call_command("demo_code", "shkola-29")


def test_no_demo_keys_without_debug(db, settings, capsys):
    settings.DEBUG = False
    call_command("load_demo", "--if-empty")
    assert "демо-ключи для входа с кодом не созданы" in capsys.readouterr().out
    assert not TOTPDevice.objects.exists()
    with pytest.raises(CommandError, match="только в демонстрации"):
        call_command("demo_code", "demo")
