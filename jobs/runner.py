"""Background jobs: start one, report its progress, keep its outcome.

A job is a plain function registered under a kind with `@job("kind")`, in a module listed in
HANDLER_MODULES. It receives the Job row's parameters and a `Progress`, does its work in its own
transaction (so a failure leaves nothing half-saved) and returns a `Result`: a file to download, a
page to go to, or both. `start()` records the job and queues it with Django's tasks framework
(jobs.tasks.run_job); a worker (`manage.py db_worker`, any number of them, on any machine that
reaches the database) picks it up. Under the immediate backend — the tests — the job runs inside
`start()`, so a view that starts a job and finds it finished can answer with its result at once.

Progress is written through the "jobs" database alias, a second connection to the same database:
the work's own transaction stays open until it commits, and the user's page must see the progress
before that. The estimate comes from `done`/`total` where the work can count (rows of an import),
and otherwise from how long the last jobs of the same kind took.

A running job's worker writes a heartbeat every HEARTBEAT_EVERY seconds from a thread of its own.
A worker that was killed (or its machine) stops beating; once a job has been silent for ABANDONED_AFTER
it is shown as failed, with the work's transaction rolled back by the database, so the user can
start it again instead of watching a bar that never moves. The same user asking again for the same
job (a second click, a reloaded page) while it is still pending gets that job, not a second one.
"""

import importlib
import logging
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from talentbank import dberrors

from .models import Job, JobStatus

logger = logging.getLogger(__name__)

HANDLER_MODULES = ["reports.jobs", "participants.jobs"]
KEPT_FOR = timedelta(days=7)  # finished jobs and their files are removed after this
FLUSH_EVERY = 0.5  # seconds between progress writes
HEARTBEAT_EVERY = 15  # seconds between a running job's heartbeats
ABANDONED_AFTER = timedelta(minutes=2)  # a running job silent this long has lost its worker
INTERNAL_ERROR = (
    "Задание прервано внутренней ошибкой; данные не изменены. Повторите попытку, а если ошибка "
    "повторится, сообщите администратору номер задания."
)
ABANDONED = (
    "Задание прервано: остановился обработчик фоновых заданий (перезапуск или сбой сервера). "
    "Данные не изменены — запустите задание заново."
)
PENDING = (JobStatus.QUEUED, JobStatus.RUNNING)

_handlers: dict[str, Callable] = {}


class JobFailed(Exception):
    """A failure the user can act on: its message, in Russian, is shown as it is; `url` is the page
    where they can act on it (an import's preview with its errors)."""

    def __init__(self, message: str, url: str = ""):
        super().__init__(message)
        self.url = url


@dataclass
class Result:
    """What a job leaves: a sentence for the user, a page to open, a file to download."""

    message: str = ""
    link_text: str = ""
    url: str = ""
    name: str = ""
    content_type: str = ""
    content: bytes | None = None


def job(kind: str):
    """Registers the decorated function as the handler of `kind`."""

    def register(function):
        _handlers[kind] = function
        return function

    return register


def handler(kind: str) -> Callable:
    if kind not in _handlers:
        for module in HANDLER_MODULES:
            importlib.import_module(module)  # registers the module's handlers
    if kind not in _handlers:
        raise LookupError(f"No job handler is registered for {kind!r}.")
    return _handlers[kind]


