"""Excel import: templates, every refused input with its row and column, all-or-nothing saving,
matching people already in the bank, the audit trail, speed, the command and event results."""

import io
import re
import time
import zipfile
from datetime import date, datetime, timedelta
from datetime import time as clock
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from events.importing import RESULT_COLUMNS, import_results, results_template
from events.models import Edition, EventSeries, Participation, Role, SeriesKind
from participants import bulk
from participants.importing import (
    PARTICIPANT_COLUMNS,
    ImportIssue,
    import_participants,
    participant_template,
    planning,
    reading,
)
from participants.models import Category, Membership, Organisation, OrganisationKind, Participant
from participants.tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    RegionFactory,
)

# Helpers --------------------------------------------------------------------------------------


def xlsx(rows, columns=PARTICIPANT_COLUMNS, title="Участники") -> bytes:
    """A workbook with the header `columns` and `rows` (dicts by column name, or plain lists)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns] if isinstance(row, dict) else row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_excel_saves_it(data: bytes, rich: str = "") -> bytes:
    """The same workbook with its texts in a shared string table, as Excel and LibreOffice save
    them (openpyxl writes each text into its cell); the text `rich` is stored in two formatted runs
    with a phonetic hint, as Excel stores text formatted in part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: dict[str, int] = {}

    def shared(match):
        return f't="s"><v>{strings.setdefault(match.group(1), len(strings))}</v>'

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name.startswith("xl/worksheets/sheet"):
                inline = r't="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is>'
                content = re.sub(inline, shared, content.decode()).replace(' t="inlineStr" />', " />").encode()
            elif name == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
                    b'.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
                )
            elif name == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            target.writestr(name, content)
        items = []
        for text in strings:
            if text == rich:
                half = len(text) // 2
                items.append(
                    f"<si><r><t>{text[:half]}</t></r><r><rPr><b/></rPr><t>{text[half:]}</t></r>"
                    '<rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>'
                )
            else:
                items.append(f'<si><t xml:space="preserve">{text}</t></si>')
        target.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(items)}" uniqueCount="{len(items)}">{"".join(items)}</sst>',
        )
    return out.getvalue()


def pupil(changes=None, **fields) -> dict:
    row = {
        "Фамилия": "Петрова",
        "Имя": "Мария",
        "Отчество": "Сергеевна",
        "Дата рождения": "20.05.2006",
        "Пол": "Ж",
        "Образовательная организация": "МАОУ гимназия № 29 г. Томска",
        "Класс/курс": 8,
    }
    row.update(changes or {})
    row.update(fields)
    return row


def state():
    """What the bank holds, to check that a refused file saved nothing."""
    return (
        Participant.objects.count(),
        Membership.objects.count(),
        Participant.history.count(),
        Membership.history.count(),
        Participation.objects.count(),
    )


@pytest.fixture
def bank(db):
    region = RegionFactory(name="Томская область")
    city = MunicipalityFactory(region=region, name="г. Томск")
    school = OrganisationFactory(municipality=city, name="МАОУ гимназия № 29 г. Томска", short_name="Гимназия № 29")
    other = OrganisationFactory(municipality=city, name="МАОУ СОШ № 4 г. Томска")
    university = OrganisationFactory(
        municipality=city,
        name="Томский государственный университет",
        short_name="ТГУ",
        kind=OrganisationKind.UNIVERSITY,
    )
    elsewhere = OrganisationFactory(name="МБОУ СОШ № 1 г. Тулы", municipality__region__name="Тульская область")
    programme = ProgrammeFactory(region=region, slug="tomsk-test", name="Томская программа")
    return SimpleNamespace(
        region=region,
        school=school,
        other=other,
        university=university,
        elsewhere=elsewhere,
        programme=programme,
        organisations=region_organisations(region),
    )


def region_organisations(region):
    return Organisation.objects.filter(region=region)


def load(bank, data, *, commit=True, organisations=None, can_set_membership=True, user=None):
    return import_participants(
        data,
        programme=bank.programme,
        organisations=bank.organisations if organisations is None else organisations,
        can_set_membership=can_set_membership,
        user=user,
        commit=commit,
    )


def only_error(report) -> ImportIssue:
    assert len(report.errors) == 1, [str(e) for e in report.errors]
    return report.errors[0]


# Templates ------------------------------------------------------------------------------------


def test_participant_template_has_the_columns_in_order_and_the_dropdowns(bank):
    book = openpyxl.load_workbook(io.BytesIO(participant_template(bank.organisations)))
    assert book.sheetnames == ["Участники", "Как заполнять"]
    sheet = book["Участники"]
    assert [c.value for c in sheet[1]] == PARTICIPANT_COLUMNS
    assert sheet.freeze_panes == "A2"
    dropdowns = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert dropdowns == {
        "E2": '"М,Ж"',
        "H2": '"Резидент-школьник,Резидент-студент,Потенциальный резидент,Партнёр"',
        "M2": '"да,нет"',
        "O2": '"сам участник,родитель,законный представитель"',
    }
    for letter in "DIN":  # the three date columns
        assert sheet.column_dimensions[letter].number_format == "DD.MM.YYYY"
    help_text = [c.value for row in book["Как заполнять"].iter_rows() for c in row if c.value]
    assert "МАОУ гимназия № 29 г. Томска" in help_text
    assert "ТГУ" in help_text
    assert "МБОУ СОШ № 1 г. Тулы" not in help_text


def test_the_empty_template_is_refused_for_having_no_rows(bank):
    issue = only_error(load(bank, participant_template(), commit=False))
    assert "нет ни одной заполненной строки" in issue.message


