"""The side-by-side merge page and the merge record's page with its undo, served inside the admin.

They parse the form and call participants.merging; who may reach which person is participants.access:
a person out of the user's sight answers 404, as everywhere in the admin.
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from participants import merging
from participants.access import scope
from participants.admin_scope import NOT_FOUND
from participants.models import Participant
from talentbank import dberrors

logger = logging.getLogger(__name__)

MAY_MERGE = "participants.delete_participant"  # a merge deletes a record: who may delete may merge


def _visible_person(people, pk) -> Participant:
    person = people.filter(pk=pk).first()
    if person is None:
        raise Http404(NOT_FOUND)
    return person


def _database_message(error, during: str) -> str:
    return f"{dberrors.interrupted(error, during)} Ничего не изменено: попробуйте ещё раз."


def merge_view(request, model_admin, keep_id: int, removed_id: int):
    """Both records side by side; the coordinator picks each differing value and confirms."""
    if not request.user.has_perm(MAY_MERGE):
        raise PermissionDenied
    people = scope(request.user, Participant.objects.select_related("organisation__municipality"))
    keep, removed = _visible_person(people, keep_id), _visible_person(people, removed_id)
    refusal = None
    try:
        merging.check_pair(keep, removed)
    except ValidationError as error:
        refusal = " ".join(error.messages)
    if request.method == "POST" and refusal is None:
        choices = {key: request.POST[f"field_{key}"] for key in merging.FIELD_GROUPS if f"field_{key}" in request.POST}
        try:
            summary = merging.merge_participants(
                keep,
                removed,
                user=request.user,
                choices=choices,
                reason=request.POST.get("reason", "")[:2000],
                fingerprint=request.POST.get("fingerprint", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            if not Participant.objects.filter(pk=removed.pk).exists():
                return redirect("admin:participants_participant_duplicates")
            keep, removed = _visible_person(people, keep_id), _visible_person(people, removed_id)
        except DatabaseError as error:
            if dberrors.kind(error) is None:
                raise
            logger.warning("Merge of %s into %s interrupted by the database", removed_id, keep_id, exc_info=True)
            messages.error(request, _database_message(error, "объединения"))
            return redirect("admin:participants_participant_merge", keep_id, removed_id)  # a fresh connection
        else:
            messages.success(
                request,
                f"Записи объединены в «{summary.kept}». Всё, что было у каждой записи, сохранено в журнале "
                "объединений: отсюда объединение можно отменить.",
            )
            return redirect("admin:participants_mergerecord_change", summary.record.pk)
    plan = None if refusal else merging.plan_merge(keep, removed)
    return render(
        request,
        "admin/participants/merge.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": "Объединение двух записей",
            "keep": keep,
            "removed": removed,
            "refusal": refusal,
            "plan": plan,
            "swap_url": reverse("admin:participants_participant_merge", args=[removed.pk, keep.pk]),
        },
    )


def merge_record_view(request, model_admin, record):
    """What a merge did, and its undo (a POST with the reason)."""
    if request.method == "POST":
        if not request.user.has_perm(MAY_MERGE):
            raise PermissionDenied
        people = scope(request.user, Participant.objects.all())
        try:
            summary = merging.undo_merge(
                record.pk, user=request.user, reason=request.POST.get("reason", "")[:2000], people=people
            )
        except merging.NotVisible:
            raise Http404(NOT_FOUND) from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except DatabaseError as error:
            if dberrors.kind(error) is None:
                raise
            logger.warning("Undo of merge %s interrupted by the database", record.pk, exc_info=True)
            messages.error(request, _database_message(error, "отмены объединения"))
            return redirect("admin:participants_mergerecord_change", record.pk)
        else:
            messages.success(
                request,
                f"Объединение отменено: запись «{summary.restored}» (№ {summary.restored.pk}) снова в банке "
                "со всем, что было её.",
            )
            return redirect("admin:participants_mergerecord_change", record.pk)
        record.refresh_from_db()
    return render(
        request,
        "admin/participants/merge_record.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": f"Объединение № {record.pk}",
            "record": record,
            "fields": merging.recorded_fields(record),
            "rows": merging.recorded_rows(record),
            "blockers": merging.undo_blockers(record),
            "may_undo": request.user.has_perm(MAY_MERGE),
        },
    )
