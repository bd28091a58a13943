"""Per-period summaries of memberships in force, so that a справка does not scan the whole history.

The table reports_inforcechange (CREATE_TABLE_SQL; not a model, not a table of the bank) holds, per programme, measure, category and organisation, how
the number of distinct people in force changed from the period before to period Y; the figure for Y
is the sum of the changes up to Y. Two measures, the two the справка counts:
- END: in force at the period's end (`MembershipQuerySet.active_on(period.end)`), per category;
- DURING: in force at some moment of the period (`MembershipQuerySet.overlapping(start, end)`),
  any category (category '');
- NEW: new residents, whose first resident membership began in the period (`new_resident_count`):
  +1 in the period of the first inclusion, −1 in the next.
A membership included on day I and leaving on day L (the first day out) is in force at the end of
periods period_of(I) .. period_of(L) − 1, and during periods period_of(I) .. period_of(L − 1 day);
a person's overlapping memberships are merged first, so that people are counted once.

PostgreSQL triggers (installed by the migration from `trigger_sql()`) keep the table in step inside
the writing transaction, whatever writes: the admin, the ORM's bulk_create and .update(), an import,
a merge, COPY. A statement's trigger takes every (programme, person) it touched, subtracts their
contribution before the statement (rebuilt from the transition tables) and adds it after. On SQLite
there are no triggers: the справка computes from the raw records there (`in_use()` is False).
`rebuild()` recomputes everything and reports what differed (`manage.py rebuild_aggregates`).
"""

import contextvars
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from participants.models import RESIDENT_CATEGORIES
from participants.periods import Period, period_year_sql

TABLE = "reports_inforcechange"
CREATE_TABLE_SQL = f"""
CREATE TABLE {TABLE} (
    programme_id integer NOT NULL,
    measure varchar(6) NOT NULL,
    category varchar(20) NOT NULL,  -- '' for a measure over all categories
    organisation_id integer,  -- NULL: people without an organisation
    year integer NOT NULL,
    change integer NOT NULL,
    CONSTRAINT reports_inforcechange_key UNIQUE NULLS NOT DISTINCT (programme_id, measure, category, organisation_id, year)
)"""
END, DURING, NEW = "end", "during", "new"
OPEN = 1_000_000  # the year an open membership leaves in

_raw = contextvars.ContextVar("raw_records", default=False)


def in_use() -> bool:
    """Whether the справка reads the summaries (PostgreSQL, and not inside `raw_records()`)."""
    return connection.vendor == "postgresql" and not _raw.get()


@contextmanager
def raw_records():
    """Compute the справка from the raw records, as before the summaries (to compare with them)."""
    token = _raw.set(True)
    try:
        yield
    finally:
        _raw.reset(token)


def _changes_sql(source: str) -> str:
    """Summed changes (programme_id, measure, category, organisation_id, year, change) of the
    signed membership rows `source` (sign, programme_id, participant_id, organisation_id, category,
    included_on, left_on)."""
    kind = "g.period_kind"
    first = period_year_sql(kind, "s.included_on")
    end_last = f"COALESCE({period_year_sql(kind, 's.left_on')}, {OPEN})"
    during_last = f"COALESCE({period_year_sql(kind, '(s.left_on - 1)')} + 1, {OPEN})"
    key = "sign, programme_id, participant_id, organisation_id, measure, category"
    residents = ", ".join(f"'{c}'" for c in RESIDENT_CATEGORIES)
    return f"""
    spans AS (
        SELECT s.sign, s.programme_id, s.participant_id, s.organisation_id, '{END}' AS measure,
               s.category, {first} AS a, {end_last} AS b
        FROM {source} s JOIN participants_programme g ON g.id = s.programme_id
        UNION ALL
        SELECT s.sign, s.programme_id, s.participant_id, s.organisation_id, '{DURING}', '',
               {first}, {during_last}
        FROM {source} s JOIN participants_programme g ON g.id = s.programme_id
        UNION ALL
        SELECT s.sign, s.programme_id, s.participant_id, s.organisation_id, '{NEW}', '', {first}, {OPEN}
        FROM {source} s JOIN participants_programme g ON g.id = s.programme_id
        WHERE s.category IN ({residents})
    ),
    marked AS (
        SELECT *, CASE WHEN a > COALESCE(MAX(b) OVER (PARTITION BY {key} ORDER BY a, b
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), a - 1) THEN 1 ELSE 0 END AS starts
        FROM spans WHERE a < b
    ),
    islands AS (
        SELECT *, SUM(starts) OVER (PARTITION BY {key} ORDER BY a, b ROWS UNBOUNDED PRECEDING) AS island
        FROM marked
    ),
    runs AS (
        SELECT sign, programme_id, organisation_id, measure, category, MIN(a) AS a,
               CASE WHEN measure = '{NEW}' THEN MIN(a) + 1 ELSE MAX(b) END AS b
        FROM islands GROUP BY {key}, island
    ),
    changes AS (
        SELECT programme_id, measure, category, organisation_id, year, SUM(change)::int AS change
        FROM (
            SELECT programme_id, measure, category, organisation_id, a AS year, sign AS change FROM runs
            UNION ALL
            SELECT programme_id, measure, category, organisation_id, b, -sign FROM runs WHERE b < {OPEN}
        ) c
        GROUP BY programme_id, measure, category, organisation_id, year
        HAVING SUM(change) <> 0
    )"""


