"""The «Новый период» page of the admin: parse the form, call reports.new_period, render.

The page lists the targets to copy (each editable, or left out) and the recurring series to give a
new edition; it names what the new period already has, which is never created twice. A programme
the user does not coordinate is a 404, as everywhere.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from participants.access import plannable_programmes
from participants.models.fields import FIRST_PERIOD_YEAR, LAST_PERIOD_YEAR

from . import wording
from .new_period import create_new_period, plan_new_period
from .workplace import next_period_year


class TargetForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    include = forms.BooleanField(label="Копировать", required=False, initial=True)
    value = forms.IntegerField(label="Цель (не менее)", min_value=0, max_value=2_147_483_647)
    note = forms.CharField(label="Примечание", required=False, max_length=300)


class BaseTargetFormSet(forms.BaseFormSet):
    def __init__(self, *args, offered: set[str], **kwargs):
        self.offered = offered
        super().__init__(*args, **kwargs)

    def clean(self):
        keys = [form.cleaned_data.get("key") for form in self.forms if form.cleaned_data]
        if any(key not in self.offered for key in keys) or len(set(keys)) != len(keys):
            raise ValidationError(
                "Список целей изменился, пока страница была открыта: откройте страницу «Новый период» заново."
            )


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=0, max_num=100, absolute_max=100)


class SeriesForm(forms.Form):
    series = forms.MultipleChoiceField(
        label="Новые выпуски мероприятий", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].choices = [(str(s.pk), f"{s} ({s.get_kind_display()})") for s in plan.series]
        self.fields["series"].initial = [str(s.pk) for s in plan.series]
        self.fields["series"].error_messages["invalid_choice"] = (
            "Мероприятия %(value)s нет среди повторяющихся мероприятий программы: откройте страницу заново."
        )


def _year(request, programme) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and FIRST_PERIOD_YEAR <= int(raw) <= LAST_PERIOD_YEAR:
        return int(raw)
    return next_period_year(programme)


def new_period_view(request, slug: str):
    programme = get_object_or_404(plannable_programmes(request.user), slug=slug)
    year = _year(request, programme)
    plan = plan_new_period(programme, year)
    offered = {draft.key for draft in plan.targets}
    initial = [{"key": d.key, "include": True, "value": d.value, "note": d.note} for d in plan.targets]
    data = request.POST if request.method == "POST" else None
    formset = TargetFormSet(data, initial=initial, offered=offered, prefix="targets")
    series_form = SeriesForm(data, plan=plan)
    if data is not None and formset.is_valid() and series_form.is_valid():
        chosen = {
            form.cleaned_data["key"]: (form.cleaned_data["value"], form.cleaned_data["note"])
            for form in formset.forms
            if form.cleaned_data.get("include")
        }
        try:
            created = create_new_period(programme, year, chosen, {int(pk) for pk in series_form.cleaned_data["series"]})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            title = programme.period(year)
            if created.targets or created.editions:
                messages.success(
                    request,
                    f"Новый период ({title}) подготовлен. Целевые значения критериев: {wording.number(created.targets)}; "
                    f"новые выпуски мероприятий: {wording.number(created.editions)}.",
                )
            else:
                messages.warning(request, f"Для периода {title} ничего не создано: всё уже было задано.")
            return redirect(f"{reverse('admin:new_period', args=[programme.slug])}?year={year}")
    drafts = {draft.key: draft for draft in plan.targets}
    return render(
        request,
        "admin/reports/new_period.html",
        {
            **admin.site.each_context(request),
            "title": f"Новый период: {programme.period(year)}",
            "programme": programme,
            "plan": plan,
            "rows": [(drafts.get(form["key"].value()), form) for form in formset.forms],
            "formset": formset,
            "series_form": series_form,
            "previous_year": year - 1,
            "next_year": year + 1,
        },
    )
