"""Planning a file's rows against the bank: who each row's person is, whether the user may touch
them, and what saving the row changes (Plan), every refusal placed in its row and column.

A person is matched by normalised ФИО and birth date (participants.names.normalise_name), the same
rule the admin uses to refuse duplicates, and people are looked up a query per table, not per row
(find_people, memberships_of). Name parts are the identity: a matched person's ФИО is never
rewritten by an import (the file's spelling may differ only in case, spaces and ё/е).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from participants.bulk import chunks
from participants.formats import lower_first, short_date
from participants.importing.columns import (
    CATEGORY_BY_LABEL,
    CATEGORY_DROPDOWN,
    CONSENT_BY_TEXT,
    CONSENT_GIVER_BY_TEXT,
    CONSENT_GIVER_DROPDOWN,
    MEMBERSHIP_COLUMNS,
    OPTIONAL_COLUMNS,
    PARTICIPANT_COLUMNS,
    PARTICIPANT_FIELD_COLUMNS,
    PARTICIPANT_SHEET,
    FieldChecks,
    Organisations,
    Row,
    participant_columns,
)
from participants.importing.reading import read_sheet
from participants.importing.report import BANK, REPEATS, ImportReport, Issues, RowOutcome
from participants.models import COURSE_ORGANISATION_KINDS, Category, ConsentGiver, Membership, Participant
from participants.models.people import ALREADY_REGISTERED, MAX_COURSE, MAX_GRADE, MIN_COURSE, MIN_GRADE
from participants.names import clean_name_part, normalise_name

CATEGORY_CHANGE_REASON = "Смена категории при загрузке из Excel"
# What a participants' file may change on a person already in the bank (not the name parts).
PERSON_UPDATE_FIELDS = [
    "sex",
    "organisation",
    "grade",
    "course",
    "phone",
    "email",
    "consent",
    "consent_date",
    "consent_given_by",
    "consent_given_by_name",
]
ADULT_AGE = 18  # younger, the consent is given by a parent or guardian (Participant.consent_given_by_name)


# short_date remembered: every row's outcome names a birth date and an inclusion date, and a file
# repeats them (strftime was a tenth of the planning of a large file).
_day_shown = lru_cache(maxsize=65536)(short_date)


def _person_label(last_name: str, first_name: str, patronymic: str, birth_date: date | None) -> str:
    name = " ".join(p for p in (last_name, first_name, patronymic) if p)
    return f"{name}, {_day_shown(birth_date)}" if birth_date else name


def person_name(person: Participant) -> str:
    return _person_label(person.last_name, person.first_name, person.patronymic, person.birth_date)


@lru_cache(maxsize=4096)
def membership_label(category: str, included_on: date) -> str:
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
        "Кто дал согласие": ConsentGiver(person.consent_given_by).label if person.consent_given_by else "—",
        "ФИО давшего согласие": person.consent_given_by_name or "—",
    }


def _grade_shown(grade: int | None, course: int | None) -> str:
    if grade is not None:
        return f"{grade} класс"
    if course is not None:
        return f"{course} курс"
    return "—"


class _Instances:
    """New instances of one model as Model(**values) makes them, built through Django's positional
    path (the one Model.from_db takes): a few times faster than keyword arguments, which cost
    most of the planning of a large file's rows.

    Fields left out get their default (computed once: none of these models has a callable one);
    a related object given by field name is cached on the instance as its descriptor would.
    """

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        if any(f.has_default() and callable(f.default) for f in fields):
            raise ValueError(f"{model.__name__} has a callable default: build it with keyword arguments")
        self.defaults = [f.get_default() for f in fields]
        self.position = {f.attname: n for n, f in enumerate(fields)}
        self.related = {f.name: (self.position[f.attname], f) for f in fields if f.is_relation}

    def __call__(self, **values):
        args = list(self.defaults)
        cached = []
        for name, value in values.items():
            if name in self.related:
                position, field = self.related[name]
                args[position] = None if value is None else value.pk
                cached.append((field, value))
            else:
                args[self.position[name]] = value
        instance = self.model(*args)
        for field, value in cached:
            field.set_cached_value(instance, value)
        return instance


_new_participant = _Instances(Participant)
_new_membership = _Instances(Membership)


def _no_duplicate():
    """Stands in for Participant.find_duplicate: the import has already matched the file's people
    against the bank in batches, so the per-row query of Participant.clean would only repeat it."""
    return None


# Shared steps: the participants' file and the event results' one (events.importing) ----------------


@dataclass
class PersonCells:
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


def person_cells(row: Row) -> PersonCells:
    return PersonCells(
        last_name=row.text("Фамилия", required=True),
        first_name=row.text("Имя", required=True),
        patronymic=row.text("Отчество"),
        birth_date=row.date("Дата рождения", required=True),
    )


def find_people(
    keys: Iterable[tuple[str, date]], places: Organisations, people: QuerySet | None
) -> tuple[dict[tuple[str, date], Participant], set[tuple[str, date]]]:
    """The bank's people with these (name key, birth date), in one query (per LOOKUP_BATCH names),
    and the keys of those the importer may not see (`people`: whom they may; None: everyone).

    A person out of sight is neither returned nor looked at further: the row is refused without a
    word of who or where they are. A person's organisation comes from `places` when the user may
    load into it.
    """
    wanted = set(keys)
    found, hidden = {}, set()
    for matches in _people_with_keys(wanted):
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


def _people_with_keys(wanted: set[tuple[str, date]]) -> Iterable[list[Participant]]:
    """The bank's people with these (name key, birth date), a list per query.

    On PostgreSQL the pairs themselves are looked up (the unique index on both): a large bank has
    many namesakes of a file's people, and loading each to compare birth dates in Python was a
    growing share of an import at scale. Elsewhere: by name key, birth dates compared here.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Participant._meta.db_table)
        pairs = f"({table}.name_key, {table}.birth_date) IN (SELECT * FROM UNNEST(%s::varchar[], %s::date[]))"
        for chunk in chunks(sorted(wanted)):
            params = ([name for name, _ in chunk], [day for _, day in chunk])
            yield list(Participant.objects.filter(RawSQL(pairs, params, output_field=BooleanField())))
        return
    for chunk in chunks(sorted({name for name, _ in wanted})):
        yield [p for p in Participant.objects.filter(name_key__in=chunk) if (p.name_key, p.birth_date) in wanted]


