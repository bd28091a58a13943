from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

import audit
from participants.access import report_programmes
from participants.models.fields import FIRST_PERIOD_YEAR, LAST_PERIOD_YEAR

from .exporters import report_workbook
from .pdf import render_report, report_filename
from .rendering import document_context
from .services import available_years, build_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_or_404(request, slug: str, year: int):
    # A programme the user may not read is as absent as one that does not exist.
    programme = get_object_or_404(report_programmes(request.user), slug=slug)
    if not FIRST_PERIOD_YEAR <= year <= LAST_PERIOD_YEAR:
        raise Http404(f"Периода {year} нет: справки строятся за {FIRST_PERIOD_YEAR}–{LAST_PERIOD_YEAR} годы.")
    return build_report(programme, year)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_index(request):
    programmes = report_programmes(request.user).order_by("name")
    items = [{"programme": p, "periods": [p.period(year) for year in available_years(p)]} for p in programmes]
    return render(request, "reports/index.html", {"programmes": items})


@login_required
def report_detail(request, slug: str, year: int):
    return render(request, "reports/report.html", document_context(report_or_404(request, slug, year)))


@login_required
def report_pdf(request, slug: str, year: int):
    report = report_or_404(request, slug, year)
    filename = report_filename(report, "pdf")
    response = _download(render_report(report), "application/pdf", filename)
    audit.record(request, audit.DOWNLOAD_REPORT_PDF, f"{slug}/{year}: {filename}")
    return response


@login_required
def report_xlsx(request, slug: str, year: int):
    report = report_or_404(request, slug, year)
    filename = report_filename(report, "xlsx")
    response = _download(report_workbook(report), XLSX, filename)
    audit.record(request, audit.DOWNLOAD_REPORT_XLSX, f"{slug}/{year}: {filename}")
    return response
