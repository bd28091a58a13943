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


def _statement_trigger(
    name: str, table: str, event: str, new: str | None, old: str | None, body: str, prefix: str = "reports_inforce_"
) -> str:
    """A PL/pgSQL function running `body` after each statement of `event` on `table`, seeing the
    statement's rows as the transition tables `new` and `old`, and its trigger (both named
    <prefix><name>; TRIGGERS and DIAGNOSTIC_TRIGGERS list them)."""
    function = f"{prefix}{name}"
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

    def __str__(self):
        return (
            f"программа {self.programme_id}, {self.year}, {self.measure}, категория «{self.category}», "
            f"организация {self.organisation_id}: было {self.stored:+d}, должно быть {self.expected:+d}"
        )


def rebuild() -> list[Difference]:
    """Recompute the summaries from every membership, replace the table with them, and return where
    the table differed (nothing, if the triggers kept it in step). PostgreSQL only."""
    key0 = "programme_id, measure, category, COALESCE(organisation_id, 0) AS organisation, year"
    columns = "programme_id, measure, category, organisation_id, year, change"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        _recomputed(cursor, f"WITH {_all_rows()}, {_changes_sql('source')} SELECT {columns} FROM changes")
        # Organisation 0 stands for none, so that the rows join (ids start at 1).
        cursor.execute(f"""
            WITH stored AS (SELECT {key0}, change FROM {TABLE} WHERE change <> 0),
            expected AS (SELECT {key0}, change FROM {RECOMPUTED})
            SELECT programme_id, measure, category, NULLIF(organisation, 0), year,
                   COALESCE(stored.change, 0), COALESCE(expected.change, 0)
            FROM stored FULL JOIN expected USING (programme_id, measure, category, organisation, year)
            WHERE stored.change IS DISTINCT FROM expected.change
            ORDER BY 1, 2, 3, 4, 5""")
        differences = [Difference(*row) for row in cursor.fetchall()]
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {RECOMPUTED}")
    return differences


RECOMPUTED = "pg_temp.reports_recomputed"


def _recomputed(cursor, select_sql: str):
    """A rebuild's recomputation, kept for the transaction in a temporary table: the rebuild
    compares the summary with it and then replaces the summary by it, computing it once."""
    cursor.execute(f"DROP TABLE IF EXISTS {RECOMPUTED}")
    cursor.execute(f"CREATE TEMPORARY TABLE {RECOMPUTED.removeprefix('pg_temp.')} ON COMMIT DROP AS {select_sql}")


def recount_programme(programme_id: int):
    """Recompute one programme's summaries from its memberships (after writing it with the
    triggers off, as generate_synthetic does). Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE programme_id = %s", [programme_id])
        cursor.execute(_apply_sql(_all_rows("m.programme_id = %s")), [programme_id])


_read = contextvars.ContextVar("summaries_read", default=None)


@contextmanager
def reading():
    """Inside it, each summary is read once: the справка's sections ask for the same period's
    figures more than once (residents and table 1, the cohort and the ranking)."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def in_force(programme_id: int, period: Period, measure: str) -> dict[tuple[str, int | None], int]:
    """{(category, organisation id): distinct people} in force in the period by the measure."""
    read = _read.get()
    key = (programme_id, period.year, measure)
    if read is not None and key in read:
        return read[key]
    found = _in_force(programme_id, period, measure)
    if read is not None:
        read[key] = found
    return found


def _in_force(programme_id: int, period: Period, measure: str) -> dict[tuple[str, int | None], int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT category, organisation_id, SUM(change) FROM {TABLE}
            WHERE programme_id = %s AND measure = %s AND year <= %s
            GROUP BY category, organisation_id HAVING SUM(change) <> 0""",
            [programme_id, measure, period.year],
        )
        return {(category, organisation): n for category, organisation, n in cursor.fetchall()}


def total(programme_id: int, period: Period, measure: str) -> int:
    """Distinct people in force in the period by the measure, all categories and organisations
    (the sum of `in_force`, without grouping the rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(change), 0) FROM {TABLE} WHERE programme_id = %s AND measure = %s AND year <= %s",
            [programme_id, measure, period.year],
        )
        return cursor.fetchone()[0]


def by_organisation(counts: dict[tuple[str, int | None], int], categories=None) -> dict[int | None, int]:
    """{organisation id: people} of the given categories (all when None)."""
    found = defaultdict(int)
    for (category, organisation), n in counts.items():
        if categories is None or category in categories:
            found[organisation] += n
    return dict(found)


