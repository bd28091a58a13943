"""The whole bank as one Excel workbook, and back: a portable copy beside pg_dump.

`export_bank(stream_or_path, user=None)` writes one sheet per model of the apps participants,
events and reports (through tables of many-to-many fields included, e.g. Organisation_staff), in dependency
order, after a sheet «Содержание» that lists every sheet with its model and row count. A sheet's
header row is the model's column names (attname: foreign keys are ids); the values are typed:
dates as dates, numbers and decimals as numbers, booleans as booleans, JSON as JSON text.

- Users are not exported: a reference to a user (a school's staff, a programme's coordinators,
  who made a change in the audit trail) is written as the username, in a column named
  `<field>__username`.
- Times are written in UTC and to the millisecond, the precision of an Excel cell (microseconds
  are rounded); everything else is exact. pg_dump remains the exact, complete backup.
- Text is written as text, never as a formula (talentbank.xlsx); characters a worksheet cannot
  hold and carriage returns are written as OOXML escapes (_x0001_, _x000D_), which Excel shows and
  load_bank reads back.
- With `user`, only the rows `participants.access.scope(user, …)` lets that user see are
  written (such a file is a copy for the user, not a backup to restore); without, everything.
- Uploads waiting for confirmation (ImportUpload) are not exported: they are working files of
  up to 10 MB, more than an Excel cell holds, and are uploaded again if lost. Approved versions of
  справки (reports.ReportVersion) are not exported either: their PDF and workbook are larger than a
  cell; pg_dump keeps them. The справки's texts (reports.PeriodReport) are exported.

`load_bank(path)` loads such a workbook into a bank without data (after `manage.py migrate`),
in one transaction: rows keep their primary keys, references are checked, and the id sequences
are moved past the loaded ids. A referenced username that has no account is created as an
inactive account without a usable password (groups, passwords and tokens are not in the
workbook); an administrator activates it, assigns the role group and sets a password.

Memory stays flat for a big bank: openpyxl write-only and read-only modes, rows read from the
database in chunks and inserted in batches. Before openpyxl opens a workbook to load, its archive
is checked against the BANK_XLSX_* limits (participants.workbooks: a zip bomb, a DTD, too many
parts), and rows and cells are counted as they are read. A formula cell is refused with its sheet,
cell and formula: an export holds values only, and openpyxl would read a formula as its cached
value, or as nothing.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from participants.workbooks import Limits, NotAWorkbook, WorkbookRefused, number, open_archive
from talentbank import xlsx
from talentbank.xlsx import append_row

BANK_APPS = ("participants", "events", "reports")
# Models of the bank apps left out of the workbook, with the reason (see the module docstring).
EXCLUDED_MODELS = {
    "participants.importupload": "загрузки из Excel, ожидающие подтверждения",
    "reports.reportversion": "утверждённые версии справок (их PDF и Excel не помещаются в ячейку; они в копии pg_dump)",
}

CONTENTS_SHEET = "Содержание"
FORMAT_MARK = "talentbank-bank-export/1"
CONTENTS_HEADER = ("лист", "модель", "строк", "что это")
ACCESS, EVERYTHING = "доступ", "все данные банка"
CHUNK_SIZE = 2000
FORMULA = "f"  # openpyxl's data type of a formula cell

# Text stored as an OOXML escape (talentbank.xlsx.escape), read back by load_bank.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


class BackupError(Exception):
    """A workbook that cannot be loaded, or a bank that may not receive it; the message is for people."""


# The models and their order ------------------------------------------------------------------


def bank_models(include_excluded: bool = False) -> list[type[models.Model]]:
    """Every concrete model of the bank apps, through tables included, each after the models it refers to."""
    found = []
    for label in BANK_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            opts = model._meta
            if opts.proxy or not opts.managed:
                continue
            if not include_excluded and opts.label_lower in EXCLUDED_MODELS:
                continue
            found.append(model)
    return _dependency_order(found)


def _dependency_order(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """Topological order by foreign keys (self-references aside), stable in the apps' declaration order."""
    members = set(found)
    depends = {
        model: {
            f.related_model
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in members and f.related_model is not model
        }
        for model in found
    }
    for model in found:  # an audit trail (simple-history) comes after the records it follows
        tracked = _tracked_model(model)
        if tracked in members:
            depends[model].add(tracked)
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    while len(ordered) < len(found):
        ready = [m for m in found if m not in placed and depends[m] <= placed]
        if not ready:  # a cycle of foreign keys: keep declaration order for the rest (checks are deferred)
            ready = [m for m in found if m not in placed]
        ordered.append(ready[0])
        placed.add(ready[0])
    return ordered


