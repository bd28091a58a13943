"""Faults: the database connection cut in the middle of a write, and the database down and back.

A cut is made the way a server restart or a network fault makes it: just before a chosen statement
of the save, a second connection terminates the app's backend (pg_terminate_backend, waiting until
it is gone), so the statement fails in the middle of the transaction. Nothing may be half-saved,
and the user gets a clear message, never a 500.

"Down" is faithful twice: in-process, the app's connection is dropped and every new one refused
(a closed port), for many pages at once; end to end, the app runs under gunicorn (DEBUG off, kept
connections, as in production) against a throwaway PostgreSQL 15 that the test stops and starts
again, without restarting the app.
"""

import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp.oath import totp

from accounts.tokens import issue_token
from events.models import Edition, EventSeries, Participation, SeriesKind
from participants.importing import PARTICIPANT_COLUMNS, import_participants
from participants.merging import merge_participants, plan_merge
from participants.models import ImportUpload, Membership, Organisation, Participant
from participants.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    RegionFactory,
)
from talentbank.errors import DATABASE_DOWN_ERRORS, RETRY_AFTER_SECONDS, UNAVAILABLE, server_error

ROOT = Path(__file__).resolve().parents[2]
PAGE_TITLE = "Сервис временно недоступен"
IMPORT_URL = "/admin/participants/participant/import/"
DUPLICATES_URL = "/admin/participants/participant/duplicates/"

# Cutting the connection ------------------------------------------------------------------------


def _table(model) -> str:
    return f'"{model._meta.db_table}"'


class _Cut:
    """An execute wrapper: lets statements run until the first one that starts with `before`, and
    terminates the connection's backend from a second connection just before it."""

    def __init__(self, before: str):
        self.before = before
        self.ran: list[str] = []
        self.done = False

    def __call__(self, execute, sql, params, many, context):
        if not self.done and sql.startswith(self.before):
            self.done = True
            pid = context["connection"].connection.info.backend_pid
            other = connection.copy()
            try:
                with other.cursor() as cursor:
                    # Waits (up to 10 s) until the backend has really gone.
                    cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
                    assert cursor.fetchone() == (True,)
            finally:
                other.close()
        else:
            self.ran.append(sql)
        return execute(sql, params, many, context)

    def wrote(self, model) -> bool:
        table = _table(model)
        return any(
            sql.startswith((f"INSERT INTO {table}", f"COPY {table}", f"UPDATE {table}", f"DELETE FROM {table}"))
            for sql in self.ran
        )


@contextmanager
def connection_cut_before(statement: str):
    cut = _Cut(statement)
    with connection.execute_wrapper(cut):
        yield cut
    assert cut.done, f"no statement began with {statement!r}: the save changed, move the cut"


def bank_state():
    return {
        "participants": Participant.objects.count(),
        "memberships": Membership.objects.count(),
        "participant history": Participant.history.count(),
        "membership history": Membership.history.count(),
        "participations": Participation.objects.count(),
    }


# Data -----------------------------------------------------------------------------------------

