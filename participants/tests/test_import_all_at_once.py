"""One upload tells every mistake of a file: its columns, each cell, repeats inside it and conflicts
with the bank, grouped by kind and bounded for huge files; school staff's template has only the
columns they may fill, a dropdown of their own schools and the parent-consent columns."""

import io
from datetime import date, timedelta
from datetime import time as clock

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from participants import importing, roles
from participants.importing import report as import_report
from participants.importing.templates import LISTS_SHEET
from participants.models import Category, ImportUpload, Membership, Organisation, Participant
from participants.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    RegionFactory,
)
from reports.wording import NBSP, counted

SCHOOL = "МАОУ гимназия № 29 г. Томска"
# A name an inline list validation could not hold: a comma and quotes of both kinds.
ODD_SCHOOL = 'МБОУ "Лицей, № 7" им. «Первых»'
IMPORT_URL = "/admin/participants/participant/import/"


def sheet_bytes(header: list, rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Участники"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pupil(**changes) -> dict:
    return {
        "Фамилия": "Петрова",
        "Имя": "Мария",
        "Отчество": "Сергеевна",
        "Дата рождения": "20.05.2008",
        "Пол": "Ж",
        "Образовательная организация": SCHOOL,
        "Класс/курс": 9,
        **changes,
    }


@pytest.fixture
def bank(db):
    region = RegionFactory(name="Томская область")
    city = MunicipalityFactory(region=region, name="г. Томск")
    school = OrganisationFactory(municipality=city, name=SCHOOL)
    other = OrganisationFactory(municipality=city, name="МАОУ СОШ № 4 г. Томска")
    OrganisationFactory(name="МБОУ СОШ № 1 г. Тулы", municipality__region__name="Тульская область")
    programme = ProgrammeFactory(region=region, slug="tomsk-test")
    return {"region": region, "school": school, "other": other, "programme": programme}


def load(bank, data, *, people=None, can_set_membership=True, organisations=None):
    return importing.import_participants(
        data,
        programme=bank["programme"],
        organisations=organisations or Organisation.objects.filter(region=bank["region"]),
        can_set_membership=can_set_membership,
        user=None,
        commit=True,
        people=people,
    )


def found(report, row, column, text) -> bool:
    return any(e.row == row and e.column == column and text in e.message for e in report.errors)


def test_one_preview_holds_every_kind_of_error_of_the_file(bank):
    """Columns, values, dates, ranges, repeats and the bank, all from one reading of one file."""
    hidden = ParticipantFactory(
        last_name="Скрытова", first_name="Ольга", patronymic="", birth_date=date(2008, 1, 1), organisation=bank["other"]
    )
    member = ParticipantFactory(
        last_name="Членова", first_name="Анна", patronymic="", birth_date=date(2008, 2, 2), organisation=bank["school"]
    )
    MembershipFactory(
        participant=member, programme=bank["programme"], category=Category.POTENTIAL, included_on=date(2019, 4, 1)
    )
    # No «Телефон», an unknown «СНИЛС», «E-mail» twice (the first one is read).
    base = [c for c in importing.PARTICIPANT_COLUMNS if c != "Телефон"]
    header = [*base, "СНИЛС", "E-mail"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    rows = {
        2: pupil(),
        3: pupil(Фамилия="Орлова", **{"Дата рождения": "31.02.2006", "Пол": "X", "Класс/курс": 14, "E-mail": "maria@"}),
        4: pupil(
            Фамилия="Зайцева",
            **{
                "Согласие на обработку ПДн": "да",
                "Дата согласия": "01.01.2000",
                "Категория": "Резидент-школьник",
                "Дата включения": tomorrow,
            },
        ),
        5: pupil(Фамилия=" ПЕТРОВА "),
        6: pupil(Фамилия="Скрытова", Имя="Ольга", Отчество="", **{"Дата рождения": "01.01.2008"}),
        7: pupil(Фамилия="Тульская", **{"Образовательная организация": "МБОУ СОШ № 1 г. Тулы"}),
        8: pupil(
            Фамилия="Членова",
            Имя="Анна",
            Отчество="",
            **{
                "Дата рождения": "02.02.2008",
                "Класс/курс": "девятый",
                "Категория": "Резидент-школьник",
                "Дата включения": "01.03.2019",
            },
        ),
    }
    cells = [[values.get(c) for c in base] + ["123-456", None] for values in rows.values()]
    cells[4][base.index("Дата согласия")] = "=DATE(2019,1,15)"  # row 6: a formula as well
    before = (Participant.objects.count(), Membership.objects.count(), Participant.history.count())

    report = load(bank, sheet_bytes(header, cells), people=Participant.objects.exclude(pk=hidden.pk))

    expected = [
        (1, "Телефон", "нет столбца «Телефон»"),
        (1, "СНИЛС", "лишний столбец"),
        (1, "E-mail", "столбец повторяется"),
        (3, "Дата рождения", "дата 31.02.2006 не существует"),
        (3, "Пол", "«X» — недопустимое значение"),
        (3, "Класс/курс", "14 вне диапазона"),
        (3, "E-mail", "не адрес электронной почты"),
        (4, "Дата согласия", "раньше даты рождения"),
        (4, "Дата включения", "ещё не наступила"),
        (5, None, "уже есть в этом файле в строке 2"),
        (6, None, "уже зарегистрирован в банке"),
        (6, "Дата согласия", "в ячейке M6 формула"),
        (7, "Образовательная организация", "загружать можно только обучающихся своих организаций"),
        (8, "Класс/курс", "не целое число"),
        (8, "Дата включения", "раньше начала действующего членства"),
    ]
    missing = [e for e in expected if not found(report, *e)]
    assert not missing, (missing, [str(e) for e in report.errors])
    assert len(report.errors) == len(expected), [str(e) for e in report.errors]
    assert [g.kind for g in report.error_groups] == ["structure", "values", "repeats", "bank"]
    assert {g.kind: g.count for g in report.error_groups} == {"structure": 3, "values": 8, "repeats": 1, "bank": 3}
    assert not report.saved
    assert [o.row for o in report.rows] == [2]  # the only clean row, shown but not saved
    assert (Participant.objects.count(), Membership.objects.count(), Participant.history.count()) == before
    # The hidden person's school is not told, though the row was matched despite its other mistake.
    assert "СОШ № 4" not in " ".join(str(e) for e in report.errors)


def test_a_huge_file_of_mistakes_lists_some_of_each_and_counts_the_rest(bank, monkeypatch):
    monkeypatch.setattr(import_report, "LISTED_PER_GROUP", 3)
    rows = [pupil(Фамилия=f"Ошибкина{n}", **{"Дата рождения": "32.01.2008", "Пол": "?"}) for n in range(24)]
    header = importing.PARTICIPANT_COLUMNS
    report = load(bank, sheet_bytes(header, [[r.get(c) for c in header] for r in rows]))
    dates = [e for e in report.errors if e.column == "Дата рождения"]
    assert [e.row for e in dates] == [2, 3, 4, None]
    assert dates[-1].more == 21
    assert str(dates[-1]).startswith("И ещё 21 ошибка в столбце «Дата рождения»")
    assert report.error_count == 48
    assert len(report.errors) == 8
    # Kept with the upload and read back as it was.
    again = importing.ImportReport.from_json(report.to_json())
    assert again.errors == report.errors and again.error_count == 48


def test_the_count_of_the_rest_agrees_with_its_number():
    assert counted(1, "error") == "1 ошибка"
    assert counted(3, "error") == "3 ошибки"
    assert counted(1234, "error") == f"1{NBSP}234 ошибки"
    assert counted(1235, "error") == f"1{NBSP}235 ошибок"
    line = import_report.unlisted("repeats", None, 12)
    assert str(line) == (
        "И ещё 12 ошибок вида «Повторы внутри файла»: исправьте показанные и проверьте остальные строки файла."
    )


def test_the_consent_columns_are_imported_and_checked(bank):
    known = ParticipantFactory(
        last_name="Знакомова", first_name="Ия", patronymic="", birth_date=date(2008, 3, 3), organisation=bank["school"]
    )
    consent = {"Согласие на обработку ПДн": "да", "Дата согласия": "01.09.2019"}
    good = [
        pupil(**consent, **{"Кто дал согласие": "Родитель", "ФИО давшего согласие": "Петрова Анна Ивановна"}),
        pupil(Фамилия="Знакомова", Имя="Ия", Отчество="", **{"Дата рождения": "03.03.2008"}, **consent)
        | {"Кто дал согласие": "опекун", "ФИО давшего согласие": "Опекунова Вера"},
        pupil(Фамилия="Взрослова", **{"Дата рождения": "01.01.2000"}, **consent, **{"Кто дал согласие": "сам"}),
    ]
    header = importing.PARTICIPANT_COLUMNS
    report = load(bank, sheet_bytes(header, [[r.get(c) for c in header] for r in good]))
    assert report.saved, [str(e) for e in report.errors]
    maria = Participant.objects.get(last_name="Петрова")
    assert (maria.consent, maria.consent_date, maria.consent_given_by, maria.consent_given_by_name) == (
        True,
        date(2019, 9, 1),
        "parent",
        "Петрова Анна Ивановна",
    )
    known.refresh_from_db()
    assert (known.consent_given_by, known.consent_given_by_name) == ("guardian", "Опекунова Вера")
    assert ("Кто дал согласие", "—", "законный представитель") in report.rows[1].changes
    assert Participant.objects.get(last_name="Взрослова").consent_given_by == "self"

    bad = [
        pupil(Фамилия="Безфио", **consent, **{"Кто дал согласие": "родитель"}),
        pupil(Фамилия="Малая", **consent, **{"Кто дал согласие": "сам участник"}),
        pupil(Фамилия="Несогласова", **{"Согласие на обработку ПДн": "нет", "Кто дал согласие": "родитель"}),
        pupil(Фамилия="Странная", **consent, **{"Кто дал согласие": "сосед"}),
    ]
    report = load(bank, sheet_bytes(header, [[r.get(c) for c in header] for r in bad]))
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "ФИО давшего согласие"),
        (3, "Кто дал согласие"),
        (4, "Кто дал согласие"),
        (5, "Кто дал согласие"),
    ], [str(e) for e in report.errors]
    assert "согласие дал родитель: укажите его ФИО" in report.errors[0].message
    assert "на 01.09.2019 участнику не было 18 лет" in report.errors[1].message
    assert "согласие не отмечено" in report.errors[2].message
    assert "«сосед» — недопустимое значение" in report.errors[3].message
    assert not Participant.objects.filter(last_name__in=["Безфио", "Малая", "Несогласова", "Странная"]).exists()