def test_results_template_has_the_columns_and_the_role_dropdown():
    sheet = openpyxl.load_workbook(io.BytesIO(results_template()))["Результаты"]
    assert [c.value for c in sheet[1]] == RESULT_COLUMNS
    formulas = sorted(v.formula1 for v in sheet.data_validations.dataValidation)
    assert '"М,Ж"' in formulas
    assert '"участник,победитель,призёр,эксперт,модератор,координатор,наставник"' in formulas


# A good file ----------------------------------------------------------------------------------


def good_rows():
    return [
        pupil(
            {
                "Категория": "Резидент-школьник",
                "Дата включения": date(2019, 4, 1),
                "Основание": "Победитель олимпиады",
                "Телефон": "+7 913 111-22-33",
                "E-mail": "maria@example.ru",
                "Согласие на обработку ПДн": "да",
                "Дата согласия": "15.01.2019",
            }
        ),
        pupil(
            {
                "Фамилия": "Сидоров",
                "Имя": "Пётр",
                "Отчество": "",
                "Дата рождения": date(2001, 2, 3),
                "Пол": "муж",
                "Образовательная организация": "тгу",
                "Класс/курс": "2",
                "Категория": "резидент-студент",
                "Дата включения": "01.09.2019",
            }
        ),
        pupil({"Фамилия": "Кузнецова", "Имя": "Анна", "Дата рождения": "07.11.2007", "Пол": "ж", "Класс/курс": 7}),
    ]


def test_a_good_file_creates_people_memberships_and_history(bank, coordinator):
    preview = load(bank, xlsx(good_rows()), commit=False)
    assert preview.ok and not preview.saved
    assert preview.counts == {"create": 3, "update": 0, "unchanged": 0}
    assert Participant.objects.count() == 0  # a preview saves nothing

    report = load(bank, xlsx(good_rows()), user=coordinator)
    assert report.ok, [str(e) for e in report.errors]
    assert report.saved
    assert report.counts == {"create": 3, "update": 0, "unchanged": 0}
    assert [o.person for o in report.rows] == [
        "Петрова Мария Сергеевна, 20.05.2006",
        "Сидоров Пётр, 03.02.2001",
        "Кузнецова Анна Сергеевна, 07.11.2007",
    ]
    assert report.rows[0].membership == "резидент-школьник с 01.04.2019"
    assert report.rows[2].membership == ""

    maria = Participant.objects.get(last_name="Петрова")
    assert (maria.organisation, maria.grade, maria.course, maria.sex) == (bank.school, 8, None, "Ж")
    assert (maria.phone, maria.email, maria.consent, maria.consent_date) == (
        "+7 913 111-22-33",
        "maria@example.ru",
        True,
        date(2019, 1, 15),
    )
    assert maria.name_key == "петрова мария сергеевна"
    petr = Participant.objects.get(last_name="Сидоров")
    assert (petr.organisation, petr.grade, petr.course, petr.sex) == (bank.university, None, 2, "М")

    memberships = {m.participant.last_name: m for m in Membership.objects.select_related("participant")}
    assert set(memberships) == {"Петрова", "Сидоров"}
    assert memberships["Петрова"].category == Category.SCHOOL
    assert memberships["Петрова"].basis == "Победитель олимпиады"
    assert memberships["Сидоров"].category == Category.STUDENT
    assert memberships["Сидоров"].included_on == date(2019, 9, 1)
    assert all(m.programme == bank.programme and m.left_on is None for m in memberships.values())

    history = list(Participant.history.all())
    assert len(history) == 3
    assert {h.history_type for h in history} == {"+"}
    assert {h.history_user for h in history} == {coordinator}
    assert {h.history_change_reason for h in history} == {"Загрузка из Excel"}
    assert Membership.history.filter(history_type="+", history_user=coordinator).count() == 2


def test_an_upload_kept_in_the_database_is_read_as_well(bank):
    assert load(bank, memoryview(xlsx(good_rows()))).saved


def test_a_clash_while_saving_rolls_everything_back(bank, monkeypatch):
    def clash(model, objs, user, reason):
        if model is Membership:  # written after the people and their history
            raise IntegrityError("participant_unique_person")
        return real(model, objs, user, reason)

    real = bulk.create_with_history
    monkeypatch.setattr(bulk, "create_with_history", clash)
    before = state()
    report = load(bank, xlsx(good_rows()))
    assert not report.saved
    assert "данные в банке изменились во время загрузки" in only_error(report).message
    assert state() == before


def test_reimporting_the_same_file_changes_nothing(bank):
    data = xlsx(good_rows())
    assert load(bank, data).saved
    before = state()
    again = load(bank, data)
    assert again.ok and again.saved
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3}
    assert all(not o.changes for o in again.rows)
    assert again.rows[0].membership == "резидент-школьник с 01.04.2019, без изменений"
    assert state() == before


# Refused files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, this is not a workbook", b"PK\x03\x04 broken zip", b"\xd0\xcf\x11\xe0 old xls"],
    ids=["empty-bytes", "text", "broken-zip", "xls"],
)
def test_not_a_workbook(bank, data):
    issue = only_error(load(bank, data))
    assert issue.row is None and issue.column is None
    assert str(issue).startswith("Файл не является книгой Excel (.xlsx)")


def test_a_zip_that_is_not_a_workbook(bank):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert only_error(load(bank, out.getvalue())).message.startswith("Файл не является книгой Excel")


def test_an_empty_sheet(bank):
    book = openpyxl.Workbook()
    out = io.BytesIO()
    book.save(out)
    issue = only_error(load(bank, out.getvalue()))
    assert str(issue) == "Файл: лист «Sheet» пуст: заполните его по шаблону, начиная с заголовков в первой строке."


def test_header_only_is_refused(bank):
    assert "нет ни одной заполненной строки" in only_error(load(bank, xlsx([]))).message


