from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone


class PasswordChangeRequired(models.Model):
    """The user was given a password by someone else and must choose their own at the next login.
    The row is deleted when they do (accounts.passwords.password_changed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="пользователь",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто задал пароль",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField("когда", default=timezone.now)

    class Meta:
        verbose_name = "требование сменить пароль"
        verbose_name_plural = "требования сменить пароль"

    def __str__(self):
        return f"{self.user}: сменить пароль"


class ManagedUser(User):
    """Users as the password page of the admin lists them (accounts/admin.py); no table of its own."""

    class Meta:
        proxy = True
        verbose_name = "пароль пользователя"
        verbose_name_plural = "пароли пользователей"


class ApiToken(models.Model):
    """A key for the REST API (`Authorization: Token <key>`), issued and revoked in the admin.

    The key itself is never stored: it is shown once when issued (accounts.tokens.issue_token), and
    only its SHA-256 digest is kept, with its first characters to tell tokens apart. Keys are random
    (256 bits), so a fast unsalted digest is enough: there is nothing to guess, unlike a password.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="владелец", on_delete=models.CASCADE, related_name="api_tokens"
    )
    label = models.CharField(
        "назначение",
        max_length=200,
        blank=True,
        help_text="Для чего выдан токен, например «выгрузка в систему школы»: чтобы потом знать, какой отзывать.",
    )
    prefix = models.CharField("начало ключа", max_length=8, editable=False)
    digest = models.CharField("отпечаток ключа (SHA-256)", max_length=64, unique=True, editable=False)
    created = models.DateTimeField("выдан", default=timezone.now, editable=False)
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "токен API"
        verbose_name_plural = "токены API"
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.user}: {self.prefix}…"