@pytest.mark.parametrize(
    "header",
    [["Пол"], ["СНИЛС", "Номер"], ["Фамилия", "", "Дата согласия"], ["Дата рождения", "Дата рождения"]],
    ids=["one-column", "unknown-only", "blank-header", "repeated-only"],
)
def test_a_file_of_odd_columns_and_cells_is_reported_never_fails(bank, header):
    odd = [True, clock(10, 30), -3, 1e20, "=1+1", "  ", date(2030, 1, 1), "#N/A"]
    report = load(bank, sheet_bytes(header, [odd[n : n + len(header) + 1] for n in range(len(odd))]))
    assert report.errors and not report.saved
    assert any(e.row == 1 or e.row is None for e in report.errors)  # the columns are told
    assert Participant.objects.count() == 0


def test_a_file_from_the_template_before_the_consent_giver_columns_is_still_read(bank):
    header = [c for c in importing.PARTICIPANT_COLUMNS if c not in ("Кто дал согласие", "ФИО давшего согласие")]
    assert load(bank, sheet_bytes(header, [[pupil().get(c) for c in header]])).saved


# School staff: their template, their schools only ------------------------------------------------


@pytest.fixture
def schools(bank, django_user_model):
    """Staff of two schools in one region: A works for two of them (one with an awkward name), B for another."""
    odd = OrganisationFactory(municipality=bank["school"].municipality, name=ODD_SCHOOL, short_name="Лицей № 7")
    group = Group.objects.get(name=roles.SCHOOL_STAFF)
    staff_a = django_user_model.objects.create_user("staff-a", password="x")
    staff_b = django_user_model.objects.create_user("staff-b", password="x")
    for user, places in ((staff_a, [bank["school"], odd]), (staff_b, [bank["other"]])):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(group)
        user.staff_organisations.set(places)
    pupil_of_b = ParticipantFactory(
        last_name="Чужова", first_name="Ника", patronymic="", birth_date=date(2008, 4, 4), organisation=bank["other"]
    )
    return {"a": staff_a, "b": staff_b, "odd": odd, "pupil_of_b": pupil_of_b}


