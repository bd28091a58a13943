"""A valid participant workbook of any length, laid out as the import template, for benchmarks."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from participants.importers import PARTICIPANT_COLUMNS, PARTICIPANT_SHEET, participant_template
from reports.demo.names import PeopleFactory


def participant_workbook(rows: int, organisations: list, seed: int = 2024) -> bytes:
    """`rows` new pupils spread over the organisations, every cell valid."""
    workbook = load_workbook(io.BytesIO(participant_template(organisations)))
    sheet = workbook[PARTICIPANT_SHEET]
    people = PeopleFactory(seed)
    column = {name: n + 1 for n, name in enumerate(PARTICIPANT_COLUMNS)}
    for n in range(rows):
        person = people.person((date(2008, 9, 1), date(2012, 8, 31)))
        organisation = organisations[n % len(organisations)]
        values = {
            "Фамилия": person["last_name"],
            "Имя": person["first_name"],
            "Отчество": person["patronymic"],
            "Дата рождения": person["birth_date"],
            "Пол": person["sex"],
            "Образовательная организация": organisation.name,
            "Класс/курс": 8,
            "Категория": "Резидент-школьник",
            "Дата включения": date(2025, 9, 1) + timedelta(days=n % 60),
            "Основание": "победитель олимпиады",
            "Телефон": "",
            "E-mail": "",
            "Согласие на обработку ПДн": "да",
            "Дата согласия": date(2025, 9, 1),
        }
        for name, value in values.items():
            sheet.cell(row=n + 2, column=column[name], value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
