"""Loading participants and event results from Excel workbooks.

One rule for everything: a workbook is read and checked in full, every problem is reported with
its row and column in Russian, and only a file without a single problem is saved — in one
transaction, with the changes written to the audit trail (django-simple-history).

A person is matched by normalised ФИО and birth date (participants.names.normalise_name), the
same rule the admin uses to refuse duplicates. People are looked up, and rows written, a query per
table, not per row: on PostgreSQL a file of ten thousand rows takes the same dozen queries as a
file of ten. The workbook is read straight from its XML (_XlsxSheet), a few times faster than
openpyxl builds its cells.

Name parts are the identity: a matched person's ФИО is never rewritten by an import (the file's
spelling may differ only in case, spaces and ё/е).
"""

from __future__ import annotations

import gc
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property, lru_cache

import openpyxl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from events.models import Participation, Role
from participants import bulk
from participants.bulk import chunks
from participants.formats import short_date
from participants.models import (
    COURSE_ORGANISATION_KINDS,
    RESIDENT_CATEGORIES,
    Category,
    Membership,
    Organisation,
    Participant,
    Sex,
)
from participants.models.people import ALREADY_REGISTERED, MAX_COURSE, MAX_GRADE, MIN_COURSE, MIN_GRADE
from participants.names import clean_name_part, normalise_name
from participants.workbooks import Limits, NotAWorkbook, WorkbookRefused, elements, open_archive
from participants.workbooks import number as _number
from talentbank.xlsx import append_row

PARTICIPANT_COLUMNS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Пол",
    "Образовательная организация",
    "Класс/курс",
    "Категория",
    "Дата включения",
    "Основание",
    "Телефон",
    "E-mail",
    "Согласие на обработку ПДн",
    "Дата согласия",
]
RESULT_COLUMNS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Пол",
    "Образовательная организация",
    "Роль",
    "Результат",
]
MAX_IMPORT_BYTES = 10 * 1024 * 1024

PARTICIPANT_SHEET = "Участники"
RESULT_SHEET = "Результаты"
HELP_SHEET = "Как заполнять"
TEMPLATE_ROWS = 5000  # how far down the template's dropdowns reach
# Keys per IN (…) list. SQLite limits a query's parameters; PostgreSQL takes a whole file's keys
# at once (kept under the 65,535 parameters of psycopg's server-side binding).
HISTORY_REASON = "Загрузка из Excel"
CATEGORY_CHANGE_REASON = "Смена категории при загрузке из Excel"
DATE_FORMAT = "DD.MM.YYYY"

SEX_DROPDOWN = ["М", "Ж"]
CATEGORY_DROPDOWN = ["Резидент-школьник", "Резидент-студент", "Потенциальный резидент", "Партнёр"]
CONSENT_DROPDOWN = ["да", "нет"]
ROLE_DROPDOWN = [role.label for role in Role]

# Model field -> column, to place the model's own validation messages.
PARTICIPANT_FIELD_COLUMNS = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "patronymic": "Отчество",
    "birth_date": "Дата рождения",
    "sex": "Пол",
    "organisation": "Образовательная организация",
    "grade": "Класс/курс",
    "course": "Класс/курс",
    "phone": "Телефон",
    "email": "E-mail",
    "consent": "Согласие на обработку ПДн",
    "consent_date": "Дата согласия",
}


# Report ---------------------------------------------------------------------------------------


@dataclass
class ImportIssue:
    row: int | None  # Excel row number (header is row 1), None for file-level problems
    column: str | None  # column header, None if not about one column
    message: str  # Russian, says what is wrong and what to do

    def __str__(self):
        if self.row is None:
            # A message that already names the file reads better without a second «Файл:».
            return self.message if self.message.startswith("Файл ") else f"Файл: {self.message}"
        where = f"Строка {self.row}"
        if self.column:
            where += f", столбец «{self.column}»"
        return f"{where}: {self.message}"


@dataclass
class RowOutcome:
    row: int
    person: str  # "Петрова Мария Сергеевна, 20.05.2006"
    action: str  # "create" | "update" | "unchanged"
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old shown, new shown)
    membership: str = ""  # "" or e.g. "резидент-школьник с 01.04.2019"


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    saved: bool = False  # True only when commit=True and there were no errors

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for outcome in self.rows:
            counts[outcome.action] += 1
        return counts

    def to_json(self) -> dict:
        """The preview as stored with the upload (ImportUpload.result): lists, not objects, to stay small."""
        return {
            "rows": [[o.row, o.person, o.action, [list(c) for c in o.changes], o.membership] for o in self.rows],
            "errors": [[i.row, i.column, i.message] for i in self.errors],
        }

    @classmethod
    def from_json(cls, stored: dict) -> ImportReport:
        return cls(
            rows=[
                RowOutcome(row, person, action, [tuple(c) for c in changes], membership)
                for row, person, action, changes, membership in stored.get("rows", [])
            ],
            errors=[ImportIssue(row, column, message) for row, column, message in stored.get("errors", [])],
        )


# Small helpers --------------------------------------------------------------------------------


def _lower_first(message: str) -> str:
    """«Дата рождения …» -> «дата рождения …» after a colon; «ФИО …» stays as it is."""
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        return message[0].lower() + message[1:]
    return message


_QUOTES = str.maketrans("", "", "«»\"'“”„")
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-‐–—]\s*")


@lru_cache(maxsize=4096)  # a file repeats the same sexes, categories and organisations
def _label_key(value: str) -> str:
    """Key for matching a typed label: case, spaces, ё/е and spaces around hyphens ignored."""
    value = _SPACES.sub(" ", value.replace("\xa0", " ").strip()).casefold().replace("ё", "е")
    return _DASHES.sub("-", value)


@lru_cache(maxsize=4096)
def _organisation_key(value: str) -> str:
    return _label_key(value.translate(_QUOTES))


def _person_label(last_name: str, first_name: str, patronymic: str, birth_date: date | None) -> str:
    name = " ".join(p for p in (last_name, first_name, patronymic) if p)
    return f"{name}, {short_date(birth_date)}" if birth_date else name


def _person_name(person: Participant) -> str:
    return _person_label(person.last_name, person.first_name, person.patronymic, person.birth_date)


def _membership_label(category: str, included_on: date) -> str:
    return f"{Category(category).label} с {short_date(included_on)}"


def _shown(person) -> dict[str, str]:
    """A person's updatable columns as the preview shows them (to list what an import changes)."""
    return {
        "Пол": person.sex,
        "Образовательная организация": str(person.organisation) if person.organisation else "—",
        "Класс/курс": _grade_shown(person.grade, person.course),
        "Телефон": person.phone or "—",
        "E-mail": person.email or "—",
        "Согласие на обработку ПДн": "да" if person.consent else "нет",
        "Дата согласия": short_date(person.consent_date),
    }


def _grade_shown(grade: int | None, course: int | None) -> str:
    if grade is not None:
        return f"{grade} класс"
    if course is not None:
        return f"{course} курс"
    return "—"


def _no_duplicate():
    """Stands in for Participant.find_duplicate: the import has already matched the file's people
    against the bank in batches, so the per-row query of Participant.clean would only repeat it."""
    return None