def refuse_hidden(row: Row):
    row.error(None, lower_first(ALREADY_REGISTERED), BANK)


def memberships_of(programme, person_ids: Iterable[int]) -> dict[int, list[Membership]]:
    by_person: dict[int, list[Membership]] = {}
    for chunk in chunks(sorted(set(person_ids))):
        for membership in Membership.objects.filter(programme=programme, participant_id__in=chunk):
            by_person.setdefault(membership.participant_id, []).append(membership)
    return by_person


def mark_repeats(rows: list[tuple[Row, PersonCells]]) -> set[int]:
    """The same person twice in one file: the later row is an error naming the earlier one.
    Returns the numbers of the later rows (planned no further: the earlier row stands for the person)."""
    first_row: dict[tuple[str, date], int] = {}
    repeats = set()
    for row, cells in rows:
        key = cells.key
        if key is None:
            continue
        if key in first_row:
            row.error(
                None,
                f"{cells.label} уже есть в этом файле в строке {first_row[key]}: оставьте одну строку на человека.",
                REPEATS,
            )
            repeats.add(row.number)
        else:
            first_row[key] = row.number
    return repeats


_UNIMPORTED_FIELDS = {f.name for f in Participant._meta.concrete_fields if f.name not in PARTICIPANT_FIELD_COLUMNS} | {
    "organisation"
}


def validate_person(row: Row, person: Participant, checks: FieldChecks):
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
            row.error(column, lower_first(message))


