"""The audit log: every login (also failed and locked-out ones), every download of a справка, password
resets; `audit.record` for other callers; the client's address behind proxies; the read-only admin list."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse

import audit
from audit.ip import client_ip
from audit.models import AuditEvent
from reports.demo.loader import ensure_demo_accounts

PASSWORD = "Длинный-пароль-2024"


@pytest.fixture
def anna(django_user_model):
    return django_user_model.objects.create_user("anna", password=PASSWORD, is_staff=True)


def post_login(url, username, password, ip="10.1.2.3"):
    client = Client()
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def events(action=None):
    queryset = AuditEvent.objects.order_by("pk")
    if action:
        queryset = queryset.filter(action=action)
    return [(e.action, e.username, e.user_id, e.what, e.ip) for e in queryset]


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_logins_and_failed_logins_are_recorded_with_name_and_address(anna, url):
    assert post_login(url, "anna", "wrong-password").status_code == 200
    assert post_login(url, "nobody", "wrong-password", ip="10.1.2.4").status_code == 200
    assert post_login(url, "anna", PASSWORD).status_code == 302
    assert events() == [
        (audit.LOGIN_FAILED, "anna", anna.pk, "", "10.1.2.3"),
        (audit.LOGIN_FAILED, "nobody", None, "", "10.1.2.4"),
        (audit.LOGIN, "anna", anna.pk, "", "10.1.2.3"),
    ]


def test_locked_out_attempts_are_recorded_as_such(anna):
    for _ in range(6):
        post_login("/accounts/login/", "anna", "wrong-password")
    failed = AuditEvent.objects.filter(action=audit.LOGIN_FAILED).order_by("pk")
    assert failed.count() == 6
    assert [e.what for e in failed][:4] == [""] * 4
    assert failed.last().what == "вход заблокирован после неудачных попыток"


@pytest.mark.usefixtures("demo_data")
def test_downloads_of_a_spravka_are_recorded_and_viewing_it_is_not(db):
    ensure_demo_accounts()
    users = {u.username: u for u in get_user_model().objects.all()}
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.force_login(users["vlast"])
    AuditEvent.objects.all().delete()  # the login itself

    assert client.get(reverse("reports:detail", args=["tula-kadry", 2019])).status_code == 200
    assert events() == []
    assert client.get(reverse("reports:xlsx", args=["tula-kadry", 2019])).status_code == 200
    assert client.get(reverse("reports:pdf", args=["tula-kadry", 2019])).status_code == 200
    vlast = users["vlast"].pk
    assert events() == [
        (audit.DOWNLOAD_REPORT_XLSX, "vlast", vlast, "tula-kadry/2019: spravka-tula-kadry-2019-2020.xlsx", "192.0.2.7"),
        (audit.DOWNLOAD_REPORT_PDF, "vlast", vlast, "tula-kadry/2019: spravka-tula-kadry-2019-2020.pdf", "192.0.2.7"),
    ]

    # a справка one may not read is not served, so nothing is recorded
    other = Client()
    other.force_login(users["koordinator-tomsk"])
    AuditEvent.objects.all().delete()
    assert other.get(reverse("reports:xlsx", args=["tula-kadry", 2019])).status_code == 404
    assert events() == []


def test_record_takes_the_signed_in_user_and_refuses_unknown_actions(anna):
    request = RequestFactory().get("/export/", REMOTE_ADDR="2001:db8::1")
    request.user = anna
    event = audit.record(request, audit.DOWNLOAD_EXPORT, "tomsk-mkr: bank.xlsx")
    assert (event.user, event.username, event.action, event.what, event.ip) == (
        anna,
        "anna",
        "download_export",
        "tomsk-mkr: bank.xlsx",
        "2001:db8::1",
    )
    assert event.at is not None
    with pytest.raises(ValueError, match="report_html"):
        audit.record(request, "report_html")
    # no request (a command): no address, the user as given
    assert audit.record(None, audit.PASSWORD_RESET, "x", user=anna).ip is None


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is the client's own and ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the left entry was typed by the client
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (2, "203.0.113.9", "127.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "not-an-address", None),
    ],
)
def test_the_client_address_behind_proxies(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# The admin list ------------------------------------------------------------------------------------


@pytest.fixture
def logged(demo_data, db):
    ensure_demo_accounts()
    users = {u.username: u for u in get_user_model().objects.all()}
    AuditEvent.objects.all().delete()
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    for name in ("koordinator-tomsk", "shkola-29", "koordinator-tula", "demo"):
        audit.record(request, audit.LOGIN, user=users[name])
    audit.record(request, audit.LOGIN_FAILED, username="nobody")
    audit.record(request, audit.DOWNLOAD_REPORT_PDF, "tomsk-mkr/2019: spravka.pdf", user=users["shkola-29"])
    return users


def listed(client, **params):
    response = client.get(reverse("admin:audit_auditevent_changelist"), params)
    assert response.status_code == 200
    return sorted((e.username, e.action) for e in response.context["cl"].result_list)


def test_superusers_read_every_event_and_filter_and_search(logged):
    client = Client()
    client.force_login(logged["demo"])
    assert len(listed(client)) == 7  # the six above and this login
    assert listed(client, action="login_failed") == [("nobody", "login_failed")]
    assert listed(client, q="shkola") == [("shkola-29", "download_report_pdf"), ("shkola-29", "login")]
    assert listed(client, at__gte="2000-01-01 00:00+00:00") and not listed(client, at__lt="2000-01-01 00:00+00:00")


def test_coordinators_read_the_events_of_their_regions_people_only(logged):
    client = Client()
    client.force_login(logged["koordinator-tomsk"])
    assert listed(client) == [
        ("koordinator-tomsk", "login"),
        ("koordinator-tomsk", "login"),  # the login just now
        ("shkola-29", "download_report_pdf"),
        ("shkola-29", "login"),
    ]
    tula = AuditEvent.objects.filter(username="koordinator-tula").get()
    assert client.get(reverse("admin:audit_auditevent_change", args=[tula.pk])).status_code == 404  # as a missing one


def test_the_log_is_read_only_and_closed_to_school_staff(logged):
    client = Client()
    client.force_login(logged["demo"])
    event = AuditEvent.objects.first()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    change = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"what": "forged"})
    assert change.status_code == 403
    event.refresh_from_db()
    assert event.what != "forged"

    staff = Client()
    staff.force_login(logged["shkola-29"])
    assert staff.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    assert "Журнал" not in staff.get(reverse("admin:index")).content.decode()