class _FieldChecks:
    """Model.clean_fields for the people of one file, each (field, value) checked once.

    A file repeats the same sexes, classes, dates and first names thousands of times, and the
    e-mail validator is slow; the verdicts are the model fields' own (Field.clean), only remembered.
    """

    def __init__(self):
        fields = [f for f in Participant._meta.fields if not f.generated]
        self.by_name = {f.name: f for f in fields}
        self.fields = [(f.name, f.attname, f.blank, f.empty_values) for f in fields]
        self.verdicts: dict[tuple, tuple[object, list[ValidationError]]] = {}
        self.today = timezone.localdate()

    def clean(self, name: str, value) -> tuple[object, list[ValidationError]]:
        """(cleaned value, errors) of Field.clean for one value."""
        key = (name, type(value), value)
        verdict = self.verdicts.get(key)
        if verdict is None:
            try:
                verdict = self.by_name[name].clean(value, None), []
            except ValidationError as exc:
                verdict = value, exc.error_list
            self.verdicts[key] = verdict
        return verdict

    def errors(self, name: str, value) -> list[ValidationError]:
        return self.clean(name, value)[1]

    def clean_fields(self, person: Participant, exclude: set[str]) -> dict[str, list[str]]:
        """What person.clean_fields(exclude) reports, as {field: [messages]}; cleaned values are set."""
        errors = {}
        for name, attname, blank, empty_values in self.fields:
            if name in exclude:
                continue
            raw = getattr(person, attname)
            if blank and raw in empty_values:
                continue
            cleaned, problems = self.verdicts.get((name, type(raw), raw)) or self.clean(name, raw)
            if problems:
                errors[name] = list(ValidationError(problems))
            elif cleaned is not raw:
                setattr(person, attname, cleaned)
        return errors


_CATEGORY_BY_LABEL = {_label_key(c.label): c.value for c in Category}
_ROLE_BY_LABEL = {_label_key(r.label): r.value for r in Role}
_SEX_BY_TEXT = {  # plain values, like the other mappings: what the database gives back
    "м": Sex.MALE.value,
    "муж": Sex.MALE.value,
    "мужской": Sex.MALE.value,
    "m": Sex.MALE.value,  # a Latin M typed by mistake
    "ж": Sex.FEMALE.value,
    "жен": Sex.FEMALE.value,
    "женский": Sex.FEMALE.value,
}
_CONSENT_BY_TEXT = {"да": True, "нет": False}
_DATE_TEXT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s*г\.?)?$")
_LEVEL_TEXT = re.compile(r"^(\d{1,2})(?:\s*-?\s*(?:й|ый|ой)?\s*(?:класс|курс|кл)\.?)?$")


# Templates ------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))

PARTICIPANT_WIDTHS = {
    "Фамилия": 18,
    "Имя": 14,
    "Отчество": 18,
    "Дата рождения": 14,
    "Пол": 6,
    "Образовательная организация": 40,
    "Класс/курс": 11,
    "Категория": 24,
    "Дата включения": 15,
    "Основание": 40,
    "Телефон": 18,
    "E-mail": 26,
    "Согласие на обработку ПДн": 16,
    "Дата согласия": 14,
}
RESULT_WIDTHS = {
    "Фамилия": 18,
    "Имя": 14,
    "Отчество": 18,
    "Дата рождения": 14,
    "Пол": 6,
    "Образовательная организация": 40,
    "Роль": 16,
    "Результат": 40,
}

PARTICIPANT_INSTRUCTIONS = [
    "Одна строка — один человек. Не меняйте, не переставляйте и не удаляйте заголовки столбцов.",
    "Обязательные столбцы: Фамилия, Имя, Дата рождения, Пол, Образовательная организация.",
    "Даты — в формате ДД.ММ.ГГГГ (например, 20.05.2006).",
    "Пол — М или Ж.",
    "Образовательная организация — полное или краткое название так, как в банке (список ниже).",
    "Класс/курс — число: класс от 1 до 11 для школьников, курс от 1 до 6 для студентов колледжей и вузов.",
    "Категорию и дату включения заполняет только координатор программы, и только вместе; основание — по желанию.",
    "Согласие на обработку ПДн — да или нет; для «да» укажите дату согласия.",
    "Не объединяйте ячейки и не вставляйте формулы: только значения.",
    "Человек, который уже есть в банке (те же ФИО и дата рождения), не дублируется: его запись обновляется "
    "заполненными ячейками, пустые ячейки ничего не стирают.",
    "Перед сохранением загрузка показывает, что будет создано и изменено; файл с ошибками не сохраняется целиком.",
]
RESULT_INSTRUCTIONS = [
    "Одна строка — один человек, участвовавший в выпуске мероприятия. Не меняйте заголовки столбцов.",
    "Обязательные столбцы: Фамилия, Имя, Дата рождения. Пол обязателен для людей, которых ещё нет в банке.",
    "Даты — в формате ДД.ММ.ГГГГ (например, 20.05.2006).",
    "Роль — участник, победитель, призёр, эксперт, модератор, координатор или наставник; пусто — участник.",
    "Результат — свободный текст (например, «диплом I степени», «2 место»).",
    "Образовательная организация — полное или краткое название так, как в банке.",
    "Не объединяйте ячейки и не вставляйте формулы: только значения.",
]


def _build_template(
    sheet_title: str,
    columns: list[str],
    widths: dict[str, int],
    dropdowns: dict[str, list[str]],
    date_columns: set[str],
    text_columns: set[str],
    instructions: list[str],
    organisations=None,
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    append_row(sheet, columns)
    for index, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = widths.get(name, 16)
        if name in date_columns:
            dimension.number_format = DATE_FORMAT
        elif name in text_columns:
            dimension.number_format = "@"
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    for name, values in dropdowns.items():
        letter = get_column_letter(columns.index(name) + 1)
        listed = ", ".join(values)
        validation = DataValidation(
            type="list",
            formula1='"{}"'.format(",".join(values)),
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorTitle=name,
            error=f"Выберите значение из списка: {listed}.",
            promptTitle=name,
            prompt=f"Одно из: {listed}.",
        )
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)

    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 70
    help_sheet.column_dimensions["B"].width = 30
    append_row(help_sheet, [f"Как заполнять лист «{sheet_title}»"])
    help_sheet["A1"].font = Font(bold=True, size=13)
    for line in instructions:
        append_row(help_sheet, [line])
        help_sheet.cell(row=help_sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    if organisations is not None:
        append_row(help_sheet, [])
        append_row(help_sheet, ["Организации, которые можно указывать (скопируйте название):"])
        help_sheet.cell(row=help_sheet.max_row, column=1).font = Font(bold=True)
        append_row(help_sheet, ["Полное название", "Краткое название"])
        for cell in help_sheet[help_sheet.max_row]:
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
        for organisation in sorted(organisations, key=lambda o: o.name.casefold()):
            append_row(help_sheet, [organisation.name, organisation.short_name or ""])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def participant_template(organisations=None) -> bytes:
    """The .xlsx template for import_participants; lists `organisations` on the help sheet if given."""
    return _build_template(
        PARTICIPANT_SHEET,
        PARTICIPANT_COLUMNS,
        PARTICIPANT_WIDTHS,
        {"Пол": SEX_DROPDOWN, "Категория": CATEGORY_DROPDOWN, "Согласие на обработку ПДн": CONSENT_DROPDOWN},
        {"Дата рождения", "Дата включения", "Дата согласия"},
        {"Телефон"},
        PARTICIPANT_INSTRUCTIONS,
        organisations,
    )


def results_template() -> bytes:
    """The .xlsx template for import_results."""
    return _build_template(
        RESULT_SHEET,
        RESULT_COLUMNS,
        RESULT_WIDTHS,
        {"Пол": SEX_DROPDOWN, "Роль": ROLE_DROPDOWN},
        {"Дата рождения"},
        set(),
        RESULT_INSTRUCTIONS,
    )


# Reading the workbook -------------------------------------------------------------------------


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.replace("\xa0", " ").strip())


