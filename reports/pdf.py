"""The справка as a PDF (WeasyPrint), from the same document template as the HTML page; `render_pdf`
is the one WeasyPrint set-up (fonts, stylesheets, base address), also used by the pupil card."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from .rendering import document_context
from .services import Report

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def render_pdf(template: str, context: dict, css: str = "report.css") -> bytes:
    """A template rendered to PDF; the context gets `font_dir` and `css_url` (static/css/<css>)."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF rendering needs.
    from weasyprint import HTML

    context = {**context, "font_dir": (STATIC_DIR / "fonts").as_uri(), "css_url": (STATIC_DIR / "css" / css).as_uri()}
    html = render_to_string(template, context)
    return HTML(string=html, base_url=STATIC_DIR.as_uri()).write_pdf()


def render_report(report: Report, *, holder=None, narrative: dict | None = None, stamp=None) -> bytes:
    context = document_context(report, raster_charts=True, holder=holder, narrative=narrative, stamp=stamp)
    return render_pdf("reports/report_pdf.html", context)
