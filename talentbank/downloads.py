"""The one way a view sends a file to download."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def attachment(content: bytes, content_type: str, filename: str, *, private: bool = False) -> HttpResponse:
    """`content` as a download named `filename`. A `private` file (one that may hold personal data)
    is never kept by a browser's or a proxy's cache."""
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
