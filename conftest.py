import pytest
from django.db import transaction

from reports.demo.loader import load_demo


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
def coordinator(db, django_user_model):
    # Until roles exist, the regional coordinator works as a superuser of the admin.
    return django_user_model.objects.create_superuser("coordinator", "coordinator@example.org", "secret-pass-123")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Creating users is part of many tests; the production hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
