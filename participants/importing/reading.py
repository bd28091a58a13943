"""Reading an uploaded workbook: the data rows of one sheet as {column: value}, or why it is refused.

The sheet is read straight from its XML (_XlsxSheet), a few times faster than openpyxl builds its
cells, through participants.workbooks (the archive's checks: zip bombs, DTDs; the parts streamed).
A file over MAX_IMPORT_BYTES, a sheet past the row or cell limits or an empty sheet refuse the whole
file; wrong headers, merged cells and formulas are reported while the rows are still read, so that
one upload tells every mistake of the file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.worksheet.cell_range import CellRange

from participants.importing.report import STRUCTURE, ImportIssue
from participants.workbooks import Limits, NotAWorkbook, WorkbookRefused, elements, open_archive
from reports.wording import number as format_number

MAX_IMPORT_BYTES = 10 * 1024 * 1024

# A cell's text as typed: what counts as empty, and the key headers are matched by (columns.py
# matches typed labels, such as a sex or a category, by the same key).
SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-‐–—]\s*")


@lru_cache(maxsize=4096)  # a file repeats the same sexes, categories and organisations
def label_key(value: str) -> str:
    """Key for matching a typed label: case, spaces, ё/е and spaces around hyphens ignored."""
    value = SPACES.sub(" ", value.replace("\xa0", " ").strip()).casefold().replace("ё", "е")
    return _DASHES.sub("-", value)


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.replace("\xa0", " ").strip())


def _header_key(value) -> str:
    return label_key(str(value)) if not is_empty(value) else ""


@dataclass
class SheetRow:
    """One filled data row: its cells by column, and the columns its checks must leave alone."""

    number: int
    values: dict  # {column: value}, None for an empty cell or a column the file lacks
    unreadable: frozenset[str]  # columns the file lacks, and cells with a formula (already reported)
    issues: list[ImportIssue]  # the formulas of the row


def read_sheet(
    data: bytes,
    sheet_name: str,
    columns: list[str],
    optional: frozenset[str] = frozenset(),
    template: list[str] | None = None,
) -> tuple[list[SheetRow], list[ImportIssue]]:
    """The data rows of the workbook, and the file's problems.

    Columns are found by their headers (case, spaces and ё/е aside), wherever they stand; `optional`
    ones may be missing; `template`: the columns named to the user (of their template; default all). A file that cannot be read at all (not a workbook, refused, an empty sheet)
    gives no rows; every other problem — a missing, unknown or repeated column, merged cells, a
    formula, a value under no header — is reported and the rows are still read on the columns that
    were recognised, so that one upload shows every mistake of the file.
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
                STRUCTURE,
            )
        ]
    try:
        sheet = _XlsxSheet.read(data, sheet_name)
    except NotAWorkbook:
        return [], [_not_a_workbook()]
    except WorkbookRefused as refused:  # a zip bomb, a DTD, too many rows: the reason, in words
        return [], [ImportIssue(None, None, str(refused), STRUCTURE)]
    except Exception:  # a damaged workbook can fail anywhere while it is read: still the user's file
        return [], [_not_a_workbook()]
    where = f"лист «{sheet.title}»"

    if not any(not is_empty(value) for cells in sheet.rows.values() for _, value, _ in cells):
        return [], [
            ImportIssue(
                None,
                None,
                f"{where} пуст: заполните его по шаблону, начиная с заголовков в первой строке.",
                STRUCTURE,
            )
        ]

    by_index, reported, issues = _check_header(sheet.row_values(1), columns, optional, template or columns)
    if sheet.merged:
        ranges = ", ".join(sorted(sheet.merged))
        issues.append(
            ImportIssue(
                None,
                None,
                f"на листе «{sheet.title}» есть объединённые ячейки: {ranges}. "
                "Разъедините их и заполните каждую ячейку отдельно.",
                STRUCTURE,
            )
        )

    absent = frozenset(columns) - set(by_index.values())
    headless: dict[int, int] = {}  # column number without a header -> the first row with a value in it
    rows: list[SheetRow] = []
    for number in sorted(sheet.rows):
        if number < 2:
            continue
        values = dict.fromkeys(columns)
        formulas = []
        filled = False
        for index, value, formula in sheet.rows[number]:
            column = by_index.get(index)
            if column is None:
                if index not in reported and not is_empty(value):
                    headless.setdefault(index, number)
                continue
            if formula:
                formulas.append(
                    ImportIssue(
                        number,
                        column,
                        f"в ячейке {get_column_letter(index)}{number} формула, а нужно значение: "
                        "скопируйте столбец и вставьте его как значения (Специальная вставка → Значения).",
                    )
                )
                filled = True
                continue
            values[column] = value
            filled = filled or not is_empty(value)
        if not filled:
            continue
        unreadable = absent | {issue.column for issue in formulas} if formulas else absent
        rows.append(SheetRow(number, values, unreadable, formulas))
    for index, first in sorted(headless.items()):
        letter = get_column_letter(index)
        issues.append(
            ImportIssue(
                first,
                None,
                f"в столбце {letter} нет заголовка, а в ячейках есть значения (первое — в {letter}{first}): "
                "впишите заголовок из шаблона или перенесите значения в нужный столбец.",
                STRUCTURE,
            )
        )
    if not rows and not issues:
        issues.append(
            ImportIssue(
                None, None, f"на листе «{sheet.title}» нет ни одной заполненной строки под заголовками.", STRUCTURE
            )
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
                            f"Файл отклонён: в книге больше {format_number(limits.cells)} разных текстов "
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
        what = f"больше {format_number(limits.rows)} строк"
    else:
        what = f"больше {format_number(limits.cells)} ячеек"
    raise WorkbookRefused(
        f"Файл отклонён: на листе «{title}» {what} (чтение остановлено на строке {format_number(row)}). "
        "Разделите данные на несколько файлов поменьше; если строк немного, удалите пустые оформленные "
        "строки и столбцы под таблицей и справа от неё."
    )


def _not_a_workbook() -> ImportIssue:
    return ImportIssue(
        None,
        None,
        "Файл не является книгой Excel (.xlsx) или повреждён. Откройте его в Excel и сохраните "
        "как «Книга Excel (*.xlsx)», либо скачайте шаблон и заполните его.",
        STRUCTURE,
    )


def _check_header(
    found: list, columns: list[str], optional: frozenset[str], template: list[str]
) -> tuple[dict[int, str], set[int], list[ImportIssue]]:
    """{column number: column} of the recognised headers, the numbers of the unknown and repeated
    ones (reported here: their cells are not reported again), and the header's problems.

    A column is found by its header wherever it stands; of a repeated one the first is read.
    """
    found = list(found)
    while found and is_empty(found[-1]):
        found.pop()
    by_key = {_header_key(c): c for c in columns}
    by_index: dict[int, str] = {}
    reported: set[int] = set()
    first_at: dict[str, int] = {}
    issues = []
    for index, value in enumerate(found, start=1):
        letter = get_column_letter(index)
        key = _header_key(value)
        column = by_key.get(key)
        if not key:
            reported.add(index)
            issues.append(
                ImportIssue(
                    1,
                    None,
                    f"у столбца {letter} нет заголовка, его значения не прочитаны: впишите заголовок из шаблона "
                    "или удалите столбец.",
                    STRUCTURE,
                )
            )
        elif column is None:
            reported.add(index)
            issues.append(
                ImportIssue(
                    1,
                    str(value).strip(),
                    f"лишний столбец {letter}: такого столбца в шаблоне нет, его значения не прочитаны. "
                    f"Удалите его или переименуйте; столбцы шаблона: {', '.join(template)}.",
                    STRUCTURE,
                )
            )
        elif column in first_at:
            reported.add(index)
            issues.append(
                ImportIssue(
                    1,
                    column,
                    f"столбец повторяется: в {get_column_letter(first_at[column])} и в {letter}; прочитан первый. "
                    "Оставьте один.",
                    STRUCTURE,
                )
            )
        else:
            first_at[column] = index
            by_index[index] = column
    for column in columns:
        if column not in first_at and column not in optional:
            issues.append(
                ImportIssue(
                    1,
                    column,
                    f"нет столбца «{column}»: добавьте его или перенесите данные в шаблон. "
                    "Строки проверены по остальным столбцам.",
                    STRUCTURE,
                )
            )
    return by_index, reported, issues
