from django.conf import settings
from django.db import models
from django.utils import timezone

from audit import ACTIONS


class AuditEvent(models.Model):
    """One login, failed login, download, password reset or token issued or revoked. Written by
    audit.record only; never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="пользователь",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept apart from `user`: survives the user's deletion and holds what was typed at a failed login.
    username = models.CharField("имя пользователя", max_length=150, blank=True)
    action = models.CharField("действие", max_length=32, choices=list(ACTIONS.items()))
    what = models.TextField("что", blank=True, help_text="Программа, период, файл или учётная запись.")
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    at = models.DateTimeField("когда", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "событие"
        verbose_name_plural = "журнал входов и выгрузок"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["username", "-at"], name="audit_username_at"),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.username or '—'} {self.what}".strip()
