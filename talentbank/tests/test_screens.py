"""Why the admin may hide Django's time-zone warning (static/admin/css/talentbank.css): no admin form
has a field with a time of day a coordinator fills in, only dates, which have no time zone. The warning («Внимание: Ваше
время опережает время сервера на 3 часа») only alarmed coordinators in other regions. If a form ever
gets a date-and-time field, this test fails: then show the server's zone beside it instead."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime, AdminTimeWidget
from django.test import RequestFactory


def test_no_admin_form_a_coordinator_opens_asks_for_a_time_of_day(users):
    request = RequestFactory().get("/admin/")
    request.user = users["koordinator-tula"]  # three or four hours behind the server (Asia/Tomsk)
    timed, dated = [], []
    for model, model_admin in admin.site._registry.items():
        if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue
        forms = [model_admin.get_form(request)]
        forms += [inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)]
        for form in forms:
            for name, field in form.base_fields.items():
                if isinstance(field.widget, AdminSplitDateTime | AdminTimeWidget):
                    timed.append(f"{model._meta.label}.{name}")
                elif isinstance(field.widget, AdminDateWidget):
                    dated.append(f"{model._meta.label}.{name}")
    assert "participants.Participant.birth_date" in dated  # the coordinator's forms were read
    assert not timed, f"admin fields with a time of day, where the time-zone warning matters: {timed}"
