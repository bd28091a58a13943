from django.conf import settings
from django.db import models

from .people import Participant


class MergeRecord(models.Model):
    """One merge of two records of a person, with everything needed to split them back exactly.

    Written by participants.merging.merge_participants only; undone by merging.undo_merge, which fills
    the undo fields. The removed person is kept as values, not as a reference: the row is gone.
    """

    kept = models.ForeignKey(
        Participant,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="оставленная запись",
    )
    kept_pk = models.PositiveBigIntegerField("номер оставленной записи")
    removed_pk = models.PositiveBigIntegerField("номер удалённой записи", db_index=True)
    kept_name = models.CharField("оставленный участник", max_length=320)
    removed_name = models.CharField("удалённый участник", max_length=320)
    merged_at = models.DateTimeField("когда объединены", auto_now_add=True, db_index=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто объединил",
    )
    reason = models.TextField("причина объединения", blank=True)
    # Both people's field values before the merge, and the kept person's after it (serialised as
    # Django's "python" serializer does, JSON-safe): what undo restores and what it checks against.
    kept_before = models.JSONField("оставленная запись до объединения")
    removed_before = models.JSONField("удалённая запись до объединения")
    kept_after = models.JSONField("оставленная запись после объединения")
    # Field groups taken from the removed record ({"organisation": "removed", ...}), all others kept.
    choices = models.JSONField("выбор значений", default=dict)
    # Per kind of related row: ids of the kept person's rows, of the removed person's rows moved to
    # the kept one, and the removed person's rows deleted because the kept one had the same thing
    # (serialised in full, diagnostics with their scores).
    related = models.JSONField("связанные записи")
    undone_at = models.DateTimeField("когда отменено", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто отменил",
    )
    undo_reason = models.TextField("причина отмены", blank=True)

    class Meta:
        verbose_name = "объединение участников"
        verbose_name_plural = "объединения участников"
        ordering = ["-merged_at", "-pk"]

    def __str__(self):
        return f"«{self.removed_name}» (№ {self.removed_pk}) → «{self.kept_name}» (№ {self.kept_pk})"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
