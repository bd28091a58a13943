"""One row per background job: who started it, what it does, how far it got, and its outcome.

Django's tasks framework (django-tasks, database backend django-tasks-db) queues and runs the work;
this row is what the user's page reads: progress, the estimate, the Russian message of a failure,
and the file or page that is the result. It is written through its own database connection
(jobs.runner), so that progress shows while the work's own transaction is still open.
"""

import uuid

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "выполняется"
    DONE = "done", "готово"
    FAILED = "failed", "не выполнено"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("вид", max_length=60)
    title = models.CharField("задание", max_length=300)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="jobs", verbose_name="пользователь")
    params = models.JSONField("параметры", default=dict)
    status = models.CharField("состояние", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField("этап", max_length=200, blank=True)
    done = models.PositiveIntegerField("сделано", default=0)
    total = models.PositiveIntegerField("всего", default=0)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    started_at = models.DateTimeField("начато", null=True, blank=True)
    finished_at = models.DateTimeField("закончено", null=True, blank=True)
    heartbeat_at = models.DateTimeField("обработчик отозвался", null=True, blank=True)
    error = models.TextField("причина сбоя", blank=True)
    result_message = models.CharField("итог", max_length=300, blank=True)
    result_url = models.CharField("страница результата", max_length=500, blank=True)
    result_link_text = models.CharField("ссылка на результат", max_length=100, blank=True)
    result_name = models.CharField("файл", max_length=200, blank=True)
    result_type = models.CharField("тип файла", max_length=100, blank=True)
    result_file = models.BinaryField("содержимое файла", null=True, editable=False)

    class Meta:
        verbose_name = "фоновое задание"
        verbose_name_plural = "фоновые задания"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "status", "-finished_at"], name="job_kind_recent")]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
