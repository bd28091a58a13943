"""Logins and failed logins go to the audit log, whichever page (site or admin) they came through."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

import audit


@receiver(user_logged_in, dispatch_uid="audit-login")
def login(sender, request, user, **kwargs):
    audit.record(request, audit.LOGIN, user=user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def login_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    # axes marks the request when the name and address are locked out (this or an earlier attempt).
    what = "вход заблокирован после неудачных попыток" if getattr(request, "axes_locked_out", False) else ""
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    audit.record(request, audit.LOGIN_FAILED, what, user=user, username=username)
