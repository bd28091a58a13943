"""Import and duplicate pages, served inside the admin (so school staff stay in one interface).

The pages only parse input and call participants.importing / events.importing (event results) /
participants.duplicates; what a user may touch comes from participants.access.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from events import importing as results_importing
from events.models import Edition
from jobs import runner as jobs
from participants import importing, uploads
from participants.access import access_for, scope
from participants.duplicates import probable_duplicates
from participants.models import ImportKind, ImportUpload, Organisation, Participant, Programme
from participants.restore import deleted_people, restore_person
from talentbank.downloads import XLSX, attachment

logger = logging.getLogger(__name__)


class WorkbookField(forms.FileField):
    """An .xlsx upload, refused by size before anything reads it."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload.size > importing.MAX_IMPORT_BYTES:
            limit = importing.MAX_IMPORT_BYTES // (1024 * 1024)
            raise ValidationError(f"Файл больше {limit} МБ: разделите его на несколько файлов.")
        return upload


class ParticipantImportForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.none(), label="Программа", empty_label=None)
    file = WorkbookField(label="Файл Excel (.xlsx)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = scope(user, Programme.objects.order_by("name"))


class ResultsImportForm(forms.Form):
    edition = forms.ModelChoiceField(Edition.objects.none(), label="Выпуск мероприятия")
    make_residents = forms.BooleanField(
        label="Включить победителей и призёров в банк (резидентами)",
        required=False,
        help_text="Основанием включения будет записан результат на этом мероприятии.",
    )
    file = WorkbookField(label="Файл Excel (.xlsx)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        editions = scope(user, Edition.objects.select_related("series").order_by("-period", "series__name"))
        self.fields["edition"].queryset = editions


def _page(request, model_admin, template, title, **context):
    return render(
        request,
        template,
        {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, "title": title, **context},
    )


def participant_template_view(request, model_admin):
    organisations = scope(request.user, Organisation.objects.order_by("name"))
    content = importing.participant_template(organisations, can_set_membership=uploads.can_set_membership(request.user))
    return attachment(content, XLSX, "shablon-uchastniki.xlsx")


def results_template_view(request, model_admin):
    return attachment(results_importing.results_template(), XLSX, "shablon-rezultaty.xlsx")


def import_view(request, model_admin, kind: str):
    if kind == ImportKind.RESULTS:
        if not request.user.has_perm("events.add_participation"):
            raise PermissionDenied
        form_class, title = ResultsImportForm, "Загрузка результатов мероприятия из Excel"
    else:
        if not request.user.has_perm("participants.add_participant"):
            raise PermissionDenied
        form_class, title = ParticipantImportForm, "Загрузка участников из Excel"
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        ImportUpload.purge_expired()  # no cron needed: every upload deletes those over a day old
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if kind == ImportKind.RESULTS:
            target = {"edition": form.cleaned_data["edition"].pk, "make_residents": form.cleaned_data["make_residents"]}
        else:
            target = {"programme": form.cleaned_data["programme"].pk}
        stored = ImportUpload(
            kind=kind, user=request.user, filename=upload.name[:255], content=upload.read(), target=target
        )
        report = uploads.check_upload(stored, request.user)  # the one reading of the file before it is confirmed
        if report.errors and not report.rows and all(issue.row is None for issue in report.errors):
            # Refused as a whole (not a workbook, a zip bomb, a DTD, too many rows…): nothing is kept.
            for issue in report.errors:
                form.add_error("file", str(issue))
        else:
            stored.result = report.to_json()
            if report.errors:
                stored.content = b""  # a file with errors is never saved: only its preview is kept
            stored.save()
            return redirect("admin:participants_participant_import_preview", stored.pk)
    return _page(request, model_admin, "admin/participants/import_form.html", title, form=form, kind=kind)


def import_preview_view(request, model_admin, upload_id):
    upload = get_object_or_404(scope(request.user, ImportUpload.objects.all()), pk=upload_id, applied_at__isnull=True)
    again_url = reverse(
        "admin:participants_participant_import_results"
        if upload.kind == ImportKind.RESULTS
        else "admin:participants_participant_import"
    )
    if request.method == "POST" and "cancel" in request.POST:
        upload.delete()
        messages.info(request, f"Загрузка файла «{upload.filename}» отменена: файл и результат проверки удалены.")
        return redirect(again_url)
    if request.method == "POST":
        # Saved by a background job (participants/jobs.py): at once for a small file, with a
        # progress page for a large one. It reads the file again against the bank as it is now.
        started = jobs.start(
            request.user,
            "confirm_import",
            f"Сохранение файла «{upload.filename}»",
            inline=uploads.rows_of(upload) < settings.IMPORT_BACKGROUND_ROWS,
            upload_id=str(upload.pk),
        )
        return jobs.respond(request, started)
    if upload.result is None:  # uploaded before previews were stored
        report = uploads.check_upload(upload, request.user)
        upload.result = report.to_json()
        upload.save(update_fields=["result"])
    else:
        report = importing.ImportReport.from_json(upload.result)
    return _page(
        request,
        model_admin,
        "admin/participants/import_preview.html",
        f"Проверка файла «{upload.filename}»",
        upload=upload,
        report=report,
        again_url=again_url,
    )


def bank_export_view(request, model_admin):
    """The bank as the user may see it, one sheet per table; each download is recorded."""
    access = access_for(request.user)
    if not access.runs_the_bank:
        raise PermissionDenied
    started = jobs.start(request.user, "export_bank", "Выгрузка банка в Excel")
    return jobs.respond(request, started)


def duplicates_view(request, model_admin):
    """Probable pairs, each opening the side-by-side merge page (merge_views.merge_view)."""
    if not request.user.has_perm("participants.delete_participant"):
        raise PermissionDenied
    pairs = probable_duplicates(scope(request.user, Participant.objects.all()))
    return _page(
        request, model_admin, "admin/participants/duplicates.html", "Вероятные дубликаты участников", pairs=pairs
    )


def deleted_people_view(request, model_admin):
    """Superusers: people deleted from the bank, each restorable with everything deleted with them."""
    if not request.user.is_superuser:
        raise PermissionDenied
    if request.method == "POST":
        person_id = request.POST.get("person", "")
        try:
            summary = restore_person(int(person_id) if person_id.isdigit() else 0, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            back = "; ".join(f"{label}: {count}" for label, count in summary.restored.items() if count) or "ничего"
            text = f"Запись «{summary.person}» восстановлена. Вместе с ней восстановлено — {back}."
            if summary.skipped:
                lost = "; ".join(f"{label}: {count}" for label, count in summary.skipped.items())
                text += f" Не восстановлено, потому что мероприятие, команда или программа удалены: {lost}."
            messages.success(request, text)
            return redirect("admin:participants_participant_change", summary.person.pk)
    return _page(
        request,
        model_admin,
        "admin/participants/deleted_people.html",
        "Удалённые участники",
        deletions=deleted_people()[:200],
    )
