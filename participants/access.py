"""Who may see what: every queryset a user reaches is narrowed here, and nowhere else.

The admin (lists, change pages, foreign-key choices, autocomplete, filters, counts), the report
pages, the imports and the API all call `scope(user, queryset)`; model permissions (the role
groups of participants/roles.py) decide what a user may do with the rows left.

- superuser: everything;
- региональный координатор: the programmes they coordinate, their people and events, and the
  people of their programmes' regions who are in no programme yet;
- сотрудник образовательной организации: the pupils of their own organisations only;
- представитель органа власти: no rows at all (справки only);
- anyone else: nothing.
"""

from functools import cached_property

from django.db.models import Exists, OuterRef, Q, QuerySet

from events.models import Coverage, Edition, EventSeries, Opportunity, Participation, PartnerOrganisation, Publication
from participants.models import (
    Achievement,
    Competence,
    Criterion,
    CriterionTarget,
    Diagnostic,
    DiagnosticScore,
    ImportUpload,
    Instrument,
    Membership,
    MergeRecord,
    Municipality,
    Organisation,
    Participant,
    Programme,
    ProjectTeam,
    Region,
    TeamMember,
)
from participants.roles import COORDINATOR, OFFICIAL, SCHOOL_STAFF
from reports.models import PeriodReport, ReportVersion

NOTHING = Q(pk__in=[])


class Access:
    """The rows one user may reach, as Q objects per model, computed lazily once per request."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def roles(self) -> set[str]:
        if not self.user.is_authenticated or not self.user.is_active:
            return set()
        return set(self.user.groups.values_list("name", flat=True))

    @property
    def is_superuser(self) -> bool:
        return self.user.is_active and self.user.is_superuser

    @property
    def is_coordinator(self) -> bool:
        return COORDINATOR in self.roles

    @property
    def is_school_staff(self) -> bool:
        return SCHOOL_STAFF in self.roles

    @property
    def is_official(self) -> bool:
        return OFFICIAL in self.roles

    @property
    def runs_the_bank(self) -> bool:
        """Superusers and coordinators: they export the bank (participants.backup), reset their
        staff's passwords (accounts) and read the audit log (audit)."""
        return self.is_superuser or self.is_coordinator

    @cached_property
    def _coordinated(self) -> list[tuple[int, int]]:
        """(programme id, its region id) of the programmes the user coordinates: one query for both."""
        if not self.is_coordinator:
            return []
        return list(self.user.coordinated_programmes.values_list("pk", "region_id"))

    @cached_property
    def programme_ids(self) -> list[int]:
        """Programmes the user coordinates."""
        return [programme for programme, _ in self._coordinated]

    @cached_property
    def region_ids(self) -> list[int]:
        """Regions of the coordinated programmes, or of the staff member's organisations."""
        regions = {region for _, region in self._coordinated}
        if self.organisation_ids:
            regions |= set(
                Organisation.objects.filter(pk__in=self.organisation_ids).values_list("region_id", flat=True)
            )
        return sorted(regions)

    @cached_property
    def organisation_ids(self) -> list[int]:
        """Organisations a school staff member works for."""
        if not self.is_school_staff:
            return []
        return list(self.user.staff_organisations.values_list("pk", flat=True))

    # Conditions per model ------------------------------------------------------------------

    def participants_q(self, prefix: str = "") -> Q:
        """People the user may see; prefix reaches them from another model ("participant__")."""
        condition = NOTHING
        if self.programme_ids:
            # Correlated EXISTS, not `pk IN (subquery)`: at national scale the member list does not
            # fit in memory, and PostgreSQL would then rescan it for every row of the page.
            person = OuterRef(f"{prefix}pk")
            member = Membership.objects.filter(participant=person, programme__in=self.programme_ids)
            in_no_programme = ~Exists(Membership.objects.filter(participant=person))
            condition |= Q(Exists(member))
            # People in no programme yet: those of the region's organisations, and those the
            # coordinator entered themself before giving them an organisation.
            # The region's organisations as a subquery, not a join: PostgreSQL then tests each
            # person against a hashed list instead of joining and testing the EXISTS twice.
            regional = Organisation.objects.filter(region__in=self.region_ids).values("pk")
            own_region = Q(**{f"{prefix}organisation__in": regional})
            entered = Q(**{f"{prefix}organisation__isnull": True, f"{prefix}created_by": self.user.pk})
            condition |= (own_region | entered) & Q(in_no_programme)
        if self.organisation_ids:
            condition |= Q(**{f"{prefix}organisation__in": self.organisation_ids})
        return condition

    def programmes_q(self, prefix: str = "") -> Q:
        """Programme rows: the coordinator's own; staff see the programmes of their region."""
        condition = Q(**{f"{prefix}pk__in": self.programme_ids}) if self.programme_ids else NOTHING
        if self.organisation_ids:
            condition |= Q(**{f"{prefix}region__in": self.region_ids})
        return condition

    def coordinated_q(self, path: str) -> Q:
        """Rows belonging to a coordinated programme (path to the programme's id)."""
        return Q(**{f"{path}__in": self.programme_ids}) if self.programme_ids else NOTHING

    def organisations_q(self) -> Q:
        condition = Q(region__in=self.region_ids) if self.programme_ids else NOTHING
        if self.organisation_ids:
            condition |= Q(pk__in=self.organisation_ids)
        return condition

    def condition(self, model) -> Q | None:
        """The condition on `model`'s rows for this user; None means all rows."""
        if self.is_superuser:
            return None
        rule = RULES.get(model)
        if rule is None:
            return NOTHING  # a model nobody thought about is closed, not open
        return rule(self)


