"""The справки on the site: the list, one справка (approved or draft) as a page, PDF and Excel, its
approved versions, approving, and comparing two versions.

Who sees what (participants.access): officials read the latest approved version of a справка, and
a draft — marked «Черновик» on every page — only where nothing has been approved yet; coordinators
of the programme and superusers read the current draft with its differences from the last approved
version, approve, and open every version. Approved pages and files are served as stored: no
справка is computed for them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

import audit
from jobs import runner as jobs
from jobs.models import JobStatus
from participants.access import approvable_programmes, report_programmes
from participants.models.fields import FIRST_PERIOD_YEAR, LAST_PERIOD_YEAR
from talentbank.downloads import attachment

from . import charts, versions
from .jobs import CONTENT_TYPES
from .models import PeriodReport, ReportVersion
from .rendering import document_context
from .services import available_years, build_report
from .trends import trends


def readable_programme_or_404(request, slug: str, programmes=None):
    """The programme of a URL among `programmes`, by default those the user may read: a programme
    the user may not read is as absent as one that does not exist."""
    return get_object_or_404(report_programmes(request.user) if programmes is None else programmes, slug=slug)


def programme_or_404(request, slug: str, year: int, programmes=None):
    """As readable_programme_or_404, for a справка's URL: the year must be one a period can have."""
    programme = readable_programme_or_404(request, slug, programmes)
    if not FIRST_PERIOD_YEAR <= year <= LAST_PERIOD_YEAR:
        raise Http404(f"Периода {year} нет: справки строятся за {FIRST_PERIOD_YEAR}–{LAST_PERIOD_YEAR} годы.")
    return programme


def report_or_404(request, slug: str, year: int):
    return build_report(programme_or_404(request, slug, year), year)


def _can_approve(user, programme) -> bool:
    return approvable_programmes(user).filter(pk=programme.pk).exists()


def _holder(programme, year: int) -> PeriodReport | None:
    return PeriodReport.objects.filter(programme=programme, period=year).first()


def _versions(programme, year: int):
    return (
        ReportVersion.objects.filter(report__programme=programme, report__period=year)
        .defer("pdf", "xlsx", "html", "figures", "narrative")
        .select_related("approved_by")
        .order_by("-number")
    )


def _version_or_404(programme, year: int, number: int, *fields) -> ReportVersion:
    queryset = ReportVersion.objects.filter(report__programme=programme, report__period=year)
    if fields:
        queryset = queryset.only("number", "approved_at", "approved_by", "report", *fields)
    version = queryset.filter(number=number).first()
    if version is None:
        raise Http404(f"Утверждённой версии {number} этой справки нет.")
    return version


@login_required
def report_index(request):
    programmes = report_programmes(request.user).order_by("name")
    approved = {
        (programme_id, period): number
        for programme_id, period, number in ReportVersion.objects.filter(report__programme__in=programmes)
        .order_by("number")
        .values_list("report__programme_id", "report__period", "number")
    }
    items = []
    for programme in programmes:
        periods = [
            {"period": programme.period(year), "version": approved.get((programme.pk, year))}
            for year in sorted(
                {*available_years(programme), *(y for p, y in approved if p == programme.pk)}, reverse=True
            )
        ]
        items.append({"programme": programme, "periods": periods})
    return render(request, "reports/index.html", {"programmes": items})


@login_required
def report_detail(request, slug: str, year: int):
    programme = programme_or_404(request, slug, year)
    approver = _can_approve(request.user, programme)
    listed = list(_versions(programme, year))
    if listed and not approver:
        latest = _version_or_404(programme, year, listed[0].number, "html")
        return render(
            request,
            "reports/version.html",
            {"programme": programme, "year": year, "version": latest, "versions": listed, "is_latest": True},
        )
    report = build_report(programme, year)
    context = document_context(report, holder=_holder(programme, year))
    context.update({"year": year, "versions": listed, "approver": approver})
    if approver and listed:
        latest = _version_or_404(programme, year, listed[0].number, "figures")
        context["differences"] = versions.differences(latest.figures, versions.frozen_figures(report), programme)
        context["latest"] = listed[0]
    return render(request, "reports/report.html", context)


@login_required
def version_detail(request, slug: str, year: int, number: int):
    programme = programme_or_404(request, slug, year)
    version = _version_or_404(programme, year, number, "html", "digest", "changes")
    listed = list(_versions(programme, year))
    context = {"programme": programme, "year": year, "version": version, "versions": listed}
    context["is_latest"] = bool(listed) and listed[0].number == number
    return render(request, "reports/version.html", context)