def _apply_sql(source_ctes: str) -> str:
    """Add the changes of the signed rows `source` (defined in source_ctes) to the table."""
    return f"""
    WITH {source_ctes}, {_changes_sql("source")}
    INSERT INTO {TABLE} AS t (programme_id, measure, category, organisation_id, year, change)
    SELECT programme_id, measure, category, organisation_id, year, change FROM changes
    ORDER BY programme_id, measure, category, organisation_id, year
    ON CONFLICT (programme_id, measure, category, organisation_id, year)
    DO UPDATE SET change = t.change + EXCLUDED.change"""


_ROW = "m.programme_id, m.participant_id, p.organisation_id, m.category, m.included_on, m.left_on"


def _transition_tables(event: str) -> tuple[str | None, str | None]:
    """The names a statement trigger of `event` sees its new and its old rows under."""
    return ("new_rows" if event != "DELETE" else None), ("old_rows" if event != "INSERT" else None)


def _statement_trigger(name: str, table: str, event: str, new: str | None, old: str | None, body: str) -> str:
    """A PL/pgSQL function running `body` after each statement of `event` on `table`, seeing the
    statement's rows as the transition tables `new` and `old`, and its trigger (both named
    reports_inforce_<name>; TRIGGERS lists them)."""
    function = f"reports_inforce_{name}"
    tables = " ".join(f"{which} TABLE AS {alias}" for which, alias in (("NEW", new), ("OLD", old)) if alias)
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body};
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS {function} ON {table};
CREATE TRIGGER {function} AFTER {event} ON {table} REFERENCING {tables}
FOR EACH STATEMENT EXECUTE FUNCTION {function}();"""


def _membership_function(event: str) -> str:
    """After a statement on memberships: the touched people's contribution before it (now minus the
    new rows plus the old ones) out, after it in."""
    new, old = _transition_tables(event)
    touched = " UNION ".join(f"SELECT programme_id, participant_id FROM {t}" for t in (new, old) if t)
    without_new = f"WHERE m.id NOT IN (SELECT id FROM {new})" if new else ""
    old_rows = (
        f"""UNION ALL SELECT -1, {_ROW} FROM {old} m
            LEFT JOIN participants_participant p ON p.id = m.participant_id"""
        if old
        else ""
    )
    source = f"""
    touched AS ({touched}),
    current_rows AS (
        SELECT m.id, {_ROW} FROM participants_membership m
        JOIN touched USING (programme_id, participant_id)
        LEFT JOIN participants_participant p ON p.id = m.participant_id
    ),
    source AS (
        SELECT 1 AS sign, programme_id, participant_id, organisation_id, category, included_on, left_on FROM current_rows
        UNION ALL
        SELECT -1, programme_id, participant_id, organisation_id, category, included_on, left_on FROM current_rows m
        {without_new}
        {old_rows}
    )"""
    return _statement_trigger(
        f"membership_{event.lower()}", "participants_membership", event, new, old, _apply_sql(source)
    )


PERSON_MOVES = {
    # The people whose memberships change organisation: on an update, those who moved; a person
    # written after their memberships (foreign keys are checked at commit: a restore, a raw load)
    # or deleted before them takes them from no organisation to theirs, or back.
    "UPDATE": """SELECT n.id, o.organisation_id AS before, n.organisation_id AS after
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.organisation_id IS DISTINCT FROM n.organisation_id""",
    "INSERT": "SELECT id, NULL::int AS before, organisation_id AS after FROM new_rows WHERE organisation_id IS NOT NULL",
    "DELETE": "SELECT id, organisation_id AS before, NULL::int AS after FROM old_rows WHERE organisation_id IS NOT NULL",
}


def _participant_function(event: str) -> str:
    """After a statement on people: the memberships of those in PERSON_MOVES move their
    contribution from one organisation to the other."""
    moves = PERSON_MOVES[event]
    source = f"""
    moved AS ({moves}),
    source AS (
        SELECT -1 AS sign, m.programme_id, m.participant_id, moved.before AS organisation_id, m.category,
               m.included_on, m.left_on
        FROM participants_membership m JOIN moved ON moved.id = m.participant_id
        UNION ALL
        SELECT 1, m.programme_id, m.participant_id, moved.after, m.category, m.included_on, m.left_on
        FROM participants_membership m JOIN moved ON moved.id = m.participant_id
    )"""
    body = f"""IF EXISTS (SELECT 1 FROM participants_membership m JOIN ({moves}) moved ON moved.id = m.participant_id) THEN
        {_apply_sql(source)};
    END IF"""
    return _statement_trigger(
        f"participant_{event.lower()}", "participants_participant", event, *_transition_tables(event), body
    )


def _all_rows(where: str = "TRUE") -> str:
    return f"""source AS (
        SELECT 1 AS sign, {_ROW} FROM participants_membership m
        LEFT JOIN participants_participant p ON p.id = m.participant_id
        WHERE {where}
    )"""


def _programme_function() -> str:
    """After a programme changes its kind of period, its periods are other periods: recount it."""
    changed = "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.period_kind <> n.period_kind"
    body = f"""IF EXISTS ({changed}) THEN
        DELETE FROM {TABLE} WHERE programme_id IN ({changed});
        {_apply_sql(_all_rows(f"m.programme_id IN ({changed})"))};
    END IF"""
    return _statement_trigger("programme", "participants_programme", "UPDATE", "new_rows", "old_rows", body)


def _truncate_function() -> str:
    """TRUNCATE fires no row or statement triggers: emptying the memberships empties the summaries
    (Django's flush between transactional tests does)."""
    return f"""
CREATE OR REPLACE FUNCTION reports_inforce_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {TABLE};
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS reports_inforce_truncate ON participants_membership;
CREATE TRIGGER reports_inforce_truncate AFTER TRUNCATE ON participants_membership
FOR EACH STATEMENT EXECUTE FUNCTION reports_inforce_truncate();"""


def trigger_sql() -> str:
    parts = [_membership_function(e) for e in ("INSERT", "UPDATE", "DELETE")]
    people = [_participant_function(e) for e in ("INSERT", "UPDATE", "DELETE")]
    return "\n".join([*parts, *people, _programme_function(), _truncate_function()])


TRIGGERS = {
    "membership_insert": "participants_membership",
    "membership_update": "participants_membership",
    "membership_delete": "participants_membership",
    "participant_insert": "participants_participant",
    "participant_update": "participants_participant",
    "participant_delete": "participants_participant",
    "programme": "participants_programme",
    "truncate": "participants_membership",
}

DROP_TRIGGERS_SQL = "\n".join(
    f"DROP TRIGGER IF EXISTS reports_inforce_{name} ON {table}; DROP FUNCTION IF EXISTS reports_inforce_{name}();"
    for name, table in TRIGGERS.items()
)


@dataclass
class Difference:
    programme_id: int
    measure: str
    category: str
    organisation_id: int | None
    year: int
    stored: int
    expected: int


def rebuild() -> list[Difference]:
    """Recompute the summaries from every membership, replace the table with them, and return where
    the table differed (nothing, if the triggers kept it in step). PostgreSQL only."""
    key0 = "programme_id, measure, category, COALESCE(organisation_id, 0) AS organisation, year"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        # Organisation 0 stands for none, so that the rows join (ids start at 1).
        cursor.execute(f"""
            WITH {_all_rows()}, {_changes_sql("source")},
            stored AS (SELECT {key0}, change FROM {TABLE} WHERE change <> 0),
            expected AS (SELECT {key0}, change FROM changes)
            SELECT programme_id, measure, category, NULLIF(organisation, 0), year,
                   COALESCE(stored.change, 0), COALESCE(expected.change, 0)
            FROM stored FULL JOIN expected USING (programme_id, measure, category, organisation, year)
            WHERE stored.change IS DISTINCT FROM expected.change
            ORDER BY 1, 2, 3, 4, 5""")
        differences = [Difference(*row) for row in cursor.fetchall()]
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(_apply_sql(_all_rows()))
    return differences


def recount_programme(programme_id: int):
    """Recompute one programme's summaries from its memberships (after writing it with the
    triggers off, as generate_synthetic does). Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE programme_id = %s", [programme_id])
        cursor.execute(_apply_sql(_all_rows("m.programme_id = %s")), [programme_id])


def in_force(programme_id: int, period: Period, measure: str) -> dict[tuple[str, int | None], int]:
    """{(category, organisation id): distinct people} in force in the period by the measure."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT category, organisation_id, SUM(change) FROM {TABLE}
            WHERE programme_id = %s AND measure = %s AND year <= %s
            GROUP BY category, organisation_id HAVING SUM(change) <> 0""",
            [programme_id, measure, period.year],
        )
        return {(category, organisation): n for category, organisation, n in cursor.fetchall()}


def by_organisation(counts: dict[tuple[str, int | None], int], categories=None) -> dict[int | None, int]:
    """{organisation id: people} of the given categories (all when None)."""
    found = defaultdict(int)
    for (category, organisation), n in counts.items():
        if categories is None or category in categories:
            found[organisation] += n
    return dict(found)
