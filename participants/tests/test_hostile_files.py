"""Hostile workbooks are refused in bounded time and memory, with a Russian message, through every
entry point that reads one: import_participants and import_results, the admin's upload page (as a
coordinator), and load_bank. Then: an upload is read once, and its file does not outlive its use."""

import html
import io
import json
import os
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from datetime import timedelta
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from events.importing import RESULT_COLUMNS, import_results
from events.models import Edition, EventSeries, Participation, SeriesKind
from participants.backup import BackupError, export_bank, load_bank
from participants.importing import PARTICIPANT_COLUMNS, import_participants
from participants.importing.reading import _XlsxSheet
from participants.models import ImportUpload, Membership, Participant, Region
from participants.roles import COORDINATOR
from participants.tests.factories import OrganisationFactory, ParticipantFactory, ProgrammeFactory
from participants.workbooks import MB

IMPORT_URL = "/admin/participants/participant/import/"
RESULTS_URL = "/admin/participants/participant/import/results/"
ROOT = Path(__file__).resolve().parents[2]


# Building the files: cheap, whatever they unpack to ----------------------------------------------


def deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def zeros(megabytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of `megabytes` MiB of zero bytes and their CRC-32, made from one packed MiB.

    A full flush ends each block on a byte boundary with no reference to what came before, so one
    block repeated is a valid stream: 1 GiB costs 1 MB of memory and no compression time.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    if megabytes == 1024:
        crc = 0x5B64C2B0  # zlib.crc32(bytes(2**30)), worked out once
    else:
        crc = 0
        for _ in range(megabytes):
            crc = zlib.crc32(bytes(MB), crc)
    return block * megabytes + end, crc


def handmade_zip(parts: list[tuple[str, bytes, int, int]], encrypted: frozenset[str] = frozenset()) -> bytes:
    """A zip of (name, deflate stream, CRC-32, unpacked size) parts, headers written by hand."""
    out = io.BytesIO()
    central = []
    day = (1 << 5) | 1  # 1 January 1980
    for name, stream, crc, size in parts:
        offset, encoded = out.tell(), name.encode()
        flags = 1 if name in encrypted else 0
        sizes = (crc, len(stream), size, len(encoded))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, 8, 0, day, *sizes, 0) + encoded + stream)
        entry = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, 8, 0, day, *sizes, 0, 0, 0, 0, 0, offset)
        central.append(entry + encoded)
    directory = b"".join(central)
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), start, 0))
    return out.getvalue()


def real_parts(data: bytes) -> list[tuple[str, bytes, int, int]]:
    return [(n, deflated(c), zlib.crc32(c), len(c)) for n, c in parts_of(data).items()]