def test_a_missing_column_is_named_and_the_rows_are_still_checked(bank):
    columns = [c for c in PARTICIPANT_COLUMNS if c != "Пол"]
    rows = [pupil(), pupil({"Фамилия": "Орлова", "Дата рождения": "31.02.2006"})]
    report = load(bank, xlsx(rows, columns=columns))
    assert [(e.row, e.column, e.kind) for e in report.errors] == [
        (1, "Пол", "structure"),
        (3, "Дата рождения", "values"),
    ]
    assert "нет столбца «Пол»: добавьте его" in report.errors[0].message
    assert not report.saved and Participant.objects.count() == 0


def test_an_extra_column_is_named(bank):
    issue = only_error(load(bank, xlsx([], columns=[*PARTICIPANT_COLUMNS, "СНИЛС"])))
    assert (issue.row, issue.column) == (1, "СНИЛС")
    assert "лишний столбец Q" in issue.message


def test_columns_are_read_by_their_headers_wherever_they_stand(bank):
    columns = list(reversed(PARTICIPANT_COLUMNS))
    report = load(bank, xlsx([pupil()], columns=columns))
    assert report.saved, [str(e) for e in report.errors]
    person = Participant.objects.get()
    assert (person.last_name, person.first_name, person.organisation) == ("Петрова", "Мария", bank.school)


def test_a_repeated_column_is_named_and_the_first_one_read(bank):
    columns = [*PARTICIPANT_COLUMNS, "Фамилия"]
    report = load(bank, xlsx([[*pupil().values(), *[None] * 9, "Другая"]], columns=columns), commit=False)
    issue = only_error(report)
    assert (issue.row, issue.column) == (1, "Фамилия")
    assert "столбец повторяется: в A и в Q; прочитан первый" in issue.message


def test_headers_tolerate_case_and_spaces(bank):
    columns = [f"  {c.upper()} " for c in PARTICIPANT_COLUMNS]
    assert load(bank, xlsx([list(pupil().values())], columns=columns)).saved


def test_a_formula_is_refused_with_its_cell(bank):
    rows = [pupil(), pupil({"Фамилия": "Орлова", "Дата рождения": "=DATE(2006,5,20)"})]
    before = state()
    issue = only_error(load(bank, xlsx(rows)))
    assert (issue.row, issue.column) == (3, "Дата рождения")
    assert "в ячейке D3 формула" in issue.message
    assert state() == before


def test_merged_cells_are_refused_with_their_ranges(bank):
    book = openpyxl.load_workbook(io.BytesIO(xlsx([pupil(), pupil({"Фамилия": "Орлова"})])))
    book.active.merge_cells("F2:F3")
    book.active.merge_cells("A3:B3")
    out = io.BytesIO()
    book.save(out)
    report = load(bank, out.getvalue())
    merged = report.errors[0]
    assert merged.row is None
    assert "объединённые ячейки: A3:B3, F2:F3" in merged.message
    # The rows are still checked: after unmerging, the covered cells are empty, as reported.
    assert [(e.row, e.column) for e in report.errors[1:]] == [(3, "Имя"), (3, "Образовательная организация")]
    assert not report.saved


def test_a_workbook_saved_by_excel_gives_the_same_report(bank):
    """The reader takes the cells from the file's XML itself: texts kept apart in a shared table
    (as Excel saves them, formatted runs included) read the same as texts in the cells."""
    rows = [
        *good_rows(),
        pupil({"Фамилия": "Орлова", "Дата рождения": "31.02.2006", "Пол": "X"}),  # two errors
        pupil({"Фамилия": "Белова", "Дата согласия": "=DATE(2019,1,15)"}),  # a formula
    ]
    data = xlsx(rows)
    excel = as_excel_saves_it(data, rich="Петрова")
    assert b"inlineStr" not in zipfile.ZipFile(io.BytesIO(excel)).read("xl/worksheets/sheet1.xml")
    first = openpyxl.load_workbook(io.BytesIO(data)).active
    again = openpyxl.load_workbook(io.BytesIO(excel)).active
    assert [[c.value for c in row] for row in again.iter_rows()] == [
        [c.value for c in row] for row in first.iter_rows()
    ]

    def shown(report):
        return [str(e) for e in report.errors], [(o.row, o.person, o.action, o.changes) for o in report.rows]

    expected = shown(load(bank, data, commit=False))
    assert len(expected[0]) == 3
    assert "Строка 5, столбец «Дата рождения»: дата 31.02.2006 не существует" in expected[0][0]
    assert "в ячейке N6 формула" in expected[0][2]
    assert shown(load(bank, excel, commit=False)) == expected


