"""Text written to a workbook stays text (talentbank/xlsx.py): names, organisations, event titles
and partners that start like a formula come out of every workbook the project produces as the
text that was typed, never as a formula — checked with openpyxl and in the sheets' raw XML."""

import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from openpyxl import Workbook

from events.models import Edition, EventSeries, PartnerKind, PartnerOrganisation, SeriesKind
from participants.models import Achievement, Organisation, Participant, Programme
from participants.names import full_name
from talentbank.xlsx import append_row, text_cell, unescape, write_cell

PLANTED = [
    '=HYPERLINK("http://evil","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]
YEAR = 2019
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def raw_sheets(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")}


def text_cells(data: bytes) -> list:
    """Every cell holding text, as a spreadsheet shows it (OOXML escapes such as _x000D_ read)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


def assert_text_only(data: bytes, expected: list[str]) -> None:
    """No formula anywhere; each expected string is a text cell of its own; every cell that starts
    like a formula is text with the quote prefix."""
    assert data[:2] == b"PK"
    sheets = raw_sheets(data)
    assert sheets
    for name, xml in sheets.items():
        assert not FORMULA.search(xml), f"a formula in {name}"
    cells = text_cells(data)
    for cell in cells:
        assert cell.data_type == "s", cell.coordinate
        if unescape(cell.value).startswith(("=", "+", "-", "@", "\t", "\r")):
            assert cell.quotePrefix, (cell.parent.title, cell.coordinate, cell.value)
    shown = {unescape(cell.value) for cell in cells}
    missing = [value for value in expected if value not in shown]
    assert not missing, missing


@pytest.fixture
def planted(db, demo_data):
    """Each planted string in a participant's name, an organisation, an event series, an edition and
    a partner, all of them shown in the справки of 2019 (written past the forms' checks, as old data
    or another channel could have them)."""
    tomsk, tula = Programme.objects.get(slug="tomsk-mkr"), Programme.objects.get(slug="tula-kadry")
    start, end = date(YEAR, 1, 1), date(YEAR, 12, 31)
    achievers = list(
        Participant.objects.filter(
            consent=True,
            achievements__in=Achievement.objects.filter(achieved_on__range=(start, end)),
            memberships__programme=tomsk,
        )
        .exclude(organisation=None)
        .distinct()
        .order_by("pk")
    )
    people, organisations = [], []
    for person in achievers:
        if person.organisation_id not in {o.pk for o in organisations}:
            people.append(person)
            organisations.append(person.organisation)
    series = list(
        EventSeries.objects.filter(
            programme=tomsk, kind=SeriesKind.SATELLITE, editions__period=YEAR, editions__held=True
        )
        .distinct()
        .order_by("pk")
    )
    editions = list(
        Edition.objects.filter(
            series__programme=tula, series__kind=SeriesKind.ACTIVITY, period=YEAR, held=True
        ).order_by("pk")
    )
    n = len(PLANTED)
    assert min(len(people), len(series), len(editions)) >= n, (len(people), len(series), len(editions))
    names = {}
    chosen = zip(PLANTED, people[:n], organisations[:n], series[:n], editions[:n], strict=True)
    for value, person, organisation, one_series, edition in chosen:
        Participant.objects.filter(pk=person.pk).update(last_name=value)
        Organisation.objects.filter(pk=organisation.pk).update(name=value)
        EventSeries.objects.filter(pk=one_series.pk).update(name=value)
        Edition.objects.filter(pk=edition.pk).update(title=value)
        PartnerOrganisation.objects.create(
            programme=tomsk, name=value, kind=PartnerKind.BUSINESS, since=date(YEAR, 3, 1)
        )
        names[value] = full_name(value, person.first_name, person.patronymic)
    return names


def test_the_cell_writer_keeps_text_text_and_numbers_numbers():
    for write_only in (False, True):
        book = Workbook(write_only=write_only)
        sheet = book.create_sheet("Лист") if write_only else book.active
        append_row(sheet, [*PLANTED, "#N/A", -5, 2.5, date(2020, 1, 20), None, "обычный текст"])
        if not write_only:
            for column, value in enumerate(PLANTED, start=1):
                write_cell(sheet, 2, column, value)
            text_cell(sheet.cell(3, 1), "=1+1")
        out = io.BytesIO()
        book.save(out)
        assert_text_only(out.getvalue(), [*PLANTED, "#N/A", "обычный текст"])
        first = next(openpyxl.load_workbook(out).worksheets[-1].iter_rows(min_row=1, max_row=1, values_only=True))
        assert first[7] == -5 and isinstance(first[7], int)  # negative numbers stay numbers
        assert first[8] == 2.5 and first[9].date() == date(2020, 1, 20)


def test_the_spravka_keeps_planted_text_as_text(planted, users, client):
    client.force_login(users["koordinator-tomsk"])
    tomsk = client.get(f"/reports/tomsk-mkr/{YEAR}/xlsx/")
    assert tomsk.status_code == 200
    # Participants (their achievements), organisations, satellite event series, partners.
    assert_text_only(tomsk.content, [*planted.values(), *PLANTED])

    client.force_login(users["koordinator-tula"])
    tula = client.get(f"/reports/tula-kadry/{YEAR}/xlsx/")
    assert tula.status_code == 200
    assert_text_only(tula.content, PLANTED)  # the editions' titles (the cohort's activities)


def test_the_import_templates_keep_planted_text_as_text(planted, users, client):
    client.force_login(users["koordinator-tomsk"])
    participants = client.get("/admin/participants/participant/import/template/")
    assert participants.status_code == 200
    assert_text_only(participants.content, PLANTED)  # the organisations on the help sheet
    results = client.get("/admin/participants/participant/import/results/template/")
    assert results.status_code == 200
    assert_text_only(results.content, [])


def test_the_bank_export_keeps_planted_text_as_text(planted, users, client):
    client.force_login(users["koordinator-tomsk"])
    response = client.get("/admin/participants/participant/export/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert_text_only(data, PLANTED)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    for sheet, column in [
        ("Participant", "last_name"),
        ("Organisation", "name"),
        ("EventSeries", "name"),
        ("PartnerOrganisation", "name"),
    ]:
        rows = book[sheet].iter_rows(values_only=True)
        header = next(rows)
        shown = {unescape(row[header.index(column)]) for row in rows if row[header.index(column)] is not None}
        assert set(PLANTED) <= shown, sheet
