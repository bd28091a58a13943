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