def test_cells_are_read_as_openpyxl_reads_them():
    """_XlsxSheet, the import's own reader, against openpyxl's full reading of the same files."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Участники"
    values = ["  Иванов ", 5, 5.5, 1e20, 89131234567, True, False, date(2006, 5, 20), datetime(2019, 1, 15, 10, 30)]
    values += [clock(12, 15), "=SUM(1,2)", "20.05.2006", "#N/A", -3, 0, "Ёлкина\xa0Анна", "Петрова"]
    for number, value in enumerate(values, start=2):
        sheet.cell(row=number, column=1 + number % 5, value=value)
    sheet.cell(row=30, column=27, value="далеко")
    sheet.merge_cells("B40:C41")
    out = io.BytesIO()
    book.save(out)

    def by_openpyxl(data):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        cells = [(c.row, c.column, c.value, c.data_type == "f") for row in sheet.iter_rows() for c in row]
        return [c for c in cells if c[2] is not None], sorted(str(r) for r in sheet.merged_cells.ranges)

    def by_importer(data):
        sheet = reading._XlsxSheet.read(data, "Участники")
        cells = [(number, *cell) for number, row in sorted(sheet.rows.items()) for cell in row]
        return cells, sorted(sheet.merged)

    for data in (out.getvalue(), as_excel_saves_it(out.getvalue(), rich="Петрова")):
        assert by_importer(data) == by_openpyxl(data)
    assert ("B40:C41" in by_importer(out.getvalue())[1]) and len(by_importer(out.getvalue())[0]) == len(values) + 1


def test_the_participants_sheet_is_found_by_name_else_the_first_one_is_read(bank):
    book = openpyxl.load_workbook(io.BytesIO(xlsx([pupil()])))
    book.create_sheet("Как заполнять", 0)["A1"] = "Инструкция"
    out = io.BytesIO()
    book.save(out)
    assert load(bank, out.getvalue(), commit=False).counts == {"create": 1, "update": 0, "unchanged": 0}

    issue = only_error(load(bank, xlsx([pupil({"Пол": "?"})], title="Лист1"), commit=False))
    assert (issue.row, issue.column) == (2, "Пол")
    assert "лист «Лист1» пуст" in only_error(load(bank, xlsx([], columns=[], title="Лист1"))).message


def test_dates_of_a_workbook_counting_from_1904(bank):
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904  # Excel for Mac's old date system
    sheet = book.active
    sheet.title = "Участники"
    sheet.append(PARTICIPANT_COLUMNS)
    row = pupil(
        {"Дата рождения": date(2006, 5, 20), "Согласие на обработку ПДн": "да", "Дата согласия": date(2019, 1, 15)}
    )
    sheet.append([row.get(c) for c in PARTICIPANT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    assert load(bank, out.getvalue()).saved
    person = Participant.objects.get()
    assert (person.birth_date, person.consent_date) == (date(2006, 5, 20), date(2019, 1, 15))


def test_an_oversized_file_is_refused_before_reading(bank, monkeypatch):
    monkeypatch.setattr(reading, "MAX_IMPORT_BYTES", 1024 * 1024)
    issue = only_error(load(bank, b"x" * (1024 * 1024 + 1)))
    assert issue.row is None
    assert str(issue) == (
        "Файл слишком большой: 1.0 МБ при допустимых 1 МБ. Разделите его на несколько файлов и загрузите по очереди."
    )


def test_a_value_outside_the_table_is_refused(bank):
    rows = [[*pupil().values(), *[None] * 10, "лишнее"]]
    issue = only_error(load(bank, xlsx(rows)))
    assert issue.row == 2 and "в столбце R нет заголовка" in issue.message and "R2" in issue.message


TOMORROW = timezone.localdate() + timedelta(days=1)


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"Дата рождения": "20/05/2006"}, "Дата рождения", "«20/05/2006» не похоже на дату: укажите дату в формате"),
        ({"Дата рождения": "31.02.2006"}, "Дата рождения", "дата 31.02.2006 не существует"),
        ({"Дата рождения": 38857}, "Дата рождения", "не похоже на дату"),
        ({"Дата рождения": TOMORROW}, "Дата рождения", "ещё не наступила"),
        ({"Дата рождения": "01.01.1890"}, "Дата рождения", "слишком ранняя"),
        ({"Дата рождения": None}, "Дата рождения", "обязательный столбец не заполнен"),
        ({"Фамилия": "  "}, "Фамилия", "обязательный столбец не заполнен"),
        ({"Пол": "мужчина"}, "Пол", "«мужчина» — недопустимое значение: укажите М или Ж"),
        ({"Пол": None}, "Пол", "обязательный столбец не заполнен"),
        ({"Класс/курс": 12}, "Класс/курс", "класс 12 вне диапазона: для школьников — от 1 до 11"),
        ({"Класс/курс": "девятый"}, "Класс/курс", "не целое число"),
        (
            {"Образовательная организация": "ТГУ", "Класс/курс": 7},
            "Класс/курс",
            "курс 7 вне диапазона: для колледжей и вузов — от 1 до 6",
        ),
        (
            {"Образовательная организация": "Школа № 999"},
            "Образовательная организация",
            "организации «Школа № 999» нет в банке",
        ),
        (
            {"Образовательная организация": "МБОУ СОШ № 1 г. Тулы"},
            "Образовательная организация",
            "загружать можно только обучающихся своих организаций",
        ),
        ({"E-mail": "maria@"}, "E-mail", "«maria@» — не адрес электронной почты"),
        ({"Телефон": "8" * 31}, "Телефон", "не более 30"),
        ({"Согласие на обработку ПДн": "да"}, "Дата согласия", "согласие «да»: укажите дату согласия"),
        ({"Согласие на обработку ПДн": "возможно"}, "Согласие на обработку ПДн", "укажите да или нет"),
        ({"Согласие на обработку ПДн": "да", "Дата согласия": "01.01.2000"}, "Дата согласия", "раньше даты рождения"),
        ({"Категория": "Резидент-школьник"}, "Дата включения", "категория указана без даты включения"),
        ({"Дата включения": "01.04.2019"}, "Категория", "дата включения указана без категории"),
        ({"Категория": "Отличник", "Дата включения": "01.04.2019"}, "Категория", "«Отличник» — недопустимое значение"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_is_saved(bank, changes, column, message):
    rows = [pupil({"Фамилия": "Орлова"}), pupil(changes), pupil({"Фамилия": "Зайцева"})]
    before = state()
    report = load(bank, xlsx(rows))
    issue = only_error(report)
    assert (issue.row, issue.column) == (3, column)
    assert message in issue.message
    assert str(issue).startswith(f"Строка 3, столбец «{column}»: ")
    assert not report.saved
    assert state() == before


def test_str_of_an_issue():
    assert str(ImportIssue(5, "Дата рождения", "дата 31.02.2006 не существует.")) == (
        "Строка 5, столбец «Дата рождения»: дата 31.02.2006 не существует."
    )
    assert str(ImportIssue(5, None, "повтор.")) == "Строка 5: повтор."
    assert str(ImportIssue(None, None, "лист пуст.")) == "Файл: лист пуст."


def test_other_organisation_for_restricted_staff(bank):
    rows = [pupil(), pupil({"Фамилия": "Орлова", "Образовательная организация": "МАОУ СОШ № 4 г. Томска"})]
    before = state()
    report = load(bank, xlsx(rows), organisations=region_organisations(bank.region).filter(pk=bank.school.pk))
    issue = only_error(report)
    assert (issue.row, issue.column) == (3, "Образовательная организация")
    assert "загружать можно только обучающихся своих организаций" in issue.message
    assert state() == before


def test_category_set_by_school_staff_is_refused(bank):
    rows = [pupil(), pupil({"Фамилия": "Орлова", "Категория": "Резидент-школьник", "Дата включения": "01.04.2019"})]
    before = state()
    report = load(bank, xlsx(rows), can_set_membership=False)
    assert {(e.row, e.column) for e in report.errors} == {(3, "Категория"), (3, "Дата включения")}
    assert all("категорию и дату включения задаёт координатор программы" in e.message for e in report.errors)
    assert state() == before


def test_school_staff_load_their_pupils_without_categories(bank):
    report = load(bank, xlsx([pupil()]), organisations=[bank.school], can_set_membership=False)
    assert report.saved and report.counts["create"] == 1
    assert Membership.objects.count() == 0


def test_the_same_person_twice_names_the_earlier_row(bank):
    rows = [pupil(), pupil({"Фамилия": "Орлова"}), pupil({"Фамилия": " ПЕТРОВА ", "Класс/курс": 9})]
    before = state()
    issue = only_error(load(bank, xlsx(rows)))
    assert issue.row == 4
    assert "уже есть в этом файле в строке 2" in issue.message
    assert state() == before


def test_all_problems_of_a_file_are_reported_at_once(bank):
    rows = [pupil({"Дата рождения": "31.02.2006"}), pupil({"Фамилия": "Орлова", "Пол": "?", "Класс/курс": 15})]
    report = load(bank, xlsx(rows))
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "Дата рождения"),
        (3, "Пол"),
        (3, "Класс/курс"),
    ]


# Matching people already in the bank ----------------------------------------------------------


def test_yo_case_and_spaces_match_and_a_changed_phone_is_shown(bank, coordinator):
    person = ParticipantFactory(
        last_name="Ёлкина",
        first_name="Анна",
        patronymic="Петровна",
        birth_date=date(2006, 5, 20),
        sex="Ж",
        organisation=bank.school,
        grade=8,
        phone="",
    )
    row = pupil(
        {
            "Фамилия": "  елкина ",
            "Имя": "АННА",
            "Отчество": "петровна  ",
            "Телефон": "+7 913 000-00-01",
            "Класс/курс": "9 класс",
        }
    )
    report = load(bank, xlsx([row]), user=coordinator)
    assert report.saved
    assert report.counts == {"create": 0, "update": 1, "unchanged": 0}
    outcome = report.rows[0]
    assert outcome.person == "Ёлкина Анна Петровна, 20.05.2006"
    assert ("Телефон", "—", "+7 913 000-00-01") in outcome.changes
    assert ("Класс/курс", "8 класс", "9 класс") in outcome.changes
    assert Participant.objects.count() == 1
    person.refresh_from_db()
    assert (person.last_name, person.phone, person.grade) == ("Ёлкина", "+7 913 000-00-01", 9)
    latest = person.history.latest()
    assert (latest.history_type, latest.history_user, latest.phone) == ("~", coordinator, "+7 913 000-00-01")


def test_namesakes_born_on_other_days_are_neither_matched_nor_loaded(bank, monkeypatch):
    """People are looked up by the pair (name key, birth date): a namesake born on another day is
    another person, and the lookup does not fetch them at all."""
    same = {"last_name": "Петрова", "first_name": "Мария", "patronymic": "Сергеевна", "organisation": bank.school}
    for day in (date(2006, 5, 21), date(2005, 5, 20), date(2006, 6, 20)):
        ParticipantFactory(birth_date=day, **same)
    her = ParticipantFactory(birth_date=date(2006, 5, 20), **same)
    places = planning.Organisations(bank.organisations)
    key = (her.name_key, her.birth_date)
    loaded = []
    from_db = Participant.from_db.__func__
    monkeypatch.setattr(Participant, "from_db", classmethod(lambda *args: loaded.append(args[-1]) or from_db(*args)))
    with CaptureQueriesContext(connection) as queries:
        found, hidden = planning.find_people([key, ("иванов иван", date(2006, 5, 20))], places, None)
    assert (found, hidden, len(queries), len(loaded)) == ({key: her}, set(), 1, 1)
    report = load(bank, xlsx([pupil(), pupil({"Дата рождения": "22.05.2006"})]), commit=False)
    assert [(o.row, o.action != "create") for o in report.rows] == [(2, True), (3, False)]  # her; a new one


def test_empty_cells_do_not_erase(bank):
    ParticipantFactory(
        last_name="Петрова",
        first_name="Мария",
        patronymic="Сергеевна",
        birth_date=date(2006, 5, 20),
        sex="Ж",
        organisation=bank.school,
        grade=8,
        phone="+7 913 111-22-33",
        email="maria@example.ru",
        consent=True,
        consent_date=date(2019, 1, 15),
    )
    report = load(bank, xlsx([pupil({"Класс/курс": None})]))
    assert report.counts == {"create": 0, "update": 0, "unchanged": 1}
    person = Participant.objects.get()
    assert (person.phone, person.email, person.consent, person.grade) == (
        "+7 913 111-22-33",
        "maria@example.ru",
        True,
        8,
    )


def test_a_move_to_university_switches_grade_to_course(bank):
    ParticipantFactory(
        last_name="Петрова",
        first_name="Мария",
        patronymic="Сергеевна",
        birth_date=date(2006, 5, 20),
        organisation=bank.school,
        grade=11,
    )
    report = load(bank, xlsx([pupil({"Образовательная организация": "ТГУ", "Класс/курс": 1})]))
    assert report.saved
    assert ("Образовательная организация", "Гимназия № 29", "ТГУ") in report.rows[0].changes
    person = Participant.objects.get()
    assert (person.organisation, person.grade, person.course) == (bank.university, None, 1)


def test_a_person_of_another_organisation_is_not_revealed(bank):
    ParticipantFactory(
        last_name="Петрова",
        first_name="Мария",
        patronymic="Сергеевна",
        birth_date=date(2006, 5, 20),
        organisation=bank.other,
    )
    before = state()
    report = load(bank, xlsx([pupil()]), organisations=[bank.school], can_set_membership=False)
    issue = only_error(report)
    assert issue.row == 2
    assert "уже числится в другой образовательной организации; обратитесь к координатору" in issue.message
    assert "СОШ № 4" not in str(issue)
    assert state() == before


def test_a_change_of_category_closes_the_open_membership(bank, coordinator):
    person = ParticipantFactory(
        last_name="Петрова",
        first_name="Мария",
        patronymic="Сергеевна",
        birth_date=date(2006, 5, 20),
        organisation=bank.school,
    )
    old = MembershipFactory(
        participant=person, programme=bank.programme, category=Category.POTENTIAL, included_on=date(2019, 4, 1)
    )
    row = pupil({"Категория": "Резидент-школьник", "Дата включения": "01.09.2020", "Основание": "Победитель"})
    report = load(bank, xlsx([row]), user=coordinator)
    assert report.saved
    assert report.rows[0].action == "update"
    assert report.rows[0].membership == "резидент-школьник с 01.09.2020 (вместо: потенциальный резидент с 01.04.2019)"
    old.refresh_from_db()
    assert (old.left_on, old.leaving_reason) == (date(2020, 9, 1), "Смена категории при загрузке из Excel")
    new = Membership.objects.get(left_on__isnull=True)
    assert (new.category, new.included_on, new.basis) == (Category.SCHOOL, date(2020, 9, 1), "Победитель")
    assert old.history.latest().history_type == "~"

    assert load(bank, xlsx([row])).counts == {"create": 0, "update": 0, "unchanged": 1}


def test_a_new_category_cannot_start_before_the_open_one(bank):
    person = ParticipantFactory(
        last_name="Петрова",
        first_name="Мария",
        patronymic="Сергеевна",
        birth_date=date(2006, 5, 20),
        organisation=bank.school,
    )
    MembershipFactory(
        participant=person, programme=bank.programme, category=Category.POTENTIAL, included_on=date(2019, 4, 1)
    )
    before = state()
    issue = only_error(load(bank, xlsx([pupil({"Категория": "Резидент-школьник", "Дата включения": "01.03.2019"})])))
    assert (issue.row, issue.column) == (2, "Дата включения")
    assert "раньше начала действующего членства (потенциальный резидент с 01.04.2019)" in issue.message
    assert state() == before


# Ten thousand rows ----------------------------------------------------------------------------


def test_ten_thousand_rows_in_one_go(bank, coordinator):
    count = 10_000
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Участники")
    sheet.append(PARTICIPANT_COLUMNS)
    first_day = date(2004, 1, 1)
    for n in range(count):
        sheet.append(
            [
                f"Фамилия{n}",
                "Иван" if n % 2 else "Анна",
                "Петрович" if n % 2 else "Петровна",
                first_day + timedelta(days=n % 1500),
                "М" if n % 2 else "Ж",
                "Гимназия № 29" if n % 3 else "МАОУ СОШ № 4 г. Томска",
                5 + n % 6,
                "Резидент-школьник" if n % 4 == 0 else None,
                date(2019, 4, 1) if n % 4 == 0 else None,
                "Победитель олимпиады" if n % 4 == 0 else None,
                f"+7 913 {n:07d}",
                f"pupil{n}@example.ru",
                "да",
                date(2019, 1, 15),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()

    started = time.perf_counter()
    report = load(bank, data, user=coordinator)
    elapsed = time.perf_counter() - started
    assert report.ok, [str(e) for e in report.errors[:5]]
    assert report.saved
    assert report.counts == {"create": count, "update": 0, "unchanged": 0}
    assert Participant.objects.count() == count
    assert Participant.history.count() == count
    assert Membership.objects.count() == count // 4
    print(f"\n10 000 rows imported in {elapsed:.1f} s: {count / elapsed:.0f} rows/s")
    assert elapsed < 60

    started = time.perf_counter()
    again = load(bank, data, commit=False)
    elapsed = time.perf_counter() - started
    assert again.counts == {"create": 0, "update": 0, "unchanged": count}
    print(f"10 000 rows re-checked in {elapsed:.1f} s: {count / elapsed:.0f} rows/s")


# Queries and the audit trail -------------------------------------------------------------------


def many_pupils(count: int, surname: str, changes=None) -> list[dict]:
    rows = []
    for n in range(count):
        row = pupil(
            {"Фамилия": f"{surname}-{n}", "Телефон": f"+7 913 {n:07d}", "E-mail": f"pupil{n}-of-{count}@example.ru"}
        )
        if n % 2:
            row.update({"Категория": "Резидент-школьник", "Дата включения": "01.04.2019"})
        row.update(changes or {})
        rows.append(row)
    return rows


def queries_of(bank, data, **kwargs) -> int:
    organisations = region_organisations(bank.region)  # a fresh query set, as each request has
    with CaptureQueriesContext(connection) as captured:
        report = load(bank, data, organisations=organisations, **kwargs)
    assert report.ok, [str(e) for e in report.errors[:5]]
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_rows(bank, coordinator):
    """Preview and saving, of new people and of changes to people in the bank (a new phone, a new
    category closing the open membership): ten rows and six hundred take the same queries."""
    changes = {"Телефон": "+7 913 999-99-99", "Категория": "Потенциальный резидент", "Дата включения": "01.09.2020"}
    counts = {}
    for count, surname in ((10, "Малова"), (600, "Многова")):
        new, changed = xlsx(many_pupils(count, surname)), xlsx(many_pupils(count, surname, changes))
        counts[count] = {
            "preview of new people": queries_of(bank, new, commit=False),
            "saving new people": queries_of(bank, new, user=coordinator),
            "preview of changes": queries_of(bank, changed, commit=False),
            "saving changes": queries_of(bank, changed, user=coordinator),
        }
        people = Participant.objects.filter(last_name__startswith=surname)
        assert people.count() == count
        assert set(people.values_list("phone", flat=True)) == {"+7 913 999-99-99"}
        assert Membership.objects.filter(participant__in=people, left_on=date(2020, 9, 1)).count() == count // 2
        assert Membership.objects.filter(participant__in=people, left_on__isnull=True).count() == count
    assert counts[10] == counts[600]
    assert max(counts[600].values()) <= 15, counts[600]


def assert_history_is(record, person, history_type, user):
    """The history record holds the person as saved, with the import's type, user and reason."""
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        history_type,
        user,
        "Загрузка из Excel",
    )
    tracked = Participant.history.model.tracked_fields
    assert {f.attname: getattr(record, f.attname) for f in tracked} == {
        f.attname: getattr(person, f.attname) for f in tracked
    }


