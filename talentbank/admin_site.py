"""The bank's admin site: Django's own, with a start page for coordinators and a menu ordered by task.

- The index shows a coordinator's desk (reports.workplace) above the menu: their programmes'
  criteria against the targets, what the справка still lacks, the справки of every period and the
  common tasks.
- The menu lists the tables in the order of the work (people, events, справки, then the setup and
  reference tables), and leaves out, for everyone but superusers, the tables nobody edits by hand:
  reference data they may only read (participants.roles.REFERENCE_MODELS), rows edited inside their
  parent's page (a team's members, an edition's municipalities, a diagnostic's scores), uploads
  (reached from the start page and the import pages) and approved versions (created by approving,
  read on the справка's page). Their pages stay open to those with the permission; only the menu
  does not name them.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import path

from participants.roles import REFERENCE_MODELS

APP_ORDER = ["participants", "events", "reports", "accounts", "audit", "auth"]
TASK_ORDER = [
    "participants.participant",
    "participants.membership",
    "participants.achievement",
    "participants.diagnostic",
    "participants.projectteam",
    "participants.organisation",
    "participants.programme",
    "participants.criterion",
    "participants.criteriontarget",
    "participants.municipality",
    "events.edition",
    "events.eventseries",
    "events.participation",
    "events.opportunity",
    "events.partnerorganisation",
    "events.publication",
    "reports.periodreport",
]
HIDDEN_FROM_MENU = {
    *(f"participants.{model}" for model in REFERENCE_MODELS),
    "participants.teammember",
    "participants.diagnosticscore",
    "participants.importupload",
    "events.coverage",
    "reports.reportversion",
}


def _rank(order: list[str], key: str) -> tuple[int, str]:
    return (order.index(key), key) if key in order else (len(order), key)


class TalentbankAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        apps = sorted(
            self._build_app_dict(request, app_label).values(), key=lambda app: _rank(APP_ORDER, app["app_label"])
        )
        for app in apps:
            models = app["models"]
            if not request.user.is_superuser:
                models = [m for m in models if m["model"]._meta.label_lower not in HIDDEN_FROM_MENU]
            app["models"] = sorted(models, key=lambda m: _rank(TASK_ORDER, m["model"]._meta.label_lower))
        return [app for app in apps if app["models"]]

    def hidden_from_menu(self, request) -> list:
        """The models the user may open that the menu leaves out (for the tests that walk every page)."""
        if request.user.is_superuser:
            return []
        return [
            model
            for model, model_admin in self._registry.items()
            if model._meta.label_lower in HIDDEN_FROM_MENU and model_admin.has_view_or_change_permission(request)
        ]

    def index(self, request, extra_context=None):
        from reports.workplace import desk

        return super().index(request, {"desk": desk(request.user), **(extra_context or {})})

    def get_urls(self):
        from reports.workplace_views import new_period_view

        return [
            path("new-period/<slug:slug>/", self.admin_view(new_period_view), name="new_period"),
            *super().get_urls(),
        ]


class TalentbankAdminConfig(AdminConfig):
    default_site = "talentbank.admin_site.TalentbankAdminSite"
