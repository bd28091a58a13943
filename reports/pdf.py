"""The справка as a PDF (WeasyPrint), from the same document template as the HTML page."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from .rendering import document_context
from .services import Report

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def render_report(report: Report, *, holder=None, narrative: dict | None = None, stamp=None) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only PDF rendering needs.
    from weasyprint import HTML

    context = document_context(report, raster_charts=True, holder=holder, narrative=narrative, stamp=stamp)
    context["font_dir"] = (STATIC_DIR / "fonts").as_uri()
    context["css_url"] = (STATIC_DIR / "css" / "report.css").as_uri()
    html = render_to_string("reports/report_pdf.html", context)
    return HTML(string=html, base_url=STATIC_DIR.as_uri()).write_pdf()