def test_the_audit_trail_holds_every_saved_row_as_it_was_saved(bank, coordinator):
    assert load(bank, xlsx(good_rows()), user=coordinator).saved
    for person in Participant.objects.all():
        assert_history_is(person.history.get(), person, "+", coordinator)

    changed = [
        good_rows()[0]
        | {"Телефон": "+7 913 000-00-00", "Категория": "Потенциальный резидент", "Дата включения": "01.09.2020"},
        good_rows()[2] | {"Класс/курс": 8},
    ]
    report = load(bank, xlsx(changed), user=None)
    assert report.counts == {"create": 0, "update": 2, "unchanged": 0}
    for person in Participant.objects.filter(last_name__in=["Петрова", "Кузнецова"]):
        assert_history_is(person.history.latest(), person, "~", None)
    assert Participant.objects.get(last_name="Петрова").history.latest().phone == "+7 913 000-00-00"
    assert Participant.objects.get(last_name="Кузнецова").history.latest().grade == 8
    assert Participant.objects.get(last_name="Сидоров").history.count() == 1
    closed = Membership.objects.get(left_on__isnull=False)
    record = closed.history.latest()
    assert (record.history_type, record.left_on, record.leaving_reason) == (
        "~",
        date(2020, 9, 1),
        "Смена категории при загрузке из Excel",
    )
    assert Membership.history.filter(history_type="+").count() == 3


