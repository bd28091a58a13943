"""A valid participant workbook of any length, laid out as the import template, for benchmarks."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from participants.importing import PARTICIPANT_COLUMNS, PARTICIPANT_SHEET, participant_template
from participants.models import Participant
from participants.names import normalise_name
from reports.demo.names import PeopleFactory
from talentbank.xlsx import write_cell


def _key(person: dict) -> str:
    return normalise_name(person["last_name"], person["first_name"], person["patronymic"])


def participant_workbook(rows: int, organisations: list, seed: int = 2024) -> bytes:
    """`rows` new pupils spread over the organisations, every cell valid."""
    workbook = load_workbook(io.BytesIO(participant_template(organisations)))
    sheet = workbook[PARTICIPANT_SHEET]
    factory = PeopleFactory(seed)
    candidates = [factory.person((date(2008, 9, 1), date(2012, 8, 31))) for _ in range(rows * 2)]
    # New people only: a big bank already holds some of these names and birth dates.
    taken = set(
        Participant.objects.filter(name_key__in={_key(p) for p in candidates}).values_list("name_key", "birth_date")
    )
    people = [p for p in candidates if (_key(p), p["birth_date"]) not in taken][:rows]
    column = {name: n + 1 for n, name in enumerate(PARTICIPANT_COLUMNS)}
    for n, person in enumerate(people):
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
            write_cell(sheet, n + 2, column[name], value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
