"""The columns of a participants' workbook, and the checks of one row's cells.

A row's cells are parsed column by column (Row: texts, dates, whole numbers, choices from a list,
e-mail addresses), each problem kept with its row and column rather than raised; the model fields'
own checks run once per distinct value (FieldChecks); an organisation is found by its full or short
name among those the user may load people into (Organisations).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone

from participants.formats import short_date
from participants.importing.reading import SPACES, SheetRow, is_empty, label_key
from participants.importing.report import BANK, VALUES, ImportIssue
from participants.models import Category, ConsentGiver, Organisation, Participant, Sex

# Who the row is: the first columns of both imports (participants, event results).
PERSON_COLUMNS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Пол",
    "Образовательная организация",
]
# Set by the programme coordinator only (the right to add memberships).
MEMBERSHIP_COLUMNS = ["Категория", "Дата включения", "Основание"]
# Who consented and when; for a minor a parent or guardian gives the consent.
CONSENT_GIVER_COLUMNS = ["Кто дал согласие", "ФИО давшего согласие"]
CONSENT_COLUMNS = ["Согласие на обработку ПДн", "Дата согласия", *CONSENT_GIVER_COLUMNS]
# Every column the participants' import reads; the coordinator's template, in this order.
PARTICIPANT_COLUMNS = [
    *PERSON_COLUMNS,
    "Класс/курс",
    *MEMBERSHIP_COLUMNS,
    "Телефон",
    "E-mail",
    *CONSENT_COLUMNS,
]
# The template of school staff: nothing they may not fill.
SCHOOL_STAFF_COLUMNS = [c for c in PARTICIPANT_COLUMNS if c not in MEMBERSHIP_COLUMNS]
# Files made from templates before the consent giver's columns were added are still read.
OPTIONAL_COLUMNS = frozenset(CONSENT_GIVER_COLUMNS)


def participant_columns(can_set_membership: bool) -> list[str]:
    """The columns of the user's template: school staff's has no membership columns."""
    return PARTICIPANT_COLUMNS if can_set_membership else SCHOOL_STAFF_COLUMNS


PARTICIPANT_SHEET = "Участники"
HELP_SHEET = "Как заполнять"

SEX_DROPDOWN = ["М", "Ж"]
CATEGORY_DROPDOWN = ["Резидент-школьник", "Резидент-студент", "Потенциальный резидент", "Партнёр"]
CONSENT_DROPDOWN = ["да", "нет"]
CONSENT_GIVER_DROPDOWN = [giver.label for giver in ConsentGiver]

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
    "consent_given_by": "Кто дал согласие",
    "consent_given_by_name": "ФИО давшего согласие",
}

# What a typed label stands for (reading.label_key ignores case, spaces and ё/е).
CATEGORY_BY_LABEL = {label_key(c.label): c.value for c in Category}
_SEX_BY_TEXT = {  # plain values, like the other mappings: what the database gives back
    "м": Sex.MALE.value,
    "муж": Sex.MALE.value,
    "мужской": Sex.MALE.value,
    "m": Sex.MALE.value,  # a Latin M typed by mistake
    "ж": Sex.FEMALE.value,
    "жен": Sex.FEMALE.value,
    "женский": Sex.FEMALE.value,
}
CONSENT_BY_TEXT = {"да": True, "нет": False}
CONSENT_GIVER_BY_TEXT = {
    **{label_key(giver.label): giver.value for giver in ConsentGiver},
    "сам": ConsentGiver.SELF.value,
    "сама": ConsentGiver.SELF.value,
    "мать": ConsentGiver.PARENT.value,
    "отец": ConsentGiver.PARENT.value,
    "опекун": ConsentGiver.GUARDIAN.value,
    "попечитель": ConsentGiver.GUARDIAN.value,
}
_DATE_TEXT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s*г\.?)?$")
_LEVEL_TEXT = re.compile(r"^(\d{1,2})(?:\s*-?\s*(?:й|ый|ой)?\s*(?:класс|курс|кл)\.?)?$")
_QUOTES = str.maketrans("", "", "«»\"'“”„")


@lru_cache(maxsize=4096)
def _organisation_key(value: str) -> str:
    return label_key(value.translate(_QUOTES))


class FieldChecks:
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


class Row:
    """The cells of one data row, parsed column by column; problems are collected, not raised."""

    def __init__(self, number: int, values: dict, unreadable: frozenset[str] = frozenset(), issues=()):
        self.number = number
        self.values = values
        self.issues: list[ImportIssue] = list(issues)
        self.bad: set[str] = set(unreadable)  # columns with a problem
        # Columns the file lacks or whose cell holds a formula: reported once, read as empty.
        self.unreadable = unreadable

    @classmethod
    def of(cls, sheet_row: SheetRow) -> Row:
        return cls(sheet_row.number, sheet_row.values, sheet_row.unreadable, sheet_row.issues)

    def error(self, column: str | None, message: str, kind: str = VALUES):
        self.issues.append(ImportIssue(self.number, column, message, kind))
        if column:
            self.bad.add(column)

    def filled(self, column: str) -> bool:
        return not is_empty(self.values.get(column))

    def text(self, column: str, required: bool = False) -> str:
        if column in self.unreadable:
            return ""
        value = self.values.get(column)
        if type(value) is str and (text := " ".join(value.split())):
            return text  # spaces collapsed and trimmed, \xa0 included (the common case, without a regex)
        if is_empty(value):
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
        return SPACES.sub(" ", str(value).replace("\xa0", " ")).strip()

    def date(self, column: str, required: bool = False) -> date | None:
        if column in self.unreadable:
            return None
        value = self.values.get(column)
        if is_empty(value):
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
        if column in self.unreadable:
            return None
        value = self.values.get(column)
        if is_empty(value):
            return None
        if isinstance(value, bool):
            value = None
        elif isinstance(value, int):
            return value
        elif isinstance(value, float) and value.is_integer():
            return int(value)
        elif isinstance(value, str) and (match := _LEVEL_TEXT.match(label_key(value))):
            return int(match.group(1))
        self.error(column, f"«{self.text(column)}» — не целое число: укажите число, например 9.")
        return None

    def choice(self, column: str, mapping: dict, allowed: str, required: bool = False, key=label_key):
        text = self.text(column, required=required)
        if not text:
            return None
        value = mapping.get(key(text))
        if value is None:
            self.error(column, f"«{text}» — недопустимое значение: укажите {allowed}.")
        return value

    def sex(self, required: bool = True):
        return self.choice("Пол", _SEX_BY_TEXT, "М или Ж", required=required, key=lambda t: label_key(t).rstrip("."))

    def email(self, column: str, checks: FieldChecks) -> str:
        # The model field's own check (its EmailValidator), remembered for validate_person.
        text = self.text(column)
        if text and any(error.code == "invalid" for error in checks.errors("email", text)):
            self.error(column, f"«{text}» — не адрес электронной почты: проверьте его (например, name@example.ru).")
            return ""
        return text


class Organisations:
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

    def find(self, row: Row, column: str = "Образовательная организация", required: bool = True):
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
                BANK,
            )
        else:
            row.error(
                column,
                f"организации «{text}» нет в банке: скопируйте её название с листа «{HELP_SHEET}» шаблона "
                "или попросите координатора программы добавить организацию.",
            )
        return None
