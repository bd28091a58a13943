import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportKind(models.TextChoices):
    PARTICIPANTS = "participants", "участники"
    RESULTS = "results", "результаты мероприятия"


class ImportUpload(models.Model):
    """An uploaded workbook between its preview and its confirmation.

    Kept in the database, not on a server's disk, so that any app server can confirm it. The file
    is read once, on upload, and its preview kept in `result`; confirming reads it again against
    the bank as it is then. It holds children's personal data, so it is kept no longer than needed:
    the content and the preview are wiped on confirmation, the upload deleted on cancellation, and
    any upload older than settings.IMPORT_UPLOAD_LIFETIME (a day) deleted by purge_expired()
    (`manage.py purge_uploads`, and every new upload).
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
    # The preview (participants.importing.ImportReport.to_json): rows and errors as the upload's check found them.
    result = models.JSONField("результат проверки", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка из Excel"
        verbose_name_plural = "загрузки из Excel"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_kind_display()})"

    def wipe(self) -> None:
        """Forget the file and its preview (the record that it was uploaded and saved stays)."""
        self.content = b""
        self.result = None

    @classmethod
    def purge_expired(cls, now=None) -> int:
        """Delete uploads older than settings.IMPORT_UPLOAD_LIFETIME, confirmed or not; how many."""
        cutoff = (now or timezone.now()) - settings.IMPORT_UPLOAD_LIFETIME
        deleted, _ = cls.objects.filter(uploaded_at__lt=cutoff).delete()
        return deleted
