"""A user's model permissions read in one query instead of two.

Django's ModelBackend reads a user's own permissions and their groups' in two queries the first
time a user object is asked, and caches the set on it (`_perm_cache`). Every API request asks for
a user it has just read from a token; `load_permissions` fills the same cache with the same set in
one query. The login sessions, the backends and has_perm itself stay Django's own.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q


def load_permissions(user) -> None:
    """Reads what ModelBackend.get_all_permissions would read for `user`, if it is not read yet."""
    if not user.is_active or user.is_anonymous or user.is_superuser or hasattr(user, "_perm_cache"):
        return  # nothing to read (ModelBackend answers these without a query, superusers from all permissions)
    granted = Permission.objects.filter(Q(user=user) | Q(group__user=user))
    pairs = granted.values_list("content_type__app_label", "codename").distinct()
    user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in pairs}
