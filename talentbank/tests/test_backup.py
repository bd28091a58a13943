"""Backups: the Excel export of the whole bank and its load into an empty database, and the
pg_dump/pg_restore procedure of the README («Backups») run for real against PostgreSQL."""

import io
import os
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from events.models import Publication
from participants.backup import BackupError, bank_models, export_bank, load_bank
from participants.models import (
    Achievement,
    DiagnosticScore,
    ImportUpload,
    Organisation,
    Participant,
    Programme,
    Region,
)
from participants.tests.factories import OrganisationFactory, ParticipantFactory, ProgrammeFactory
from reports.models import ReportVersion

SCHOOL = "МАОУ гимназия № 29 г. Томска"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


# Helpers written apart from participants.backup, so that the tests check it rather than repeat it.


def expected_models():
    """Every concrete model of participants, events and reports, through tables included, but
    ImportUpload and ReportVersion (files larger than a cell)."""
    found = []
    for label in ("participants", "events", "reports"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if not model._meta.proxy and model not in (ImportUpload, ReportVersion):
                found.append(model)
    return found


def lookups(model):
    """attname per column; a reference to a user by its username."""
    user_model = get_user_model()
    return [
        f"{f.name}__username" if f.is_relation and f.related_model is user_model else f.attname
        for f in model._meta.concrete_fields
    ]


def to_millisecond(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0) + timedelta(milliseconds=round(value.microsecond / 1000))
    return value


def snapshot():
    """Every row of every bank model, by primary key; times as an Excel cell keeps them (to the ms)."""
    return {
        model._meta.label: [
            tuple(to_millisecond(v) for v in row)
            for row in model._base_manager.order_by("pk").values_list(*lookups(model))
        ]
        for model in expected_models()
    }


def empty_the_bank():
    """Delete every bank row, last dependants first (without signals: no audit rows for the deletions).

    Id sequences are left as they are (they are not transactional); the commands' test below
    checks on a fresh database that load_bank moves them."""
    ordered = bank_models(include_excluded=True)
    for model in reversed(ordered):
        model._base_manager.all()._raw_delete(connection.alias)
    assert all(not model._base_manager.exists() for model in ordered)


def read_sheets(data: bytes) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}
    finally:
        workbook.close()


