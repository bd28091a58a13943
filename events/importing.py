"""Loading an edition's participants and their results from an Excel workbook.

The rules and steps of participants.importing, with this file's own columns: people missing from
the bank are created, each row's participation in the edition is created or updated, and with
make_residents winners and prize-winners become residents of the edition's programme.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from events.models import Participation, Role
from participants import bulk
from participants.bulk import chunks
from participants.formats import short_date
from participants.importing.columns import PERSON_COLUMNS, SEX_DROPDOWN, FieldChecks, Organisations, Row
from participants.importing.planning import (
    CATEGORY_CHANGE_REASON,
    Outcome,
    Plan,
    find_people,
    mark_repeats,
    membership_label,
    memberships_of,
    person_cells,
    person_name,
    plan_membership,
    refuse_hidden,
    validate_person,
)
from participants.importing.reading import label_key, read_sheet
from participants.importing.report import BANK, STRUCTURE, ImportIssue, ImportReport, RowOutcome
from participants.importing.templates import PERSON_WIDTHS, build_template
from participants.importing.writing import HISTORY_REASON, run, save_people
from participants.models import COURSE_ORGANISATION_KINDS, RESIDENT_CATEGORIES, Category, Participant

RESULT_COLUMNS = [*PERSON_COLUMNS, "Роль", "Результат"]
RESULT_SHEET = "Результаты"
ROLE_DROPDOWN = [role.label for role in Role]
_ROLE_BY_LABEL = {label_key(r.label): r.value for r in Role}
RESIDENT_ROLES = {Role.WINNER: "Победитель", Role.PRIZE_WINNER: "Призёр"}

RESULT_WIDTHS = {
    **PERSON_WIDTHS,
    "Роль": 16,
    "Результат": 40,
}

RESULT_INSTRUCTIONS = [
    "Одна строка — один человек, участвовавший в выпуске мероприятия. Не меняйте заголовки столбцов.",
    "Обязательные столбцы: Фамилия, Имя, Дата рождения. Пол обязателен для людей, которых ещё нет в банке.",
    "Даты — в формате ДД.ММ.ГГГГ (например, 20.05.2006).",
    "Роль — участник, победитель, призёр, эксперт, модератор, координатор или наставник; пусто — участник.",
    "Результат — свободный текст (например, «диплом I степени», «2 место»).",
    "Образовательная организация — полное или краткое название так, как в банке.",
    "Не объединяйте ячейки и не вставляйте формулы: только значения.",
]


@dataclass
class _ResultPlan(Plan):
    """What saving one row of results does: the person's plan, and the participation."""

    participation: Participation | None = None
    new_participation: bool = False
    changed_participation: bool = False


def results_template() -> bytes:
    """The .xlsx template for import_results."""
    return build_template(
        RESULT_SHEET,
        RESULT_COLUMNS,
        RESULT_WIDTHS,
        {"Пол": SEX_DROPDOWN, "Роль": ROLE_DROPDOWN},
        {"Дата рождения"},
        set(),
        RESULT_INSTRUCTIONS,
    )


def import_results(
    data: bytes, *, edition, organisations, make_residents: bool, user=None, commit: bool, people=None
) -> ImportReport:
    """Check (commit=False) or save (commit=True, all or nothing) a workbook of an edition's participants.

    People missing from the bank are created. With `make_residents`, winners and prize-winners
    without an open resident membership of the edition's programme become residents. `people`: whom
    the user may see, as for participants.importing.import_participants.
    """

    def read():
        return _read_results(data, edition, organisations, make_residents, people)

    def save(plans: list[_ResultPlan]):
        save_people(plans, user, ["organisation"])
        created = [p.participation for p in plans if p.new_participation]
        updated = [p.participation for p in plans if p.changed_participation and not p.new_participation]
        if created:
            bulk.create_with_history(Participation, created, user, HISTORY_REASON)
        if updated:
            bulk.update_with_history(Participation, updated, ["role", "result"], user, HISTORY_REASON)

    return run(read, save, commit)


