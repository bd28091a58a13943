"""The three kinds of user and the model permissions of their groups.

Groups are created by a data migration (participants/migrations/0005_role_groups.py) and kept in
step by `sync_role_groups`. What each user may see beyond model permissions (which programmes,
which organisations) is decided in participants/access.py.
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

GROUP_PERMISSIONS: dict[str, set[tuple[str, str]]] = {
    # Everything in the programmes they coordinate (access.py narrows the rows), and API tokens
    # for the people of their region (access.token_users).
    # Shared reference data (regions, diagnostic instruments and their competences) only to read:
    # superusers maintain it for every region.
    COORDINATOR: _perms("participants", [m for m in PARTICIPANTS_MODELS if m not in REFERENCE_MODELS])
    | _perms("participants", REFERENCE_MODELS, ("view",))
    | _perms("events", EVENTS_MODELS)
    | _perms("authtoken", ["tokenproxy"])
    | {VIEW_REPORT},
    # Their own organisations' pupils: personal data, contacts, consent, diagnostics, achievements;
    # memberships only to read; no events.
    SCHOOL_STAFF: _perms("participants", ["participant"], EDIT_ACTIONS)
    | _perms("participants", ["achievement", "diagnostic", "diagnosticscore", "importupload"])
    | _perms("participants", ["membership", "organisation", "programme", "instrument", "competence"], ("view",)),
    # Справки only: no model, no personal data.
    OFFICIAL: {VIEW_REPORT},
}


def sync_role_groups(apps=None) -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    for label in ("participants", "events", "authtoken"):
        # The real app config (the migration state has only stubs); models are read from `apps`.
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for app_label, codename in sorted(wanted):
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)