def _header_key(value) -> str:
    return _label_key(str(value)) if not _is_empty(value) else ""


def _read_sheet(data: bytes, sheet_name: str, columns: list[str]) -> tuple[list[tuple[int, dict]], list[ImportIssue]]:
    """The data rows of the workbook as (row number, {column: value}), or the file's problems.

    Structural problems (not a workbook, empty sheet, wrong headers, merged cells) stop the
    reading; formula cells are reported per cell and their rows left out.
    """
    data = bytes(data)  # an upload kept in a BinaryField comes back as a memoryview
    if len(data) > MAX_IMPORT_BYTES:
        size = len(data) / 1024 / 1024
        limit = MAX_IMPORT_BYTES / 1024 / 1024
        return [], [
            ImportIssue(
                None,
                None,
                f"Файл слишком большой: {size:.1f} МБ при допустимых {limit:g} МБ. "
                "Разделите его на несколько файлов и загрузите по очереди.",
            )
        ]
    try:
        sheet = _XlsxSheet.read(data, sheet_name)
    except NotAWorkbook:
        return [], [_not_a_workbook()]
    except WorkbookRefused as refused:  # a zip bomb, a DTD, too many rows: the reason, in words
        return [], [ImportIssue(None, None, str(refused))]
    except Exception:  # a damaged workbook can fail anywhere while it is read: still the user's file
        return [], [_not_a_workbook()]
    where = f"лист «{sheet.title}»"

    if not any(not _is_empty(value) for cells in sheet.rows.values() for _, value, _ in cells):
        return [], [
            ImportIssue(None, None, f"{where} пуст: заполните его по шаблону, начиная с заголовков в первой строке.")
        ]

    issues = _check_header(sheet.row_values(1), columns)
    if sheet.merged:
        ranges = ", ".join(sorted(sheet.merged))
        issues.append(
            ImportIssue(
                None,
                None,
                f"на листе «{sheet.title}» есть объединённые ячейки: {ranges}. "
                "Разъедините их и заполните каждую ячейку отдельно.",
            )
        )
    if issues:
        return [], issues

    width = len(columns)
    rows: list[tuple[int, dict]] = []
    for number in sorted(sheet.rows):
        if number < 2:
            continue
        values = dict.fromkeys(columns)
        outside, formulas = [], []
        for index, value, formula in sheet.rows[number]:
            if index > width:
                if not _is_empty(value):
                    outside.append(
                        ImportIssue(
                            number,
                            None,
                            f"в ячейке {get_column_letter(index)}{number} есть значение, но у её столбца нет "
                            "заголовка: перенесите его в нужный столбец или удалите.",
                        )
                    )
                continue
            column = columns[index - 1]
            if formula:
                formulas.append(
                    ImportIssue(
                        number,
                        column,
                        f"в ячейке {get_column_letter(index)}{number} формула, а нужно значение: "
                        "скопируйте столбец и вставьте его как значения (Специальная вставка → Значения).",
                    )
                )
            values[column] = value
        if outside or formulas:
            issues += outside + formulas
            continue
        if all(_is_empty(v) for v in values.values()):
            continue
        rows.append((number, values))
    if not rows and not issues:
        issues.append(
            ImportIssue(None, None, f"на листе «{sheet.title}» нет ни одной заполненной строки под заголовками.")
        )
    return rows, issues


# The main and the strict OOXML namespaces of a workbook's parts.
_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_RELATIONSHIP_ATTRIBUTES = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)


def _tags(name: str) -> frozenset[str]:
    return frozenset(f"{{{namespace}}}{name}" for namespace in _MAIN_NAMESPACES)


_ROW, _CELL, _VALUE, _FORMULA, _INLINE = _tags("row"), _tags("c"), _tags("v"), _tags("f"), _tags("is")
_TEXT, _RUN, _STRING_ITEM, _MERGE = _tags("t"), _tags("r"), _tags("si"), _tags("mergeCell")
_SHEET, _WORKBOOK_PROPERTIES, _NUMBER_FORMATS, _NUMBER_FORMAT, _CELL_FORMATS = (
    _tags("sheet"),
    _tags("workbookPr"),
    _tags("numFmts"),
    _tags("numFmt"),
    _tags("cellXfs"),
)
_DIGITS = "0123456789"


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _part_path(base: str, target: str) -> str:
    """A relationship's target as a path inside the archive."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{relationship id: (type's last word, path)} of one part of the archive."""
    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    found = {}
    with archive.open(rels) as source:
        for element in elements(source, 1, rels):
            if _local_name(element.tag) == "Relationship" and element.get("TargetMode") != "External":
                kind = element.get("Type", "").rstrip("/").rpartition("/")[2]
                found[element.get("Id")] = (kind, _part_path(part, element.get("Target", "")))
    return found


def _inline_text(element) -> str:
    """The text of a shared or inline string: its own <t> and those of its runs, not phonetic hints."""
    parts = []
    for child in element:
        if child.tag in _TEXT:
            parts.append(child.text or "")
        elif child.tag in _RUN:
            parts.extend(grandchild.text or "" for grandchild in child if grandchild.tag in _TEXT)
    return "".join(parts)


