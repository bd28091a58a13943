"""Pagination for the admin and the API.

Counting every row a page could show is the slowest query of a list over a national-size table:
`EstimatedCountPaginator` counts exactly when that is quick, and otherwise takes PostgreSQL's
planner estimate, so a list page never waits for a full count. A count that ran out of time is
remembered for a while (per process), so the next pages of the same list do not spend another
COUNT_TIMEOUT_MS of the database's time on a count that cannot finish.
"""

import json
import logging
import threading
import time

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import DatabaseError, connections, transaction
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

from talentbank import dberrors

logger = logging.getLogger(__name__)

COUNT_TIMEOUT_MS = 50
ALWAYS_COUNT_BELOW = 5_000  # planner estimates below this are counted exactly, however long it takes
SLOW_COUNT_MEMORY_SECONDS = 60  # how long a timed-out count is not tried again (its estimate is reused)
SLOW_COUNT_MEMORY_SIZE = 1_000  # lists remembered per process; the oldest are forgotten first

_slow_counts: dict[tuple, tuple[float, int]] = {}  # (db, sql, params) -> (remembered until, estimate)
_slow_counts_lock = threading.Lock()


def forget_slow_counts() -> None:
    """Tries every count again (tests)."""
    with _slow_counts_lock:
        _slow_counts.clear()


def _remembered_estimate(key) -> int | None:
    with _slow_counts_lock:
        remembered = _slow_counts.get(key)
        if remembered is None:
            return None
        until, estimate = remembered
        if time.monotonic() >= until:
            del _slow_counts[key]
            return None
        return estimate


def _remember_slow_count(key, estimate: int) -> None:
    with _slow_counts_lock:
        while len(_slow_counts) >= SLOW_COUNT_MEMORY_SIZE:
            del _slow_counts[next(iter(_slow_counts))]
        _slow_counts[key] = (time.monotonic() + SLOW_COUNT_MEMORY_SECONDS, estimate)


class EstimatedCountPaginator(Paginator):
    """`count` is exact unless the planner expects many rows and PostgreSQL cannot count them
    within COUNT_TIMEOUT_MS; then it is the planner's estimate and `estimated` is True. Other
    databases always count exactly."""

    estimated = False

    @cached_property
    def count(self):
        queryset = self.object_list
        using = getattr(queryset, "db", None)
        if using is None or connections[using].vendor != "postgresql":
            return super().count
        try:
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a condition that matches nothing (`pk__in=[]`: a scope with no rows)
            return 0
        key = (using, sql, tuple(map(repr, params)))
        remembered = _remembered_estimate(key)
        if remembered is not None:
            self.estimated = True
            return remembered
        estimate = self._estimate(sql, params, using)
        if estimate < ALWAYS_COUNT_BELOW:
            return super().count
        try:
            with transaction.atomic(using=using), connections[using].cursor() as cursor:
                # set_config(..., true) lasts to the end of the transaction; put it back before
                # leaving, since inside an outer transaction the savepoint's release keeps it.
                cursor.execute("SELECT current_setting('statement_timeout')")
                previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(COUNT_TIMEOUT_MS)])
                count = queryset.count()
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
                return count
        except DatabaseError as error:
            # By SQLSTATE 57014, not the message: a Russian server says «…из-за тайм-аута».
            if not dberrors.is_statement_timeout(error):
                raise
        _remember_slow_count(key, estimate)
        self.estimated = True
        return estimate

    @staticmethod
    def _estimate(sql, params, using) -> int:
        """The planner's row estimate of the list's query (`sql`, `params`: its ids, unordered)."""
        with connections[using].cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])


class Pagination(PageNumberPagination):
    """50 rows a page by default; a client may ask for up to 500 with ?page_size=.
    `count` is exact unless `count_estimated` is true (see EstimatedCountPaginator)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = EstimatedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_estimated"] = self.page.paginator.estimated
        return response

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": "true, если count — оценка: точный подсчёт занял бы слишком много времени.",
        }
        return response