# Diagnostics -------------------------------------------------------------------------------------
# Per programme, period and competence: the sums and counts of the entry and final scores of the
# people who passed both stages of the period (`cohort._diagnosed`), and how many of them have a
# score of the competence — what `cohort.diagnostic_growth` averages, without reading the period's
# 220 000 scores. A person's contribution depends only on their diagnostics of the (programme,
# period) and those diagnostics' scores, so a statement's trigger takes every (person, programme,
# period) it touched, subtracts their contribution before the statement and adds it after, as above.
# Scores whose diagnostic is not there (a restore writing scores first, a diagnostic deleted before
# its scores) contribute nothing until it is.

DIAGNOSTIC_TABLE = "reports_diagnosticsum"
CREATE_DIAGNOSTIC_TABLE_SQL = f"""
CREATE TABLE {DIAGNOSTIC_TABLE} (
    programme_id integer NOT NULL,
    period integer NOT NULL,
    competence_id integer NOT NULL,
    entry_sum numeric NOT NULL,
    entry_n integer NOT NULL,
    final_sum numeric NOT NULL,
    final_n integer NOT NULL,
    people integer NOT NULL,
    CONSTRAINT reports_diagnosticsum_key UNIQUE (programme_id, period, competence_id)
)"""
DIAGNOSTIC_VALUES = ("entry_sum", "entry_n", "final_sum", "final_n", "people")
_KEY = "participant_id, programme_id, period"
_DIAGNOSTIC = f"id, {_KEY}, stage"


def _diagnostic_changes_sql(before: bool) -> str:
    """Summed changes (programme_id, period, competence_id, *DIAGNOSTIC_VALUES) of the relations
    d_after, s_after (diagnostics and scores after the statement, of the touched people) and, when
    `before`, d_before, s_before (before it), defined by the caller's CTEs."""
    from participants.models import Stage

    states = [(1, "d_after", "s_after")] + ([(-1, "d_before", "s_before")] if before else [])
    diagnosed = " UNION ALL ".join(
        f"SELECT {sign} AS sign, {_KEY} FROM {d} GROUP BY {_KEY} HAVING COUNT(DISTINCT stage) = {len(Stage)}"
        for sign, d, _ in states
    )
    scores = " UNION ALL ".join(
        f"""SELECT {sign} AS sign, {", ".join(f"d.{c.strip()}" for c in _KEY.split(","))}, d.stage,
               s.competence_id, s.score
        FROM {d} d JOIN {s} s ON s.diagnostic_id = d.id"""
        for sign, d, s in states
    )
    entry, final = f"'{Stage.ENTRY.value}'", f"'{Stage.FINAL.value}'"
    return f"""
    diagnosed AS ({diagnosed}),
    scored AS (SELECT x.* FROM ({scores}) x JOIN diagnosed USING (sign, {_KEY})),
    per_person AS (
        SELECT sign, programme_id, period, competence_id,
               COALESCE(SUM(score) FILTER (WHERE stage = {entry}), 0) AS entry_sum,
               COUNT(*) FILTER (WHERE stage = {entry}) AS entry_n,
               COALESCE(SUM(score) FILTER (WHERE stage = {final}), 0) AS final_sum,
               COUNT(*) FILTER (WHERE stage = {final}) AS final_n
        FROM scored GROUP BY sign, {_KEY}, competence_id
    ),
    changes AS (
        SELECT programme_id, period, competence_id, SUM(sign * entry_sum) AS entry_sum,
               SUM(sign * entry_n)::int AS entry_n, SUM(sign * final_sum) AS final_sum,
               SUM(sign * final_n)::int AS final_n, SUM(sign)::int AS people
        FROM per_person GROUP BY programme_id, period, competence_id
        HAVING SUM(sign * entry_sum) <> 0 OR SUM(sign * entry_n) <> 0 OR SUM(sign * final_sum) <> 0
            OR SUM(sign * final_n) <> 0 OR SUM(sign) <> 0
    )"""


def _diagnostic_apply_sql(source_ctes: str, before: bool = True) -> str:
    values = ", ".join(DIAGNOSTIC_VALUES)
    added = ", ".join(f"{v} = t.{v} + EXCLUDED.{v}" for v in DIAGNOSTIC_VALUES)
    return f"""
    WITH {source_ctes}, {_diagnostic_changes_sql(before)}
    INSERT INTO {DIAGNOSTIC_TABLE} AS t (programme_id, period, competence_id, {values})
    SELECT programme_id, period, competence_id, {values} FROM changes
    ORDER BY programme_id, period, competence_id
    ON CONFLICT (programme_id, period, competence_id) DO UPDATE SET {added}"""