class Progress:
    """What a handler tells about its work; written at most every FLUSH_EVERY seconds."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.done = 0
        self.total = 0
        self.text = ""
        self._flushed = 0.0

    def stage(self, text: str, total: int = 0):
        self.text, self.done, self.total = text, 0, total
        self.flush()

    def advance(self, count: int = 1):
        self.done += count
        if time.monotonic() - self._flushed >= FLUSH_EVERY:
            self.flush()

    def flush(self):
        self._flushed = time.monotonic()
        _update(self.job_id, stage=self.text[:200], done=self.done, total=self.total)


def _jobs():
    """Job rows through the connection settings.JOBS_DATABASE names (see talentbank/settings.py)."""
    return Job.objects.using(settings.JOBS_DATABASE)


def _update(job_id, **fields):
    try:
        _jobs().filter(pk=job_id).update(**fields)
    except DatabaseError:
        # Progress is a courtesy (SQLite, the demo database, may be busy with the work's own
        # transaction); the outcome is written again when the job ends.
        logger.warning("progress of job %s not written", job_id, exc_info=True)


def _runs_inline() -> bool:
    from django_tasks.backends.immediate import ImmediateBackend

    from .tasks import run_job

    return isinstance(run_job.get_backend(), ImmediateBackend)


def start(user, kind: str, title: str, /, *, inline: bool = False, **params) -> Job:
    """Records and queues a job; returns its row (already finished when jobs run inline: under the
    immediate backend, or when the caller knows the work is small). The user's own pending job of
    the same kind and parameters is returned instead of a second one."""
    handler(kind)  # an unknown kind fails here, in the request, not in a worker
    _prune()
    for pending in _jobs().defer("result_file").filter(user=user, kind=kind, status__in=PENDING):
        if pending.params == params and not _abandoned(pending):
            return pending
    record = _jobs().create(kind=kind, title=title[:300], user=user, params=params)
    if inline or _runs_inline():
        run(record.pk)
    else:
        from .tasks import run_job

        # Queued after the request's transaction commits, so the worker finds what it refers to.
        transaction.on_commit(lambda: run_job.enqueue(str(record.pk)))
    return _jobs().get(pk=record.pk)


def run(job_id) -> None:
    """Runs one job to its end; the worker calls this through jobs.tasks.run_job."""
    claimed = (
        _jobs().filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING, started_at=timezone.now())
    )
    if not claimed:
        return  # already run, or removed
    record = _jobs().select_related("user").get(pk=job_id)
    progress = Progress(record.pk)
    beating = _Heartbeat(record.pk)
    beating.start()
    try:
        result = handler(record.kind)(record, progress, **record.params)
    except JobFailed as error:
        _fail(record, str(error), error.url)
    except ValidationError as error:
        _fail(record, " ".join(error.messages))
    except DatabaseError as error:
        logger.exception("job %s (%s) failed in the database", record.pk, record.kind)
        _fail(record, dberrors.message(error) or INTERNAL_ERROR)
    except Exception:
        logger.exception("job %s (%s) failed", record.pk, record.kind)
        _fail(record, INTERNAL_ERROR)
    else:
        result = result or Result()
        _jobs().filter(pk=record.pk).update(
            status=JobStatus.DONE,
            finished_at=timezone.now(),
            stage="",
            done=progress.total or progress.done,
            total=progress.total,
            result_message=result.message[:300],
            result_url=result.url,
            result_link_text=result.link_text[:100],
            result_name=result.name,
            result_type=result.content_type,
            result_file=result.content,
        )
    finally:
        beating.stop()


class _Heartbeat(threading.Thread):
    """Writes the job's heartbeat every HEARTBEAT_EVERY seconds while the job runs (on its own
    connection: the work's transaction holds the worker's)."""

    def __init__(self, job_id):
        super().__init__(name=f"job-heartbeat-{job_id}", daemon=True)
        self.job_id = job_id
        self._stopped = threading.Event()

    def run(self):
        try:
            while not self._stopped.wait(HEARTBEAT_EVERY):
                _update(self.job_id, heartbeat_at=timezone.now())
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self):
        self._stopped.set()
        self.join()


def _abandoned(record: Job, now=None) -> bool:
    """A running job whose worker has not been heard of for ABANDONED_AFTER. Never on SQLite (the
    demo database): a job's transaction locks the whole file, so its heartbeats cannot be written."""
    if record.status != JobStatus.RUNNING or connections[settings.JOBS_DATABASE].vendor == "sqlite":
        return False
    heard = max(filter(None, (record.heartbeat_at, record.started_at)), default=None)
    return heard is not None and (now or timezone.now()) - heard > ABANDONED_AFTER