@dataclass
class _XlsxSheet:
    """One worksheet of an .xlsx file, read straight from its XML in one pass.

    openpyxl builds an object per cell and per shared string, which is most of the time of a large
    import; this reader keeps only what the import looks at — each cell's value as openpyxl would
    give it (numbers, dates by the cell's number format, booleans, texts), whether it holds a
    formula, and the merged ranges — and leaves the rest of the file alone.
    """

    title: str
    rows: dict[int, list[tuple[int, object, bool]]]  # row number -> [(column number, value, is a formula)]
    merged: list[str]  # "A3:B3"

    def row_values(self, number: int) -> list:
        cells = self.rows.get(number, [])
        values = [None] * max((index for index, _, _ in cells), default=0)
        for index, value, _ in cells:
            values[index - 1] = value
        return values

    @classmethod
    def read(cls, data: bytes, sheet_name: str, limits: Limits | None = None) -> _XlsxSheet:
        """The sheet named `sheet_name` (else the first one); raises WorkbookRefused (workbooks.py)."""
        limits = limits or Limits.imports()
        with open_archive(data, limits) as archive:
            root = _relationships(archive, "")
            workbook_part = next(path for kind, path in root.values() if kind == "officeDocument")
            parts = _relationships(archive, workbook_part)
            epoch = WINDOWS_EPOCH
            sheets = []
            with archive.open(workbook_part) as source:
                for element in elements(source, 1, workbook_part):
                    if element.tag in _WORKBOOK_PROPERTIES:
                        if element.get("date1904", "").strip().lower() in {"1", "true"}:
                            epoch = MAC_EPOCH
                    elif element.tag in _SHEET:
                        rel = next(element.get(a) for a in _RELATIONSHIP_ATTRIBUTES if element.get(a))
                        kind, path = parts[rel]
                        if kind == "worksheet":
                            sheets.append((element.get("name"), path))
            title, path = next(((n, p) for n, p in sheets if n == sheet_name), sheets[0])
            by_kind = {kind: path for kind, path in parts.values()}
            strings = cls._shared_strings(archive, by_kind.get("sharedStrings"), limits)
            dates, durations = cls._date_styles(archive, by_kind.get("styles"))
            with archive.open(path) as source:
                rows, merged = cls._cells(source, strings, dates, durations, epoch, title, path, limits)
        return cls(title=title, rows=rows, merged=merged)

    @staticmethod
    def _shared_strings(archive: zipfile.ZipFile, path: str | None, limits: Limits) -> list[str]:
        if not path or path not in archive.namelist():
            return []
        strings = []
        with archive.open(path) as source:
            for element in elements(source, 1, path, _STRING_ITEM):
                if element.tag in _STRING_ITEM:
                    strings.append(_inline_text(element))
                    if len(strings) > limits.cells:
                        raise WorkbookRefused(
                            f"Файл отклонён: в книге больше {_number(limits.cells)} разных текстов "
                            f"(таблица общих строк «{path}»). Разделите данные на несколько файлов поменьше."
                        )
        return strings

    @staticmethod
    def _date_styles(archive: zipfile.ZipFile, path: str | None) -> tuple[set[int], set[int]]:
        """Which cell styles show a date or a duration: openpyxl's rule, so values come out the same."""
        if not path or path not in archive.namelist():
            return set(), set()
        custom = {}
        cell_formats = []  # numFmtId of each <xf> of <cellXfs>, in order
        with archive.open(path) as source:
            for element in elements(source, 1, path):
                if element.tag in _NUMBER_FORMATS:
                    custom.update(
                        (int(e.get("numFmtId")), e.get("formatCode")) for e in element if e.tag in _NUMBER_FORMAT
                    )
                elif element.tag in _CELL_FORMATS and not cell_formats:
                    cell_formats = [int(xf.get("numFmtId", 0)) for xf in element]
        dates, durations = set(), set()
        codes = {}
        for index, number_format in enumerate(cell_formats):
            if number_format not in codes:
                code = custom[number_format] if number_format in custom else BUILTIN_FORMATS.get(number_format)
                codes[number_format] = (is_date_format(code), is_timedelta_format(code))
            is_date, is_duration = codes[number_format]
            if is_date:
                dates.add(index)
            if is_duration:
                durations.add(index)
        return dates, durations

    @staticmethod
    def _cells(source, strings, dates, durations, epoch, title: str, part: str, limits: Limits):
        """Rows and merged ranges; stops at limits.rows rows or limits.cells cells (WorkbookRefused)."""
        rows: dict[int, list[tuple[int, object, bool]]] = {}
        merged = []
        columns: dict[str, int] = {}
        moments: dict[tuple, object] = {}  # (serial number, style) -> date: birth dates repeat
        number = 0
        rows_read = cells_read = 0
        for element in elements(source, 2, part, _ROW | _MERGE):
            tag = element.tag
            if tag not in _ROW:
                if tag in _MERGE:
                    cells_read += 1
                    reference = element.get("ref", "")
                    try:
                        merged.append(CellRange(reference).coord)
                    except (ValueError, TypeError):
                        merged.append(reference)
                continue
            given = element.get("r")
            number = int(float(given)) if given else number + 1
            rows_read += 1
            cells_read += len(element)
            if rows_read > limits.rows or cells_read > limits.cells:
                _refuse_size(title, number, limits, too_many_rows=rows_read > limits.rows)
            cells = []
            index = 0
            for cell in element:
                if cell.tag not in _CELL:
                    continue
                reference = cell.get("r")
                if reference:
                    letters = reference.rstrip(_DIGITS)
                    index = columns.get(letters) or columns.setdefault(letters, column_index_from_string(letters))
                else:
                    index += 1
                kind = cell.get("t", "n")
                text = formula = inline = None
                for child in cell:
                    if child.tag in _VALUE:
                        text = child.text
                    elif child.tag in _FORMULA:
                        formula = child
                    elif child.tag in _INLINE:
                        inline = child
                if formula is not None:
                    cells.append((index, "=" + (formula.text or ""), True))
                    continue
                value = None
                if kind == "inlineStr":
                    value = _inline_text(inline) if inline is not None else None
                elif text:
                    if kind == "n":
                        value = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
                        style = int(cell.get("s") or 0)
                        if style in dates:
                            moment = moments.get((value, style))
                            if moment is None:
                                try:
                                    moment = from_excel(value, epoch, timedelta=style in durations)
                                except (OverflowError, ValueError):
                                    moment = "#VALUE!"
                                moments[value, style] = moment
                            value = moment
                    elif kind == "s":
                        value = strings[int(text)]
                    elif kind == "b":
                        value = bool(int(text))
                    elif kind == "d":
                        value = from_ISO8601(text)
                    else:  # "str", "e" (an error such as #N/A)
                        value = text
                if value is not None:
                    cells.append((index, value, False))
            if cells:
                rows.setdefault(number, []).extend(cells)
        if cells_read > limits.cells:  # merged ranges counted after the last row
            _refuse_size(title, number, limits, too_many_rows=False)
        return rows, merged


def _refuse_size(title: str, row: int, limits: Limits, too_many_rows: bool):
    if too_many_rows:
        what = f"больше {_number(limits.rows)} строк"
    else:
        what = f"больше {_number(limits.cells)} ячеек"
    raise WorkbookRefused(
        f"Файл отклонён: на листе «{title}» {what} (чтение остановлено на строке {_number(row)}). "
        "Разделите данные на несколько файлов поменьше; если строк немного, удалите пустые оформленные "
        "строки и столбцы под таблицей и справа от неё."
    )


def _not_a_workbook() -> ImportIssue:
    return ImportIssue(
        None,
        None,
        "Файл не является книгой Excel (.xlsx) или повреждён. Откройте его в Excel и сохраните "
        "как «Книга Excel (*.xlsx)», либо скачайте шаблон и заполните его.",
    )


def _check_header(found: list, columns: list[str]) -> list[ImportIssue]:
    found = list(found)
    while found and _is_empty(found[-1]):
        found.pop()
    expected_keys = [_header_key(c) for c in columns]
    by_key = dict(zip(expected_keys, columns, strict=True))
    found_keys = [_header_key(v) for v in found]
    issues = []
    seen: dict[str, int] = {}
    for index, (value, key) in enumerate(zip(found, found_keys, strict=True), start=1):
        letter = get_column_letter(index)
        if not key:
            issues.append(
                ImportIssue(
                    1,
                    None,
                    f"у столбца {letter} нет заголовка: впишите заголовок из шаблона или удалите столбец.",
                )
            )
        elif key not in by_key:
            issues.append(
                ImportIssue(
                    1,
                    str(value).strip(),
                    f"лишний столбец {letter}: такого столбца в шаблоне нет. "
                    f"Удалите его; нужные столбцы: {', '.join(columns)}.",
                )
            )
        elif key in seen:
            issues.append(
                ImportIssue(
                    1,
                    by_key[key],
                    f"столбец повторяется: в {get_column_letter(seen[key])} и в {letter}. Оставьте один.",
                )
            )
        else:
            seen[key] = index
    for position, (column, key) in enumerate(zip(columns, expected_keys, strict=True), start=1):
        if key not in seen:
            issues.append(
                ImportIssue(
                    1,
                    column,
                    f"нет столбца «{column}»: он должен быть {position}-м ({get_column_letter(position)}). "
                    "Скачайте шаблон и перенесите данные в него.",
                )
            )
    if issues:
        return issues
    for position, (column, key) in enumerate(zip(columns, expected_keys, strict=True), start=1):
        actual = seen[key]
        if actual != position:
            issues.append(
                ImportIssue(
                    1,
                    column,
                    f"столбец стоит на месте {actual} ({get_column_letter(actual)}), а должен быть "
                    f"{position}-м ({get_column_letter(position)}). Расставьте столбцы в порядке шаблона: "
                    f"{', '.join(columns)}.",
                )
            )
    return issues