RULES = {
    Region: lambda a: Q(pk__in=a.region_ids) if a.region_ids else NOTHING,
    Municipality: lambda a: (
        (Q(region__in=a.region_ids) if a.programme_ids else NOTHING)
        | (
            Q(pk__in=Organisation.objects.filter(pk__in=a.organisation_ids).values("municipality"))
            if a.organisation_ids
            else NOTHING
        )
    ),
    Organisation: Access.organisations_q,
    Programme: Access.programmes_q,
    Criterion: lambda a: a.coordinated_q("programme"),
    CriterionTarget: lambda a: a.coordinated_q("criterion__programme"),
    Participant: Access.participants_q,
    Membership: lambda a: (
        a.coordinated_q("programme") | (a.participants_q("participant__") if a.organisation_ids else NOTHING)
    ),
    ProjectTeam: lambda a: a.coordinated_q("programme"),
    TeamMember: lambda a: a.coordinated_q("team__programme"),
    Instrument: lambda a: Q() if (a.programme_ids or a.organisation_ids) else NOTHING,
    Competence: lambda a: Q() if (a.programme_ids or a.organisation_ids) else NOTHING,
    Diagnostic: lambda a: (
        a.coordinated_q("programme") | (a.participants_q("participant__") if a.organisation_ids else NOTHING)
    ),
    DiagnosticScore: lambda a: (
        a.coordinated_q("diagnostic__programme")
        | (a.participants_q("diagnostic__participant__") if a.organisation_ids else NOTHING)
    ),
    Achievement: lambda a: a.participants_q("participant__"),
    # Merges of people a coordinator sees (by the kept record; undo checks the other one too).
    MergeRecord: lambda a: a.participants_q("kept__") if a.programme_ids else NOTHING,
    ImportUpload: lambda a: Q(user=a.user) if (a.programme_ids or a.organisation_ids) else NOTHING,
    EventSeries: lambda a: a.coordinated_q("programme"),
    Edition: lambda a: a.coordinated_q("series__programme"),
    Coverage: lambda a: a.coordinated_q("edition__series__programme"),
    Participation: lambda a: a.coordinated_q("edition__series__programme"),
    PartnerOrganisation: lambda a: a.coordinated_q("programme"),
    Opportunity: lambda a: a.coordinated_q("programme"),
    Publication: lambda a: a.coordinated_q("programme"),
    PeriodReport: lambda a: a.coordinated_q("programme"),
    ReportVersion: lambda a: a.coordinated_q("report__programme"),
}


def access_for(user) -> Access:
    """The user's Access, cached on the user object for the request."""
    access = getattr(user, "_talentbank_access", None)
    if access is None:
        access = Access(user)
        try:
            user._talentbank_access = access
        except AttributeError:  # AnonymousUser may not take attributes in some setups
            pass
    return access