def date_cells(data: bytes, name: str) -> set[str]:
    """Columns of the sheet's second row that Excel shows as dates."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        header, first = workbook[name].iter_rows(min_row=1, max_row=2)
        # A read-only sheet drops the trailing empty cells of a row.
        return {h.value for h, cell in zip(header, first, strict=False) if cell.is_date}
    finally:
        workbook.close()


def sheet_dicts(sheets, name):
    header, *rows = sheets[name]
    return [dict(zip(header, row + (None,) * (len(header) - len(row)), strict=True)) for row in rows]


@pytest.fixture
def small_bank(users, tmp_path):
    """A bank of two people exported to a file, and then emptied (for tests that break the file)."""
    empty_the_bank()
    programme = ProgrammeFactory(report_sections=["criteria"])
    programme.coordinators.add(users["koordinator-tomsk"])
    school = OrganisationFactory(municipality__region=programme.region)
    ParticipantFactory.create_batch(2, organisation=school)
    path = tmp_path / "small.xlsx"
    export_bank(path)
    empty_the_bank()
    return {"path": path, "programme": programme}


# Excel export and load ---------------------------------------------------------------------------


@pytest.mark.usefixtures("demo_data")
def test_export_then_load_into_an_empty_bank_gives_every_row_back(users, tmp_path):
    # Values that are easy to lose on the way through Excel.
    tricky = "=СУММ(A1:A9) _x0041_ строка\x01с\tуправляющими\nсимволами"
    Achievement.objects.filter(pk=Achievement.objects.order_by("pk").first().pk).update(description=tricky)
    Publication.objects.filter(pk=Publication.objects.order_by("pk").first().pk).update(title="=1+2")
    score = DiagnosticScore.objects.order_by("pk").first()
    DiagnosticScore.objects.filter(pk=score.pk).update(score=Decimal("87.25"))
    Programme.objects.filter(slug="tula-kadry").update(report_sections=["criteria", "teams", {"примечание": "ё"}])
    history = Participant.history.order_by("history_id").first()
    Participant.history.filter(history_id=history.history_id).update(history_user=users["koordinator-tomsk"])
    before = snapshot()

    path = tmp_path / "bank.xlsx"
    exported = export_bank(path)
    assert list(exported.counts) == [m._meta.object_name for m in bank_models()]
    assert {m._meta.label for m in bank_models()} == set(before)  # every model has its sheet
    assert {name: len(rows) for name, rows in before.items()} == {
        m._meta.label: exported.counts[m._meta.object_name] for m in bank_models()
    }
    assert len(before["participants.Participant"]) == 703
    assert len(before["participants.HistoricalParticipant"]) > 0
    assert before["participants.Organisation_staff"] == [
        (before["participants.Organisation_staff"][0][0], Organisation.objects.get(name=SCHOOL).pk, "shkola-29")
    ]

    empty_the_bank()
    get_user_model().objects.filter(username="shkola-29").delete()  # an account missing in the new database

    loaded = load_bank(path)

    assert loaded.counts == exported.counts
    assert loaded.created_users == ["shkola-29"]
    recreated = get_user_model().objects.get(username="shkola-29")
    assert not recreated.is_active and not recreated.has_usable_password()
    after = snapshot()
    for label, rows in before.items():
        assert after[label] == rows, label
    assert Achievement.objects.order_by("pk").first().description == tricky
    assert Publication.objects.order_by("pk").first().title == "=1+2"
    assert DiagnosticScore.objects.get(pk=score.pk).score == Decimal("87.25")
    assert Programme.objects.get(slug="tula-kadry").report_sections[2] == {"примечание": "ё"}
    assert Participant.history.get(history_id=history.history_id).history_user == users["koordinator-tomsk"]
    assert Region.objects.create(name="Новый субъект").pk > max(r[0] for r in before["participants.Region"])


def test_the_workbook_is_typed_one_sheet_per_model(small_bank):
    sheets = read_sheets(small_bank["path"].read_bytes())

    first, *others = sheets
    assert first == "Содержание"
    assert set(others) == {m._meta.object_name for m in expected_models()}
    assert sheets["Region"][0] == ("id", "name", "code")
    assert sheets["Programme_coordinators"][0] == ("id", "programme_id", "user__username")
    assert sheets["Programme_coordinators"][1][1:] == (small_bank["programme"].pk, "koordinator-tomsk")
    assert sheets["Participant"][0][:7] == (
        "id",
        "last_name",
        "first_name",
        "patronymic",
        "birth_date",
        "sex",
        "organisation_id",
    )
    row = sheet_dicts(sheets, "Programme")[0]
    assert row["id"] == small_bank["programme"].pk and isinstance(row["id"], int)
    assert row["region_id"] == small_bank["programme"].region_id
    assert row["report_sections"] == '["criteria"]'  # JSON as JSON text
    assert len(sheet_dicts(sheets, "Participant")) == 2
    assert len(sheet_dicts(sheets, "HistoricalParticipant")) == 2  # the audit trail goes with the bank


@pytest.mark.usefixtures("demo_data")
def test_cells_keep_their_types(users):
    buffer = io.BytesIO()
    export_bank(buffer)
    sheets = read_sheets(buffer.getvalue())
    person = sheet_dicts(sheets, "Participant")[0]
    first = Participant.objects.order_by("pk").first()
    assert person["birth_date"] == datetime.combine(first.birth_date, time())  # a date cell reads as midnight
    assert date_cells(buffer.getvalue(), "Participant") >= {"birth_date", "created_at"}
    assert person["consent"] is first.consent
    created = to_millisecond(first.created_at.astimezone(UTC).replace(tzinfo=None))
    assert type(person["created_at"]) is datetime and person["created_at"] == created  # UTC
    score = sheet_dicts(sheets, "DiagnosticScore")[0]
    assert isinstance(score["score"], int | float)
    assert score["score"] == float(DiagnosticScore.objects.order_by("pk").first().score)
    counts = {row[0]: row[2] for row in sheets["Содержание"] if row and row[0] in sheets and row[0] != "Содержание"}
    assert counts["Participant"] == Participant.objects.count() == len(sheets["Participant"]) - 1


@pytest.mark.usefixtures("demo_data")
def test_a_bank_with_data_is_refused(users, tmp_path):
    path = tmp_path / "bank.xlsx"
    export_bank(path)
    people = Participant.objects.count()

    with pytest.raises(BackupError, match="В базе уже есть данные банка") as refused:
        load_bank(path)
    assert "только в пустую базу" in str(refused.value)
    with pytest.raises(CommandError, match=r"В базе уже есть данные банка.*Ничего не загружено"):
        call_command("load_bank", str(path))
    assert Participant.objects.count() == people


def test_a_bad_cell_is_named_and_nothing_is_saved(small_bank):
    path = small_bank["path"]
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Participant"]
    column = [c.value for c in sheet[1]].index("birth_date") + 1
    sheet.cell(row=3, column=column, value="вчера")
    workbook.save(path)

    with pytest.raises(BackupError, match=r"Лист «Participant», строка 3, столбец «birth_date»: значение «вчера»"):
        load_bank(path)
    assert not Region.objects.exists()  # loaded before Participant, rolled back with it


def test_a_reference_to_a_missing_row_is_refused_before_commit(small_bank):
    path = small_bank["path"]
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Participant"]
    column = [c.value for c in sheet[1]].index("organisation_id") + 1
    sheet.cell(row=2, column=column, value=999999)
    workbook.save(path)

    with pytest.raises(BackupError) as refused:
        load_bank(path)
    assert str(refused.value) == (
        "Ссылки между листами не сходятся: на листе «Participant» в столбце «organisation_id» значение 999999, "
        "а на листе «Organisation» такой записи нет."
    )
    assert not Participant.objects.exists()


def test_a_changed_row_count_is_refused(small_bank):
    path = small_bank["path"]
    workbook = openpyxl.load_workbook(path)
    workbook["Participant"].delete_rows(2)
    workbook.save(path)

    with pytest.raises(BackupError, match="Лист «Participant»: строк 1, а на листе «Содержание» указано 2"):
        load_bank(path)
    assert not Programme.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook", "не читается как книга Excel"),
        ("workbook", "Это не выгрузка банка: в книге нет листа «Содержание»"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(db, tmp_path, content, message):
    empty_the_bank()
    path = tmp_path / "file.xlsx"
    if content == "workbook":
        openpyxl.Workbook().save(path)
    else:
        path.write_bytes(content)
    with pytest.raises(BackupError, match=message):
        load_bank(path)


@pytest.mark.usefixtures("demo_data")
def test_scoped_export_for_school_staff_has_only_their_pupils(users):
    staff = users["shkola-29"]
    own = list(staff.staff_organisations.values_list("pk", flat=True))
    assert own == [Organisation.objects.get(name=SCHOOL).pk]
    pupils = Participant.objects.filter(organisation__in=own)
    assert 0 < pupils.count() < Participant.objects.count()

    buffer = io.BytesIO()
    result = export_bank(buffer, user=staff)
    sheets = read_sheets(buffer.getvalue())

    people = sheet_dicts(sheets, "Participant")
    assert sorted(p["id"] for p in people) == sorted(pupils.values_list("pk", flat=True))
    assert {p["organisation_id"] for p in people} == set(own)
    assert result.counts["Participant"] == pupils.count()
    assert {m["participant_id"] for m in sheet_dicts(sheets, "Membership")} <= {p["id"] for p in people}
    assert [o["id"] for o in sheet_dicts(sheets, "Organisation")] == own
    for closed in ("EventSeries", "Edition", "Participation", "HistoricalParticipant", "Organisation_staff"):
        assert sheet_dicts(sheets, closed) == [], closed
    assert any("shkola-29" in str(cell) for row in sheets["Содержание"] for cell in row)


@pytest.mark.usefixtures("demo_data")
def test_export_command_prints_rows_per_sheet(users, tmp_path):
    out = io.StringIO()
    path = tmp_path / "bank.xlsx"
    call_command("export_bank", str(path), stdout=out)

    lines = {line.split()[0]: line.split()[1] for line in out.getvalue().splitlines() if line.strip()}
    assert lines["Participant"] == str(Participant.objects.count())
    assert lines["Region"] == str(Region.objects.count())
    assert f"Выгружено строк: {sum(m._base_manager.count() for m in bank_models())}" in out.getvalue()
    assert path.stat().st_size > 0
    with pytest.raises(CommandError, match=r"должно оканчиваться на \.xlsx"):
        call_command("export_bank", str(tmp_path / "bank.csv"))


# pg_dump / pg_restore, as README «Backups» describes --------------------------------------------


def pg_tool(name: str) -> str:
    path = PG_BIN / name
    if path.is_file():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} не найден ни в {PG_BIN}, ни в PATH: проверка резервного копирования PostgreSQL пропущена.")
    return found


class Server:
    """The test server's connection parameters, for the command-line tools and psycopg."""

    def __init__(self, settings_dict):
        self.host = settings_dict.get("HOST") or "127.0.0.1"
        self.port = str(settings_dict.get("PORT") or 5432)
        self.user = settings_dict.get("USER") or "postgres"
        self.password = settings_dict.get("PASSWORD") or ""
        self.test_database = settings_dict["NAME"]

    def args(self, database: str) -> list[str]:
        return ["-h", self.host, "-p", self.port, "-U", self.user, "-d", database]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def url(self, database: str) -> str:
        auth = quote(self.user) + (":" + quote(self.password) if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{database}"

    def connect(self, database: str):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=database,
            autocommit=True,
        )

    def run(self, *command, database: str | None = None) -> str:
        env = self.env()
        if database:
            env["DATABASE_URL"] = self.url(database)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=settings.BASE_DIR)
        assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def create(self, name: str):
        with self.connect(self.test_database) as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")

    def drop(self, name: str):
        with self.connect(self.test_database) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_state(server: Server, database: str) -> dict[str, tuple[int, str]]:
    """(rows, checksum of the rows) per table of the bank and of the accounts."""
    tables = [m._meta.db_table for m in bank_models(include_excluded=True)]
    tables += ["auth_user", "auth_group", "auth_user_groups", "django_migrations", "accounts_apitoken"]
    state = {}
    with server.connect(database) as conn:
        for table in tables:
            state[table] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
        state["sequences"] = conn.execute(
            "SELECT count(*), string_agg(sequencename || '=' || coalesce(last_value, 0), ',' ORDER BY sequencename) "
            "FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchone()
    return state


@pytest.fixture(scope="module")
def server(django_db_setup):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump проверяется только на PostgreSQL.")
    return Server(connection.settings_dict)


@pytest.fixture(scope="module")
def committed_bank(server, tmp_path_factory):
    """A database with the demo bank committed (pg_dump sees only committed rows, tests run in a
    transaction): the test database (schema and the role groups of the migrations) is dumped and
    restored into a new database, and load_demo runs there in its own process."""
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    name = f"tb_backup_src_{uuid.uuid4().hex[:8]}"
    schema_dump = tmp_path_factory.mktemp("pg") / "test-database.dump"
    server.run(pg_dump, "-Fc", "--no-owner", *server.args(server.test_database), "-f", str(schema_dump))
    server.create(name)
    try:
        server.run(pg_restore, "--no-owner", "--single-transaction", *server.args(name), str(schema_dump))
        server.run(sys.executable, "manage.py", "load_demo", database=name)
        yield name, schema_dump
    finally:
        server.drop(name)


def test_pg_dump_and_pg_restore_give_the_same_bank(server, committed_bank, tmp_path):
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    source, _ = committed_bank
    copy = f"tb_backup_copy_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "talentbank.dump"

    server.run(pg_dump, "-Fc", "--no-owner", *server.args(source), "-f", str(dump))
    server.create(copy)
    try:
        server.run(pg_restore, "--no-owner", "--single-transaction", *server.args(copy), str(dump))
        server.run(sys.executable, "manage.py", "migrate", "--check", database=copy)  # nothing left to apply

        original, restored = table_state(server, source), table_state(server, copy)
        assert original["participants_participant"][0] == 703
        assert original["participants_historicalparticipant"][0] >= 703
        assert original["events_coverage"][0] > 0 and original["auth_user"][0] == 5
        assert restored == original
    finally:
        server.drop(copy)


def test_export_and_load_commands_between_two_postgresql_databases(server, committed_bank, tmp_path):
    """The commands outside a test transaction: export_bank reads one snapshot, load_bank fills a
    freshly migrated database and moves its id sequences past the loaded ids."""
    pg_restore = pg_tool("pg_restore")
    source, schema_dump = committed_bank
    target = f"tb_backup_load_{uuid.uuid4().hex[:8]}"
    workbook = tmp_path / "bank.xlsx"

    exported = server.run(sys.executable, "manage.py", "export_bank", str(workbook), database=source)
    server.create(target)
    try:
        server.run(pg_restore, "--no-owner", "--single-transaction", *server.args(target), str(schema_dump))
        loaded = server.run(sys.executable, "manage.py", "load_bank", str(workbook), database=target)

        assert "Participant" in exported and " 703 " in exported
        # The demo logins that the bank refers to (staff, coordinators) did not exist in the new database.
        assert (
            "Созданы неактивные учётные записи без пароля (3): shkola-29, koordinator-tomsk, koordinator-tula" in loaded
        )
        original, copy = table_state(server, source), table_state(server, target)
        for model in bank_models():
            table = model._meta.db_table
            assert copy[table][0] == original[table][0], table
        with server.connect(target) as conn:
            top = conn.execute("SELECT max(id) FROM participants_participant").fetchone()[0]
            following = conn.execute("SELECT nextval(pg_get_serial_sequence('participants_participant', 'id'))")
            assert following.fetchone()[0] == top + 1
    finally:
        server.drop(target)
