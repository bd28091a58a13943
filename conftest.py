import pytest
from django.db import transaction

from reports.demo.loader import load_demo
from talentbank import pagination
from talentbank.testing import pass_second_factor


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """Both demo programmes, loaded once per test module and rolled back after it.

    Tests using it also take `db`: each test runs in a savepoint inside this transaction.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def users(db):
    """The demo accounts by username (superuser, coordinators, school staff, official); with `demo_data`
    they have their programmes and schools."""
    from django.contrib.auth import get_user_model

    from reports.demo.loader import ensure_demo_accounts

    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def login(client, users):
    """login("koordinator-tomsk") → the test client signed in as that demo account (and nobody else)."""

    def as_user(username):
        client.logout()
        client.force_login(users[username])
        return client

    return as_user


@pytest.fixture
def coordinator(db, django_user_model):
    # Until roles exist, the regional coordinator works as a superuser of the admin.
    return django_user_model.objects.create_superuser("coordinator", "coordinator@example.org", "secret-pass-123")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture(autouse=True)
def second_factor_passed_on_force_login(request, monkeypatch):
    """`client.force_login(user)` also passes the second factor (accounts.second_factor), as if the user had
    typed a right code: a user who is asked for one gets a confirmed app device (their own if they have one)
    and the session holds it, as django_otp.login would leave it. Tests of the unverified state opt out with
    @pytest.mark.otp_unverified: then force_login is Django's own, the password step only."""
    if request.node.get_closest_marker("otp_unverified"):
        return
    from django.test import Client

    force_login = Client.force_login

    def force_login_and_verify(self, user, backend=None):
        force_login(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_and_verify)


@pytest.fixture(autouse=True)
def counts_tried_afresh():
    """A count that timed out in one test is not remembered as slow in the next (talentbank.pagination)."""
    yield
    pagination.forget_slow_counts()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Creating users is part of many tests; the production hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    """Background jobs run inside the request that starts them (jobs.runner.start), on the test's
    own connection: a test sees a job's outcome at once and rolls it back with everything else.
    The browser tests that show a progress bar switch to the database queue themselves."""
    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.JOBS_DATABASE = "default"