def scope(user, queryset: QuerySet) -> QuerySet:
    """The rows of queryset the user may see."""
    condition = access_for(user).condition(queryset.model)
    if condition is None:
        return queryset
    return queryset.filter(condition)


def is_scoped_model(model) -> bool:
    return model in RULES


# Справки -------------------------------------------------------------------------------------


def report_programmes(user) -> QuerySet:
    """Programmes whose справки the user may open: officials and superusers all, coordinators their own."""
    access = access_for(user)
    programmes = Programme.objects.select_related("region")
    if access.is_superuser or (access.is_official and user.has_perm("participants.view_report")):
        return programmes
    if access.is_coordinator and user.has_perm("participants.view_report"):
        return programmes.filter(pk__in=access.programme_ids)
    return programmes.none()


def approvable_programmes(user) -> QuerySet:
    """Programmes whose справки the user writes and approves: superusers all, coordinators their own."""
    access = access_for(user)
    if not user.has_perm("reports.approve_report"):
        return Programme.objects.none()
    if access.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(pk__in=access.programme_ids) if access.is_coordinator else Programme.objects.none()


def plannable_programmes(user) -> QuerySet:
    """Programmes whose next period the user sets up (targets, editions): superusers all, coordinators
    their own; others none, whatever programmes they may read."""
    access = access_for(user)
    if not (user.has_perm("participants.add_criteriontarget") and user.has_perm("events.add_edition")):
        return Programme.objects.none()
    if access.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(pk__in=access.programme_ids) if access.is_coordinator else Programme.objects.none()


def coverage_municipalities(user) -> QuerySet:
    """The municipalities an edition may be recorded as attended by: those of any region, since the
    справка lists participants from other regions (Table 2), for whoever runs the bank; they are
    reference data, not personal data."""
    if not access_for(user).runs_the_bank:
        return Municipality.objects.none()
    return Municipality.objects.select_related("region")


def must_name_organisation(user) -> bool:
    """School staff see only their organisations' pupils: a person they enter must be given one of
    them, or it would vanish from their view the moment it is saved."""
    return not access_for(user).runs_the_bank


ORGANISATION_REQUIRED = "Укажите образовательную организацию: без неё ученик не будет виден в вашем списке."


def coordinate_new_programme(user, programme: Programme) -> None:
    """A coordinator who creates a programme coordinates it: otherwise it would leave their sight the
    moment it is saved (only superusers would reach it). Themself only: who else coordinates a
    programme is still decided by superusers."""
    access = access_for(user)
    if access.is_coordinator and not access.is_superuser:
        programme.coordinators.add(user)
        for cached in ("_coordinated", "programme_ids", "region_ids"):
            access.__dict__.pop(cached, None)


# Deletes ---------------------------------------------------------------------------------------

HIDDEN_IN_CASCADE = (
    "удаление затронуло бы связанные записи, которые вам не видны (других программ или организаций): {count}. "
    "Обратитесь к администратору банка"
)


def hidden_in_cascade(user, objs) -> int:
    """How many records a delete of `objs` would take with it (cascades) or be stopped by (protected
    references) that the user may not see.

    A delete a user may do must stay inside what they see: a person who is also in another
    coordinator's programme is not theirs to delete. Rows of many-to-many tables count as their
    owners; a model without a rule counts as hidden, as everywhere in this module.
    """
    from django.contrib.admin.utils import NestedObjects
    from django.db import router

    objs = list(objs)
    if not objs or access_for(user).is_superuser:
        return 0
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    reached = {model: set(instances) for model, instances in collector.data.items()}
    for obj in collector.protected:  # rows that stop the delete are named on its page too
        reached.setdefault(type(obj), set()).add(obj)
    hidden = 0
    for model, instances in reached.items():
        if model._meta.auto_created:
            continue
        pks = {obj.pk for obj in instances}
        if not is_scoped_model(model):
            hidden += len(pks)
            continue
        hidden += len(pks) - scope(user, model._default_manager.filter(pk__in=pks)).count()
    return hidden