def test_school_staff_template_has_their_columns_their_schools_and_the_consent_columns(client, bank, schools):
    client.force_login(schools["a"])
    response = client.get(reverse("admin:participants_participant_import_template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Участники"]
    header = [c.value for c in sheet[1]]
    assert header == importing.SCHOOL_STAFF_COLUMNS
    assert not {"Категория", "Дата включения", "Основание"} & set(header)
    assert header[-4:] == ["Согласие на обработку ПДн", "Дата согласия", "Кто дал согласие", "ФИО давшего согласие"]

    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    organisation = validations["F2:F5001"]
    assert (organisation.type, organisation.showErrorMessage) == ("list", True)
    assert organisation.formula1 == f"'{LISTS_SHEET}'!$A$1:$A$2"
    lists = book[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    listed = [row[0] for row in lists.iter_rows(min_col=1, max_col=1, values_only=True)]
    assert sorted(listed) == sorted([SCHOOL, ODD_SCHOOL])  # exactly A's schools, the odd name intact
    assert validations["L2:L5001"].formula1 == '"сам участник,родитель,законный представитель"'
    assert book.sheetnames == ["Участники", "Как заполнять", LISTS_SHEET]


def test_the_coordinators_template_keeps_its_columns(client, bank, coordinator):
    client.force_login(coordinator)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("admin:participants_participant_import_template")).content)
    )
    assert [c.value for c in book["Участники"][1]] == importing.PARTICIPANT_COLUMNS
    assert LISTS_SHEET not in book.sheetnames