def _read_results(data, edition, organisations, make_residents, people) -> tuple[ImportReport, list[_ResultPlan]]:
    """As participants.importing.planning.read_participants: every problem of the file in one pass."""
    sheet_rows, file_issues = read_sheet(data, RESULT_SHEET, RESULT_COLUMNS)
    outcome = Outcome(RESULT_COLUMNS, file_issues)
    if not sheet_rows:
        return outcome.finish()
    places = Organisations(organisations)
    checks = FieldChecks()
    programme = edition.series.programme
    included_on = edition.ends_on or edition.starts_on
    title = edition.title or edition.series.name
    roles = ", ".join(ROLE_DROPDOWN)
    result_length = Participation._meta.get_field("result").max_length

    parsed = []
    for sheet_row in sheet_rows:
        row = Row.of(sheet_row)
        cells = person_cells(row)
        sex = row.sex(required=False)
        organisation = places.find(row, required=False)
        role = row.choice("Роль", _ROLE_BY_LABEL, f"одну из ролей: {roles}")
        if role is None and not row.filled("Роль"):
            role = Role.PARTICIPANT.value
        result = row.text("Результат")
        if len(result) > result_length:
            row.error("Результат", f"результат длиннее {result_length} знаков: сократите его.")
        parsed.append((row, cells, sex, organisation, role, result))
    repeats = mark_repeats([(p[0], p[1]) for p in parsed])

    if make_residents and included_on is None and any(p[4] in RESIDENT_ROLES for p in parsed):
        outcome.issues.add(
            ImportIssue(
                None,
                None,
                f"у выпуска «{edition}» не указаны даты, а победителей и призёров нужно включить в резиденты "
                "с даты окончания: укажите даты выпуска или снимите отметку о включении в резиденты.",
                STRUCTURE,
            )
        )
        make_residents = False

    # Rows with mistakes in their cells are matched too: a conflict with the bank is told at once.
    found, hidden = find_people((p[1].key for p in parsed if p[1].key), places, people)
    person_ids = [p.pk for p in found.values()]
    memberships = memberships_of(programme, person_ids) if make_residents else {}
    participations = {}
    for chunk in chunks(sorted(person_ids)):
        for participation in Participation.objects.filter(edition=edition, participant_id__in=chunk):
            participations[participation.participant_id] = participation

    for row, cells, sex, organisation, role, result in parsed:
        plan = None
        if cells.key in hidden:
            refuse_hidden(row)
        elif row.number not in repeats:
            existing = found.get(cells.key)
            plan = _plan_result(row, cells, edition, existing, (sex, organisation, role, result), places, checks)
            if plan is not None:
                _plan_participation(row, plan, participations.get(plan.person.pk) if existing else None, role, result)
                if make_residents and plan.participation.role in RESIDENT_ROLES:
                    person_memberships = memberships.get(plan.person.pk, [])
                    _plan_residence(row, plan, person_memberships, programme, included_on, title, plan.outcome.changes)
                if plan.new_participation:
                    plan.outcome.action = "create"
                elif plan.outcome.changes:
                    plan.outcome.action = "update"
        outcome.add(row, plan)
    return outcome.finish()


def _plan_result(row, cells, edition, existing, values, places, checks) -> _ResultPlan | None:
    """The row's person (found or new) and a participation to fill in; None when the person may not be touched."""
    sex, organisation, role, result = values
    changes = []
    if existing is not None and existing.organisation_id is not None:
        if existing.organisation_id not in places.allowed_ids:
            row.error(
                None,
                "человек с такими ФИО и датой рождения уже числится в образовательной организации, "
                "данные которой вам недоступны; обратитесь к координатору программы.",
                BANK,
            )
            return None
    if existing is None:
        if not sex and "Пол" not in row.bad:
            row.error("Пол", "человека нет в банке: чтобы создать запись, укажите пол (М или Ж).")
        person = Participant(
            last_name=cells.last_name,
            first_name=cells.first_name,
            patronymic=cells.patronymic,
            birth_date=cells.birth_date,
            sex=sex or "",
            organisation=organisation,
        )
        validate_person(row, person, checks)
        changes.append(("Человек", "нет в банке", "новая запись"))
    else:
        person = existing
        if person.organisation_id is None and organisation is not None:
            # Only fills a gap: a known person's organisation is not changed by a results file.
            person.organisation = organisation
            changes.append(("Образовательная организация", "—", str(organisation)))

    plan = _ResultPlan(
        outcome=RowOutcome(row=row.number, person=person_name(person), action="unchanged", changes=changes),
        person=person,
        new_person=existing is None,
        changed_person=existing is not None and bool(changes),
    )
    plan.participation = Participation(edition=edition, participant=person, role=role, result=result)
    return plan


def _plan_participation(row, plan: _ResultPlan, participation: Participation | None, role, result):
    """The person's participation in the edition: the new one of the plan, or the bank's one updated."""
    changes = plan.outcome.changes
    if participation is None:
        plan.new_participation = True
    else:
        old_role, old_result = participation.role, participation.result
        if row.filled("Роль") and role:
            participation.role = role
        if result:
            participation.result = result
        if participation.role != old_role:
            changes.append(("Роль", Role(old_role).label, participation.get_role_display()))
        if participation.result != old_result:
            changes.append(("Результат", old_result or "—", participation.result))
        plan.participation = participation
        plan.changed_participation = (participation.role, participation.result) != (old_role, old_result)


def _plan_residence(row, plan: _ResultPlan, memberships, programme, included_on: date, title: str, changes: list):
    """A winner or prize-winner without an open resident membership becomes a resident."""
    current = next((m for m in memberships if m.left_on is None), None)
    if current is not None and current.category in RESIDENT_CATEGORIES:
        plan.outcome.membership = f"{membership_label(current.category, current.included_on)}, без изменений"
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
            f"({membership_label(was_resident.category, was_resident.included_on)} по {short_date(was_resident.left_on)})"
        )
        return
    organisation = plan.person.organisation
    category = Category.STUDENT if organisation and organisation.kind in COURSE_ORGANISATION_KINDS else Category.SCHOOL
    basis = f"{RESIDENT_ROLES[plan.participation.role]}: {title}"
    close, new, shown, change = plan_membership(
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
