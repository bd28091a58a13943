"""Which accounts a user may manage: the one rule behind every place that picks, lists or acts on an
account (organisation «сотрудники», API tokens, password resets, the audit log's filter).

- a superuser: every account;
- a regional coordinator: the school-staff accounts of their own region's organisations only — an
  account in the school-staff group and in no other role group, not a superuser, coordinating no
  programme, attached to at least one organisation and to none outside the coordinator's regions;
- anyone else: nobody.

Whether the user themself counts is up to the caller (`include_self`): one may hold one's own token
and read one's own logins, but not reset one's own password here.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from participants.access import access_for
from participants.models import Organisation, Programme
from participants.roles import SCHOOL_STAFF

REFUSED = "Управлять этой учётной записью вы не можете: она не относится к сотрудникам организаций вашего региона."


def manageable_users(user, *, include_self: bool = False) -> QuerySet:
    """The accounts `user` may manage (see the module's docstring)."""
    access = access_for(user)
    users = get_user_model().objects.all()
    if access.is_superuser:
        return users
    own = users.filter(pk=user.pk) if include_self and user.is_authenticated and access.roles else users.none()
    if not access.is_coordinator or not access.region_ids:
        return own
    person = OuterRef("pk")
    other_roles = get_user_model().groups.through.objects.filter(user=person).exclude(group__name=SCHOOL_STAFF)
    attached_here = Organisation.objects.filter(staff=person, region__in=access.region_ids)
    attached_elsewhere = Organisation.objects.filter(staff=person).exclude(region__in=access.region_ids)
    staff = users.filter(
        Q(groups__name=SCHOOL_STAFF),
        Exists(attached_here),
        ~Exists(attached_elsewhere),
        ~Exists(other_roles),
        ~Exists(Programme.objects.filter(coordinators=person)),
        is_superuser=False,
    ).exclude(pk=user.pk)
    return (own | users.filter(pk__in=staff.values("pk"))).distinct()


def may_manage(user, target, *, include_self: bool = False) -> bool:
    return manageable_users(user, include_self=include_self).filter(pk=target.pk).exists()
