"""What a database error was, told by its code, never by its message text.

PostgreSQL sends a five-character SQLSTATE with every error; psycopg keeps it as `exc.sqlstate` on
the exception Django wraps (`django.db.utils.OperationalError` and friends, raised `from` it). The
message text is translated (`lc_messages`: a Russian server says «выполнение оператора отменено
из-за тайм-аута»), so it is never looked at. SQLite's errors carry `sqlite_errorname` likewise.

The kinds the project answers differently (talentbank/errors.py, talentbank/pagination.py, the
import and merge pages):

- CONNECTION_LOST: the database cannot be reached or the connection was lost — class 08
  (connection exception), an administrator's or a crash shutdown (57P01, 57P02), a server that is
  starting (57P03), too many connections (53300), a session ended by an idle timeout (25P03, 57P05);
  and an error raised by the driver itself with no SQLSTATE (connection refused, "server closed the
  connection unexpectedly", "the connection is closed": Django's OperationalError/InterfaceError).
- TIMEOUT: a statement cancelled by `statement_timeout` (57014) or a lock not obtained within
  `lock_timeout` (55P03); SQLite's "database is locked" (SQLITE_BUSY).
- DEADLOCK: 40P01; SERIALIZATION: 40001 (REPEATABLE READ / SERIALIZABLE conflicts).

Anything else (a constraint, a bad query…) is None: an ordinary error, a 500.
"""

from django.db import InterfaceError, OperationalError

CONNECTION_LOST = "connection_lost"
TIMEOUT = "timeout"
DEADLOCK = "deadlock"
SERIALIZATION = "serialization"

QUERY_CANCELED = "57014"
LOCK_NOT_AVAILABLE = "55P03"
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"

_BY_SQLSTATE = {
    QUERY_CANCELED: TIMEOUT,
    LOCK_NOT_AVAILABLE: TIMEOUT,
    DEADLOCK_DETECTED: DEADLOCK,
    SERIALIZATION_FAILURE: SERIALIZATION,
    "57P01": CONNECTION_LOST,  # admin_shutdown (pg_terminate_backend, a fast shutdown)
    "57P02": CONNECTION_LOST,  # crash_shutdown
    "57P03": CONNECTION_LOST,  # cannot_connect_now (starting up, recovering)
    "57P05": CONNECTION_LOST,  # idle_session_timeout
    "53300": CONNECTION_LOST,  # too_many_connections
    "25P03": CONNECTION_LOST,  # idle_in_transaction_session_timeout: the session is ended
}
_CONNECTION_CLASS = "08"  # connection_exception, connection_failure, …

_BY_SQLITE_NAME = {
    "SQLITE_BUSY": TIMEOUT,  # "database is locked" after the busy timeout
    "SQLITE_LOCKED": TIMEOUT,
    "SQLITE_CANTOPEN": CONNECTION_LOST,
}

# Russian: what happened, for a page, a JSON answer or a message on the page the user was on.
MESSAGES = {
    CONNECTION_LOST: "Сервис временно недоступен: нет связи с базой данных. Повторите запрос через минуту.",
    TIMEOUT: (
        "Запрос выполнялся слишком долго, и база данных его прервала. Повторите его позже "
        "или сузьте выборку (фильтры, поиск)."
    ),
    DEADLOCK: (
        "Запрос был отменён: одновременно с ним другой запрос менял те же записи (взаимная блокировка). Повторите его."
    ),
    SERIALIZATION: ("Запрос был отменён: пока он выполнялся, те же данные изменил другой запрос. Повторите его."),
}


def _chain(exc: BaseException | None):
    """`exc`, the exception it was raised from, the one it was raised while handling, and so on."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def sqlstate(exc: BaseException | None) -> str | None:
    """The SQLSTATE of the first error in the chain that has one (psycopg 3 `sqlstate`, psycopg2 `pgcode`)."""
    for error in _chain(exc):
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(code, str) and code:
            return code
    return None


def kind(exc: BaseException | None) -> str | None:
    """CONNECTION_LOST, TIMEOUT, DEADLOCK, SERIALIZATION, or None for any other error (see above)."""
    driver_error = False
    for error in _chain(exc):
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(code, str) and code:
            return CONNECTION_LOST if code.startswith(_CONNECTION_CLASS) else _BY_SQLSTATE.get(code)
        name = getattr(error, "sqlite_errorname", None)
        if isinstance(name, str) and name:
            return _BY_SQLITE_NAME.get(name)
        driver_error = driver_error or isinstance(error, (OperationalError, InterfaceError))
    # No code anywhere: the driver's own failure to reach the server or to use a closed connection.
    return CONNECTION_LOST if driver_error else None


def is_connection_lost(exc: BaseException | None) -> bool:
    return kind(exc) == CONNECTION_LOST


def is_timeout(exc: BaseException | None) -> bool:
    return kind(exc) == TIMEOUT


def is_statement_timeout(exc: BaseException | None) -> bool:
    """Only `statement_timeout` (57014), not a lock wait: what a count with a time limit expects."""
    return sqlstate(exc) == QUERY_CANCELED


def message(exc: BaseException | None) -> str | None:
    """What happened, in Russian, for the kinds above; None for any other error."""
    found = kind(exc)
    return MESSAGES.get(found) if found else None


def interrupted(exc: BaseException | None, during: str) -> str:
    """Why a save was cut short (`during`: «сохранения», «объединения»), for the user."""
    reason = {
        TIMEOUT: "база данных прервала запрос: он выполнялся слишком долго",
        DEADLOCK: "база данных отменила запрос: другой запрос одновременно менял те же записи",
        SERIALIZATION: "база данных отменила запрос: те же данные одновременно изменил другой запрос",
    }.get(kind(exc))
    if reason is None:
        return f"Связь с базой данных прервалась во время {during}."
    return f"Во время {during} {reason}."
