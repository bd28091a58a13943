"""API tokens: issuing, revoking and the authentication of `Authorization: Token <key>`.

A key is shown once, when it is issued, and never stored: the database keeps its SHA-256 digest
and its first PREFIX_LENGTH characters (accounts.models.ApiToken). DRF's own authtoken app kept the
key in plain text, readable by anyone with the database, a backup or the admin.

Who may hold a token is the one rule of accounts.rules (`manageable_users`, oneself included);
issuing and revoking go to the audit log.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import authentication, exceptions

import audit
from accounts.models import ApiToken
from accounts.rules import REFUSED, manageable_users, may_manage

PREFIX_LENGTH = 8
# last_used_at is written at most once a minute per token: a script paging through the API would
# otherwise turn every read into a write as well.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest(key: str) -> str:
    """What is stored of a key. Also turns the keys of DRF's old authtoken table into tokens
    (accounts/migrations/0002_apitoken.py): changing it invalidates every key handed out."""
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user, label: str = "") -> tuple[ApiToken, str]:
    """A new token for `user` and its key. No rule and no audit here (tests, scripts): the admin
    goes through `issue`."""
    token = ApiToken(user=user, label=label)
    return token, _save_with_new_key(token)


def issue(request, token: ApiToken) -> str:
    """Saves `token` (owner and label set, not saved yet) on behalf of request.user, who must manage
    its owner (else PermissionDenied), records it in the audit log (owner and prefix, never the
    key) and returns the key."""
    if not may_manage(request.user, token.user, include_self=True):
        raise PermissionDenied(REFUSED)
    with transaction.atomic():
        key = _save_with_new_key(token)
        audit.record(request, audit.TOKEN_ISSUED, describe(token))
    return key


def _save_with_new_key(token: ApiToken) -> str:
    """The only moment a key exists on the server: it is returned to be shown once, never stored."""
    key = secrets.token_urlsafe(32)  # 256 random bits, 43 characters
    token.prefix, token.digest = key[:PREFIX_LENGTH], digest(key)
    token.save()
    return key


def revocable_tokens(user) -> QuerySet:
    """The tokens `user` may see and revoke: those of the accounts they manage, and their own."""
    return ApiToken.objects.filter(user__in=manageable_users(user, include_self=True))


def revoke(request, tokens) -> int:
    """Deletes `tokens` (a queryset or a list) on behalf of request.user, each recorded in the audit
    log; all or nothing, and PermissionDenied if any of them is not theirs to revoke."""
    tokens = list(tokens)
    allowed = set(revocable_tokens(request.user).filter(pk__in=[t.pk for t in tokens]).values_list("pk", flat=True))
    if any(t.pk not in allowed for t in tokens):
        raise PermissionDenied(REFUSED)
    with transaction.atomic():
        for token in tokens:
            audit.record(request, audit.TOKEN_REVOKED, describe(token))
        ApiToken.objects.filter(pk__in=allowed).delete()
    return len(tokens)


def describe(token: ApiToken) -> str:
    """The audit log's `what`: whose token and which one, by its prefix."""
    return f"{token.user.get_username()}: {token.prefix}…"


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` checked against the stored digest. DRF parses the header and
    answers 401 with `WWW-Authenticate: Token` as before; only the lookup differs."""

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(digest=digest(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Недействительный токен.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("Пользователь неактивен или удалён.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token