# Parsing one row ------------------------------------------------------------------------------


class _Row:
    """The cells of one data row, parsed column by column; problems are collected, not raised."""

    def __init__(self, number: int, values: dict):
        self.number = number
        self.values = values
        self.issues: list[ImportIssue] = []
        self.bad: set[str] = set()  # columns with a problem

    def error(self, column: str | None, message: str):
        self.issues.append(ImportIssue(self.number, column, message))
        if column:
            self.bad.add(column)

    def filled(self, column: str) -> bool:
        return not _is_empty(self.values.get(column))

    def text(self, column: str, required: bool = False) -> str:
        value = self.values.get(column)
        if type(value) is str and (text := " ".join(value.split())):
            return text  # spaces collapsed and trimmed, \xa0 included (the common case, without a regex)
        if _is_empty(value):
            if required:
                self.error(column, "обязательный столбец не заполнен.")
            return ""
        if isinstance(value, bool):
            return "да" if value else "нет"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return short_date(value)
        return _SPACES.sub(" ", str(value).replace("\xa0", " ")).strip()

    def date(self, column: str, required: bool = False) -> date | None:
        value = self.values.get(column)
        if _is_empty(value):
            if required:
                self.error(column, "обязательный столбец не заполнен: укажите дату в формате ДД.ММ.ГГГГ.")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            text = value.replace("\xa0", " ").strip()
            match = _DATE_TEXT.match(text)
            if match:
                day, month, year = (int(g) for g in match.groups())
                try:
                    return date(year, month, day)
                except ValueError:
                    self.error(column, f"дата {text} не существует: проверьте день и месяц.")
                    return None
            self.error(column, f"«{text}» не похоже на дату: укажите дату в формате ДД.ММ.ГГГГ, например 20.05.2006.")
            return None
        if isinstance(value, time):
            self.error(column, "в ячейке время, а нужна дата в формате ДД.ММ.ГГГГ.")
            return None
        self.error(
            column,
            f"«{self.text(column)}» не похоже на дату: укажите дату в формате ДД.ММ.ГГГГ, например 20.05.2006.",
        )
        return None

    def integer(self, column: str) -> int | None:
        value = self.values.get(column)
        if _is_empty(value):
            return None
        if isinstance(value, bool):
            value = None
        elif isinstance(value, int):
            return value
        elif isinstance(value, float) and value.is_integer():
            return int(value)
        elif isinstance(value, str) and (match := _LEVEL_TEXT.match(_label_key(value))):
            return int(match.group(1))
        self.error(column, f"«{self.text(column)}» — не целое число: укажите число, например 9.")
        return None

    def choice(self, column: str, mapping: dict, allowed: str, required: bool = False, key=_label_key):
        text = self.text(column, required=required)
        if not text:
            return None
        value = mapping.get(key(text))
        if value is None:
            self.error(column, f"«{text}» — недопустимое значение: укажите {allowed}.")
        return value

    def sex(self, required: bool = True):
        return self.choice("Пол", _SEX_BY_TEXT, "М или Ж", required=required, key=lambda t: _label_key(t).rstrip("."))

    def email(self, column: str, checks: _FieldChecks) -> str:
        # The model field's own check (its EmailValidator), remembered for _validate_person.
        text = self.text(column)
        if text and any(error.code == "invalid" for error in checks.errors("email", text)):
            self.error(column, f"«{text}» — не адрес электронной почты: проверьте его (например, name@example.ru).")
            return ""
        return text


class _Organisations:
    """The organisations a user may load people into, found by full or short name."""

    def __init__(self, organisations):
        self.allowed: dict[str, Organisation | None] = {}  # None: the name fits several
        self.allowed_ids: set[int] = set()
        self.by_id: dict[int, Organisation] = {}
        for organisation in organisations:
            self.allowed_ids.add(organisation.pk)
            self.by_id[organisation.pk] = organisation
            for name in {organisation.name, organisation.short_name}:
                if not name:
                    continue
                key = _organisation_key(name)
                if key in self.allowed and (self.allowed[key] is None or self.allowed[key].pk != organisation.pk):
                    self.allowed[key] = None
                else:
                    self.allowed[key] = organisation
        self._bank: set[str] | None = None

    def in_bank(self, key: str) -> bool:
        if self._bank is None:
            self._bank = set()
            for name, short_name in Organisation.objects.values_list("name", "short_name"):
                self._bank.add(_organisation_key(name))
                if short_name:
                    self._bank.add(_organisation_key(short_name))
        return key in self._bank

    def find(self, row: _Row, column: str = "Образовательная организация", required: bool = True):
        text = row.text(column, required=required)
        if not text:
            return None
        key = _organisation_key(text)
        if key in self.allowed:
            organisation = self.allowed[key]
            if organisation is None:
                row.error(column, f"название «{text}» подходит к нескольким организациям: укажите полное название.")
            return organisation
        if self.in_bank(key):
            row.error(
                column,
                f"организация «{text}» есть в банке, но загружать можно только обучающихся своих организаций. "
                "Уберите строку или обратитесь к координатору программы.",
            )
        else:
            row.error(
                column,
                f"организации «{text}» нет в банке: скопируйте её название с листа «{HELP_SHEET}» шаблона "
                "или попросите координатора программы добавить организацию.",
            )
        return None


# Shared steps ---------------------------------------------------------------------------------


@dataclass
class _PersonCells:
    """What identifies the person of a row."""

    last_name: str
    first_name: str
    patronymic: str
    birth_date: date | None

    @cached_property
    def key(self) -> tuple[str, date] | None:
        if self.last_name and self.first_name and self.birth_date:
            return normalise_name(self.last_name, self.first_name, self.patronymic), self.birth_date
        return None

    @property
    def label(self) -> str:
        return _person_label(
            clean_name_part(self.last_name),
            clean_name_part(self.first_name),
            clean_name_part(self.patronymic),
            self.birth_date,
        )


def _person_cells(row: _Row) -> _PersonCells:
    return _PersonCells(
        last_name=row.text("Фамилия", required=True),
        first_name=row.text("Имя", required=True),
        patronymic=row.text("Отчество"),
        birth_date=row.date("Дата рождения", required=True),
    )


def _find_people(
    keys: Iterable[tuple[str, date]], places: _Organisations, people: QuerySet | None
) -> tuple[dict[tuple[str, date], Participant], set[tuple[str, date]]]:
    """The bank's people with these (name key, birth date), in one query (per LOOKUP_BATCH names),
    and the keys of those the importer may not see (`people`: whom they may; None: everyone).

    A person out of sight is neither returned nor looked at further: the row is refused without a
    word of who or where they are. A person's organisation comes from `places` when the user may
    load into it.
    """
    wanted = set(keys)
    names = sorted({name for name, _ in wanted})
    found, hidden = {}, set()
    for chunk in chunks(names):
        matches = [p for p in Participant.objects.filter(name_key__in=chunk) if (p.name_key, p.birth_date) in wanted]
        visible = (
            {p.pk for p in matches}
            if people is None
            else set(people.filter(pk__in=[p.pk for p in matches]).values_list("pk", flat=True))
        )
        for person in matches:
            key = (person.name_key, person.birth_date)
            if person.pk not in visible:
                hidden.add(key)
                continue
            if person.organisation_id in places.by_id:
                person.organisation = places.by_id[person.organisation_id]
            found[key] = person
    return found, hidden