def _give_up_if_abandoned(record: Job) -> Job:
    if _abandoned(record):
        # Only while it is still running: a worker that finishes at this moment wins.
        _jobs().filter(pk=record.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=ABANDONED
        )
        record.refresh_from_db(using=settings.JOBS_DATABASE, fields=["status", "finished_at", "error"])
    return record


def _fail(record: Job, message: str, url: str = ""):
    _jobs().filter(pk=record.pk).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), error=message, result_url=url
    )


def _prune():
    _jobs().filter(finished_at__lt=timezone.now() - KEPT_FOR).delete()


# What the user's page shows ---------------------------------------------------------------------


def own_job(user, job_id) -> Job | None:
    """The user's own job (its file left unread), or None. A job whose worker was lost is failed
    here, when its page asks."""
    if not user.is_authenticated:
        return None
    found = _jobs().defer("result_file").filter(pk=job_id, user=user).first()
    return found and _give_up_if_abandoned(found)


def respond(request, record: Job):
    """What a view answers after `start()`: a finished job's file or page at once (jobs run inline),
    else the job's page, which shows the progress or why the job failed."""
    from django.contrib import messages
    from django.shortcuts import redirect

    if record.status == JobStatus.DONE and record.result_name:
        return file_response(record)
    if record.status == JobStatus.DONE:
        if record.result_message:
            messages.success(request, outcome_html(record))
        return redirect(record.result_url or "/")
    if record.status == JobStatus.FAILED and record.result_url:
        messages.error(request, record.error)
        return redirect(record.result_url)  # where the user can put it right
    return redirect("jobs:job", record.pk)  # running, or failed: its page says why


def file_response(record: Job):
    """A finished job's file as a download; never cached (it may hold personal data). None when
    the job left no file."""
    from talentbank.downloads import attachment

    content = _jobs().filter(pk=record.pk).values_list("result_file", flat=True).first()
    if record.status != JobStatus.DONE or content is None:
        return None
    return attachment(content, record.result_type, record.result_name, private=True)


def outcome_html(record: Job):
    """«Справка утверждена: <a>версия 2</a>.»"""
    from django.utils.html import format_html

    if record.result_url and record.result_link_text:
        return format_html('{} <a href="{}">{}</a>.', record.result_message, record.result_url, record.result_link_text)
    return record.result_message


def file_url(record: Job) -> str:
    from django.urls import reverse

    if record.status != JobStatus.DONE or not record.result_name:
        return ""
    return reverse("jobs:file", args=[record.pk])


def typical_seconds(kind: str, total: int = 0) -> float | None:
    """How long a job of this kind should take: the median of the last five finished ones, scaled
    to `total` units (rows) by their pace per unit when they counted units; None if none finished."""
    recent = (
        _jobs()
        .filter(kind=kind, status=JobStatus.DONE, started_at__isnull=False)
        .order_by("-finished_at")
        .values_list("started_at", "finished_at", "total")[:5]
    )
    durations = [((finished - started).total_seconds(), units) for started, finished, units in recent]
    if not durations:
        return None
    paces = [seconds / units for seconds, units in durations if units]
    if total and paces:
        return statistics.median(paces) * total
    return statistics.median(seconds for seconds, _ in durations)


def state(record: Job, now=None) -> dict:
    """The job as its page and its JSON show it: status, per cent, seconds left (or None)."""
    now = now or timezone.now()
    fraction, left = None, None
    if record.status == JobStatus.DONE:
        fraction = 1.0
    elif record.status == JobStatus.RUNNING and record.started_at:
        elapsed = max((now - record.started_at).total_seconds(), 0.0)
        if record.total and record.done:
            fraction = min(record.done / record.total, 1.0)
            left = elapsed * (record.total - record.done) / record.done
        else:
            typical = typical_seconds(record.kind, record.total)
            if typical:
                fraction = min(elapsed / typical, 0.95)
                left = max(typical - elapsed, 0.0)
    return {
        "status": record.status,
        "status_label": record.get_status_display(),
        "stage": record.stage,
        "done": record.done,
        "total": record.total,
        "percent": None if fraction is None else round(100 * fraction),
        "seconds_left": None if left is None else round(left),
        "error": record.error,
        "finished": record.finished,
    }
