"""Database errors are told apart by SQLSTATE (talentbank/dberrors.py), never by message text: a
statement timeout, a deadlock or a serialization failure is not «нет связи с базой данных», and
counting with a time limit works on a server whose messages are in Russian."""

import json
import sqlite3
import threading
import time

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, InterfaceError, connection, transaction
from django.test import Client, RequestFactory
from psycopg import errors as pg

from participants.api.views import ParticipantViewSet
from participants.models import Participant
from participants.tests.factories import OrganisationFactory, ParticipantFactory
from talentbank import dberrors, pagination
from talentbank.errors import UNAVAILABLE, server_error
from talentbank.pagination import EstimatedCountPaginator

RUSSIAN_TIMEOUT = "ОШИБКА:  выполнение оператора отменено из-за тайм-аута"


def as_django_raises(error: Exception) -> DatabaseError:
    """`error` wrapped the way Django wraps a driver's error (django.db.utils.*, raised from it)."""
    try:
        with connection.wrap_database_errors:
            raise error
    except DatabaseError as wrapped:
        return wrapped
    raise AssertionError("not wrapped")


SIMULATED = [
    (pg.QueryCanceled(RUSSIAN_TIMEOUT), dberrors.TIMEOUT),
    (pg.QueryCanceled("canceling statement due to statement timeout"), dberrors.TIMEOUT),
    (pg.LockNotAvailable("could not obtain lock on row"), dberrors.TIMEOUT),
    (pg.DeadlockDetected("ОШИБКА:  обнаружена взаимоблокировка"), dberrors.DEADLOCK),
    (pg.SerializationFailure("could not serialize access due to concurrent update"), dberrors.SERIALIZATION),
    (pg.AdminShutdown("terminating connection due to administrator command"), dberrors.CONNECTION_LOST),
    (pg.CannotConnectNow("the database system is starting up"), dberrors.CONNECTION_LOST),
    (pg.ConnectionFailure("connection failure"), dberrors.CONNECTION_LOST),
    (pg.TooManyConnections("sorry, too many clients already"), dberrors.CONNECTION_LOST),
    (psycopg.OperationalError("connection failed: Connection refused"), dberrors.CONNECTION_LOST),  # no SQLSTATE
    (psycopg.OperationalError("server closed the connection unexpectedly"), dberrors.CONNECTION_LOST),
    (pg.UniqueViolation("duplicate key value violates unique constraint"), None),
    # A message that mentions a timeout or the connection decides nothing: the code does.
    (pg.DeadlockDetected("statement timeout; server closed the connection"), dberrors.DEADLOCK),
    (pg.UndefinedTable("нет связи с базой данных"), None),
]


@pytest.mark.parametrize(("error", "kind"), SIMULATED, ids=lambda v: getattr(v, "sqlstate", None) or str(v))
def test_each_sqlstate_is_its_own_kind(error, kind):
    wrapped = as_django_raises(error)
    assert wrapped.__cause__ is error
    assert dberrors.kind(wrapped) == kind
    assert dberrors.is_connection_lost(wrapped) == (kind == dberrors.CONNECTION_LOST)


def test_djangos_own_closed_connection_is_a_lost_connection():
    assert dberrors.kind(InterfaceError("connection already closed")) == dberrors.CONNECTION_LOST
    assert dberrors.kind(ValueError("a bug")) is None


def test_sqlite_locked_database_is_a_timeout_not_a_lost_connection(tmp_path):
    """The demo's SQLite: a database locked by another writer says so by its error name."""
    path = tmp_path / "demo.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x int)")
    writer.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as raised:
        other.execute("SELECT * FROM t")
    assert dberrors.kind(raised.value) == dberrors.TIMEOUT
    writer.close()
    other.close()


# Real errors from PostgreSQL ----------------------------------------------------------------------


def test_a_real_statement_timeout_is_a_timeout(db):
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")
    assert raised.value.__cause__.sqlstate == "57014"
    assert dberrors.kind(raised.value) == dberrors.TIMEOUT
    assert dberrors.is_statement_timeout(raised.value)


def _other_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params)


def test_a_real_deadlock_is_a_deadlock(db):
    """Two connections wait for each other's advisory lock; this one, checking first, is the victim."""
    other = _other_connection()
    try:
        other.execute("SET deadlock_timeout = '10s'")
        other.execute("SELECT pg_advisory_xact_lock(7002)")
        waiting = threading.Thread(target=lambda: other.execute("SELECT pg_advisory_xact_lock(7001)"))
        with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '50ms'")
            cursor.execute("SELECT pg_advisory_xact_lock(7001)")
            waiting.start()
            for _ in range(100):  # until the other connection waits for lock 7001
                cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
            cursor.execute("SELECT pg_advisory_xact_lock(7002)")
        waiting.join(10)
        assert raised.value.__cause__.sqlstate == "40P01"
        assert dberrors.kind(raised.value) == dberrors.DEADLOCK
        assert not dberrors.is_connection_lost(raised.value)
    finally:
        other.rollback()
        other.close()