def _refuse_hidden(row: _Row):
    row.error(None, _lower_first(ALREADY_REGISTERED))


def _memberships_of(programme, person_ids: Iterable[int]) -> dict[int, list[Membership]]:
    by_person: dict[int, list[Membership]] = {}
    for chunk in chunks(sorted(set(person_ids))):
        for membership in Membership.objects.filter(programme=programme, participant_id__in=chunk):
            by_person.setdefault(membership.participant_id, []).append(membership)
    return by_person


def _mark_repeats(rows: list[tuple[_Row, _PersonCells]]):
    """The same person twice in one file: the later row is an error naming the earlier one."""
    first_row: dict[tuple[str, date], int] = {}
    for row, cells in rows:
        key = cells.key
        if key is None:
            continue
        if key in first_row:
            row.error(
                None,
                f"{cells.label} уже есть в этом файле в строке {first_row[key]}: оставьте одну строку на человека.",
            )
        else:
            first_row[key] = row.number


_UNIMPORTED_FIELDS = {f.name for f in Participant._meta.concrete_fields if f.name not in PARTICIPANT_FIELD_COLUMNS} | {
    "organisation"
}


def _validate_person(row: _Row, person: Participant, checks: _FieldChecks):
    """The model's own validation, its messages placed in the row's columns."""
    person.tidy_names()
    person.find_duplicate = _no_duplicate
    person.checked_on = checks.today
    # Only the fields an import sets; the organisation has been checked against the allowed ones.
    skip = _UNIMPORTED_FIELDS | {f for f, column in PARTICIPANT_FIELD_COLUMNS.items() if column in row.bad}
    errors = checks.clean_fields(person, skip)
    try:
        person.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    for name, messages in errors.items():
        column = PARTICIPANT_FIELD_COLUMNS.get(name)
        if column in row.bad:
            continue
        for message in dict.fromkeys(messages):
            row.error(column, _lower_first(message))


def _plan_membership(
    row: _Row,
    person: Participant,
    memberships: list[Membership],
    programme,
    category: str,
    included_on: date,
    basis: str,
    *,
    column: str | None,
    leaving_reason: str,
) -> tuple[Membership | None, Membership | None, str, tuple[str, str, str] | None]:
    """Membership to close and to open for a category from the file: (close, open, shown, change)."""
    label = _membership_label(category, included_on)
    current = next((m for m in memberships if m.left_on is None), None)
    if current is not None and current.category == category:
        return None, None, f"{_membership_label(current.category, current.included_on)}, без изменений", None
    if current is not None and included_on < current.included_on:
        row.error(
            column,
            f"дата включения {short_date(included_on)} раньше начала действующего членства "
            f"({_membership_label(current.category, current.included_on)}): "
            "новая категория может начаться не раньше. Проверьте дату.",
        )
        return None, None, "", None
    for past in memberships:
        if past.left_on is not None and past.included_on <= included_on < past.left_on:
            row.error(
                column,
                f"на {short_date(included_on)} у человека уже было членство в программе "
                f"({_membership_label(past.category, past.included_on)} по {short_date(past.left_on)}): "
                "укажите дату не раньше его окончания.",
            )
            return None, None, "", None
    new = Membership(participant=person, programme=programme, category=category, included_on=included_on, basis=basis)
    if current is None:
        return None, new, label, ("Категория", "—", label)
    old_label = _membership_label(current.category, current.included_on)
    current.left_on = included_on
    current.leaving_reason = leaving_reason
    return current, new, f"{label} (вместо: {old_label})", ("Категория", old_label, label)


@dataclass
class _Plan:
    """What saving one row does."""

    outcome: RowOutcome
    person: Participant
    new_person: bool = False
    changed_person: bool = False
    close: Membership | None = None
    open: Membership | None = None
    participation: Participation | None = None
    new_participation: bool = False
    changed_participation: bool = False


def _save_people(plans: list[_Plan], user, fields: list[str]):
    created = [p.person for p in plans if p.new_person]
    updated = [p.person for p in plans if p.changed_person and not p.new_person]
    if created:
        for person in created:
            person.created_by = user
        bulk.create_with_history(Participant, created, user, HISTORY_REASON)
    if updated:
        now = timezone.now()
        for person in updated:
            person.updated_at = now
        bulk.update_with_history(Participant, updated, [*fields, "updated_at"], user, HISTORY_REASON)
    closed = [p.close for p in plans if p.close is not None]
    if closed:
        bulk.update_with_history(Membership, closed, ["left_on", "leaving_reason"], user, HISTORY_REASON)
    opened = [p.open for p in plans if p.open is not None]
    if opened:
        bulk.create_with_history(Membership, opened, user, HISTORY_REASON)


def _sort_issues(issues: list[ImportIssue], columns: list[str]):
    """File first, then by row, and within a row in the order of the columns."""
    position = {column: index for index, column in enumerate(columns)}
    issues.sort(key=lambda i: (i.row or 0, position.get(i.column, len(columns))))


def _run(read, save, commit: bool) -> ImportReport:
    """Preview, or check and save in one transaction only when nothing is wrong."""
    # The zone that is current anyway, pinned: Participant.clean asks for today's date on every
    # row, and finding the current zone is most of what that costs.
    with _collector_paused(), timezone.override(timezone.get_current_timezone()):
        return _check_and_save(read, save, commit)


