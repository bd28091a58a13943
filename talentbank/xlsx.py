"""Every cell of every workbook the project writes goes through here: text stays text.

openpyxl stores a string that starts with "=" as a formula (and one that reads like "#N/A" as an
error value); a spreadsheet program would also read text starting with "+", "-" or "@" as a
formula when the cell is edited, and text starting with a tab or a carriage return is the same trap
once copied into another sheet. A name, an organisation or an event title typed by anyone could so
become a formula that runs on the reader's computer (=HYPERLINK(...), =WEBSERVICE(...)).

Here a string is always a string cell (`t="inlineStr"`, never an `<f>` element), and one starting
with any of those characters also gets the "quote prefix" style, the cell flag Excel and
LibreOffice set for text typed after an apostrophe: they show it as it is and keep it text when
the cell is edited. Numbers (negative ones included), dates and booleans are written as they are.

Characters a worksheet's XML cannot hold (control characters) and the carriage return (which an
XML reader turns into a line feed) are written as OOXML escapes (`_x000D_`), as is text that
already looks like one (`_x0041_` becomes `_x005F_x0041_`): Excel and LibreOffice show the
original text, and `participants.backup.load_bank` reads it back exactly. openpyxl itself returns
the escapes as they are (`unescape` below gives what a spreadsheet shows).

- `write_cell(sheet, row, column, value, **style)` for a normal worksheet;
- `append_row(sheet, values, **style)` for normal and write-only worksheets (`Workbook(write_only=True)`);
- `text_cell(cell, value)` sets the value of a cell made elsewhere.
"""

import re

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.rich_text import CellRichText

# Text starting with these would be read as a formula (or run into the cell before) by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Control characters (tab and line feed excepted), and text that already looks like an OOXML escape.
_ESCAPE_NEEDED = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b-\x1f]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape(text: str) -> str:
    """The text as a cell stores it: control characters and carriage returns as _xHHHH_."""
    if not _ESCAPE_NEEDED.search(text):
        return text
    return _ESCAPE_NEEDED.sub(
        lambda m: "_x005F" + m.group(0) if len(m.group(0)) > 1 else f"_x{ord(m.group(0)):04X}_", text
    )


def unescape(text: str) -> str:
    """What a spreadsheet shows for a stored text (the inverse of `escape`)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def needs_quote_prefix(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_cell(cell: Cell, value) -> Cell:
    """Give `cell` the value; a string is stored as literal text, whatever it starts with."""
    if isinstance(value, str) and not isinstance(value, CellRichText):
        cell.value = escape(value)
        cell.data_type = "s"  # openpyxl made "=…" a formula and "#N/A" an error: neither is wanted
        if needs_quote_prefix(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _styled(cell: Cell, style: dict) -> Cell:
    for name, value in style.items():
        setattr(cell, name, value)
    return cell


def write_cell(sheet, row: int, column: int, value=None, **style) -> Cell:
    """sheet.cell(row, column, value) with the value written as `text_cell` writes it, and styles
    (font=, fill=, alignment=, border=, number_format=, …) set on it."""
    cell = sheet.cell(row=row, column=column)
    return _styled(text_cell(cell, value), style)


def append_row(sheet, values, **style) -> None:
    """sheet.append(values) with every value written as `text_cell` writes it (and the same styles
    on every cell of the row); works on write-only sheets too."""
    make = WriteOnlyCell if getattr(sheet.parent, "write_only", False) else Cell
    # Other values go in as they are (an empty cell stays absent), unless the row is styled.
    sheet.append(
        [
            _styled(text_cell(make(sheet), value), style) if style or isinstance(value, str) else value
            for value in values
        ]
    )