_SCORE = "id, diagnostic_id, competence_id, score"


def _diagnostic_function(event: str) -> str:
    """After a statement on diagnostics: the touched people's diagnostics before it are the current
    ones without the new rows, with the old rows; their scores are the same before and after."""
    new, old = _transition_tables(event)
    # DISTINCT: a statement writing both stages of a person (bulk_create) names them twice.
    touched = " UNION ".join(f"SELECT DISTINCT {_KEY} FROM {t}" for t in (new, old) if t)
    without_new = f"WHERE id NOT IN (SELECT id FROM {new})" if new else ""
    with_old = f"UNION ALL SELECT {_DIAGNOSTIC} FROM {old}" if old else ""
    source = f"""
    touched AS ({touched}),
    d_after AS (SELECT d.id, {_KEY}, d.stage FROM participants_diagnostic d JOIN touched USING ({_KEY})),
    d_before AS (SELECT {_DIAGNOSTIC} FROM d_after {without_new} {with_old}),
    s_after AS (SELECT {_SCORE} FROM participants_diagnosticscore
                WHERE diagnostic_id IN (SELECT id FROM d_after UNION SELECT id FROM d_before)),
    s_before AS (SELECT * FROM s_after)"""
    return _statement_trigger(
        f"diagnostic_{event.lower()}",
        "participants_diagnostic",
        event,
        new,
        old,
        _diagnostic_apply_sql(source),
        "reports_diagnostic_",
    )


def _score_function(event: str) -> str:
    """After a statement on scores: the touched people's scores before it are the current ones
    without the new rows, with the old rows; their diagnostics are the same before and after."""
    new, old = _transition_tables(event)
    ids = " UNION ".join(f"SELECT diagnostic_id FROM {t}" for t in (new, old) if t)
    without_new = f"WHERE id NOT IN (SELECT id FROM {new})" if new else ""
    with_old = f"UNION ALL SELECT {_SCORE} FROM {old}" if old else ""
    source = f"""
    touched AS (SELECT DISTINCT {_KEY} FROM participants_diagnostic WHERE id IN ({ids})),
    d_after AS (SELECT d.id, {_KEY}, d.stage FROM participants_diagnostic d JOIN touched USING ({_KEY})),
    d_before AS (SELECT * FROM d_after),
    s_after AS (SELECT {_SCORE} FROM participants_diagnosticscore WHERE diagnostic_id IN (SELECT id FROM d_after)),
    s_before AS (SELECT {_SCORE} FROM s_after {without_new} {with_old})"""
    return _statement_trigger(
        f"score_{event.lower()}",
        "participants_diagnosticscore",
        event,
        new,
        old,
        _diagnostic_apply_sql(source),
        "reports_diagnostic_",
    )


def _all_diagnostics(where: str = "TRUE") -> str:
    """Every diagnostic (of `where`, a condition on participants_diagnostic) and its scores. The
    scores are joined to their table, not tested by IN (SELECT id FROM d_after): the planner
    cannot estimate the «passed both stages» step, and with the IN it chose a nested loop that
    compared every score with every diagnostic (over 6 minutes at scale 100)."""
    return f"""d_after AS (SELECT {_DIAGNOSTIC} FROM participants_diagnostic WHERE {where}),
    s_after AS (SELECT {", ".join(f"s.{c.strip()}" for c in _SCORE.split(","))}
                FROM participants_diagnosticscore s
                JOIN participants_diagnostic ON participants_diagnostic.id = s.diagnostic_id WHERE {where})"""


def _diagnostic_truncate_function() -> str:
    """TRUNCATE of the diagnostics (which truncates their scores) or of the scores leaves no
    contribution: the summaries are emptied."""
    return "\n".join(
        f"""
CREATE OR REPLACE FUNCTION reports_diagnostic_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {DIAGNOSTIC_TABLE};
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS reports_diagnostic_truncate ON {table};
CREATE TRIGGER reports_diagnostic_truncate AFTER TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION reports_diagnostic_truncate();"""
        for table in ("participants_diagnostic", "participants_diagnosticscore")
    )


def diagnostic_trigger_sql() -> str:
    events = ("INSERT", "UPDATE", "DELETE")
    return "\n".join(
        [
            *(_diagnostic_function(e) for e in events),
            *(_score_function(e) for e in events),
            _diagnostic_truncate_function(),
        ]
    )


