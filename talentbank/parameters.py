"""Bad parameters are a 400 with a Russian reason, never a 500 — each rule in one place.

- NUL characters (code 0) in the address or the query string: `RefuseNulMiddleware`, before any
  view (PostgreSQL text cannot hold them, so a search or an autocomplete term with one failed in
  the database). Form fields refuse them on their own (Django's ProhibitNullCharactersValidator).
- Integers beyond 64 bits in a filter: `participants.filtersets.ScopedFilterSet` checks every
  number a filter takes with `within_64_bits` (a bigint column holds no more).
- Deeply nested JSON bodies: `JSONParser` (the API's parser) refuses more than MAX_JSON_DEPTH levels,
  and a body so deep that Python's parser gives up on it.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DrfJSONParser

NUL = "\x00"
NUL_REFUSED = "В адресе или параметрах запроса есть недопустимый символ NUL (код 0). Уберите его и повторите запрос."

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
OUT_OF_RANGE = "Число вне допустимого диапазона (от −9 223 372 036 854 775 808 до 9 223 372 036 854 775 807)."

MAX_JSON_DEPTH = 32
TOO_DEEP = f"Слишком глубокая вложенность JSON: допускается не более {MAX_JSON_DEPTH} уровней."

_PAGE = (
    '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Неверный запрос — Банк талантов</title>'
    "</head><body><h1>Неверный запрос</h1><p>{}</p></body></html>"
)


def bad_request(request, message: str) -> HttpResponse:
    """400 with `message`: `{"detail": …}` for the API, a short page otherwise (no database, no templates)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(_PAGE.format(message), status=400)


class RefuseNulMiddleware:
    """400 for a request whose path, query parameter names or values hold a NUL character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info or any(
            NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
        ):
            return bad_request(request, NUL_REFUSED)
        return self.get_response(request)


def within_64_bits(value) -> None:
    """Validator: a whole number a filter compares with a 64-bit column must fit in one."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return
    if isinstance(value, Decimal) and not value.is_finite():
        return
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")


def json_depth(data) -> int:
    """How deep lists and objects nest in `data` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_JSON_DEPTH with a Russian 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(TOO_DEEP) from error
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
