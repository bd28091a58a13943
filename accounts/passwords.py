"""Who may give whom a new password, and the rule that such a password is changed at the next login.

- a superuser: anyone but themselves and other superusers (those use Django's own user admin);
- a regional coordinator: the accounts they manage (accounts.rules: their region's school staff);
- anyone else: nobody.

The user then has to choose their own password before doing anything else
(accounts.middleware.PasswordChangeRequiredMiddleware).
"""

from axes.utils import reset as reset_login_failures
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

import audit
from accounts.models import PasswordChangeRequired
from accounts.rules import manageable_users

# Set at login for a user with a PasswordChangeRequired row; the middleware reads only the session.
SESSION_KEY = "accounts_must_change_password"


def resettable_users(user) -> QuerySet:
    """The users whose password `user` may set: the accounts they manage (accounts.rules), never
    themselves nor a superuser (superusers use Django's own user admin for each other)."""
    return manageable_users(user).exclude(pk=user.pk).filter(is_superuser=False)


def reset_password(request, target, new_password: str) -> None:
    """Gives `target` a new password from request.user, who must be allowed to (else PermissionDenied).

    The target must change it at the next login; their open sessions end (the password hash changes),
    their failed-login lockout is lifted, and the reset goes to the audit log.
    """
    if not resettable_users(request.user).filter(pk=target.pk).exists():
        raise PermissionDenied("Задавать пароль этому пользователю вы не можете.")
    with transaction.atomic():
        target.set_password(new_password)
        target.save(update_fields=["password"])
        PasswordChangeRequired.objects.update_or_create(
            user=target, defaults={"set_by": request.user, "set_at": timezone.now()}
        )
        reset_login_failures(username=target.get_username())
        audit.record(request, audit.PASSWORD_RESET, target.get_username())


def must_change_password(user) -> bool:
    return PasswordChangeRequired.objects.filter(user=user).exists()


def password_changed(request) -> None:
    """The signed-in user chose their own password: the requirement is met."""
    PasswordChangeRequired.objects.filter(user=request.user).delete()
    request.session.pop(SESSION_KEY, None)