SCHOOL = "МАОУ гимназия № 29 г. Томска"


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Участники"
    sheet.append(PARTICIPANT_COLUMNS)
    for row in rows:
        sheet.append([row.get(column) for column in PARTICIPANT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pupils():
    """Three people, two of them residents: people, memberships and both histories are written."""
    common = {"Пол": "Ж", "Образовательная организация": SCHOOL, "Класс/курс": 8}
    return [
        {
            **common,
            "Фамилия": "Петрова",
            "Имя": "Мария",
            "Отчество": "Сергеевна",
            "Дата рождения": "20.05.2006",
            "Категория": "Резидент-школьник",
            "Дата включения": "01.04.2019",
            "Основание": "Победитель олимпиады",
        },
        {
            **common,
            "Фамилия": "Кузнецова",
            "Имя": "Анна",
            "Дата рождения": "07.11.2007",
            "Категория": "Резидент-школьник",
            "Дата включения": "01.09.2019",
        },
        {**common, "Фамилия": "Смирнова", "Имя": "Ольга", "Дата рождения": "02.02.2008"},
    ]


@pytest.fixture
def bank(transactional_db):
    region = RegionFactory(name="Томская область")
    school = OrganisationFactory(municipality=MunicipalityFactory(region=region, name="г. Томск"), name=SCHOOL)
    programme = ProgrammeFactory(region=region, slug="tomsk-test", name="Томская программа")
    return SimpleNamespace(region=region, school=school, programme=programme)


@pytest.fixture
def superuser_client(transactional_db):
    user = get_user_model().objects.create_superuser("koordinator", "k@example.org", "secret-pass-123")
    client = Client(raise_request_exception=False)  # as a browser sees it: a response, whatever happened
    client.force_login(user)
    client.user = user
    return client


def import_file(bank, data):
    return import_participants(
        data,
        programme=bank.programme,
        organisations=Organisation.objects.filter(region=bank.region),
        can_set_membership=True,
        commit=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# An import cut in the middle -------------------------------------------------------------------


def test_an_import_cut_in_the_middle_of_saving_saves_nothing_and_loads_again(bank):
    before = bank_state()

    with connection_cut_before(f"COPY {_table(Membership)}") as cut:
        with pytest.raises(DATABASE_DOWN_ERRORS):
            import_file(bank, workbook(pupils()))

    # People and their history had been written in the transaction when the connection went.
    assert cut.wrote(Participant) and cut.wrote(Participant.history.model)
    assert bank_state() == before  # and none of it stayed

    # The app connects again by itself; the same file then loads whole.
    report = import_file(bank, workbook(pupils()))
    assert report.saved, [str(e) for e in report.errors]
    assert bank_state() == {
        "participants": before["participants"] + 3,
        "memberships": before["memberships"] + 2,
        "participant history": before["participant history"] + 3,
        "membership history": before["membership history"] + 2,
        "participations": before["participations"],
    }


def test_the_import_page_cut_while_saving_says_so_and_saves_nothing(bank, superuser_client):
    client = superuser_client
    upload = io.BytesIO(workbook(pupils()))
    upload.name = "ученики.xlsx"
    response = client.post(IMPORT_URL, {"programme": bank.programme.pk, "file": upload})
    assert response.status_code == 302
    preview_url = response["Location"]
    assert client.get(preview_url).status_code == 200
    before = bank_state()

    with connection_cut_before(f"COPY {_table(Membership)}") as cut:
        response = client.post(preview_url)
    assert cut.wrote(Participant)
    assert response.status_code == 302 and response["Location"] == preview_url
    assert bank_state() == before
    assert ImportUpload.objects.get().applied_at is None

    page = client.get(preview_url)
    assert page.status_code == 200
    [message] = messages_of(page)
    assert message.startswith("Связь с базой данных прервалась во время сохранения.")
    assert "половины файла в банке нет" in message
    assert page.context["report"].counts == {"create": 3, "update": 0, "unchanged": 0}  # still all to do

    response = client.post(preview_url)
    assert response.status_code == 302 and response["Location"] == reverse("admin:participants_participant_changelist")
    assert bank_state()["participants"] == before["participants"] + 3
    assert bank_state()["memberships"] == before["memberships"] + 2
    assert ImportUpload.objects.get().applied_at is not None


# A merge cut in the middle ---------------------------------------------------------------------


@pytest.fixture
def twins(bank):
    """Two records of one girl; the second has a membership, a participation and a phone to hand over."""
    kept = ParticipantFactory(
        last_name="Иванова", first_name="Мария", patronymic="Петровна", birth_date=date(2006, 6, 6), phone=""
    )
    twin = ParticipantFactory(
        last_name="Иванова",
        first_name="Марья",
        patronymic="Петровна",
        birth_date=date(2006, 6, 6),
        organisation=kept.organisation,
        phone="+7 900 000-00-00",
    )
    MembershipFactory(participant=twin, programme=bank.programme)
    series = EventSeries.objects.create(programme=bank.programme, name="Форум", kind=SeriesKind.ACCREDITED)
    edition = Edition.objects.create(series=series, period=2023, starts_on=date(2023, 10, 1))
    Participation.objects.create(participant=twin, edition=edition)
    return kept, twin


def attached(person) -> tuple[int, int, str]:
    return (
        Membership.objects.filter(participant=person).count(),
        Participation.objects.filter(participant=person).count(),
        Participant.objects.get(pk=person.pk).phone,
    )


# The last writes of a merge: the duplicate is already deleted and everything moved; its history row is next.
MERGE_CUT = f"INSERT INTO {_table(Participant.history.model)}"


def test_a_merge_cut_in_the_middle_changes_nothing_and_can_be_repeated(twins):
    kept, twin = twins
    before, kept_before, twin_before = bank_state(), attached(kept), attached(twin)

    with connection_cut_before(MERGE_CUT) as cut:
        with pytest.raises(DATABASE_DOWN_ERRORS):
            merge_participants(kept, twin)
    assert cut.wrote(Membership) and cut.wrote(Participation) and cut.wrote(Participant)

    assert bank_state() == before
    assert (attached(kept), attached(twin)) == (kept_before, twin_before)

    summary = merge_participants(kept, twin)
    assert summary.moved["memberships"] == 1 and summary.moved["participations"] == 1
    assert not Participant.objects.filter(pk=twin.pk).exists()
    assert attached(kept) == (1, 1, "+7 900 000-00-00")


def test_the_merge_page_cut_while_merging_says_so_and_changes_nothing(twins, superuser_client):
    kept, twin = twins
    client = superuser_client
    merge_url = reverse("admin:participants_participant_merge", args=[kept.pk, twin.pk])
    assert "Иванова Марья Петровна" in client.get(merge_url).content.decode()
    before = bank_state()
    confirmed = {"fingerprint": plan_merge(kept, twin).fingerprint}

    with connection_cut_before(MERGE_CUT):
        response = client.post(merge_url, confirmed)
    assert response.status_code == 302 and response["Location"] == merge_url
    assert bank_state() == before

    page = client.get(merge_url)
    assert page.status_code == 200
    [message] = messages_of(page)
    assert message.startswith("Связь с базой данных прервалась во время объединения.")
    assert "Иванова Марья Петровна" in page.content.decode()  # the pair is still offered

    page = client.post(merge_url, confirmed, follow=True)
    assert any(message.startswith("Записи объединены") for message in messages_of(page))
    assert not Participant.objects.filter(pk=twin.pk).exists()


# The database down, in-process -----------------------------------------------------------------


@contextmanager
def database_unreachable():
    """The app's connection dropped and every new one refused, as when the server is down: the
    connection settings point at a port of 127.0.0.1 that is bound but not listening."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", closed.getsockname()[1]
    try:
        yield
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = saved
        closed.close()


def assert_unavailable_page(response):
    content = response.content.decode()
    assert response.status_code == 503, content[:500]
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert f"<h1>{PAGE_TITLE}</h1>" in content
    assert "нет связи с базой данных" in content
    assert "сообщите администратору банка" in content  # the page itself, not the plain fallback
    assert "Traceback" not in content and "OperationalError" not in content and "psycopg" not in content


def assert_unavailable_json(response):
    assert response.status_code == 503, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert json.loads(response.content) == {"detail": UNAVAILABLE}


PAGES = [
    "/",
    "/admin/",
    "/admin/participants/participant/",
    "/admin/participants/participant/?q=Иванова",
    IMPORT_URL,
    DUPLICATES_URL,
    "/reports/",
    "/admin/no-such-page/",  # a 404 page that would show the user's name
]


def test_every_page_and_the_api_answer_503_while_the_database_is_down_and_recover(bank, superuser_client):
    client = superuser_client
    _, token = issue_token(client.user)
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    anonymous = Client(raise_request_exception=False)
    assert client.get("/admin/").status_code == 200

    with database_unreachable():
        with pytest.raises(OperationalError):
            Participant.objects.count()  # really down
        for url in PAGES:
            assert_unavailable_page(client.get(url))
        assert_unavailable_page(client.post(DUPLICATES_URL, {"keep": 1, "duplicate": 2}))
        assert_unavailable_page(anonymous.post("/accounts/login/", {"username": "koordinator", "password": "x"}))
        assert_unavailable_json(client.get("/api/v1/participants/"))  # session
        assert_unavailable_json(api.get("/api/v1/participants/"))  # token
        assert_unavailable_json(api.post("/api/v1/regions/", {"name": "Новая область"}))

    # Back: the very next requests work, nothing restarted.
    assert client.get("/admin/").status_code == 200
    assert api.get("/api/v1/participants/").status_code == 200
    assert client.get("/admin/participants/participant/").status_code == 200


def test_the_503_answer_itself_reads_nothing(db, django_assert_num_queries):
    request = RequestFactory().get("/admin/")
    request.user = SimpleLazyObject(lambda: pytest.fail("the user was looked up"))
    request.session = SimpleLazyObject(lambda: pytest.fail("the session was read"))
    with django_assert_num_queries(0):
        try:
            raise OperationalError("connection refused")
        except OperationalError:
            response = server_error(request)
    assert_unavailable_page(response)
    assert response["Cache-Control"].startswith("max-age=0, no-cache, no-store")


def test_other_errors_stay_a_500():
    factory = RequestFactory()
    try:
        raise ValueError("a bug")
    except ValueError:
        page, api = server_error(factory.get("/reports/")), server_error(factory.get("/api/v1/regions/"))
    assert page.status_code == 500 and "Ошибка сервера" in page.content.decode()
    assert api.status_code == 500 and json.loads(api.content)["detail"].startswith("Внутренняя ошибка сервера")
    assert not page.has_header("Retry-After")


# The database down and back, end to end ---------------------------------------------------------

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL 15 server of its own (as scripts/with-postgres starts one) that a test stops and starts."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="talentbank-faults-pg."))
        self.dir.chmod(0o755)
        self.port = _free_port()
        self.as_server_user = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.dir, "postgres")
            self.as_server_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def init(self):
        options = ["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]
        self._pg("initdb", "-D", self.dir / "data", *options)

    def _pg(self, program, *args):
        subprocess.run(
            [*self.as_server_user, PG_BIN / program, *map(str, args)], check=True, capture_output=True, timeout=120
        )

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._pg(
            "pg_ctl", "-D", self.dir / "data", "-l", self.dir / "server.log", "-w", "-t", "60", "-o", options, "start"
        )

    def stop(self):
        self._pg("pg_ctl", "-D", self.dir / "data", "-m", "fast", "-w", "stop")

    def remove(self):
        subprocess.run(
            [*self.as_server_user, PG_BIN / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


# Production settings (DEBUG off) but static files read as they are, without collectstatic's manifest.
_SERVER_SETTINGS = """
from talentbank.settings import *  # noqa: F403
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
"""

_PREPARE = """
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.tokens import issue_token
call_command("migrate", verbosity=0)
user = get_user_model().objects.create_superuser("koordinator", "k@example.org", "secret-pass-123")
device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)  # a superuser types a code
print(issue_token(user)[1], device.key)
"""


class App:
    """The app under gunicorn (one worker, as one production process), talked to over HTTP."""

    def __init__(self, database_url: str, workdir: Path):
        (workdir / "faults_settings.py").write_text(_SERVER_SETTINGS)
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
            "DJANGO_SETTINGS_MODULE": "faults_settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": "faults-test-secret-key-not-for-production-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "CONN_MAX_AGE": "600",  # a kept connection: the one a restart of the database breaks
        }
        self.port = _free_port()
        self.log = open(workdir / "gunicorn.log", "w+")  # closed in stop()
        self.process = None
        self.token = None
        self.cookies: dict[str, str] = {}

    def start(self):
        command = [sys.executable, "-m", "gunicorn", "talentbank.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "--workers", "1", "--timeout", "60", "--graceful-timeout", "5"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        # The server boots while the database is migrated (nothing reads the database at boot).
        prepared = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", _PREPARE],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert prepared.returncode == 0, prepared.stderr
        self.token, self.otp_key = prepared.stdout.strip().splitlines()[-1].split()
        deadline = time.monotonic() + 60
        while True:
            try:
                self.request("GET", "/accounts/login/")
                break
            except OSError:
                assert self.process.poll() is None and time.monotonic() < deadline, self.output()
                time.sleep(0.2)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {**(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return SimpleNamespace(status=response.status, headers=response.headers, text=content)

    def log_in(self):
        form = self.request("GET", "/accounts/login/").text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        body = f"csrfmiddlewaretoken={csrf}&username=koordinator&password=secret-pass-123&next=/admin/"
        response = self.request("POST", "/accounts/login/", body, {"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status == 302 and "sessionid" in self.cookies, (response.status, response.text[:500])
        # The second factor: the code the superuser's app shows now.
        form = self.request("GET", "/accounts/otp/verify/").text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        code = f"{totp(bytes.fromhex(self.otp_key)):06d}"
        body = f"csrfmiddlewaretoken={csrf}&code={code}&next=/admin/"
        response = self.request(
            "POST", "/accounts/otp/verify/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert response.status == 302 and response.headers["Location"] == "/admin/", (response.status, response.text)

    def api(self, path):
        return self.request("GET", path, headers={"Authorization": f"Token {self.token}"})

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def app_on_its_own_database():
    if not (PG_BIN / "pg_ctl").exists():
        pytest.fail(f"PostgreSQL 15 не найден в {PG_BIN}: установите пакет postgresql-15")
    server = ThrowawayPostgres()
    workdir = Path(tempfile.mkdtemp(prefix="talentbank-faults-app."))
    app = App(server.url, workdir)
    try:
        server.init()
        server.start()
        app.start()
        yield server, app
    finally:
        app.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        server.remove()


def test_the_app_answers_503_while_its_database_is_stopped_and_recovers_without_a_restart(app_on_its_own_database):
    server, app = app_on_its_own_database
    app.log_in()
    assert app.request("GET", "/admin/").status == 200
    assert app.api("/api/v1/participants/").status == 200

    server.stop()
    for _ in range(2):  # the kept connection broken by the stop, then a refused new one
        for path in ("/admin/", "/admin/participants/participant/", "/reports/", "/"):
            page = app.request("GET", path)
            assert page.status == 503, (path, page.status, page.text[:300], app.output()[-3000:])
            assert page.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert page.headers["Content-Type"] == "text/html; charset=utf-8"
            assert f"<h1>{PAGE_TITLE}</h1>" in page.text and "сообщите администратору банка" in page.text
            assert "Traceback" not in page.text
        data = app.api("/api/v1/participants/")
        assert (data.status, data.headers["Retry-After"]) == (503, str(RETRY_AFTER_SECONDS))
        assert json.loads(data.text) == {"detail": UNAVAILABLE}

    server.start()
    assert app.request("GET", "/admin/").status == 200  # the very next request, the app untouched
    assert app.api("/api/v1/participants/").status == 200

    # A restart between two requests breaks the kept connection unseen: it is checked before use.
    server.stop()
    server.start()
    assert app.request("GET", "/admin/").status == 200
    assert app.api("/api/v1/participants/").status == 200
    assert app.process.poll() is None  # the same gunicorn all along
