"""The справка's long work as background jobs (jobs.runner): a draft's PDF or workbook, and an
approval, which renders and stores both. Each handler checks again that the job's user may still do
what they asked when the job was queued."""

from django.urls import reverse

from jobs.runner import JobFailed, Result, job
from participants.access import approvable_programmes, report_programmes
from talentbank.downloads import PDF, XLSX

from . import versions
from .exporters import report_workbook
from .pdf import render_report
from .services import build_report

CONTENT_TYPES = {"pdf": PDF, "xlsx": XLSX}


def _programme(programmes, programme_id: int):
    found = programmes.filter(pk=programme_id).first()
    if found is None:
        raise JobFailed("Эта справка вам больше недоступна.")
    return found


@job("report_file")
def report_file(record, progress, *, programme_id: int, year: int, kind: str) -> Result:
    """The current (unapproved) справка as PDF or Excel."""
    programme = _programme(report_programmes(record.user), programme_id)
    progress.stage("Расчёт показателей справки")
    report = build_report(programme, year)
    narrative = versions.saved_narrative(programme, year)
    if kind == "pdf":
        progress.stage("Вёрстка PDF")
        content = render_report(report, narrative=narrative)
    else:
        progress.stage("Сборка книги Excel")
        content = report_workbook(report, narrative=narrative)
    return Result(name=versions.file_name(programme, year, kind), content_type=CONTENT_TYPES[kind], content=content)


@job("approve_report")
def approve_report(record, progress, *, programme_id: int, year: int) -> Result:
    """Approve the справка as its next version (reports.versions.approve: one transaction)."""
    import audit

    programme = _programme(approvable_programmes(record.user), programme_id)
    progress.stage("Расчёт, вёрстка PDF и Excel, сохранение версии")
    version = versions.approve(programme, year, record.user)
    audit.record(None, audit.APPROVE_REPORT, f"{programme.slug}/{year}: версия {version.number}", user=record.user)
    return Result(
        message="Справка утверждена:",
        link_text=f"версия {version.number}",
        url=reverse("reports:version", args=[programme.slug, year, version.number]),
    )