def test_people_added_by_someone_else_meanwhile_roll_the_file_back(bank, monkeypatch):
    """The database's own refusal (the unique ФИО and birth date) while the rows are written."""
    assert load(bank, xlsx(good_rows()[:1])).saved
    monkeypatch.setattr(
        planning, "find_people", lambda keys, places, people: ({}, set())
    )  # as if checked before she was added
    before = state()
    report = load(bank, xlsx(good_rows()))
    assert not report.saved
    assert "данные в банке изменились во время загрузки" in only_error(report).message
    assert state() == before


# The command ----------------------------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_participants", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_dry_run_prints_and_saves_nothing(bank, tmp_path):
    path = tmp_path / "pupils.xlsx"
    path.write_bytes(xlsx(good_rows()))
    out, err = run_command("tomsk-test", str(path), "--dry-run")
    assert "Создано: 3, обновлено: 0, без изменений: 0." in out
    assert "ничего не сохранено" in out
    assert err == ""
    assert Participant.objects.count() == 0

    out, _ = run_command("tomsk-test", str(path))
    assert "Сохранено." in out
    assert Participant.objects.count() == 3
    out, _ = run_command("tomsk-test", str(path), "--verbosity", "2")
    assert "без изменений: 3." in out
    assert "Строка 2: Петрова Мария Сергеевна, 20.05.2006 — без изменений" in out