@contextmanager
def _collector_paused():
    """Python's cycle collector off while a file is read and saved.

    A large file makes hundreds of thousands of short-lived objects (cells, rows, model
    instances), and the collector would sweep the whole process again and again meanwhile: about
    a quarter of the time of ten thousand rows. They are freed by reference counting all the same;
    the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_and_save(read, save, commit: bool) -> ImportReport:
    if not commit:
        report, _ = read()
        return report
    try:
        with transaction.atomic():
            report, plans = read()
            if report.errors:
                return report
            save(plans)
            report.saved = True
            return report
    except IntegrityError:
        return ImportReport(
            errors=[
                ImportIssue(
                    None,
                    None,
                    "данные в банке изменились во время загрузки (например, кто-то добавил тех же людей): "
                    "ничего не сохранено. Загрузите файл ещё раз и проверьте предпросмотр.",
                )
            ]
        )


# Participants ---------------------------------------------------------------------------------

_PERSON_UPDATE_FIELDS = ["sex", "organisation", "grade", "course", "phone", "email", "consent", "consent_date"]


def import_participants(
    data: bytes, *, programme, organisations, can_set_membership: bool, user=None, commit: bool, people=None
) -> ImportReport:
    """Check a workbook of participants (commit=False: preview) or save it (commit=True, all or nothing).

    `organisations`: where the user may load pupils into. `can_set_membership`: whether Категория,
    Дата включения and Основание may be filled (the programme coordinator's right). `people`: whom
    the user may see (access.scope); a row matching anyone else is refused. None: everyone.
    """

    def read():
        return _read_participants(data, programme, organisations, can_set_membership, people)

    return _run(read, lambda plans: _save_people(plans, user, _PERSON_UPDATE_FIELDS), commit)


def _read_participants(data, programme, organisations, can_set_membership, people) -> tuple[ImportReport, list[_Plan]]:
    raw_rows, issues = _read_sheet(data, PARTICIPANT_SHEET, PARTICIPANT_COLUMNS)
    report = ImportReport(errors=issues)
    if not raw_rows:
        return report, []
    places = _Organisations(organisations)
    checks = _FieldChecks()

    parsed = []
    for number, values in raw_rows:
        row = _Row(number, values)
        cells = _person_cells(row)
        fields = _participant_fields(row, places, can_set_membership, checks)
        parsed.append((row, cells, fields))
    _mark_repeats([(row, cells) for row, cells, _ in parsed])

    keys = (cells.key for row, cells, _ in parsed if cells.key and not row.issues)
    found, hidden = _find_people(keys, places, people)
    memberships = _memberships_of(programme, (p.pk for p in found.values()))

    plans = []
    for row, cells, fields in parsed:
        plan = None
        if not row.issues and cells.key in hidden:
            _refuse_hidden(row)
        if not row.issues:
            existing = found.get(cells.key)
            plan = _plan_participant(
                row, cells, fields, existing, places, can_set_membership, programme, memberships, checks
            )
        if row.issues:
            report.errors += row.issues
        elif plan is not None:
            plans.append(plan)
            report.rows.append(plan.outcome)
    _sort_issues(report.errors, PARTICIPANT_COLUMNS)
    return report, plans


def _participant_fields(row: _Row, places: _Organisations, can_set_membership: bool, checks: _FieldChecks) -> dict:
    organisation = places.find(row)
    level = row.integer("Класс/курс")
    # Grade for schools (and other kinds), course for colleges and universities.
    grade = course = None
    if level is not None and organisation is not None:
        if organisation.kind in COURSE_ORGANISATION_KINDS:
            if not MIN_COURSE <= level <= MAX_COURSE:
                row.error("Класс/курс", f"курс {level} вне диапазона: для колледжей и вузов — от 1 до 6.")
            course = level
        else:
            if not MIN_GRADE <= level <= MAX_GRADE:
                row.error("Класс/курс", f"класс {level} вне диапазона: для школьников — от 1 до 11.")
            grade = level
    fields = {
        "sex": row.sex(),
        "organisation": organisation,
        "level": level,
        "grade": grade,
        "course": course,
        "phone": row.text("Телефон"),
        "email": row.email("E-mail", checks),
        "consent": row.choice("Согласие на обработку ПДн", _CONSENT_BY_TEXT, "да или нет"),
        "consent_date": row.date("Дата согласия"),
        "category": None,
        "included_on": None,
        "basis": "",
    }
    membership_columns = ["Категория", "Дата включения", "Основание"]
    if not can_set_membership:
        for column in membership_columns:
            if row.filled(column):
                row.error(
                    column,
                    "категорию и дату включения задаёт координатор программы: очистите столбцы «Категория», "
                    "«Дата включения» и «Основание».",
                )
        return fields
    labels = ", ".join(CATEGORY_DROPDOWN)
    fields["category"] = row.choice("Категория", _CATEGORY_BY_LABEL, f"одну из категорий: {labels}")
    fields["included_on"] = row.date("Дата включения")
    fields["basis"] = row.text("Основание")
    has_category, has_date = row.filled("Категория"), row.filled("Дата включения")
    if has_category and not has_date:
        row.error("Дата включения", "категория указана без даты включения: укажите дату в формате ДД.ММ.ГГГГ.")
    elif has_date and not has_category:
        row.error("Категория", "дата включения указана без категории: укажите категорию или очистите дату.")
    elif fields["basis"] and not has_category:
        row.error("Основание", "основание указано без категории и даты включения: заполните их или очистите основание.")
    if fields["included_on"] and fields["included_on"] > checks.today:
        row.error("Дата включения", f"дата включения {short_date(fields['included_on'])} ещё не наступила.")
    if len(fields["basis"]) > Membership._meta.get_field("basis").max_length:
        row.error("Основание", "основание длиннее 400 знаков: сократите его.")
    return fields


def _plan_participant(
    row: _Row,
    cells: _PersonCells,
    fields: dict,
    existing: Participant | None,
    places: _Organisations,
    can_set_membership: bool,
    programme,
    memberships: dict[int, list[Membership]],
    checks: _FieldChecks,
) -> _Plan | None:
    organisation = fields["organisation"]
    if existing is not None:
        if existing.organisation_id is None and not can_set_membership:
            row.error(
                None,
                "человек с такими ФИО и датой рождения уже есть в банке без образовательной организации; "
                "обратитесь к координатору программы.",
            )
            return None
        if existing.organisation_id is not None and existing.organisation_id not in places.allowed_ids:
            row.error(
                None,
                "человек с такими ФИО и датой рождения уже числится в другой образовательной организации; "
                "обратитесь к координатору программы.",
            )
            return None

    grade, course, level = fields["grade"], fields["course"], fields["level"]
    consent, consent_date = fields["consent"], fields["consent_date"]
    had_consent_date = existing is not None and existing.consent_date is not None
    if consent is True and consent_date is None and not had_consent_date:
        row.error("Дата согласия", "согласие «да»: укажите дату согласия в формате ДД.ММ.ГГГГ.")
    elif consent is False and consent_date is not None:
        row.error("Дата согласия", "согласие «нет», а дата согласия указана: очистите дату или поставьте «да».")
    elif consent is None and consent_date is not None and not (existing is not None and existing.consent):
        row.error(
            "Согласие на обработку ПДн",
            "указана дата согласия, но не отмечено согласие: поставьте «да» в этом столбце.",
        )

    if existing is None:
        person = Participant(
            last_name=cells.last_name,
            first_name=cells.first_name,
            patronymic=cells.patronymic,
            birth_date=cells.birth_date,
            sex=fields["sex"] or "",
            organisation=organisation,
            grade=grade,
            course=course,
            phone=fields["phone"],
            email=fields["email"],
            consent=bool(consent),
            consent_date=consent_date,
        )
        changes = []
    else:
        person = existing
        before = _shown(person)
        if fields["sex"]:
            person.sex = fields["sex"]
        if organisation is not None:
            person.organisation = organisation
        if level is not None:
            person.grade, person.course = grade, course
        if fields["phone"]:
            person.phone = fields["phone"]
        if fields["email"]:
            person.email = fields["email"]
        if consent is not None:
            person.consent = consent
        if consent_date is not None:
            person.consent_date = consent_date
        after = _shown(person)
        changes = [(column, before[column], after[column]) for column in before if before[column] != after[column]]

    _validate_person(row, person, checks)
    if row.issues:
        return None

    plan = _Plan(
        outcome=RowOutcome(row=row.number, person=_person_name(person), action="unchanged"),
        person=person,
        new_person=existing is None,
        changed_person=bool(changes),
    )
    if fields["category"]:
        close, new, shown, change = _plan_membership(
            row,
            person,
            memberships.get(person.pk, []) if existing is not None else [],
            programme,
            fields["category"],
            fields["included_on"],
            fields["basis"],
            column="Дата включения",
            leaving_reason=CATEGORY_CHANGE_REASON,
        )
        if row.issues:
            return None
        plan.close, plan.open, plan.outcome.membership = close, new, shown
        if change:
            changes.append(change)
    plan.outcome.changes = changes if existing is not None else []
    if existing is None:
        plan.outcome.action = "create"
    elif changes:
        plan.outcome.action = "update"
    return plan


# Event results --------------------------------------------------------------------------------

RESIDENT_ROLES = {Role.WINNER: "Победитель", Role.PRIZE_WINNER: "Призёр"}


def import_results(
    data: bytes, *, edition, organisations, make_residents: bool, user=None, commit: bool, people=None
) -> ImportReport:
    """Check (commit=False) or save (commit=True, all or nothing) a workbook of an edition's participants.

    People missing from the bank are created. With `make_residents`, winners and prize-winners
    without an open resident membership of the edition's programme become residents. `people`: whom
    the user may see, as for import_participants.
    """

    def read():
        return _read_results(data, edition, organisations, make_residents, people)

    def save(plans: list[_Plan]):
        _save_people(plans, user, ["organisation"])
        created = [p.participation for p in plans if p.new_participation]
        updated = [p.participation for p in plans if p.changed_participation and not p.new_participation]
        if created:
            bulk.create_with_history(Participation, created, user, HISTORY_REASON)
        if updated:
            bulk.update_with_history(Participation, updated, ["role", "result"], user, HISTORY_REASON)

    return _run(read, save, commit)


def _read_results(data, edition, organisations, make_residents, people) -> tuple[ImportReport, list[_Plan]]:
    raw_rows, issues = _read_sheet(data, RESULT_SHEET, RESULT_COLUMNS)
    report = ImportReport(errors=issues)
    if not raw_rows:
        return report, []
    places = _Organisations(organisations)
    checks = _FieldChecks()
    programme = edition.series.programme
    included_on = edition.ends_on or edition.starts_on
    title = edition.title or edition.series.name
    roles = ", ".join(ROLE_DROPDOWN)
    result_length = Participation._meta.get_field("result").max_length

    parsed = []
    for number, values in raw_rows:
        row = _Row(number, values)
        cells = _person_cells(row)
        sex = row.sex(required=False)
        organisation = places.find(row, required=False)
        role = row.choice("Роль", _ROLE_BY_LABEL, f"одну из ролей: {roles}")
        if role is None and not row.filled("Роль"):
            role = Role.PARTICIPANT.value
        result = row.text("Результат")
        if len(result) > result_length:
            row.error("Результат", f"результат длиннее {result_length} знаков: сократите его.")
        parsed.append((row, cells, sex, organisation, role, result))
    _mark_repeats([(p[0], p[1]) for p in parsed])

    if make_residents and included_on is None and any(p[4] in RESIDENT_ROLES for p in parsed):
        report.errors.append(
            ImportIssue(
                None,
                None,
                f"у выпуска «{edition}» не указаны даты, а победителей и призёров нужно включить в резиденты "
                "с даты окончания: укажите даты выпуска или снимите отметку о включении в резиденты.",
            )
        )
        make_residents = False

    found, hidden = _find_people((p[1].key for p in parsed if p[1].key and not p[0].issues), places, people)
    person_ids = [p.pk for p in found.values()]
    memberships = _memberships_of(programme, person_ids) if make_residents else {}
    participations = {}
    for chunk in chunks(sorted(person_ids)):
        for participation in Participation.objects.filter(edition=edition, participant_id__in=chunk):
            participations[participation.participant_id] = participation

    plans = []
    for row, cells, sex, organisation, role, result in parsed:
        if not row.issues and cells.key in hidden:
            _refuse_hidden(row)
        if row.issues:
            report.errors += row.issues
            continue
        existing = found.get(cells.key)
        changes = []
        if existing is None:
            if not sex:
                row.error("Пол", "человека нет в банке: чтобы создать запись, укажите пол (М или Ж).")
                report.errors += row.issues
                continue
            person = Participant(
                last_name=cells.last_name,
                first_name=cells.first_name,
                patronymic=cells.patronymic,
                birth_date=cells.birth_date,
                sex=sex,
                organisation=organisation,
            )
            _validate_person(row, person, checks)
            changes.append(("Человек", "нет в банке", "новая запись"))
        else:
            person = existing
            if person.organisation_id is not None and person.organisation_id not in places.allowed_ids:
                row.error(
                    None,
                    "человек с такими ФИО и датой рождения уже числится в образовательной организации, "
                    "данные которой вам недоступны; обратитесь к координатору программы.",
                )
            elif person.organisation_id is None and organisation is not None:
                # Only fills a gap: a known person's organisation is not changed by a results file.
                person.organisation = organisation
                changes.append(("Образовательная организация", "—", str(organisation)))
        if row.issues:
            report.errors += row.issues
            continue

        plan = _Plan(
            outcome=RowOutcome(row=row.number, person=_person_name(person), action="unchanged"),
            person=person,
            new_person=existing is None,
            changed_person=existing is not None and bool(changes),
        )
        participation = participations.get(person.pk) if existing is not None else None
        if participation is None:
            plan.participation = Participation(edition=edition, participant=person, role=role, result=result)
            plan.new_participation = True
        else:
            old_role, old_result = participation.role, participation.result
            if row.filled("Роль"):
                participation.role = role
            if result:
                participation.result = result
            if participation.role != old_role:
                changes.append(("Роль", Role(old_role).label, participation.get_role_display()))
            if participation.result != old_result:
                changes.append(("Результат", old_result or "—", participation.result))
            plan.participation = participation
            plan.changed_participation = (participation.role, participation.result) != (old_role, old_result)

        if make_residents and plan.participation.role in RESIDENT_ROLES:
            _plan_residence(row, plan, memberships.get(person.pk, []), programme, included_on, title, changes)
            if row.issues:
                report.errors += row.issues
                continue

        plan.outcome.changes = changes
        if plan.new_participation:
            plan.outcome.action = "create"
        elif changes:
            plan.outcome.action = "update"
        plans.append(plan)
        report.rows.append(plan.outcome)
    _sort_issues(report.errors, RESULT_COLUMNS)
    return report, plans


def _plan_residence(row, plan: _Plan, memberships, programme, included_on: date, title: str, changes: list):
    """A winner or prize-winner without an open resident membership becomes a resident."""
    current = next((m for m in memberships if m.left_on is None), None)
    if current is not None and current.category in RESIDENT_CATEGORIES:
        plan.outcome.membership = f"{_membership_label(current.category, current.included_on)}, без изменений"
        return
    was_resident = next(
        (
            m
            for m in memberships
            if m.category in RESIDENT_CATEGORIES and m.left_on and m.included_on <= included_on < m.left_on
        ),
        None,
    )
    if was_resident is not None:
        plan.outcome.membership = (
            f"на {short_date(included_on)} уже был резидентом "
            f"({_membership_label(was_resident.category, was_resident.included_on)} по {short_date(was_resident.left_on)})"
        )
        return
    organisation = plan.person.organisation
    category = Category.STUDENT if organisation and organisation.kind in COURSE_ORGANISATION_KINDS else Category.SCHOOL
    basis = f"{RESIDENT_ROLES[plan.participation.role]}: {title}"
    close, new, shown, change = _plan_membership(
        row,
        plan.person,
        memberships,
        programme,
        category.value,
        included_on,
        basis,
        column="Роль",
        leaving_reason=CATEGORY_CHANGE_REASON,
    )
    if row.issues:
        return
    plan.close, plan.open, plan.outcome.membership = close, new, shown
    if change:
        changes.append(change)
