"""What a visitor gets when a request fails: the database unreachable or refusing, or any other error.

Django turns an exception raised anywhere in the request (a view, a template, any middleware, the
session and authentication lookups) into a response through `handler500`, called inside the
`except` block, so `server_error` sees the exception in `sys.exc_info()`. What the database error
was is decided by its SQLSTATE in one place, talentbank/dberrors.py, never by its message text:

- the database unreachable or the connection lost (the server down, restarting, the connection cut,
  refused): 503 with Retry-After, a Russian page «Сервис временно недоступен» — нет связи с базой
  данных, or `{"detail": ...}` for the API (DRF passes exceptions that are not its own on to
  Django, so the API lands here too);
- a statement timeout, a deadlock, a serialization failure: also 503 with Retry-After (the server
  is fine and the same request may well succeed a little later), saying what happened — the query
  took too long, or met another one changing the same rows — never «нет связи с базой данных».

Nothing here touches the database: the page is rendered without the request's context (no user,
no session). Anything else is the usual 500.

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

from talentbank import dberrors

logger = logging.getLogger(__name__)

# The exception classes Django raises for a lost connection (among other errors): catch these, then
# ask dberrors.is_connection_lost(error) whether the connection was really lost.
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = dberrors.MESSAGES[dberrors.CONNECTION_LOST]
# Pages for the kinds of database error (dberrors): (title, what happened, what to do), and Retry-After.
_PAGES = {
    dberrors.TIMEOUT: (
        "Запрос выполнялся слишком долго",
        "База данных прервала запрос: он выполнялся дольше, чем ему позволено.",
        "Повторите его позже или сузьте выборку: фильтры и поиск сокращают список.",
    ),
    dberrors.DEADLOCK: (
        "Запрос не выполнен из-за одновременных изменений",
        "Одновременно с вашим запросом другой запрос менял те же записи, и база данных отменила ваш "
        "(взаимная блокировка).",
        "Повторите действие ещё раз.",
    ),
    dberrors.SERIALIZATION: (
        "Запрос не выполнен из-за одновременных изменений",
        "Пока ваш запрос выполнялся, те же данные изменил другой запрос, и база данных отменила ваш.",
        "Повторите действие ещё раз.",
    ),
}
# Seconds before trying again: a conflict with another request is over at once.
_RETRY_AFTER = {
    dberrors.CONNECTION_LOST: RETRY_AFTER_SECONDS,
    dberrors.TIMEOUT: RETRY_AFTER_SECONDS,
    dberrors.DEADLOCK: 5,
    dberrors.SERIALIZATION: 5,
}
SERVER_ERROR = "Внутренняя ошибка сервера. Мы уже знаем о ней; попробуйте позже."

# Served if even the template cannot be rendered (a broken deployment must still answer clearly).
_FALLBACK_PAGE = (
    '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Сервис временно недоступен</title></head>'
    "<body><h1>Сервис временно недоступен</h1><p>Нет связи с базой данных. Обновите страницу через минуту.</p>"
    "</body></html>"
)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc`, or an exception it was raised from or while handling, is the database being unreachable."""
    return dberrors.is_connection_lost(exc)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _unavailable_page(kind: str = dberrors.CONNECTION_LOST) -> str:
    context = {}
    if kind in _PAGES:
        context = dict(zip(("title", "what", "todo"), _PAGES[kind], strict=True))
    try:
        # No request: no context processors, so neither the user nor the session is looked up.
        return loader.render_to_string("503.html", context)
    except Exception:
        logger.exception("The 503 page could not be rendered; serving the plain one")
        if context:
            return _FALLBACK_PAGE.replace("Нет связи с базой данных. Обновите страницу через минуту.", context["what"])
        return _FALLBACK_PAGE


def service_unavailable(request, kind: str = dberrors.CONNECTION_LOST) -> HttpResponse:
    """503 with Retry-After: a Russian page, or JSON for the API, saying which of the kinds of
    talentbank.dberrors it was (the database unreachable by default). Never touches the database."""
    if _is_api(request):
        detail = dberrors.MESSAGES[kind]
        response = JsonResponse({"detail": detail}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(_unavailable_page(kind), status=503)
    response["Retry-After"] = str(_RETRY_AFTER[kind])
    add_never_cache_headers(response)
    return response


def server_error(request):
    """handler500: 503 for a database unreachable, a timeout, a deadlock or a serialization failure
    (each saying so), else the usual 500 (JSON for the API)."""
    kind = dberrors.kind(sys.exc_info()[1])
    if kind is not None:
        return service_unavailable(request, kind)
    if _is_api(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=500, json_dumps_params={"ensure_ascii": False})
    return defaults.server_error(request)
