"""Background jobs: outcome, failure in Russian with nothing half-saved, progress and estimate, the
job's page and file for its starter only, and the database queue a worker drains."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from jobs import runner
from jobs.models import Job, JobStatus
from participants.models import Region

pytestmark = pytest.mark.django_db


@runner.job("test_ok")
def _ok(record, progress, *, rows: int):
    progress.stage("Строки", total=rows)
    for _ in range(rows):
        progress.advance()
    return runner.Result(name="итог.txt", content_type="text/plain", content=b"ok", message="Готово.")


@runner.job("test_refused")
def _refused(record, progress, *, name: str):
    Region.objects.create(name=name)
    raise runner.JobFailed("В строке 5 столбца «Дата рождения» не дата.")


@runner.job("test_invalid")
def _invalid(record, progress):
    raise ValidationError(["Период не может быть позже 2100 года."])


@runner.job("test_broken")
def _broken(record, progress, *, name: str):
    from django.db import transaction

    with transaction.atomic():
        Region.objects.create(name=name)
        raise RuntimeError("internal detail that must not reach the user")


@pytest.fixture
def two(django_user_model):
    return (
        django_user_model.objects.create_user("first", password="x" * 12),
        django_user_model.objects.create_user("second", password="x" * 12),
    )


def test_a_job_runs_to_its_result_with_progress_counted(two):
    record = runner.start(two[0], "test_ok", "Проверка", rows=7)
    assert record.status == JobStatus.DONE
    assert (record.done, record.total) == (7, 7)
    assert record.finished_at >= record.started_at
    assert bytes(Job.objects.get(pk=record.pk).result_file) == b"ok"
    assert runner.state(record)["percent"] == 100


@pytest.mark.parametrize(
    "kind, params, message",
    [
        ("test_refused", {"name": "Область А"}, "В строке 5 столбца «Дата рождения» не дата."),
        ("test_invalid", {}, "Период не может быть позже 2100 года."),
        ("test_broken", {"name": "Область Б"}, runner.INTERNAL_ERROR),
    ],
)
def test_a_failed_job_says_why_in_russian_and_leaves_nothing_half_saved(two, kind, params, message):
    record = runner.start(two[0], kind, "Проверка", **params)
    assert record.status == JobStatus.FAILED
    assert record.error == message
    assert "internal detail" not in record.error
    if kind == "test_broken":
        assert not Region.objects.filter(name="Область Б").exists()


def test_an_unknown_kind_is_refused_before_anything_is_queued(two):
    with pytest.raises(LookupError, match="no_such_kind"):
        runner.start(two[0], "no_such_kind", "Проверка")
    assert not Job.objects.exists()


def test_the_estimate_counts_rows_or_uses_the_last_jobs_of_the_kind(two):
    now = timezone.now()
    counted = Job(kind="x", status=JobStatus.RUNNING, started_at=now - timedelta(seconds=10), done=250, total=1000)
    assert runner.state(counted, now)["percent"] == 25
    assert runner.state(counted, now)["seconds_left"] == 30
    for seconds in (8, 12, 10):
        Job.objects.create(
            kind="timed",
            title="t",
            user=two[0],
            status=JobStatus.DONE,
            started_at=now - timedelta(seconds=seconds),
            finished_at=now,
        )
    uncounted = Job(kind="timed", status=JobStatus.RUNNING, started_at=now - timedelta(seconds=4))
    state = runner.state(uncounted, now)
    assert (state["percent"], state["seconds_left"]) == (40, 6)
    never_seen = Job(kind="new", status=JobStatus.RUNNING, started_at=now)
    assert runner.state(never_seen, now)["percent"] is None  # an indeterminate bar, no made-up figure


def test_a_jobs_page_state_and_file_are_its_starters_only(client, two):
    record = runner.start(two[0], "test_ok", "Проверка", rows=1)
    urls = [f"/jobs/{record.pk}/", f"/jobs/{record.pk}/state/", f"/jobs/{record.pk}/file/"]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(two[1])
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(two[0])
    page = client.get(urls[0]).content.decode()
    assert "Проверка" in page and "Скачать итог.txt" in page and "Готово." in page
    state = client.get(urls[1]).json()
    assert state["status"] == "done" and state["file_url"] == urls[2]
    download = client.get(urls[2])
    assert download.content == b"ok" and "no-store" in download["Cache-Control"]
    assert client.get(f"/jobs/{record.pk}x/").status_code == 404


def test_finished_jobs_are_removed_after_a_week(two):
    old = Job.objects.create(
        kind="x", title="t", user=two[0], status=JobStatus.DONE, finished_at=timezone.now() - timedelta(days=8)
    )
    runner.start(two[0], "test_ok", "Проверка", rows=1)
    assert not Job.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_a_worker_runs_the_job(two, settings):
    """As in production: start() only queues; `db_worker` finds the task in PostgreSQL and runs it
    (committed data: the worker checks its connection as a request would)."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    record = runner.start(two[0], "test_ok", "Проверка", rows=3)
    assert record.status == JobStatus.QUEUED
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)
    record.refresh_from_db()
    assert record.status == JobStatus.DONE and record.total == 3
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1


@runner.job("test_slow")
def _slow(record, progress, *, seconds: float):
    import time

    time.sleep(seconds)
    return runner.Result(message="Готово.")


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats_and_a_job_whose_worker_died_is_failed_when_its_page_asks(client, two, monkeypatch):
    monkeypatch.setattr(runner, "HEARTBEAT_EVERY", 0.05)
    record = runner.start(two[0], "test_slow", "Долгое", seconds=0.3)
    assert record.status == JobStatus.DONE and record.heartbeat_at is not None  # heard while it ran

    now = timezone.now()
    lost = Job.objects.create(
        kind="test_slow",
        title="Потерянное",
        user=two[0],
        status=JobStatus.RUNNING,
        started_at=now - timedelta(minutes=10),
        heartbeat_at=now - timedelta(minutes=3),
    )
    alive = Job.objects.create(
        kind="test_slow",
        title="Живое",
        user=two[0],
        status=JobStatus.RUNNING,
        started_at=now - timedelta(minutes=10),
        heartbeat_at=now - timedelta(seconds=20),
    )
    client.force_login(two[0])
    state = client.get(f"/jobs/{lost.pk}/state/").json()
    assert state["status"] == "failed" and state["error"] == runner.ABANDONED
    assert "запустите задание заново" in client.get(f"/jobs/{lost.pk}/").content.decode()
    assert client.get(f"/jobs/{alive.pk}/state/").json()["status"] == "running"


def test_asking_again_for_a_pending_job_gives_the_same_job(two):
    pending = Job.objects.create(kind="test_ok", title="Проверка", user=two[0], params={"rows": 3})
    assert runner.start(two[0], "test_ok", "Проверка", rows=3).pk == pending.pk  # a second click
    assert runner.start(two[0], "test_ok", "Проверка", rows=4).pk != pending.pk  # something else
    assert runner.start(two[1], "test_ok", "Проверка", rows=3).pk != pending.pk  # someone else
    assert Job.objects.filter(params={"rows": 3}).count() == 2
    abandoned = Job.objects.filter(pk=pending.pk)
    abandoned.update(status=JobStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5))
    assert runner.start(two[0], "test_ok", "Проверка", rows=3).pk != pending.pk  # its worker was lost