DIAGNOSTIC_TRIGGERS = {
    **{f"diagnostic_{e}": "participants_diagnostic" for e in ("insert", "update", "delete")},
    **{f"score_{e}": "participants_diagnosticscore" for e in ("insert", "update", "delete")},
}
DROP_DIAGNOSTIC_TRIGGERS_SQL = "\n".join(
    f"DROP TRIGGER IF EXISTS reports_diagnostic_{name} ON {table}; DROP FUNCTION IF EXISTS reports_diagnostic_{name}();"
    for name, table in DIAGNOSTIC_TRIGGERS.items()
) + (
    "\nDROP TRIGGER IF EXISTS reports_diagnostic_truncate ON participants_diagnostic;"
    "\nDROP TRIGGER IF EXISTS reports_diagnostic_truncate ON participants_diagnosticscore;"
    "\nDROP FUNCTION IF EXISTS reports_diagnostic_truncate();"
)


@dataclass
class DiagnosticDifference:
    programme_id: int
    period: int
    competence_id: int
    value: str  # one of DIAGNOSTIC_VALUES
    stored: object
    expected: object

    def __str__(self):
        return (
            f"программа {self.programme_id}, {self.period}, диагностика, компетенция {self.competence_id}, "
            f"{self.value}: было {self.stored}, должно быть {self.expected}"
        )


def rebuild_diagnostics() -> list[DiagnosticDifference]:
    """Recompute the diagnostic summaries from every diagnostic, replace the table with them, and
    return where the table differed. PostgreSQL only."""
    key = "programme_id, period, competence_id"
    values = ", ".join(DIAGNOSTIC_VALUES)
    differ = " OR ".join(f"COALESCE(stored.{v}, 0) <> COALESCE(expected.{v}, 0)" for v in DIAGNOSTIC_VALUES)
    pairs = ", ".join(f"COALESCE(stored.{v}, 0), COALESCE(expected.{v}, 0)" for v in DIAGNOSTIC_VALUES)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {DIAGNOSTIC_TABLE} IN EXCLUSIVE MODE")
        _recomputed(
            cursor,
            f"WITH {_all_diagnostics()}, {_diagnostic_changes_sql(before=False)} SELECT {key}, {values} FROM changes",
        )
        cursor.execute(f"""
            WITH stored AS (SELECT {key}, {values} FROM {DIAGNOSTIC_TABLE}),
            expected AS (SELECT {key}, {values} FROM {RECOMPUTED})
            SELECT {key}, {pairs}
            FROM stored FULL JOIN expected USING ({key})
            WHERE {differ}
            ORDER BY 1, 2, 3""")
        differences = []
        for programme, period, competence, *pairs_found in cursor.fetchall():
            for n, value in enumerate(DIAGNOSTIC_VALUES):
                stored, expected = pairs_found[2 * n], pairs_found[2 * n + 1]
                if stored != expected:
                    differences.append(DiagnosticDifference(programme, period, competence, value, stored, expected))
        cursor.execute(f"DELETE FROM {DIAGNOSTIC_TABLE}")
        cursor.execute(f"INSERT INTO {DIAGNOSTIC_TABLE} ({key}, {values}) SELECT {key}, {values} FROM {RECOMPUTED}")
    return differences


def recount_programme_diagnostics(programme_id: int):
    """Recompute one programme's diagnostic summaries (after writing it with the triggers off)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DIAGNOSTIC_TABLE} WHERE programme_id = %s", [programme_id])
        # The condition stands twice in _all_diagnostics (the diagnostics, and their scores' join).
        cursor.execute(
            _diagnostic_apply_sql(_all_diagnostics("programme_id = %s"), before=False), [programme_id, programme_id]
        )


def diagnostic_growth(programme_id: int, period: int) -> list[tuple]:
    """[(instrument, competence, entry average, final average, people)] of the people who passed
    both stages, in the order of `cohort.diagnostic_growth`; the averages divide as AVG() does."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT i.name, c.name, CASE WHEN t.entry_n > 0 THEN t.entry_sum / t.entry_n END,
                   CASE WHEN t.final_n > 0 THEN t.final_sum / t.final_n END, t.people
            FROM {DIAGNOSTIC_TABLE} t JOIN participants_competence c ON c.id = t.competence_id
            JOIN participants_instrument i ON i.id = c.instrument_id
            WHERE t.programme_id = %s AND t.period = %s AND t.entry_n + t.final_n > 0
            ORDER BY i.name, c.sort_order, c.name""",
            [programme_id, period],
        )
        return cursor.fetchall()
