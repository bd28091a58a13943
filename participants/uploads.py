"""A stored upload (participants.ImportUpload) checked again or saved for the user who made it.

The import pages call `check_upload` for the preview; confirming goes through the background job
`confirm_import` (participants/jobs.py), which calls `save_upload`. The imports themselves are
participants.importing and events.importing.
"""

from dataclasses import dataclass

from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from events import importing as results_importing
from events.models import Edition
from participants import importing
from participants.access import scope
from participants.models import ImportKind, ImportUpload, Organisation, Participant, Programme
from reports.wording import number
from talentbank import dberrors


class UploadRefused(Exception):
    """The upload cannot be saved; the message says why, in Russian."""


@dataclass
class Saved:
    message: str
    url: str


def can_set_membership(user) -> bool:
    """Whether the user's participants' file may carry categories (the coordinator's template)."""
    return user.has_perm("participants.add_membership")


def check_upload(upload: ImportUpload, user, *, commit: bool = False, on_stage=None) -> importing.ImportReport:
    """The import run over the upload's file as `user` sees the bank: a preview, or (commit) the save."""
    organisations = scope(user, Organisation.objects.all())
    people = scope(user, Participant.objects.all())
    if upload.kind == ImportKind.RESULTS:
        edition = (
            scope(user, Edition.objects.select_related("series__programme")).filter(pk=upload.target["edition"]).first()
        )
        if edition is None:
            raise UploadRefused("Выпуск мероприятия этой загрузки вам больше недоступен.")
        return results_importing.import_results(
            bytes(upload.content),
            edition=edition,
            organisations=organisations,
            make_residents=upload.target.get("make_residents", False),
            user=user,
            commit=commit,
            people=people,
        )
    programme = scope(user, Programme.objects.all()).filter(pk=upload.target["programme"]).first()
    if programme is None:
        raise UploadRefused("Программа этой загрузки вам больше недоступна.")
    return importing.import_participants(
        bytes(upload.content),
        programme=programme,
        organisations=organisations,
        can_set_membership=can_set_membership(user),
        user=user,
        commit=commit,
        people=people,
    )


def pending_upload(user, upload_id) -> ImportUpload | None:
    return scope(user, ImportUpload.objects.all()).filter(pk=upload_id, applied_at__isnull=True).first()


def rows_of(upload: ImportUpload) -> int:
    """How many rows the stored preview counted (0 when unknown)."""
    return len((upload.result or {}).get("rows", []))


def save_upload(upload: ImportUpload, user) -> Saved:
    """Check the file again against the bank as it is now and save it, all or nothing.

    A file that the bank's changes since the preview made wrong keeps its new errors as its
    preview and is refused; so is a save the database cut short. Nothing is half-saved.
    """
    if not upload.content:
        raise UploadRefused("В этом файле были ошибки, и он не сохранён: загрузите исправленный файл.")
    try:
        report = check_upload(upload, user, commit=True)
    except DatabaseError as error:
        if dberrors.kind(error) is None:
            raise
        raise UploadRefused(
            f"{dberrors.interrupted(error, 'сохранения')} Файл записывается целиком или не записывается вовсе, "
            "поэтому половины файла в банке нет. Сохраните файл ещё раз: перед записью он будет заново "
            "сверен с тем, что в банке сейчас."
        ) from error
    if report.saved:
        upload.applied_at = timezone.now()
        upload.wipe()  # children's data: not kept once saved
        upload.save(update_fields=["applied_at", "content", "result"])
        counts = report.counts
        return Saved(
            f"Файл «{upload.filename}» сохранён: создано {number(counts['create'])}, "
            f"обновлено {number(counts['update'])}, без изменений {number(counts['unchanged'])}.",
            reverse("admin:participants_participant_changelist"),
        )
    upload.result = report.to_json()
    upload.content = b""  # it has errors now: only the preview is kept
    upload.save(update_fields=["result", "content"])
    raise UploadRefused("Файл не сохранён: данные изменились с момента проверки, исправьте ошибки ниже.")
