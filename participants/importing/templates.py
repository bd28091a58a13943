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
    HELP_SHEET,
    PARTICIPANT_COLUMNS,
    PARTICIPANT_SHEET,
    SEX_DROPDOWN,
)
from talentbank.xlsx import append_row

TEMPLATE_ROWS = 5000  # how far down the template's dropdowns reach
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


def build_template(
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
    return build_template(
        PARTICIPANT_SHEET,
        PARTICIPANT_COLUMNS,
        PARTICIPANT_WIDTHS,
        {"Пол": SEX_DROPDOWN, "Категория": CATEGORY_DROPDOWN, "Согласие на обработку ПДн": CONSENT_DROPDOWN},
        {"Дата рождения", "Дата включения", "Дата согласия"},
        {"Телефон"},
        PARTICIPANT_INSTRUCTIONS,
        organisations,
    )
