"""The blank workbooks users fill in: build_template, what every template shares (styled headers,
dropdowns, date and text columns, a sheet of instructions), and the participants' template. The
event results' template is events.importing.results_template."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from participants.importing.columns import (
    CATEGORY_DROPDOWN,
    CONSENT_DROPDOWN,
    CONSENT_GIVER_DROPDOWN,
    HELP_SHEET,
    PARTICIPANT_SHEET,
    SEX_DROPDOWN,
    participant_columns,
)
from talentbank.xlsx import append_row, write_cell

TEMPLATE_ROWS = 5000  # how far down the template's dropdowns reach
LISTS_SHEET = "Списки"  # hidden: the values of dropdowns too long or too odd for an inline list
ORGANISATION_COLUMN = "Образовательная организация"
DATE_FORMAT = "DD.MM.YYYY"

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))

PERSON_WIDTHS = {
    "Фамилия": 18,
    "Имя": 14,
    "Отчество": 18,
    "Дата рождения": 14,
    "Пол": 6,
    "Образовательная организация": 40,
}
PARTICIPANT_WIDTHS = {
    **PERSON_WIDTHS,
    "Класс/курс": 11,
    "Категория": 24,
    "Дата включения": 15,
    "Основание": 40,
    "Телефон": 18,
    "E-mail": 26,
    "Согласие на обработку ПДн": 16,
    "Дата согласия": 14,
    "Кто дал согласие": 22,
    "ФИО давшего согласие": 32,
}

_CONSENT_INSTRUCTIONS = [
    "Согласие на обработку ПДн — да или нет; для «да» укажите дату согласия.",
    "Кто дал согласие — сам участник, родитель или законный представитель (из списка). За участника моложе "
    "18 лет согласие даёт родитель или законный представитель: укажите его ФИО в столбце «ФИО давшего согласие».",
]
_CLOSING_INSTRUCTIONS = [
    "Не объединяйте ячейки и не вставляйте формулы: только значения.",
    "Человек, который уже есть в банке (те же ФИО и дата рождения), не дублируется: его запись обновляется "
    "заполненными ячейками, пустые ячейки ничего не стирают.",
    "Перед сохранением загрузка показывает, что будет создано и изменено, и сразу все ошибки файла; "
    "файл с ошибками не сохраняется целиком.",
]
PARTICIPANT_INSTRUCTIONS = [
    "Одна строка — один человек. Не меняйте, не переставляйте и не удаляйте заголовки столбцов.",
    "Обязательные столбцы: Фамилия, Имя, Дата рождения, Пол, Образовательная организация.",
    "Даты — в формате ДД.ММ.ГГГГ (например, 20.05.2006).",
    "Пол — М или Ж.",
    "Образовательная организация — полное или краткое название так, как в банке (список ниже).",
    "Класс/курс — число: класс от 1 до 11 для школьников, курс от 1 до 6 для студентов колледжей и вузов.",
    "Категорию и дату включения заполняет только координатор программы, и только вместе; основание — по желанию.",
    *_CONSENT_INSTRUCTIONS,
    *_CLOSING_INSTRUCTIONS,
]
SCHOOL_STAFF_INSTRUCTIONS = [
    "Одна строка — один обучающийся. Не меняйте, не переставляйте и не удаляйте заголовки столбцов.",
    "Обязательные столбцы: Фамилия, Имя, Дата рождения, Пол, Образовательная организация.",
    "Даты — в формате ДД.ММ.ГГГГ (например, 20.05.2006).",
    "Пол — М или Ж.",
    "Образовательная организация — выберите из списка в ячейке: в нём только ваши организации.",
    "Класс/курс — число: класс от 1 до 11 для школьников, курс от 1 до 6 для студентов колледжей и вузов.",
    "Категорию резидента и дату включения в банк задаёт координатор программы: в этом шаблоне их нет.",
    *_CONSENT_INSTRUCTIONS,
    *_CLOSING_INSTRUCTIONS,
]


def build_template(
    sheet_title: str,
    columns: list[str],
    widths: dict[str, int],
    dropdowns: dict[str, list[str]],
    date_columns: set[str],
    text_columns: set[str],
    instructions: list[str],
    organisations=None,
    listed_dropdowns: dict[str, list[str]] | None = None,
) -> bytes:
    """A template: `dropdowns` are short lists written into the validation itself; `listed_dropdowns`
    (long lists, or values with commas and quotes, which an inline list cannot hold) are kept on the
    hidden sheet LISTS_SHEET and the validation points at their range."""
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
        _add_dropdown(sheet, columns.index(name) + 1, name, '"{}"'.format(",".join(values)), ", ".join(values))
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

    if listed_dropdowns:
        lists = book.create_sheet(LISTS_SHEET)
        lists.sheet_state = "hidden"
        for number, (name, values) in enumerate(listed_dropdowns.items(), start=1):
            if not values:
                continue
            letter = get_column_letter(number)
            for row, value in enumerate(values, start=1):
                write_cell(lists, row, number, value)
            source = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"
            _add_dropdown(sheet, columns.index(name) + 1, name, source, None)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _add_dropdown(sheet, column: int, name: str, formula: str, listed: str | None):
    """A list validation of the column's data cells; `listed`: the values to name in the messages."""
    letter = get_column_letter(column)
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle=name,
        error=f"Выберите значение из списка: {listed}." if listed else "Выберите значение из списка в ячейке.",
        promptTitle=name,
        prompt=f"Одно из: {listed}." if listed else "Выберите из списка в ячейке.",
    )
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(validation)


def participant_template(organisations=None, can_set_membership: bool = True) -> bytes:
    """The .xlsx template for import_participants; lists `organisations` on the help sheet if given.

    The coordinator's template has every column; school staff's (can_set_membership=False) has none
    they may not fill (category, date of inclusion, basis), and its organisation column is a
    dropdown of `organisations` — the ones they may load pupils into.
    """
    columns = participant_columns(can_set_membership)
    dropdowns = {"Пол": SEX_DROPDOWN, "Согласие на обработку ПДн": CONSENT_DROPDOWN}
    if can_set_membership:
        dropdowns["Категория"] = CATEGORY_DROPDOWN
    dropdowns["Кто дал согласие"] = CONSENT_GIVER_DROPDOWN
    listed = None
    if not can_set_membership and organisations is not None:
        listed = {ORGANISATION_COLUMN: sorted((o.name for o in organisations), key=str.casefold)}
    return build_template(
        PARTICIPANT_SHEET,
        columns,
        PARTICIPANT_WIDTHS,
        dropdowns,
        {"Дата рождения", "Дата включения", "Дата согласия"} & set(columns),
        {"Телефон"},
        PARTICIPANT_INSTRUCTIONS if can_set_membership else SCHOOL_STAFF_INSTRUCTIONS,
        organisations,
        listed,
    )