def _file(request, slug: str, year: int, number: int | None, kind: str):
    """An approved version's stored file at once; the current справка's rendered by a background
    job (reports.jobs), whose page shows the progress and then offers the file."""
    programme = programme_or_404(request, slug, year)
    if number is None and not _can_approve(request.user, programme):
        latest = _versions(programme, year).first()
        number = latest.number if latest else None
    filename = versions.file_name(programme, year, kind, number)
    action = audit.DOWNLOAD_REPORT_PDF if kind == "pdf" else audit.DOWNLOAD_REPORT_XLSX
    audit.record(request, action, f"{slug}/{year}: {filename}")
    if number is not None:
        version = _version_or_404(programme, year, number, kind)
        return attachment(getattr(version, kind), CONTENT_TYPES[kind], filename)
    title = f"{'PDF' if kind == 'pdf' else 'Excel'}: справка «{programme.name}» за {programme.period(year)}"
    started = jobs.start(request.user, "report_file", title, programme_id=programme.pk, year=year, kind=kind)
    return jobs.respond(request, started)


@login_required
def report_pdf(request, slug: str, year: int):
    return _file(request, slug, year, None, "pdf")


@login_required
def report_xlsx(request, slug: str, year: int):
    return _file(request, slug, year, None, "xlsx")


@login_required
def version_pdf(request, slug: str, year: int, number: int):
    return _file(request, slug, year, number, "pdf")


@login_required
def version_xlsx(request, slug: str, year: int, number: int):
    return _file(request, slug, year, number, "xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def approve(request, slug: str, year: int):
    programme = programme_or_404(request, slug, year)
    if not _can_approve(request.user, programme):
        raise Http404("Утверждать справки этой программы вы не можете.")
    if request.method == "POST":
        title = f"Утверждение справки «{programme.name}» за {programme.period(year)}"
        started = jobs.start(request.user, "approve_report", title, programme_id=programme.pk, year=year)
        if started.status == JobStatus.DONE:
            messages.success(request, jobs.outcome_html(started))
            return redirect("reports:detail", slug, year)
        return jobs.respond(request, started)
    report = build_report(programme, year)
    narrative = versions.saved_narrative(programme, year)
    latest = _versions(programme, year).first()
    context = {
        "programme": programme,
        "year": year,
        "report": report,
        "latest": latest,
        "next_number": (latest.number if latest else 0) + 1,
        "flags": versions.number_flags(report, narrative),
    }
    if latest:
        stored = _version_or_404(programme, year, latest.number, "figures", "narrative")
        context["differences"] = versions.differences(stored.figures, versions.frozen_figures(report), programme)
        context["text_changes"] = versions.narrative_differences(stored.narrative, narrative, programme)
    return render(request, "reports/approve.html", context)


@login_required
def compare(request, slug: str, year: int):
    """Two versions side by side: ?a=1&b=2; b=current (the draft) for those who approve."""
    programme = programme_or_404(request, slug, year)
    listed = list(_versions(programme, year))
    if not listed:
        raise Http404("У этой справки ещё нет утверждённых версий.")
    approver = _can_approve(request.user, programme)

    def side(value: str, default: int):
        if value == "current" and approver:
            report = build_report(programme, year)
            return "текущие данные", versions.frozen_figures(report), versions.saved_narrative(programme, year)
        number = int(value) if value.isdigit() and len(value) < 6 else default
        version = _version_or_404(programme, year, number, "figures", "narrative")
        return f"версия {version.number}", version.figures, version.narrative

    newest = listed[0].number
    a_label, a_figures, a_text = side(request.GET.get("a", ""), listed[1].number if len(listed) > 1 else newest)
    b_label, b_figures, b_text = side(request.GET.get("b", ""), newest)
    context = {
        "programme": programme,
        "year": year,
        "period": programme.period(year),
        "versions": listed,
        "approver": approver,
        "a": request.GET.get("a", ""),
        "b": request.GET.get("b", ""),
        "a_label": a_label,
        "b_label": b_label,
        "differences": versions.differences(a_figures, b_figures, programme),
        "text_changes": versions.narrative_differences(a_text, b_text, programme),
    }
    return render(request, "reports/compare.html", context)


@login_required
def programme_trends(request, slug: str):
    """Key figures over all periods, read from each period's справка; scoped like the справки."""
    programme = readable_programme_or_404(request, slug)
    result = trends(programme)
    return render(
        request,
        "reports/trends.html",
        {"programme": programme, "trends": result, "chart": charts.trends_chart(result)},
    )