def test_a_real_serialization_failure_is_a_serialization_failure(db):
    """A REPEATABLE READ transaction updating a row another one changed after its snapshot."""
    other = _other_connection()
    try:
        other.autocommit = True
        other.execute("CREATE TABLE IF NOT EXISTS dberrors_probe (id int PRIMARY KEY, n int)")
        other.execute("INSERT INTO dberrors_probe VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0")
        mine = _other_connection()  # the test's own connection sits in the test's transaction
        try:
            mine.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            mine.execute("SELECT n FROM dberrors_probe WHERE id = 1")
            other.execute("UPDATE dberrors_probe SET n = n + 1 WHERE id = 1")
            with pytest.raises(psycopg.Error) as raised:
                mine.execute("UPDATE dberrors_probe SET n = n + 1 WHERE id = 1")
            assert raised.value.sqlstate == "40001"
            assert dberrors.kind(as_django_raises(raised.value)) == dberrors.SERIALIZATION
        finally:
            mine.rollback()
            mine.close()
    finally:
        other.execute("DROP TABLE IF EXISTS dberrors_probe")
        other.close()


# What the visitor gets ----------------------------------------------------------------------------

ANSWERS = [
    (pg.QueryCanceled(RUSSIAN_TIMEOUT), "Запрос выполнялся слишком долго", "слишком долго"),
    (
        pg.DeadlockDetected("deadlock detected"),
        "Запрос не выполнен из-за одновременных изменений",
        "взаимная блокировка",
    ),
    (
        pg.SerializationFailure("could not serialize access"),
        "Запрос не выполнен из-за одновременных изменений",
        "изменил другой запрос",
    ),
]


@pytest.mark.parametrize(("error", "title", "detail"), ANSWERS, ids=["timeout", "deadlock", "serialization"])
def test_a_timeout_or_a_conflict_in_a_request_says_what_happened(db, monkeypatch, error, title, detail):
    wrapped = as_django_raises(error)

    def failing(*args, **kwargs):
        raise wrapped

    monkeypatch.setattr(ParticipantViewSet, "list", failing)
    admin = get_user_model().objects.create_superuser("admin-dberrors", "a@example.org", "secret-pass-123")
    client = Client(raise_request_exception=False)
    client.force_login(admin)

    api = client.get("/api/v1/participants/")
    assert api.status_code == 503
    assert api["Retry-After"]
    body = json.loads(api.content)
    assert detail in body["detail"] and body["detail"] != UNAVAILABLE
    assert "нет связи" not in body["detail"]

    try:
        raise wrapped
    except DatabaseError:
        page = server_error(RequestFactory().get("/admin/participants/participant/"))
    content = page.content.decode()
    assert page.status_code == 503
    assert f"<h1>{title}</h1>" in content
    assert "нет связи с базой данных" not in content.lower()
    assert "psycopg" not in content and "Traceback" not in content


def test_a_lost_connection_keeps_the_unavailable_page(db):
    wrapped = as_django_raises(pg.AdminShutdown("terminating connection due to administrator command"))
    try:
        raise wrapped
    except DatabaseError:
        page = server_error(RequestFactory().get("/reports/"))
        api = server_error(RequestFactory().get("/api/v1/regions/"))
    assert page.status_code == 503 and "нет связи с базой данных" in page.content.decode()
    assert json.loads(api.content) == {"detail": UNAVAILABLE}


def test_other_database_errors_stay_a_500(db):
    wrapped = as_django_raises(pg.UniqueViolation("duplicate key"))
    try:
        raise wrapped
    except DatabaseError:
        page = server_error(RequestFactory().get("/reports/"))
    assert page.status_code == 500


# Counting with a time limit, whatever the server's language ------------------------------------


@pytest.fixture
def people(db):
    organisation = OrganisationFactory()
    return ParticipantFactory.create_batch(3, organisation=organisation)


def _russian_server_messages() -> bool:
    """Switch this session's server messages to Russian if the server has the locale."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET lc_messages TO 'ru_RU.UTF-8'")
    except DatabaseError:
        return False
    return True


def test_the_count_estimate_recognises_a_timeout_told_in_russian(people, monkeypatch):
    monkeypatch.setattr(pagination, "ALWAYS_COUNT_BELOW", 0)
    monkeypatch.setattr(pagination, "COUNT_TIMEOUT_MS", 20)
    if _russian_server_messages():
        # A real server speaking Russian: the real timeout's text is Russian.
        slow = Participant.objects.extra(where=["pg_sleep(0.05) IS NOT NULL"]).order_by("pk")
        with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
        assert "statement timeout" not in str(raised.value)
        paginator = EstimatedCountPaginator(slow, 5)
        assert paginator.count >= 0 and paginator.estimated
        with connection.cursor() as cursor:
            cursor.execute("RESET lc_messages")
        return
    # No Russian locale on this server: the same error as a Russian server sends it (SQLSTATE 57014,
    # Russian text), raised by the count itself.
    queryset_class = type(Participant.objects.all())

    def count_cut_short(queryset):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        raise as_django_raises(pg.QueryCanceled(RUSSIAN_TIMEOUT))

    monkeypatch.setattr(queryset_class, "count", count_cut_short)
    paginator = EstimatedCountPaginator(Participant.objects.order_by("pk"), 5)

    assert isinstance(paginator.count, int)
    assert paginator.estimated


def test_the_count_estimate_lets_other_errors_through_whatever_they_say(people, monkeypatch):
    monkeypatch.setattr(pagination, "ALWAYS_COUNT_BELOW", 0)
    queryset_class = type(Participant.objects.all())

    def count_deadlocked(queryset):
        raise as_django_raises(pg.DeadlockDetected("canceling statement due to statement timeout"))

    monkeypatch.setattr(queryset_class, "count", count_deadlocked)
    with pytest.raises(DatabaseError) as raised:
        _ = EstimatedCountPaginator(Participant.objects.order_by("pk"), 5).count
    assert dberrors.kind(raised.value) == dberrors.DEADLOCK
