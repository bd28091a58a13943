"""Writing many rows at once with their audit trail: one statement per table, not per row.

On PostgreSQL new rows go in by COPY with ids drawn from the table's sequence first (without
converting values that are already what the column takes), changed rows by one UPDATE … FROM UNNEST
(Django's bulk_update builds a CASE per row and field and takes minutes for ten thousand people);
elsewhere bulk_create and bulk_update do it. The django-simple-history records are then copied by the
database from the rows just written (INSERT … SELECT), with the user, reason and type that
bulk_create_with_history and bulk_update_with_history would give them; databases that cannot return
new rows' ids get simple_history's own function.

The importers and the merge of duplicates write through here, so that no bulk path loses history.
"""

from collections.abc import Iterable
from datetime import date
from operator import attrgetter

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

LOOKUP_BATCH = 500
LOOKUP_BATCH_POSTGRESQL = 20_000
WRITE_BATCH = 500  # rows per statement where rows are written through simple_history or bulk_update


def chunks(items: list) -> Iterable[list]:
    """Slices of `items` small enough for one IN (…) list of the current database."""
    size = LOOKUP_BATCH_POSTGRESQL if connection.vendor == "postgresql" else LOOKUP_BATCH
    for start in range(0, len(items), size):
        yield items[start : start + size]


# A column's Python type that PostgreSQL takes as it is, by the field's internal type; a value of
# another type, and any value of another kind of field, goes through the field's get_db_prep_save,
# as in bulk_create.
_PLAIN_TYPES = {
    "AutoField": int,
    "BigAutoField": int,
    "SmallAutoField": int,
    "IntegerField": int,
    "BigIntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveBigIntegerField": int,
    "PositiveSmallIntegerField": int,
    "CharField": str,
    "TextField": str,
    "BooleanField": bool,
    "DateField": date,
}


def create_with_history(model, objs: list, user, reason: str):
    if not connection.features.can_return_rows_from_bulk_insert:
        bulk_create_with_history(objs, model, batch_size=WRITE_BATCH, default_user=user, default_change_reason=reason)
        return
    _insert_rows(model, objs)
    write_history(model, [obj.pk for obj in objs], "+", user, reason)


def _insert_rows(model, objs: list):
    """Save new objects and give them their ids, as bulk_create does."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    _prepare_related(model, objs)
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    columns = []
    for model_field in fields:
        if type(model_field).pre_save is Field.pre_save:
            values = list(map(attrgetter(model_field.attname), objs))
        else:  # sets auto_now dates, as bulk_create does
            values = [model_field.pre_save(obj, True) for obj in objs]
        columns.append(_column_values(model_field, values))
    table = quote(meta.db_table)
    names = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    with connection.wrap_database_errors, connection.cursor() as cursor:
        # Ids drawn from the table's own sequence, in the order of the rows, then the rows copied
        # in with them: COPY formats values in psycopg's C code, where parameters of an INSERT are
        # quoted one by one in Python (most of the time of writing ten thousand rows).
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]

        def copy_rows(sql, params, many, context):
            with cursor.cursor.copy(sql) as copy:
                for row in zip(pks, *columns, strict=True):
                    copy.write_row(row)

        # Through the connection's execute wrappers, as cursor.execute goes (they see the COPY).
        cursor._execute_with_wrappers(f"COPY {table} ({names}) FROM STDIN", None, False, copy_rows)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _prepare_related(model, objs: list):
    """Model._prepare_related_fields_for_save(operation_name="bulk_create") of every object, a field
    at a time instead of an object at a time (the same checks, a fifth of the time on many rows):
    a related object saved since it was assigned gives its id, an unsaved one refuses the insert."""
    meta = model._meta
    if any(f.is_relation and hasattr(f, "fk_field") for f in meta.private_fields):
        for obj in objs:  # generic relations: Django's own, object by object
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
        return
    for field in meta.concrete_fields:
        if not field.is_relation:
            continue
        cache_name, attname, target, empty = (
            field.cache_name,
            field.attname,
            field.target_field.attname,
            field.empty_values,
        )
        for obj in objs:
            related = obj._state.fields_cache.get(cache_name)
            if not related:  # not assigned (or None): nothing to check
                continue
            if not related._is_pk_set():
                obj._prepare_related_fields_for_save(operation_name="bulk_create")  # raises Django's ValueError
            elif getattr(obj, attname) in empty:
                setattr(obj, field.name, related)
            if getattr(related, target) != getattr(obj, attname):
                field.delete_cached_value(obj)


def _column_values(model_field, values: list) -> list:
    """One column's values as the database is given them: as they are when all are of the
    column's plain Python type, else each through the field's get_db_prep_save."""
    kind = _PLAIN_TYPES.get(
        model_field.target_field.get_internal_type() if model_field.is_relation else model_field.get_internal_type()
    )
    if kind is not None and all(value is None or type(value) is kind for value in values):
        return values
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the `connection` proxy is slow per call
    return [None if value is None else model_field.get_db_prep_save(value, db) for value in values]


def update_with_history(model, objs: list, fields: list[str], user, reason: str):
    update_rows(model, objs, fields)
    write_history(model, [obj.pk for obj in objs], "~", user, reason)


def update_rows(model, objs: list, fields: list[str]):
    """Write `fields` of saved objects: one UPDATE … FROM UNNEST on PostgreSQL, bulk_update elsewhere."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=WRITE_BATCH)
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    names = [quote(column.column) for column in columns]
    arrays = ", ".join(f"(%s)::{column.db_type(connection)}[]" for column in columns)
    values = [_column_values(column, list(map(attrgetter(column.attname), objs))) for column in columns]
    assignments = ", ".join(f"{name} = imported.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM UNNEST({arrays}) AS imported ({', '.join(names)}) "
            f"WHERE {table}.{names[0]} = imported.{names[0]}",
            values,
        )


def write_history(model, pks: list[int], history_type: str, user, reason: str):
    """simple_history's records of rows just written, copied from them by the database."""
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    user = user or history.get_default_history_user(None)  # the request's user, as simple_history does
    quote = connection.ops.quote_name
    tracked = history.tracked_fields
    extra = {
        "history_date": connection.ops.adapt_datetimefield_value(timezone.now()),
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user": user.pk if user is not None else None,
    }
    target = [history._meta.get_field(name).column for name in [*(f.name for f in tracked), *extra]]
    source = ", ".join(quote(field.column) for field in tracked)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for chunk in chunks(sorted(pks)):
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(c) for c in target)}) "
                f"SELECT {source}, {', '.join(['%s'] * len(extra))} FROM {table} "
                f"WHERE {pk} IN ({', '.join(['%s'] * len(chunk))}) ORDER BY {pk}",
                [*extra.values(), *chunk],
            )