def _tracked_model(model):
    """For simple-history's historical model, the model whose changes it records."""
    return getattr(model, "instance_type", None)


def sheet_name(model) -> str:
    return model._meta.object_name[:31]


def describe(model) -> str:
    """The model in Russian: its plural name, or owner and field for an automatic through table."""
    opts = model._meta
    if opts.auto_created:
        owner = opts.auto_created
        m2m = next(f for f in owner._meta.many_to_many if f.remote_field.through is model)
        return f"{owner._meta.verbose_name_plural}: {m2m.verbose_name}"
    tracked = _tracked_model(model)
    if tracked is not None:
        return f"история изменений: {tracked._meta.verbose_name_plural}"
    return str(opts.verbose_name_plural)


# Columns -------------------------------------------------------------------------------------


def _is_user_reference(f) -> bool:
    return f.is_relation and f.related_model is get_user_model()


@dataclass(frozen=True)
class Column:
    field: models.Field
    header: str  # the attname, or "<field>__username" for a reference to a user
    lookup: str  # what values_list reads

    @property
    def refers_to_user(self) -> bool:
        return _is_user_reference(self.field)


def columns(model) -> list[Column]:
    username = get_user_model().USERNAME_FIELD
    result = []
    for f in model._meta.concrete_fields:
        if _is_user_reference(f):
            result.append(Column(f, f"{f.name}__{username}", f"{f.name}__{username}"))
        else:
            result.append(Column(f, f.attname, f.attname))
    return result


# Export ------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    counts: dict[str, int] = field(default_factory=dict)  # sheet -> rows, in sheet order
    labels: dict[str, str] = field(default_factory=dict)  # sheet -> Russian description

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def round_to_milliseconds(moment: datetime) -> datetime:
    """What an Excel cell keeps of a time: the nearest millisecond."""
    return moment.replace(microsecond=0) + timedelta(milliseconds=round(moment.microsecond / 1000))


def escape_text(text: str) -> str:
    """How a text is stored in the workbook (talentbank.xlsx writes every cell that way)."""
    return xlsx.escape(text)


