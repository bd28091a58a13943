"""The bank's long work as background jobs (jobs.runner): saving a confirmed import, and the
bank's export. Both run as the user who asked, with that user's scope checked again."""

from django.utils import timezone

import audit
from jobs.runner import JobFailed, Result, job
from participants import backup, uploads
from participants.access import access_for
from talentbank.downloads import XLSX


@job("confirm_import")
def confirm_import(record, progress, *, upload_id: str) -> Result:
    upload = uploads.pending_upload(record.user, upload_id)
    if upload is None:
        raise JobFailed("Этой загрузки нет: она уже сохранена, отменена или удалена.")
    # The import counts no rows as it goes: the estimate is the pace of earlier imports per row.
    progress.stage("Проверка строк и запись в банк", total=uploads.rows_of(upload))
    try:
        saved = uploads.save_upload(upload, record.user)
    except uploads.UploadRefused as refused:
        from django.urls import reverse

        raise JobFailed(
            str(refused), url=reverse("admin:participants_participant_import_preview", args=[upload_id])
        ) from refused
    return Result(message=saved.message, url=saved.url)


@job("export_bank")
def export_bank(record, progress) -> Result:
    """The bank as the user may see it, one sheet per table."""
    access = access_for(record.user)
    if not access.runs_the_bank:
        raise JobFailed("Выгружать банк вам больше нельзя.")
    progress.stage("Выгрузка таблиц банка")
    filename = f"bank-{timezone.localdate():%Y-%m-%d}.xlsx"
    import io

    buffer = io.BytesIO()
    result = backup.export_bank(buffer, user=None if access.is_superuser else record.user)
    audit.record(
        None,
        audit.DOWNLOAD_EXPORT,
        f"{filename}: {result.total} строк, {len(result.counts)} листов",
        user=record.user,
    )
    return Result(name=filename, content_type=XLSX, content=buffer.getvalue())
