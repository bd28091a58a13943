"""The three kinds of user and the model permissions of their groups.

Groups are created by a data migration (participants/migrations/0005_role_groups.py) and kept in
step by `sync_role_groups`, which a migration runs again whenever the permissions below change
(accounts/migrations/0002_apitoken.py: the token permissions). What each user may see beyond model
permissions (which programmes, which organisations) is decided in participants/access.py.
"""

COORDINATOR = "Региональный координатор"
SCHOOL_STAFF = "Сотрудник образовательной организации"
OFFICIAL = "Представитель органа власти"

ALL_ACTIONS = ("view", "add", "change", "delete")
EDIT_ACTIONS = ("view", "add", "change")

PARTICIPANTS_MODELS = [
    "region", "municipality", "organisation", "programme", "criterion", "criteriontarget", "participant",
    "membership", "projectteam", "teammember", "instrument", "competence", "diagnostic", "diagnosticscore",
    "achievement", "importupload",
]  # fmt: skip
EVENTS_MODELS = [
    "eventseries",
    "edition",
    "coverage",
    "participation",
    "partnerorganisation",
    "opportunity",
    "publication",
]


REFERENCE_MODELS = ["region", "instrument", "competence"]


def _perms(app: str, models: list[str], actions=ALL_ACTIONS) -> set[tuple[str, str]]:
    return {(app, f"{action}_{model}") for model in models for action in actions}


VIEW_REPORT = ("participants", "view_report")
APPROVE_REPORT = ("reports", "approve_report")

GROUP_PERMISSIONS: dict[str, set[tuple[str, str]]] = {
    # Everything in the programmes they coordinate (access.py narrows the rows), and API tokens
    # for themselves and the accounts they manage (accounts.rules): issued and revoked, never changed.
    # Shared reference data (regions, diagnostic instruments and their competences) only to read:
    # superusers maintain it for every region.
    COORDINATOR: _perms("participants", [m for m in PARTICIPANTS_MODELS if m not in REFERENCE_MODELS])
    | _perms("participants", REFERENCE_MODELS, ("view",))
    | _perms("events", EVENTS_MODELS)
    | _perms("accounts", ["apitoken"], ("view", "add", "delete"))
    | _perms("reports", ["periodreport"], EDIT_ACTIONS)
    | _perms("reports", ["reportversion"], ("view",))
    | {VIEW_REPORT, APPROVE_REPORT},
    # Their own organisations' pupils: personal data, contacts, consent, diagnostics, achievements;
    # memberships only to read; no events.
    SCHOOL_STAFF: _perms("participants", ["participant"], EDIT_ACTIONS)
    | _perms("participants", ["achievement", "diagnostic", "diagnosticscore", "importupload"])
    | _perms("participants", ["membership", "organisation", "programme", "instrument", "competence"], ("view",)),
    # Справки only: no model, no personal data.
    OFFICIAL: {VIEW_REPORT},
}


# The apps whose models the groups have permissions on.
ROLE_APPS = ("participants", "events", "accounts", "reports")


def sync_role_groups(apps=None) -> None:
    """Create the role groups and give them exactly their permissions (idempotent).

    Called by migrations with their state (`apps`): a model that does not exist yet in that state
    (accounts.ApiToken before accounts 0002, which runs after participants 0005 and 0006) has no
    permissions yet and is skipped; the migration that adds it syncs again. With the real apps
    (apps=None) every permission must exist.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    in_migration = apps is not None
    apps = apps or global_apps
    for label in ROLE_APPS:
        # The real app config (the migration state has only stubs); models are read from `apps`.
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for app_label, codename in sorted(wanted):
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                permissions.append(found)
            elif not in_migration:
                raise Permission.DoesNotExist(f"{app_label}.{codename}")
        group.permissions.set(permissions)
