"""A coordinator gives a school staff member of their region a new password; the staff member must
choose their own at the next login. Never for a superuser, a coordinator, another region, oneself;
school staff and officials reset nobody."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

import audit
from accounts.models import PasswordChangeRequired
from accounts.passwords import reset_password, resettable_users
from audit.models import AuditEvent
from participants.models import Organisation
from participants.roles import COORDINATOR, SCHOOL_STAFF
from reports.demo.loader import ensure_demo_accounts

pytestmark = pytest.mark.usefixtures("demo_data")
TEMPORARY = "Временный-пароль-7"
OWN = "Мой-собственный-пароль-8"
CHANGELIST = "/admin/accounts/manageduser/"
CHANGE_PAGE = "/accounts/password/change/"


@pytest.fixture
def users(db):
    ensure_demo_accounts()
    User = get_user_model()
    staff_group = Group.objects.get(name=SCHOOL_STAFF)

    def staff_member(username, organisation_region, **extra):
        user = User.objects.create_user(username, password="old-password-123", is_staff=True, **extra)
        user.groups.add(staff_group)
        Organisation.objects.filter(region__name__contains=organisation_region).first().staff.add(user)
        return user

    staff_member("shkola-tula", "Тульская")
    staff_member("shkola-i-koordinator", "Томская").groups.add(Group.objects.get(name=COORDINATOR))
    staff_member("shkola-superuser", "Томская", is_superuser=True)
    staff_member("shkola-tomsk-2", "Томская")
    return {u.username: u for u in User.objects.all()}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def password_page(user) -> str:
    return reverse("admin:accounts_manageduser_password", args=[user.pk])


def post_password(client, target, password=TEMPORARY, again=None):
    return client.post(password_page(target), {"new_password1": password, "new_password2": again or password})


def test_a_coordinator_reaches_exactly_the_school_staff_of_their_region(users):
    tomsk = users["koordinator-tomsk"]
    assert set(resettable_users(tomsk).values_list("username", flat=True)) == {"shkola-29", "shkola-tomsk-2"}
    assert set(resettable_users(users["koordinator-tula"]).values_list("username", flat=True)) == {"shkola-tula"}

    response = as_user(tomsk).get(CHANGELIST)
    assert response.status_code == 200
    assert {u.username for u in response.context["cl"].result_list} == {"shkola-29", "shkola-tomsk-2"}
    assert password_page(users["shkola-29"]) in response.content.decode()


def test_a_coordinator_sets_a_password_that_must_be_changed(users):
    tomsk, pupil_teacher = users["koordinator-tomsk"], users["shkola-29"]
    response = post_password(as_user(tomsk), pupil_teacher)
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    pupil_teacher.refresh_from_db()
    assert pupil_teacher.check_password(TEMPORARY)
    assert PasswordChangeRequired.objects.get(user=pupil_teacher).set_by == tomsk
    event = AuditEvent.objects.get(action=audit.PASSWORD_RESET)
    assert (event.user, event.username, event.what) == (tomsk, "koordinator-tomsk", "shkola-29")


@pytest.mark.parametrize(
    "target",
    [
        "demo",  # a superuser
        "shkola-superuser",  # a superuser who is also school staff of the region
        "koordinator-tula",  # another coordinator
        "shkola-i-koordinator",  # school staff of the region who is also a coordinator
        "koordinator-tomsk",  # oneself
        "shkola-tula",  # school staff of another region
        "vlast",  # an official
    ],
)
def test_a_coordinator_never_resets_these(users, target):
    tomsk, user = users["koordinator-tomsk"], users[target]
    client = as_user(tomsk)
    assert client.get(password_page(user)).status_code == 404
    assert post_password(client, user).status_code == 404
    request = RequestFactory().post("/")
    request.user = tomsk
    with pytest.raises(PermissionDenied):
        reset_password(request, user, TEMPORARY)
    user.refresh_from_db()
    assert not user.check_password(TEMPORARY)
    assert not PasswordChangeRequired.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action=audit.PASSWORD_RESET).exists()


@pytest.mark.parametrize("username", ["shkola-29", "vlast"])
def test_school_staff_and_officials_reset_nobody(users, username):
    client = as_user(users[username])
    assert not resettable_users(users[username]).exists()
    target = users["shkola-tomsk-2"]
    if username == "shkola-29":
        index = client.get("/admin/")
        assert index.status_code == 200 and "Пароли пользователей" not in index.content.decode()
        assert client.get(CHANGELIST).status_code == 403
        assert post_password(client, target).status_code == 403
    else:  # officials have no admin at all
        assert client.get(CHANGELIST).status_code == 302
        assert post_password(client, target).status_code == 302
    target.refresh_from_db()
    assert not target.check_password(TEMPORARY)


def test_a_superuser_resets_coordinators_but_not_superusers(users):
    reachable = set(resettable_users(users["demo"]).values_list("username", flat=True))
    assert {"koordinator-tomsk", "koordinator-tula", "shkola-29", "vlast"} <= reachable
    assert not reachable & {"demo", "shkola-superuser"}


def test_the_new_password_must_pass_the_validators(users):
    client, target = as_user(users["koordinator-tomsk"]), users["shkola-29"]
    short = post_password(client, target, "Корот-9ab")  # 9 characters
    assert short.status_code == 200
    assert "10 символов" in short.content.decode()
    mismatch = post_password(client, target, TEMPORARY, TEMPORARY + "x")
    assert mismatch.status_code == 200 and "errorlist" in mismatch.content.decode()
    target.refresh_from_db()
    assert not target.check_password(TEMPORARY)
    assert not PasswordChangeRequired.objects.exists()


def test_the_user_must_choose_their_own_password_at_the_next_login(users):
    target = users["shkola-29"]
    open_session = as_user(target)
    assert open_session.get("/admin/").status_code == 200
    post_password(as_user(users["koordinator-tomsk"]), target)

    # the reset ends the sessions the user had open
    assert open_session.get("/admin/").status_code == 302

    client = Client()
    login = client.post("/accounts/login/", {"username": "shkola-29", "password": TEMPORARY})
    assert login.status_code == 302
    for page in ("/admin/", "/reports/", "/admin/participants/participant/", "/api/v1/participants/"):
        response = client.get(page)
        assert (response.status_code, response["Location"]) == (302, CHANGE_PAGE), page
    form = client.get(CHANGE_PAGE)
    assert "Пароль вам задал координатор" in form.content.decode()

    same = client.post(CHANGE_PAGE, {"old_password": TEMPORARY, "new_password1": TEMPORARY, "new_password2": TEMPORARY})
    assert same.status_code == 200
    assert "Новый пароль должен отличаться от прежнего." in same.content.decode()
    assert client.get("/admin/").status_code == 302

    changed = client.post(CHANGE_PAGE, {"old_password": TEMPORARY, "new_password1": OWN, "new_password2": OWN})
    assert (changed.status_code, changed["Location"]) == (302, "/accounts/password/change/done/")
    assert not PasswordChangeRequired.objects.filter(user=target).exists()
    assert client.get("/admin/").status_code == 200  # still signed in, free to work
    target.refresh_from_db()
    assert target.check_password(OWN)

    # and the next login goes straight in
    again = Client()
    again.post("/accounts/login/", {"username": "shkola-29", "password": OWN})
    assert again.get("/admin/").status_code == 200


def test_a_reset_lifts_the_lockout_of_failed_logins(users):
    target = users["shkola-29"]
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "shkola-29", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    locked = Client().post("/accounts/login/", {"username": "shkola-29", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    assert locked.status_code == 429
    post_password(as_user(users["koordinator-tomsk"]), target)
    client = Client()
    response = client.post("/accounts/login/", {"username": "shkola-29", "password": TEMPORARY}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302 and "_auth_user_id" in client.session
