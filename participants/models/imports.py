import uuid

from django.conf import settings
from django.db import models


class ImportKind(models.TextChoices):
    PARTICIPANTS = "participants", "участники"
    RESULTS = "results", "результаты мероприятия"


class ImportUpload(models.Model):
    """An uploaded workbook between its preview and its confirmation.

    Kept in the database, not on a server's disk, so that any app server can confirm it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("что загружается", max_length=20, choices=ImportKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="import_uploads", verbose_name="кто загрузил"
    )
    filename = models.CharField("файл", max_length=255)
    content = models.BinaryField("содержимое")
    # What the rows are imported into: {"programme": id} or {"edition": id, "make_residents": bool}.
    target = models.JSONField("куда загружается", default=dict)
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)
    applied_at = models.DateTimeField("сохранён", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка из Excel"
        verbose_name_plural = "загрузки из Excel"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_kind_display()})"
