"""The coordinator uploads a file with mistakes of every kind and sees them all in one preview.

Screenshots at 1 366 px (the coordinators' laptops) and 390 px (a phone) in artefacts/browser/.
A bank of a few records, not the whole demo: what the journey needs is two regions, a school in
each, a pupil out of the coordinator's sight and the coordinator's demo login.
"""

import io
from datetime import date

import openpyxl
import pytest

from participants.access import scope
from participants.importing import PARTICIPANT_COLUMNS
from participants.models import ImportUpload, Participant
from participants.tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    RegionFactory,
)
from talentbank.tests.browser.conftest import _browser_page
from talentbank.tests.browser.test_journeys import (
    SCHOOL,
    log_in,
    normalise,
    pupil,
    screenshot,
    text_of,
    upload_workbook,
)

TULA_SCHOOL = "МБОУ «Гуманитарно-математический лицей»"


@pytest.fixture
def small_bank(transactional_db):
    """Committed for the server thread, as the demo fixture does, but in a fraction of its time."""
    from participants.roles import sync_role_groups
    from reports.demo.loader import ensure_demo_accounts, ensure_demo_devices

    sync_role_groups()
    tomsk = RegionFactory(name="Томская область")
    OrganisationFactory(municipality=MunicipalityFactory(region=tomsk, name="г. Томск"), name=SCHOOL)
    ProgrammeFactory(region=tomsk, slug="tomsk-mkr", name="МКР")
    tula = RegionFactory(name="Тульская область")
    school = OrganisationFactory(municipality=MunicipalityFactory(region=tula, name="г. Тула"), name=TULA_SCHOOL)
    ParticipantFactory(
        last_name="Тульская",
        first_name="Алина",
        patronymic="Олеговна",
        birth_date=date(2008, 6, 1),
        organisation=school,
    )
    ensure_demo_accounts()  # links koordinator-tomsk to tomsk-mkr
    ensure_demo_devices()


@pytest.fixture
def laptop(browser, live_server, small_bank):
    with _browser_page(browser, live_server, viewport={"width": 1366, "height": 768}) as page:
        yield page


def workbook(header: list[str], rows: list[dict]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Участники"
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_coordinator_sees_every_mistake_of_a_file_in_one_preview(laptop, django_user_model):
    page = laptop
    coordinator = django_user_model.objects.get(username="koordinator-tomsk")
    out_of_sight = Participant.objects.get(last_name="Тульская")
    assert not scope(coordinator, Participant.objects.filter(pk=out_of_sight.pk)).exists()
    header = [*(c for c in PARTICIPANT_COLUMNS if c != "Телефон"), "СНИЛС"]  # a column lost, one unknown
    rows = [
        pupil("Ясногорская"),
        pupil("Верхоглядова", **{"Дата рождения": "31.02.2008", "Класс/курс": 14}),
        pupil("Ясногорская", **{"Класс/курс": 11}),  # the same pupil again
        pupil("Тулякова", **{"Образовательная организация": TULA_SCHOOL}),
        pupil(
            out_of_sight.last_name,
            Имя=out_of_sight.first_name,
            Отчество=out_of_sight.patronymic,
            **{"Дата рождения": out_of_sight.birth_date.strftime("%d.%m.%Y"), "Пол": "?"},
        ),
    ]
    log_in(page, "koordinator-tomsk")
    page.goto("/admin/participants/participant/import/")
    upload_workbook(page, workbook(header, rows), "ученики-с-ошибками.xlsx")

    content = text_of(page, "#content")
    assert "Ошибок в файле: 8. Ничего не сохранено." in content, content
    for heading in (
        "Столбцы и лист: 2 ошибки",
        "Значения в ячейках: даты, числа, списки, обязательные столбцы: 3 ошибки",
        "Повторы внутри файла: 1 ошибка",
        "Расхождения с банком и права доступа: 2 ошибки",
    ):
        assert heading in content, heading
    listed = [normalise(t).split("\t") for t in page.locator("#import-errors tbody tr").all_inner_texts()]
    shown = {(row[0], row[1]) for row in listed}
    assert shown == {
        ("1", "Телефон"),
        ("1", "СНИЛС"),
        ("3", "Дата рождения"),
        ("3", "Класс/курс"),
        ("6", "Пол"),
        ("4", "—"),
        ("5", "Образовательная организация"),
        ("6", "—"),
    }, listed
    assert "уже есть в этом файле в строке 2" in content
    assert "уже зарегистрирован в банке" in content
    assert not ImportUpload.objects.get().content  # nothing kept to be saved
    screenshot(page, "workplace-import-errors-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("#import-errors-bank h2").is_visible()
    screenshot(page, "workplace-import-errors-390")
