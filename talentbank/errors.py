"""What a visitor gets when a request fails: the database unreachable, or any other error.

Django turns an exception raised anywhere in the request (a view, a template, any middleware, the
session and authentication lookups) into a response through `handler500`, called inside the
`except` block, so `server_error` sees the exception in `sys.exc_info()`. When it is the database
being unreachable (the server down, restarting, the connection cut, refused or timed out), the
answer is a 503 with Retry-After: a Russian page, or `{"detail": ...}` for the API (DRF passes
exceptions that are not its own on to Django, so the API lands here too). Nothing here touches the
database: the page is rendered without the request's context (no user, no session). Anything else
is the usual 500.

Recovery needs nothing from here: Django drops a connection that failed at the end of the request
and connects again on the next one; CONN_HEALTH_CHECKS (settings) checks a kept connection before
reusing it, so a restart of the database between two requests costs none of them.

With DEBUG on, Django shows its own technical page instead of calling handler500, as for any error.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger(__name__)

# The errors Django raises when the database cannot be reached or the connection was lost (psycopg's
# connection failures, an administrator's shutdown, a server restart, timeouts, "connection already closed").
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = "Сервис временно недоступен: нет связи с базой данных. Повторите запрос через минуту."
SERVER_ERROR = "Внутренняя ошибка сервера. Мы уже знаем о ней; попробуйте позже."

# Served if even the template cannot be rendered (a broken deployment must still answer clearly).
_FALLBACK_PAGE = (
    '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Сервис временно недоступен</title></head>'
    "<body><h1>Сервис временно недоступен</h1><p>Нет связи с базой данных. Обновите страницу через минуту.</p>"
    "</body></html>"
)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc`, or an exception it was raised from or while handling, is the database being unreachable."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DATABASE_DOWN_ERRORS):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _unavailable_page() -> str:
    try:
        # No request: no context processors, so neither the user nor the session is looked up.
        return loader.render_to_string("503.html")
    except Exception:
        logger.exception("The 503 page could not be rendered; serving the plain one")
        return _FALLBACK_PAGE


def service_unavailable(request) -> HttpResponse:
    """503 with Retry-After: a Russian page, or JSON for the API. Never touches the database."""
    if _is_api(request):
        response = JsonResponse({"detail": UNAVAILABLE}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(_unavailable_page(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request):
    """handler500: 503 while the database is unreachable, else the usual 500 (JSON for the API)."""
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=500, json_dumps_params={"ensure_ascii": False})
    return defaults.server_error(request)