def test_command_with_a_bad_file_fails_and_prints_the_issues(bank, tmp_path):
    path = tmp_path / "pupils.xlsx"
    path.write_bytes(xlsx([pupil(), pupil({"Фамилия": "Орлова", "Дата рождения": "31.02.2006"})]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Ошибок в файле: 1"):
        call_command("import_participants", "tomsk-test", str(path), stdout=io.StringIO(), stderr=err)
    assert "Строка 3, столбец «Дата рождения»: дата 31.02.2006 не существует" in err.getvalue()
    assert Participant.objects.count() == 0


def test_command_unknown_programme_or_file(bank, tmp_path):
    with pytest.raises(CommandError, match=r"Программы «nope» нет\. Есть: tomsk-test"):
        run_command("nope", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="не найден"):
        run_command("tomsk-test", str(tmp_path / "x.xlsx"))


# Event results --------------------------------------------------------------------------------


@pytest.fixture
def edition(bank):
    series = EventSeries.objects.create(
        programme=bank.programme, name="Олимпиада «Будущее»", kind=SeriesKind.ACCREDITED
    )
    return Edition.objects.create(
        series=series,
        period=2019,
        title="XII олимпиада «Будущее»",
        starts_on=date(2019, 3, 1),
        ends_on=date(2019, 3, 3),
    )


def result_row(changes=None, **fields) -> dict:
    row = {
        "Фамилия": "Петрова",
        "Имя": "Мария",
        "Отчество": "Сергеевна",
        "Дата рождения": "20.05.2006",
        "Пол": "Ж",
        "Образовательная организация": "Гимназия № 29",
        "Роль": "победитель",
        "Результат": "диплом I степени",
    }
    row.update(changes or {})
    row.update(fields)
    return row


def load_results(bank, edition, data, *, commit=True, make_residents=True, user=None):
    return import_results(
        data,
        edition=edition,
        organisations=bank.organisations,
        make_residents=make_residents,
        user=user,
        commit=commit,
    )


def test_results_make_winners_residents_and_a_rerun_changes_nothing(bank, edition, coordinator):
    student = ParticipantFactory(
        last_name="Сидоров",
        first_name="Пётр",
        patronymic="",
        birth_date=date(2001, 2, 3),
        organisation=bank.university,
        grade=None,
        course=2,
    )
    rows = [
        result_row(),
        result_row(
            {
                "Фамилия": "сидоров",
                "Имя": "петр",
                "Отчество": None,
                "Дата рождения": date(2001, 2, 3),
                "Пол": None,
                "Образовательная организация": None,
                "Роль": "Призер",
                "Результат": "3 место",
            }
        ),
        result_row({"Фамилия": "Орлова", "Роль": "участник", "Результат": None}),
        result_row(
            {"Фамилия": "Смирнов", "Имя": "Олег", "Пол": "М", "Роль": None, "Образовательная организация": None}
        ),
    ]
    data = xlsx(rows, columns=RESULT_COLUMNS, title="Результаты")
    report = load_results(bank, edition, data, user=coordinator)
    assert report.saved, [str(e) for e in report.errors]
    assert report.counts == {"create": 4, "update": 0, "unchanged": 0}
    assert report.rows[0].membership == "резидент-школьник с 03.03.2019"
    assert report.rows[1].membership == "резидент-студент с 03.03.2019"

    maria = Participant.objects.get(last_name="Петрова")
    assert maria.organisation == bank.school
    assert maria.history.get().history_user == coordinator
    membership = Membership.objects.get(participant=maria)
    assert (membership.category, membership.included_on, membership.basis, membership.programme) == (
        Category.SCHOOL,
        date(2019, 3, 3),
        "Победитель: XII олимпиада «Будущее»",
        bank.programme,
    )
    student_membership = Membership.objects.get(participant=student)
    assert (student_membership.category, student_membership.basis) == (
        Category.STUDENT,
        "Призёр: XII олимпиада «Будущее»",
    )
    assert Membership.objects.count() == 2  # a plain participant is not made a resident
    roles = dict(Participation.objects.values_list("participant__last_name", "role"))
    assert roles == {
        "Петрова": Role.WINNER,
        "Сидоров": Role.PRIZE_WINNER,
        "Орлова": Role.PARTICIPANT,
        "Смирнов": Role.PARTICIPANT,
    }
    assert Participant.objects.count() == 4

    before = state()
    again = load_results(bank, edition, data)
    assert again.saved
    assert again.counts == {"create": 0, "update": 0, "unchanged": 4}
    assert again.rows[0].membership == "резидент-школьник с 03.03.2019, без изменений"
    assert state() == before


def test_results_update_a_role_and_promote_a_potential_resident(bank, edition):
    person = ParticipantFactory(
        last_name="Петрова",
        first_name="Мария",
        patronymic="Сергеевна",
        birth_date=date(2006, 5, 20),
        organisation=bank.school,
    )
    potential = MembershipFactory(
        participant=person, programme=bank.programme, category=Category.POTENTIAL, included_on=date(2018, 9, 1)
    )
    Participation.objects.create(edition=edition, participant=person, role=Role.PARTICIPANT)
    report = load_results(bank, edition, xlsx([result_row()], columns=RESULT_COLUMNS))
    assert report.saved
    outcome = report.rows[0]
    assert outcome.action == "update"
    assert ("Роль", "участник", "победитель") in outcome.changes
    assert ("Результат", "—", "диплом I степени") in outcome.changes
    potential.refresh_from_db()
    assert potential.left_on == date(2019, 3, 3)
    assert Membership.objects.get(left_on__isnull=True).category == Category.SCHOOL
    assert Participation.objects.get().role == Role.WINNER


def test_results_unknown_person_without_sex_is_an_error(bank, edition):
    rows = [result_row(), result_row({"Фамилия": "Орлова", "Пол": None})]
    before = state()
    report = load_results(bank, edition, xlsx(rows, columns=RESULT_COLUMNS))
    issue = only_error(report)
    assert (issue.row, issue.column) == (3, "Пол")
    assert "человека нет в банке: чтобы создать запись, укажите пол" in issue.message
    assert not report.saved
    assert state() == before


def test_results_bad_role_and_edition_without_dates(bank, edition):
    report = load_results(bank, edition, xlsx([result_row({"Роль": "чемпион"})], columns=RESULT_COLUMNS))
    issue = only_error(report)
    assert (issue.row, issue.column) == (2, "Роль")
    assert "«чемпион» — недопустимое значение" in issue.message

    edition.starts_on = edition.ends_on = None
    edition.save()
    issue = only_error(load_results(bank, edition, xlsx([result_row()], columns=RESULT_COLUMNS)))
    assert issue.row is None and "не указаны даты" in issue.message
    assert load_results(bank, edition, xlsx([result_row()], columns=RESULT_COLUMNS), make_residents=False).saved
    assert Membership.objects.count() == 0