def unescape_text(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _exporter(f: models.Field) -> Callable:
    """A function turning one database value of the field into a cell value."""
    if isinstance(f, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if isinstance(f, models.BinaryField):
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(f, models.UUIDField):
        return lambda v: None if v is None else str(v)
    if isinstance(f, models.DateTimeField):

        def moment(v):
            if v is None:
                return None
            if timezone.is_aware(v):
                v = v.astimezone(UTC).replace(tzinfo=None)
            return round_to_milliseconds(v)

        return moment

    return lambda v: v  # text is escaped and kept text by talentbank.xlsx.append_row


def export_bank(stream_or_path, *, user=None) -> ExportResult:
    """Write the bank (or what `user` may see) into one .xlsx workbook; return rows per sheet.

    `stream_or_path` is a file name or a binary stream (an HttpResponse works too).
    On PostgreSQL, outside a transaction, every sheet is read from one snapshot of the bank.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _export(stream_or_path, user)
    return _export(stream_or_path, user)


def _export(stream_or_path, user) -> ExportResult:
    from participants.access import scope  # access imports the models; keep this module light to import

    workbook = Workbook(write_only=True)
    contents = workbook.create_sheet(CONTENTS_SHEET)
    username = getattr(user, get_user_model().USERNAME_FIELD, None) if user is not None else None
    append_row(contents, ["Выгрузка банка талантов", FORMAT_MARK])
    append_row(
        contents, ["выгружено (UTC)", round_to_milliseconds(timezone.now().astimezone(UTC).replace(tzinfo=None))]
    )
    append_row(contents, [ACCESS, f"что видит пользователь {username}" if user is not None else EVERYTHING])
    append_row(contents, ["время в листах", "UTC, с точностью до миллисекунды"])
    append_row(contents, ["ссылки на пользователей", "по имени входа (столбцы …__username)"])
    append_row(contents, ["не выгружаются", "; ".join(EXCLUDED_MODELS.values())])
    append_row(contents, [])
    append_row(contents, list(CONTENTS_HEADER))

    result = ExportResult()
    for model in bank_models():
        name = sheet_name(model)
        sheet = workbook.create_sheet(name)
        cols = columns(model)
        append_row(sheet, [c.header for c in cols])
        convert = [_exporter(c.field) for c in cols]
        queryset = model._base_manager.all()
        if user is not None:
            queryset = scope(user, queryset)
        rows = queryset.order_by("pk").values_list(*[c.lookup for c in cols]).iterator(chunk_size=CHUNK_SIZE)
        count = 0
        for row in rows:
            append_row(sheet, [fn(value) for fn, value in zip(convert, row, strict=True)])
            count += 1
        result.counts[name] = count
        result.labels[name] = describe(model)
        append_row(contents, [name, model._meta.label, count, describe(model)])
    workbook.save(stream_or_path)
    return result


# Load --------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    counts: dict[str, int] = field(default_factory=dict)  # sheet -> rows, in load order
    labels: dict[str, str] = field(default_factory=dict)
    created_users: list[str] = field(default_factory=list)
    missing_sheets: list[str] = field(default_factory=list)  # models of this version absent from the file

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def bank_rows() -> list[tuple[str, int]]:
    """(description, rows) of the bank's tables that hold rows, excluded ones included."""
    return [(describe(model), n) for model in bank_models(include_excluded=True) if (n := model._base_manager.count())]


def ensure_empty() -> None:
    filled = bank_rows()
    if filled:
        listed = "; ".join(f"«{name}» — {n}" for name, n in filled[:3])
        more = f" и ещё таблиц: {len(filled) - 3}" if len(filled) > 3 else ""
        raise BackupError(
            f"В базе уже есть данные банка ({listed}{more}). Выгрузку можно загрузить только в пустую базу: "
            "создайте новую базу данных, выполните manage.py migrate и повторите загрузку."
        )


NOT_A_WORKBOOK = "Файл не читается как книга Excel (.xlsx): выберите файл, сохранённый export_bank."


def _open(path):
    """(workbook, file): the archive checked first (participants.workbooks), then openpyxl on the same
    open file. Formulas are read as formulas (data_only=False) so that _load_sheet can refuse them."""
    try:
        handle = open(path, "rb")  # closed by load_bank, after the workbook
    except FileNotFoundError as exc:
        raise BackupError(f"Файл «{path}» не найден.") from exc
    except OSError as exc:
        raise BackupError(NOT_A_WORKBOOK) from exc
    try:
        with open_archive(handle, Limits.backups()):
            pass
        handle.seek(0)
        return load_workbook(handle, read_only=True, data_only=False), handle
    except NotAWorkbook as exc:
        handle.close()
        raise BackupError(NOT_A_WORKBOOK) from exc
    except WorkbookRefused as exc:
        handle.close()
        raise BackupError(str(exc)) from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        handle.close()
        raise BackupError(NOT_A_WORKBOOK) from exc
    except BaseException:
        handle.close()
        raise


def _read_contents(workbook) -> tuple[dict[str, tuple[str, int]], dict[str, object]]:
    """label -> (sheet, rows), and the notes above that table (access, date…), from the contents
    sheet; refuses a workbook that is not an export."""
    if CONTENTS_SHEET not in workbook.sheetnames:
        raise BackupError(
            f"Это не выгрузка банка: в книге нет листа «{CONTENTS_SHEET}». Загружайте файл, сохранённый export_bank."
        )
    rows = workbook[CONTENTS_SHEET].iter_rows(values_only=True)
    first = next(rows, ())
    if len(first) < 2 or first[1] != FORMAT_MARK:
        raise BackupError(
            f"Лист «{CONTENTS_SHEET}» не похож на выгрузку банка этой версии (ожидалась отметка «{FORMAT_MARK}»)."
        )
    listed: dict[str, tuple[str, int]] = {}
    notes: dict[str, object] = {}
    in_table = False
    for row in rows:
        cells = tuple(row[:3]) + (None,) * (3 - len(row[:3]))
        if not in_table:
            in_table = cells == CONTENTS_HEADER[:3]
            if not in_table and cells[0]:
                notes[str(cells[0])] = cells[1]
            continue
        if not any(cells):
            continue
        sheet, label, count = cells
        if not isinstance(count, int | float) or not sheet or not label:
            raise BackupError(f"Лист «{CONTENTS_SHEET}»: строка «{sheet}, {label}, {count}» не читается.")
        listed[str(label).lower()] = (str(sheet), int(count))
    if not in_table:
        raise BackupError(f"На листе «{CONTENTS_SHEET}» нет таблицы листов (лист, модель, строк).")
    return listed, notes


class _RowError(Exception):
    pass


def _loader(f: models.Field) -> Callable:
    """A function turning one cell value into the field's Python value (raises _RowError)."""

    def required(value):
        if value is None:
            if f.null:
                return None
            if f.empty_strings_allowed and not isinstance(f, models.BinaryField):
                return ""
            raise _RowError("пустое значение в обязательном поле")
        return value

    def via_to_python(value):
        try:
            return f.to_python(value)
        except ValidationError as exc:
            raise _RowError(f"значение «{value}» не подходит: {'; '.join(exc.messages)}") from exc

    if _is_user_reference(f):

        def read(value):  # a username; _Users turns it into an id
            value = required(value)
            return None if value is None else unescape_text(str(value))

    elif isinstance(f, models.JSONField):

        def read(value):
            value = required(value)
            if value is None:
                return None
            try:
                return json.loads(value) if isinstance(value, str) else value
            except ValueError as exc:
                raise _RowError(f"не JSON: «{value}»") from exc

    elif isinstance(f, models.BinaryField):

        def read(value):
            value = required(value)
            try:
                return None if value is None else base64.b64decode(str(value), validate=True)
            except ValueError as exc:
                raise _RowError("не base64") from exc

    elif isinstance(f, models.DateTimeField):

        def read(value):
            value = required(value)
            if value is None:
                return None
            if isinstance(value, str):
                value = via_to_python(value)
            if isinstance(value, date) and not isinstance(value, datetime):
                value = datetime.combine(value, time())
            if not isinstance(value, datetime):
                raise _RowError(f"не дата и время: «{value}»")
            return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value

    elif isinstance(f, models.DateField):

        def read(value):
            value = required(value)
            if isinstance(value, datetime):
                if value.time() != time():
                    raise _RowError(f"ожидалась дата без времени: «{value}»")
                return value.date()
            if value is None or isinstance(value, date):
                return value
            return via_to_python(str(value))

    elif isinstance(f, models.DecimalField):
        quantum = Decimal(1).scaleb(-f.decimal_places)

        def read(value):
            value = required(value)
            if value is None:
                return None
            try:
                return Decimal(str(value)).quantize(quantum)
            except InvalidOperation as exc:
                raise _RowError(f"не число: «{value}»") from exc

    elif isinstance(f, models.UUIDField):

        def read(value):
            value = required(value)
            try:
                return None if value is None else uuid.UUID(str(value))
            except ValueError as exc:
                raise _RowError(f"не UUID: «{value}»") from exc

    elif isinstance(f, models.BooleanField):

        def read(value):
            value = required(value)
            return value if value is None or isinstance(value, bool) else via_to_python(value)

    elif isinstance(f, models.IntegerField | models.AutoField) or (
        f.is_relation and isinstance(f.target_field, models.IntegerField | models.AutoField)
    ):

        def read(value):
            value = required(value)
            if value is None or (isinstance(value, int) and not isinstance(value, bool)):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
            raise _RowError(f"не целое число: «{value}»")

    elif isinstance(f, models.CharField | models.TextField):

        def read(value):
            value = required(value)
            if value is None:
                return None
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return unescape_text(str(value))

    else:

        def read(value):
            value = required(value)
            return None if value is None else via_to_python(value)

    return read


class _Users:
    """Usernames -> ids; a username without an account gets an inactive one without a usable password."""

    def __init__(self, result: LoadResult):
        self.model = get_user_model()
        self.ids: dict[str, int] = {}
        self.result = result

    def id_for(self, username) -> int | None:
        if username is None:
            return None
        username = str(username)
        if username not in self.ids:
            user = self.model._default_manager.filter(**{self.model.USERNAME_FIELD: username}).first()
            if user is None:
                user = self.model(**{self.model.USERNAME_FIELD: username}, is_active=False)
                user.set_unusable_password()
                user.save()
                self.result.created_users.append(username)
            self.ids[username] = user.pk
        return self.ids[username]


def load_bank(path) -> LoadResult:
    """Load a workbook written by export_bank into a bank without data, in one transaction.

    Raises BackupError with a Russian message (nothing is saved) when the bank already holds data
    or the file is not such a workbook, is damaged, or breaks a rule of the database.
    """
    ensure_empty()
    workbook, handle = _open(path)
    limits = Limits.backups()
    cells = [0]  # cells read so far, over all sheets (limits.cells)
    try:
        listed, notes = _read_contents(workbook)
        known = {m._meta.label_lower: m for m in bank_models()}
        unknown = [label for label in listed if label not in known]
        if unknown:
            raise BackupError(
                "В выгрузке есть таблицы, которых нет в этой версии банка: "
                + ", ".join(unknown)
                + ". Загрузите её в версию программы, из которой она выгружена."
            )
        result = LoadResult()
        with transaction.atomic():
            ensure_empty()  # again inside the transaction, right before writing
            users = _Users(result)
            loaded = []
            for label, model in known.items():
                name = sheet_name(model)
                result.labels[name] = describe(model)
                if label not in listed:
                    result.missing_sheets.append(name)
                    continue
                sheet, expected = listed[label]
                if sheet not in workbook.sheetnames:
                    raise BackupError(f"В выгрузке нет листа «{sheet}», указанного на листе «{CONTENTS_SHEET}».")
                count = _load_sheet(model, workbook[sheet], users, limits, cells)
                if count != expected:
                    raise BackupError(
                        f"Лист «{sheet}»: строк {count}, а на листе «{CONTENTS_SHEET}» указано {expected}. "
                        "Файл повреждён или изменён."
                    )
                result.counts[name] = count
                loaded.append(model)
            try:
                connection.check_constraints()  # deferred foreign keys, checked now rather than at commit
            except IntegrityError as exc:
                hint = ""
                if notes.get(ACCESS) != EVERYTHING:
                    hint = f" Это выгрузка с ограниченным доступом ({notes.get(ACCESS)}), а не резервная копия банка."
                raise BackupError(f"Ссылки между листами не сходятся: {_explain(exc)}.{hint}") from exc
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
                    cursor.execute(statement)
        return result
    finally:
        workbook.close()
        handle.close()


_MISSING_KEY = re.compile(r'Key \((?P<column>[^)]+)\)=\((?P<value>[^)]*)\) is not present in table "(?P<table>[^"]+)"')


def _explain(exc: Exception) -> str:
    """The database's refusal in words: which sheet and column point to which missing row, if it says so."""
    cause = exc.__cause__ or exc
    diag = getattr(cause, "diag", None)
    detail = getattr(diag, "message_detail", None) or ""
    missing = _MISSING_KEY.search(detail)
    if missing:
        sheets = {m._meta.db_table: sheet_name(m) for m in bank_models()}
        source = sheets.get(getattr(diag, "table_name", None) or "", getattr(diag, "table_name", "?"))
        target = sheets.get(missing["table"], missing["table"])
        return (
            f"на листе «{source}» в столбце «{missing['column']}» значение {missing['value']}, "
            f"а на листе «{target}» такой записи нет"
        )
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else exc.__class__.__name__


FORMULAS_LISTED = 20


def _load_sheet(model, sheet, users: _Users, limits: Limits, cells: list[int]) -> int:
    rows = sheet.iter_rows()  # cells, not values: a formula is told from a text by its type
    name = sheet.title
    header = next(rows, None)
    if header is None:
        raise BackupError(f"Лист «{name}» пуст: нет даже строки заголовков.")
    header = [str(h.value).strip() if h.value is not None else "" for h in header]
    while header and not header[-1]:
        header.pop()
    by_header = {c.header: c for c in columns(model)}
    unknown = [h for h in header if h not in by_header]
    if unknown:
        raise BackupError(
            f"Лист «{name}»: неизвестные столбцы {', '.join(repr(h) for h in unknown)}; "
            f"ожидаются {', '.join(by_header)}."
        )
    if len(set(header)) != len(header):
        raise BackupError(f"Лист «{name}»: столбцы повторяются.")
    absent = [c for h, c in by_header.items() if h not in header]
    for column in absent:
        if not (column.field.has_default() or column.field.null):
            raise BackupError(f"Лист «{name}»: нет столбца «{column.header}», а у поля нет значения по умолчанию.")
    present = [by_header[h] for h in header]
    readers = [_loader(c.field) for c in present]
    defaults = [(c.field, c.field.get_default()) for c in absent]
    targets = [c.field for c in present] + [c.field for c in absent]

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in targets)
    placeholders = ", ".join(["%s"] * len(targets))
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"

    def prepared(row_number: int, row: tuple) -> list:
        values = []
        for index, (column, read) in enumerate(zip(present, readers, strict=True)):
            cell = row[index] if index < len(row) else None
            try:
                value = read(cell)
                if column.refers_to_user:
                    value = users.id_for(value)
            except _RowError as exc:
                raise BackupError(f"Лист «{name}», строка {row_number}, столбец «{column.header}»: {exc}.") from exc
            values.append(column.field.get_db_prep_save(value, connection))
        values.extend(f.get_db_prep_save(default, connection) for f, default in defaults)
        return values

    count = 0
    batch: list[list] = []
    first_row_of_batch = 2
    formulas: list[str] = []  # "C5 (=SUM(A1:A3))"; once there is one, nothing more is written
    formula_count = 0
    for row_number, row_cells in enumerate(rows, start=2):
        cells[0] += len(row_cells)
        if row_number - 1 > limits.rows or cells[0] > limits.cells:
            _refuse_size(name, row_number, limits, too_many_rows=row_number - 1 > limits.rows)
        row = tuple(cell.value for cell in row_cells)
        if FORMULA in {cell.data_type for cell in row_cells}:
            for cell in row_cells:
                if cell.data_type == FORMULA:
                    formula_count += 1
                    if len(formulas) < FORMULAS_LISTED:
                        formulas.append(f"{cell.coordinate} ({getattr(cell.value, 'text', cell.value)})")
            continue
        if formulas or not any(cell is not None for cell in row):
            continue  # a blank line, e.g. left by hand at the end
        if not batch:
            first_row_of_batch = row_number
        batch.append(prepared(row_number, row))
        count += 1
        if len(batch) >= CHUNK_SIZE:
            _insert(sql, batch, name, first_row_of_batch)
            batch = []
    if formulas:
        more = f" и ещё {formula_count - len(formulas)}" if formula_count > len(formulas) else ""
        raise BackupError(
            f"Лист «{name}»: в ячейках формулы, а выгрузка банка хранит только значения — "
            f"{', '.join(formulas)}{more}. Книгу изменили после export_bank: загрузите исходную выгрузку "
            "или замените формулы их значениями (Специальная вставка → Значения)."
        )
    if batch:
        _insert(sql, batch, name, first_row_of_batch)
    return count


def _refuse_size(sheet: str, row: int, limits: Limits, too_many_rows: bool):
    if too_many_rows:
        what = f"на листе «{sheet}» строк больше, чем допускает настройка BANK_XLSX_MAX_ROWS ({number(limits.rows)})"
    else:
        what = f"в книге ячеек больше, чем допускает настройка BANK_XLSX_MAX_CELLS ({number(limits.cells)})"
    raise BackupError(
        f"Файл отклонён: {what}; чтение остановлено на листе «{sheet}», в строке {number(row)}. "
        "Если это настоящая выгрузка банка, увеличьте настройку и загрузите её снова."
    )


def _insert(sql: str, batch: list[list], sheet: str, first_row: int) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    except DatabaseError as exc:
        raise BackupError(
            f"Лист «{sheet}», строки {first_row}–{first_row + len(batch) - 1}: база данных отказала: {_explain(exc)}."
        ) from exc