def good_workbook(rows: int = 1, columns=PARTICIPANT_COLUMNS) -> bytes:
    """A valid workbook of the template's columns (the participants' or the results')."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Участники" if columns is PARTICIPANT_COLUMNS else "Результаты"
    sheet.append(columns)
    values = {
        "Фамилия": "Петрова",
        "Имя": "Мария",
        "Отчество": "Сергеевна",
        "Дата рождения": "20.05.2008",
        "Пол": "Ж",
        "Образовательная организация": "МАОУ гимназия № 1",
        "Класс/курс": 10,
        "Согласие на обработку ПДн": "нет",
        "Роль": "участник",
    }
    for n in range(rows):
        sheet.append([f"Петрова{'а' * (n % 3)}-{n}" if c == "Фамилия" else values.get(c, "") for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_parts(data: bytes, replaced: dict[str, bytes]) -> bytes:
    """The workbook with some parts replaced or added (a normal zip, written by zipfile)."""
    parts = {**parts_of(data), **replaced}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


@cache
def zip_bomb(megabytes: int = 1024) -> bytes:
    """A real workbook whose sheet1.xml unpacks to `megabytes` MiB of zero bytes (1 MB on disk)."""
    stream, crc = zeros(megabytes)
    bomb = ("xl/worksheets/sheet1.xml", stream, crc, megabytes * MB)
    return handmade_zip([bomb if part[0] == bomb[0] else part for part in real_parts(good_workbook())])


SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10))
    + "]>"
)
BILLION_LAUGHS = (
    f'<?xml version="1.0" encoding="UTF-8"?>{LAUGHS}<worksheet {SHEET_NS}><sheetData><row r="1">'
    '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<sst {SHEET_NS} count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
)


def hostile(case: str, columns=PARTICIPANT_COLUMNS) -> bytes:
    good = good_workbook(columns=columns)
    if case == "zip-bomb":
        return zip_bomb()
    if case == "dense-part":  # under the size limit, but packed as no spreadsheet is
        return zip_bomb(64)
    if case == "too-many-parts":
        return with_parts(good, {f"xl/media/image{n}.bin": b"x" for n in range(1000)})
    if case == "billion-laughs":
        return with_parts(good, {"xl/worksheets/sheet1.xml": BILLION_LAUGHS.encode()})
    if case == "billion-laughs-utf16":  # the DTD is found whatever the part's encoding
        text = BILLION_LAUGHS.replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return with_parts(good, {"xl/worksheets/sheet1.xml": text.encode("utf-16")})
    if case == "external-entity":
        return with_parts(good, {"xl/sharedStrings.xml": EXTERNAL_ENTITY.encode()})
    if case == "encrypted":
        return handmade_zip(real_parts(good), encrypted=frozenset({"xl/workbook.xml"}))
    if case == "not-a-zip":
        return b"GIF89a\x01\x00\x01\x00 this is a picture, not a workbook"
    raise ValueError(case)


# What each case says: a fragment of the Russian message.
REFUSALS = {
    "zip-bomb": "часть книги «xl/worksheets/sheet1.xml» после распаковки занимает 1\xa0024\xa0МБ, "
    "а допустимо не больше 256\xa0МБ",
    "dense-part": "часть книги «xl/worksheets/sheet1.xml» сжата в",
    "too-many-parts": "в архиве книги слишком много частей (листов, рисунков и служебных файлов): 1\xa0009, а допустимо не больше 1\xa0000",
    "billion-laughs": "в части книги «xl/worksheets/sheet1.xml» есть объявление типа документа (<!DOCTYPE …>)",
    "billion-laughs-utf16": "в части книги «xl/worksheets/sheet1.xml» есть объявление типа документа (<!DOCTYPE …>)",
    "external-entity": "в части книги «xl/sharedStrings.xml» есть объявление типа документа (<!DOCTYPE …>)",
    "encrypted": "часть книги «xl/workbook.xml» зашифрована",
    "not-a-zip": "Файл не является книгой Excel (.xlsx) или повреждён",
}
CASES = list(REFUSALS)


# Fixtures ---------------------------------------------------------------------------------------


@pytest.fixture
def bank(db, django_user_model):
    school = OrganisationFactory(name="МАОУ гимназия № 1")
    programme = ProgrammeFactory(region=school.region)
    series = EventSeries.objects.create(programme=programme, name="Олимпиада", kind=SeriesKind.ACCREDITED)
    edition = Edition.objects.create(series=series, period=2019, title="Олимпиада 2019")
    coordinator = django_user_model.objects.create_user("koordinator-test", is_staff=True)
    coordinator.groups.add(Group.objects.get(name=COORDINATOR))
    programme.coordinators.add(coordinator)
    ParticipantFactory(organisation=school)
    return {"programme": programme, "edition": edition, "coordinator": coordinator, "school": school}


@pytest.fixture
def coordinator_page(client, bank):
    client.force_login(bank["coordinator"])
    return client


def state():
    return (
        Participant.objects.count(),
        Membership.objects.count(),
        Participation.objects.count(),
        Participant.history.count(),
        ImportUpload.objects.count(),
    )


def import_both(bank, data: bytes):
    """Both importers, saving (commit=True): the reports of import_participants and import_results."""
    people = import_participants(
        data,
        programme=bank["programme"],
        organisations=[bank["school"]],
        can_set_membership=True,
        user=bank["coordinator"],
        commit=True,
    )
    results = import_results(
        data,
        edition=bank["edition"],
        organisations=[bank["school"]],
        make_residents=True,
        user=bank["coordinator"],
        commit=True,
    )
    return people, results


def post_file(client, url, data: bytes, bank, name="ученики.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    if url == RESULTS_URL:
        fields = {"edition": bank["edition"].pk, "make_residents": "on", "file": upload}
    else:
        fields = {"programme": bank["programme"].pk, "file": upload}
    return client.post(url, fields)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# The importers' functions -------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_import_functions_refuse_a_hostile_file_and_save_nothing(bank, case):
    before = state()
    for report in import_both(bank, hostile(case)):
        assert not report.saved and not report.rows
        [issue] = report.errors
        assert issue.row is None and issue.column is None
        assert REFUSALS[case] in str(issue)
    assert state() == before


def test_a_zip_bomb_is_refused_within_a_second_and_300_mb(tmp_path):
    """Measured in a fresh process: wall time of both importers, and peak memory (tracemalloc's
    count of Python allocations, and the process's peak resident size, Django included)."""
    script = """
import json, resource, sys, time, tracemalloc
import django
django.setup()


# This process's own peak resident size: VmHWM starts afresh at exec, while ru_maxrss on Linux
# carries the parent's peak over (pytest's, after a long run, is itself over 300 MB).
def peak_rss():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


from events.importing import import_results
from participants.importing import import_participants
from participants.tests.test_hostile_files import zip_bomb
data = zip_bomb()
tracemalloc.start()
started = time.perf_counter()
people = import_participants(data, programme=None, organisations=[], can_set_membership=False, commit=False)
results = import_results(data, edition=None, organisations=[], make_residents=False, commit=False)
seconds = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({
    "seconds": seconds,
    "traced_peak": peak,
    "max_rss": peak_rss(),
    "errors": [str(e) for e in people.errors + results.errors],
    "bomb_bytes": len(data),
}))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "talentbank.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["bomb_bytes"] < 2 * MB
    assert len(measured["errors"]) == 2
    assert all(REFUSALS["zip-bomb"] in e for e in measured["errors"])
    assert measured["seconds"] < 1, measured
    assert measured["traced_peak"] < 300 * MB, measured
    assert measured["max_rss"] < 300 * MB, measured


@pytest.mark.parametrize(
    ("setting", "limit", "rows", "message"),
    [
        (
            "XLSX_MAX_ROWS",
            50,
            60,
            "Файл отклонён: на листе «Участники» больше 50 строк (чтение остановлено на строке 51)",
        ),
        (
            "XLSX_MAX_CELLS",
            100,
            20,
            "Файл отклонён: на листе «Участники» больше 100 ячеек (чтение остановлено на строке 7)",
        ),
    ],
)
def test_too_many_rows_or_cells_stop_the_reading(bank, settings, setting, limit, rows, message):
    setattr(settings, setting, limit)
    data = good_workbook(rows)
    before = state()
    people, _ = import_both(bank, data)
    [issue] = people.errors
    assert str(issue).startswith(message)
    assert state() == before
    setattr(settings, setting, 10**9)
    assert import_participants(
        data, programme=bank["programme"], organisations=[bank["school"]], can_set_membership=True, commit=False
    ).ok


def test_too_many_shared_strings_are_refused(bank, settings):
    settings.XLSX_MAX_CELLS = 10
    strings = "".join(f"<si><t>текст {n}</t></si>" for n in range(11))
    sst = f'<?xml version="1.0" encoding="UTF-8"?><sst {SHEET_NS}>{strings}</sst>'
    good = good_workbook()
    rels = parts_of(good)["xl/_rels/workbook.xml.rels"].decode()
    shared = (
        '<Relationship Id="rId9" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    rels = rels.replace("</Relationships>", shared + "</Relationships>")
    data = with_parts(good, {"xl/sharedStrings.xml": sst.encode(), "xl/_rels/workbook.xml.rels": rels.encode()})
    people, _ = import_both(bank, data)
    assert "в книге больше 10 разных текстов (таблица общих строк «xl/sharedStrings.xml»)" in str(people.errors[0])


def test_an_element_of_a_million_parts_is_refused(bank, settings):
    """One row of a million empty elements: every element of it would stay in memory until it ends."""
    settings.XLSX_MAX_COMPRESSION_RATIO = 10**6  # else refused already for packing a thousandfold
    row = "<x/>" * 1_000_000
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}><sheetData><row r="1">{row}</row></sheetData></worksheet>'
    data = with_parts(good_workbook(), {"xl/worksheets/sheet1.xml": sheet.encode()})
    people, _ = import_both(bank, data)
    assert "один элемент (строка листа, текст или стиль) состоит больше чем из 500\xa0000" in str(people.errors[0])


def test_a_hundred_thousand_rows_are_within_the_default_limits():
    """What `make bench` and a large school district load: 100 000 rows of 14 columns, by the numbers."""
    from django.conf import settings

    assert settings.XLSX_MAX_ROWS >= 100_001
    assert settings.XLSX_MAX_CELLS >= 100_001 * len(PARTICIPANT_COLUMNS)
    assert settings.XLSX_MAX_UNCOMPRESSED_BYTES >= 2 * 80 * MB  # such a file unpacks to about 80 MB


# The admin's upload page, as a coordinator -----------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("url", [IMPORT_URL, RESULTS_URL], ids=["participants", "results"])
def test_the_upload_page_refuses_a_hostile_file_and_keeps_nothing(coordinator_page, bank, case, url):
    columns = RESULT_COLUMNS if url == RESULTS_URL else PARTICIPANT_COLUMNS
    data = hostile(case, columns)
    assert coordinator_page.get(url).status_code == 200  # the page warmed up: its templates compiled
    before = state()
    started = time.perf_counter()
    response = post_file(coordinator_page, url, data, bank)
    assert time.perf_counter() - started < 1
    assert response.status_code == 200  # the form again, with the reason at the file field
    assert REFUSALS[case] in page_text(response)
    assert state() == before  # not even the upload is kept


def test_the_upload_page_refuses_a_zip_bomb_in_bounded_memory(coordinator_page, bank):
    data = zip_bomb()
    tracemalloc.start()
    try:
        response = post_file(coordinator_page, IMPORT_URL, data, bank)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert REFUSALS["zip-bomb"] in page_text(response)
    assert peak < 300 * MB


# load_bank -------------------------------------------------------------------------------------------


@pytest.fixture
def exported(db, tmp_path, django_user_model):
    """A bank of two people exported to a file, then emptied."""
    from talentbank.tests.test_backup import empty_the_bank

    empty_the_bank()
    school = OrganisationFactory()
    ParticipantFactory.create_batch(2, organisation=school)
    path = tmp_path / "bank.xlsx"
    export_bank(path)
    empty_the_bank()
    return path


BANK_REFUSALS = {
    **REFUSALS,
    # A whole bank may unpack to 32 GB (BANK_XLSX_MAX_UNCOMPRESSED_BYTES): the bomb is told by its packing.
    "zip-bomb": "часть книги «xl/worksheets/sheet1.xml» сжата в 1\xa0011 раз, а книги Excel сжимаются не больше чем в 100 раз",
    "not-a-zip": "Файл не читается как книга Excel (.xlsx)",
}


@pytest.mark.parametrize("case", CASES)
def test_load_bank_refuses_a_hostile_file(exported, case):
    path = exported.with_name("hostile.xlsx")
    export = exported.read_bytes()
    # The XML cases and the many parts in the export itself; the others are refused before any part.
    if case in ("billion-laughs", "billion-laughs-utf16"):
        path.write_bytes(
            with_parts(export, {"xl/worksheets/sheet1.xml": parts_of(hostile(case))["xl/worksheets/sheet1.xml"]})
        )
    elif case == "external-entity":
        path.write_bytes(with_parts(export, {"xl/sharedStrings.xml": EXTERNAL_ENTITY.encode()}))
    elif case == "too-many-parts":
        path.write_bytes(with_parts(export, {f"xl/media/image{n}.bin": b"x" for n in range(1000)}))
    else:
        path.write_bytes(hostile(case))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(BackupError) as refused:
            load_bank(path)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(refused.value)
    if case == "too-many-parts":  # the export has its own number of parts
        assert "слишком много частей (листов, рисунков и служебных файлов)" in message
    else:
        assert BANK_REFUSALS[case] in message
    assert seconds < 1 and peak < 300 * MB
    assert not Region.objects.exists()


def test_load_bank_reports_formula_cells_by_sheet_and_cell(exported):
    workbook = openpyxl.load_workbook(exported)
    sheet = workbook["Participant"]
    header = [c.value for c in sheet[1]]
    grade = openpyxl.utils.get_column_letter(header.index("grade") + 1)
    phone = openpyxl.utils.get_column_letter(header.index("phone") + 1)
    sheet[f"{grade}2"] = "=5+4"
    sheet[f"{phone}3"] = '=CONCATENATE("+7 ", "900")'
    workbook.save(exported)

    with pytest.raises(BackupError) as refused:
        load_bank(exported)
    assert str(refused.value) == (
        f"Лист «Participant»: в ячейках формулы, а выгрузка банка хранит только значения — {grade}2 (=5+4), "
        f'{phone}3 (=CONCATENATE("+7 ", "900")). Книгу изменили после export_bank: загрузите исходную выгрузку '
        "или замените формулы их значениями (Специальная вставка → Значения)."
    )
    assert not Region.objects.exists() and not Participant.objects.exists()


def test_load_bank_stops_at_the_row_and_cell_limits(exported, settings):
    settings.BANK_XLSX_MAX_ROWS = 1
    with pytest.raises(BackupError, match="строк больше, чем допускает настройка BANK_XLSX_MAX_ROWS \\(1\\)"):
        load_bank(exported)
    settings.BANK_XLSX_MAX_ROWS = 10**6
    settings.BANK_XLSX_MAX_CELLS = 20
    with pytest.raises(BackupError, match="ячеек больше, чем допускает настройка BANK_XLSX_MAX_CELLS \\(20\\)"):
        load_bank(exported)
    assert not Region.objects.exists()
    settings.BANK_XLSX_MAX_CELLS = 10**9
    assert load_bank(exported).counts["Participant"] == 2


# Read once; deleted after confirm, cancel, or a day ------------------------------------------------


@pytest.fixture
def reads(monkeypatch):
    """How many times a workbook has been read."""
    count = []
    original = _XlsxSheet.read.__func__

    def counted(cls, *args, **kwargs):
        count.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(_XlsxSheet, "read", classmethod(counted))
    return count


def test_the_preview_comes_from_the_stored_result_and_confirm_checks_again(coordinator_page, bank, reads):
    response = post_file(coordinator_page, IMPORT_URL, good_workbook(3), bank)
    assert response.status_code == 302 and len(reads) == 1
    upload = ImportUpload.objects.get()
    assert upload.result["errors"] == [] and len(upload.result["rows"]) == 3
    preview_url = response["Location"]
    for _ in range(2):
        page = coordinator_page.get(preview_url)
        assert "Будет создано: <strong>3</strong>" in page.content.decode()
    assert len(reads) == 1  # the preview page does not read the file again

    # Someone adds one of the file's people meanwhile: the confirmation reads the file again, against
    # the bank as it is now, inside the saving transaction.
    confirmed = coordinator_page.post(preview_url, follow=True)
    assert len(reads) == 2
    assert "сохранён: создано 3" in page_text(confirmed)
    upload.refresh_from_db()
    assert upload.applied_at is not None
    assert bytes(upload.content) == b"" and upload.result is None  # the children's data is gone
    assert coordinator_page.post(preview_url).status_code == 404  # and cannot be saved twice


def test_cancel_deletes_the_upload_and_saves_nothing(coordinator_page, bank):
    before = Participant.objects.count()
    preview_url = post_file(coordinator_page, IMPORT_URL, good_workbook(2), bank)["Location"]
    assert "Отменить" in coordinator_page.get(preview_url).content.decode()
    response = coordinator_page.post(preview_url, {"cancel": "1"}, follow=True)
    assert "Загрузка файла «ученики.xlsx» отменена: файл и результат проверки удалены." in page_text(response)
    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert not ImportUpload.objects.exists()
    assert Participant.objects.count() == before


def test_a_file_with_errors_keeps_only_its_preview(coordinator_page, bank):
    data = good_workbook(1)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active["D2"] = "31.02.2008"
    out = io.BytesIO()
    book.save(out)
    preview_url = post_file(coordinator_page, IMPORT_URL, out.getvalue(), bank)["Location"]
    upload = ImportUpload.objects.get()
    assert bytes(upload.content) == b""
    page = page_text(coordinator_page.get(preview_url))
    assert "Ошибок в файле: 1." in page and "дата 31.02.2008 не существует" in page
    response = coordinator_page.post(preview_url, follow=True)
    assert "В этом файле были ошибки, и он не сохранён" in page_text(response)


def test_purge_uploads_deletes_those_older_than_a_day(bank, capsys):
    user = bank["coordinator"]
    old, recent = (
        ImportUpload.objects.create(kind="participants", user=user, filename=name, content=b"PK", target={})
        for name in ("old.xlsx", "recent.xlsx")
    )
    ImportUpload.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(hours=25))
    ImportUpload.objects.filter(pk=recent.pk).update(uploaded_at=timezone.now() - timedelta(hours=23))
    call_command("purge_uploads")
    assert "Удалено загрузок старше 24 ч: 1." in capsys.readouterr().out
    assert list(ImportUpload.objects.values_list("filename", flat=True)) == ["recent.xlsx"]


def test_every_new_upload_purges_the_expired_ones(coordinator_page, bank):
    stale = ImportUpload.objects.create(
        kind="participants", user=bank["coordinator"], filename="stale.xlsx", content=b"PK", target={}
    )
    ImportUpload.objects.filter(pk=stale.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    post_file(coordinator_page, IMPORT_URL, hostile("not-a-zip"), bank)  # even a refused one
    assert not ImportUpload.objects.exists()