def plan_membership(
    row: Row,
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
    label = membership_label(category, included_on)
    current = next((m for m in memberships if m.left_on is None), None)
    if current is not None and current.category == category:
        return None, None, f"{membership_label(current.category, current.included_on)}, без изменений", None
    if current is not None and included_on < current.included_on:
        row.error(
            column,
            f"дата включения {short_date(included_on)} раньше начала действующего членства "
            f"({membership_label(current.category, current.included_on)}): "
            "новая категория может начаться не раньше. Проверьте дату.",
            BANK,
        )
        return None, None, "", None
    for past in memberships:
        if past.left_on is not None and past.included_on <= included_on < past.left_on:
            row.error(
                column,
                f"на {short_date(included_on)} у человека уже было членство в программе "
                f"({membership_label(past.category, past.included_on)} по {short_date(past.left_on)}): "
                "укажите дату не раньше его окончания.",
                BANK,
            )
            return None, None, "", None
    new = _new_membership(
        participant=person, programme=programme, category=category, included_on=included_on, basis=basis
    )
    if current is None:
        return None, new, label, ("Категория", "—", label)
    old_label = membership_label(current.category, current.included_on)
    current.left_on = included_on
    current.leaving_reason = leaving_reason
    return current, new, f"{label} (вместо: {old_label})", ("Категория", old_label, label)


@dataclass
class Plan:
    """What saving one row does."""

    outcome: RowOutcome
    person: Participant
    new_person: bool = False
    changed_person: bool = False
    close: Membership | None = None
    open: Membership | None = None


class Outcome:
    """A file's report as its rows are planned: every problem as found (Issues: grouped, capped),
    and the plans of the rows without one, kept only if the whole file has none."""

    def __init__(self, columns: list[str], file_issues):
        self.issues = Issues(columns)
        self.issues.extend(file_issues)
        self.report = ImportReport()
        self.plans: list[Plan] = []

    def add(self, row: Row, plan: Plan | None):
        if row.issues:
            self.issues.extend(row.issues)
        elif plan is not None:
            self.plans.append(plan)
            self.report.rows.append(plan.outcome)

    def finish(self) -> tuple[ImportReport, list]:
        self.report.errors = self.issues.result()
        return self.report, (self.plans if not self.report.errors else [])


# Participants ---------------------------------------------------------------------------------


def read_participants(data, programme, organisations, can_set_membership, people) -> tuple[ImportReport, list[Plan]]:
    """Every problem of the file in one pass (the columns, each cell, repeats, the bank), and the
    plans of its rows when there is none. Lookups go a query per table, whatever the rows."""
    optional = OPTIONAL_COLUMNS if can_set_membership else OPTIONAL_COLUMNS | set(MEMBERSHIP_COLUMNS)
    sheet_rows, file_issues = read_sheet(
        data, PARTICIPANT_SHEET, PARTICIPANT_COLUMNS, frozenset(optional), participant_columns(can_set_membership)
    )
    outcome = Outcome(PARTICIPANT_COLUMNS, file_issues)
    if not sheet_rows:
        return outcome.finish()
    places = Organisations(organisations)
    checks = FieldChecks()

    parsed = []
    for sheet_row in sheet_rows:
        row = Row.of(sheet_row)
        cells = person_cells(row)
        fields = _participant_fields(row, places, can_set_membership, checks)
        parsed.append((row, cells, fields))
    repeats = mark_repeats([(row, cells) for row, cells, _ in parsed])

    # Rows with mistakes in their cells are matched too: a conflict with the bank is told at once.
    found, hidden = find_people((cells.key for _, cells, _ in parsed if cells.key), places, people)
    memberships = memberships_of(programme, (p.pk for p in found.values()))

    for row, cells, fields in parsed:
        plan = None
        if cells.key in hidden:
            refuse_hidden(row)
        elif row.number not in repeats:
            existing = found.get(cells.key)
            plan = _plan_participant(
                row, cells, fields, existing, places, can_set_membership, programme, memberships, checks
            )
        outcome.add(row, plan)
    return outcome.finish()


def _participant_fields(row: Row, places: Organisations, can_set_membership: bool, checks: FieldChecks) -> dict:
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
    elif level is not None and not min(MIN_GRADE, MIN_COURSE) <= level <= max(MAX_GRADE, MAX_COURSE):
        # The organisation is wrong or missing, but no class and no course can be this.
        row.error("Класс/курс", f"{level} вне диапазона: класс — от 1 до 11, курс — от 1 до 6.")
    fields = {
        "sex": row.sex(),
        "organisation": organisation,
        "level": level,
        "grade": grade,
        "course": course,
        "phone": row.text("Телефон"),
        "email": row.email("E-mail", checks),
        "consent": row.choice("Согласие на обработку ПДн", CONSENT_BY_TEXT, "да или нет"),
        "consent_date": row.date("Дата согласия"),
        "consent_given_by": row.choice(
            "Кто дал согласие", CONSENT_GIVER_BY_TEXT, " или ".join(", ".join(CONSENT_GIVER_DROPDOWN).rsplit(", ", 1))
        ),
        "consent_given_by_name": row.text("ФИО давшего согласие"),
        "category": None,
        "included_on": None,
        "basis": "",
    }
    if not can_set_membership:
        for column in MEMBERSHIP_COLUMNS:
            if row.filled(column):
                row.error(
                    column,
                    "категорию и дату включения задаёт координатор программы: очистите столбцы «Категория», "
                    "«Дата включения» и «Основание» (в шаблоне для образовательной организации их нет) — "
                    "из файла они не записываются.",
                    BANK,
                )
        return fields
    labels = ", ".join(CATEGORY_DROPDOWN)
    fields["category"] = row.choice("Категория", CATEGORY_BY_LABEL, f"одну из категорий: {labels}")
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


def _age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _check_consent(row: Row, fields: dict, existing: Participant | None, birth_date: date | None, today: date):
    """The consent columns together, with what the bank already holds of the person."""
    consent, consent_date = fields["consent"], fields["consent_date"]
    giver, giver_name = fields["consent_given_by"], fields["consent_given_by_name"]
    had_consent = existing is not None and existing.consent
    had_consent_date = existing is not None and existing.consent_date is not None
    if consent is True and consent_date is None and not had_consent_date:
        row.error("Дата согласия", "согласие «да»: укажите дату согласия в формате ДД.ММ.ГГГГ.")
    elif consent is False and consent_date is not None:
        row.error("Дата согласия", "согласие «нет», а дата согласия указана: очистите дату или поставьте «да».")
    elif (
        consent is None and consent_date is not None and not had_consent and "Согласие на обработку ПДн" not in row.bad
    ):
        row.error(
            "Согласие на обработку ПДн",
            "указана дата согласия, но не отмечено согласие: поставьте «да» в этом столбце.",
        )
    consented = consent if consent is not None else had_consent
    if (giver or giver_name) and not consented and "Согласие на обработку ПДн" not in row.bad:
        column = "Кто дал согласие" if giver else "ФИО давшего согласие"
        row.error(
            column,
            "указано, кто дал согласие, но согласие не отмечено: поставьте «да» в столбце «Согласие на обработку ПДн» "
            "и укажите дату согласия, или очистите этот столбец.",
        )
        return
    if giver in (ConsentGiver.PARENT, ConsentGiver.GUARDIAN):
        if not giver_name and not (existing is not None and existing.consent_given_by_name):
            row.error("ФИО давшего согласие", f"согласие дал {ConsentGiver(giver).label}: укажите его ФИО.")
    elif giver == ConsentGiver.SELF and birth_date is not None:
        on = consent_date or (existing.consent_date if existing is not None else None) or today
        if birth_date <= on and _age_on(birth_date, on) < ADULT_AGE:
            row.error(
                "Кто дал согласие",
                f"на {short_date(on)} участнику не было {ADULT_AGE} лет: за несовершеннолетнего согласие даёт "
                "родитель или законный представитель. Укажите, кто из них, и его ФИО.",
            )


def _plan_participant(
    row: Row,
    cells: PersonCells,
    fields: dict,
    existing: Participant | None,
    places: Organisations,
    can_set_membership: bool,
    programme,
    memberships: dict[int, list[Membership]],
    checks: FieldChecks,
) -> Plan | None:
    """The row's plan, or None with every problem of the row placed in it (row.issues)."""
    organisation = fields["organisation"]
    if existing is not None:
        refused = None
        if existing.organisation_id is None and not can_set_membership:
            refused = (
                "человек с такими ФИО и датой рождения уже есть в банке без образовательной организации; "
                "обратитесь к координатору программы."
            )
        elif existing.organisation_id is not None and existing.organisation_id not in places.allowed_ids:
            refused = (
                "человек с такими ФИО и датой рождения уже числится в другой образовательной организации; "
                "обратитесь к координатору программы."
            )
        if refused:
            row.error(None, refused, BANK)
            # The row's own values are still checked, as for a new person: nothing of the record shows.
            existing = None

    grade, course, level = fields["grade"], fields["course"], fields["level"]
    consent, consent_date = fields["consent"], fields["consent_date"]
    _check_consent(row, fields, existing, cells.birth_date, checks.today)

    if existing is None:
        person = _new_participant(
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
            consent_given_by=fields["consent_given_by"] or "",
            consent_given_by_name=fields["consent_given_by_name"],
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
        if fields["consent_given_by"]:
            person.consent_given_by = fields["consent_given_by"]
        if fields["consent_given_by_name"]:
            person.consent_given_by_name = fields["consent_given_by_name"]
        after = _shown(person)
        changes = [(column, before[column], after[column]) for column in before if before[column] != after[column]]

    validate_person(row, person, checks)

    plan = Plan(
        outcome=RowOutcome(row=row.number, person=person_name(person), action="unchanged"),
        person=person,
        new_person=existing is None,
        changed_person=bool(changes),
    )
    if fields["category"] and fields["included_on"]:  # against the bank's memberships, whatever else is wrong
        close, new, shown, change = plan_membership(
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
        plan.close, plan.open, plan.outcome.membership = close, new, shown
        if change:
            changes.append(change)
    if row.issues:
        return None
    plan.outcome.changes = changes if existing is not None else []
    if existing is None:
        plan.outcome.action = "create"
    elif changes:
        plan.outcome.action = "update"
    return plan