def upload(client, programme, header, rows):
    data = io.BytesIO(sheet_bytes(header, [[r.get(c) for c in header] for r in rows]))
    data.name = "ученики.xlsx"
    return client.post(IMPORT_URL, {"programme": programme.pk, "file": data}, follow=True)


def test_staff_of_school_a_cannot_load_pupils_into_school_b(client, bank, schools):
    """A crafted file: school B typed into the organisation column, and B's own pupil claimed for A."""
    client.force_login(schools["a"])
    header = importing.SCHOOL_STAFF_COLUMNS
    rows = [
        pupil(Фамилия="Своя"),
        pupil(Фамилия="Подброшенная", **{"Образовательная организация": "МАОУ СОШ № 4 г. Томска"}),
        pupil(Фамилия="Чужова", Имя="Ника", Отчество="", **{"Дата рождения": "04.04.2008"}),
        pupil(Фамилия="Лицеистка", **{"Образовательная организация": ODD_SCHOOL}),
    ]
    before = (Participant.objects.count(), Participant.history.count())
    page = upload(client, bank["programme"], header, rows).content.decode()
    assert "Ошибок в файле: 2." in page
    upload_row = ImportUpload.objects.get()
    report = importing.ImportReport.from_json(upload_row.result)
    assert found(report, 3, "Образовательная организация", "загружать можно только обучающихся своих организаций")
    assert found(report, 4, None, "уже зарегистрирован в банке")
    assert not upload_row.content  # a file with errors is not kept to be saved
    assert (Participant.objects.count(), Participant.history.count()) == before
    schools["pupil_of_b"].refresh_from_db()
    assert schools["pupil_of_b"].organisation == bank["other"]

    # Confirming the preview anyway saves nothing.
    client.post(reverse("admin:participants_participant_import_preview", args=[upload_row.pk]))
    assert (Participant.objects.count(), Participant.history.count()) == before


def test_staff_category_column_left_in_the_file_is_refused_per_row_never_applied(client, bank, schools):
    client.force_login(schools["a"])
    header = importing.PARTICIPANT_COLUMNS  # an old template of the coordinator's, categories filled in
    rows = [pupil(Фамилия="Своя"), pupil(Фамилия="Резидентова", Категория="Резидент-школьник")]
    upload(client, bank["programme"], header, rows)
    report = importing.ImportReport.from_json(ImportUpload.objects.get().result)
    assert [(e.row, e.column, e.kind) for e in report.errors] == [(3, "Категория", "bank")]
    assert "категорию и дату включения задаёт координатор программы" in report.errors[0].message
    assert not Membership.objects.exists() and not Participant.objects.filter(last_name="Резидентова").exists()

    # The same columns left empty are no mistake: nothing in them could be applied.
    ImportUpload.objects.all().delete()
    upload(client, bank["programme"], header, [pupil(Фамилия="Своя")])
    assert ImportUpload.objects.get().result["errors"] == []
