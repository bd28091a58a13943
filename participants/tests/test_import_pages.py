"""The import as school staff use it: template, upload, preview with errors, fix, confirm."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from events import importing as results_importing
from participants import importing
from participants.models import ImportUpload, Membership, Participant
from reports.demo.loader import ensure_demo_accounts

pytestmark = pytest.mark.usefixtures("demo_data")

SCHOOL = "МАОУ гимназия № 29 г. Томска"
IMPORT_URL = "/admin/participants/participant/import/"


@pytest.fixture
def staff_client(client, db):
    ensure_demo_accounts()
    client.force_login(get_user_model().objects.get(username="shkola-29"))
    return client


def workbook(rows, columns=importing.PARTICIPANT_COLUMNS) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "ученики.xlsx"
    return data


def pupil(last_name, **extra):
    return {
        "Фамилия": last_name,
        "Имя": "Мария",
        "Отчество": "Сергеевна",
        "Дата рождения": "20.05.2008",
        "Пол": "Ж",
        "Образовательная организация": SCHOOL,
        "Класс/курс": 10,
        "Согласие на обработку ПДн": "да",
        "Дата согласия": "01.09.2019",
        **extra,
    }


def upload(client, data, programme_slug="tomsk-mkr"):
    from participants.models import Programme

    programme = Programme.objects.get(slug=programme_slug)
    return client.post(IMPORT_URL, {"programme": programme.pk, "file": data}, follow=True)


def test_staff_download_the_template_with_the_columns_in_order(staff_client):
    response = staff_client.get(reverse("admin:participants_participant_import_template"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == importing.SCHOOL_STAFF_COLUMNS
    assert "Категория" not in importing.SCHOOL_STAFF_COLUMNS


def test_staff_fix_a_rejected_file_from_the_listed_errors_and_import_it(staff_client):
    before = Participant.objects.count()
    bad = workbook(
        [pupil("Первова"), pupil("Вторая", **{"Дата рождения": "31.02.2008"}), pupil("Третья", **{"Класс/курс": 12})]
    )
    page = upload(staff_client, bad).content.decode()
    assert "Ошибок в файле: 2. Ничего не сохранено." in page
    assert "Дата рождения" in page and "Класс/курс" in page
    assert Participant.objects.count() == before
    fixed = workbook(
        [pupil("Первова"), pupil("Вторая", **{"Дата рождения": "28.02.2008"}), pupil("Третья", **{"Класс/курс": 11})]
    )
    preview = upload(staff_client, fixed)
    assert "Будет создано: <strong>3</strong>" in preview.content.decode()
    confirmed = staff_client.post(preview.request["PATH_INFO"], follow=True)
    assert "сохранён: создано 3" in confirmed.content.decode()
    assert Participant.objects.count() == before + 3
    listed = staff_client.get("/admin/participants/participant/", {"q": "Первова"})
    assert listed.context["cl"].result_count == 1
    assert ImportUpload.objects.filter(applied_at__isnull=False).count() == 1


def test_staff_cannot_import_another_schools_pupil_or_set_a_category(staff_client):
    other = pupil("Чужая", **{"Образовательная организация": "МАОУ СОШ № 32 г. Томска"})
    with_category = pupil("Своя", **{"Категория": "Резидент-школьник", "Дата включения": "01.10.2019"})
    page = upload(staff_client, workbook([other, with_category])).content.decode()
    assert "Ошибок в файле: 3." in page  # the category rule is reported in both of its columns
    assert "загружать можно только обучающихся своих организаций" in page
    assert "категорию и дату включения задаёт координатор программы" in page
    assert not Participant.objects.filter(last_name__in=["Чужая", "Своя"]).exists()


def test_not_an_xlsx_gets_a_clear_message(staff_client):
    fake = io.BytesIO(b"this is not a workbook")
    fake.name = "list.xlsx"
    response = upload(staff_client, fake)
    assert response.status_code == 200
    assert "не является книгой Excel" in response.content.decode()


def test_a_file_over_the_limit_is_refused_before_it_is_read(staff_client, monkeypatch):
    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", 100)  # where the upload form looks it up
    response = upload(staff_client, workbook([pupil("Большая")]))
    assert "Файл больше" in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_another_users_upload_is_not_reachable(staff_client, client):
    response = upload(staff_client, workbook([pupil("Личная")]))
    upload_id = ImportUpload.objects.get().pk
    client.force_login(get_user_model().objects.get(username="koordinator-tula"))
    assert client.get(reverse("admin:participants_participant_import_preview", args=[upload_id])).status_code == 404
    assert response.status_code == 200


def test_coordinator_imports_event_results_and_winners_become_residents(coordinator_client):
    from events.models import Edition, Participation

    edition = Edition.objects.get(
        series__name__contains="Исследовательский марафон", series__kind="accredited", period=2019
    )
    row = {
        "Фамилия": "Победителева",
        "Имя": "Анна",
        "Отчество": "",
        "Дата рождения": "01.03.2005",
        "Пол": "Ж",
        "Образовательная организация": SCHOOL,
        "Роль": "победитель",
        "Результат": "диплом I степени",
    }
    data = workbook([row], columns=results_importing.RESULT_COLUMNS)
    preview = coordinator_client.post(
        reverse("admin:participants_participant_import_results"),
        {"edition": edition.pk, "make_residents": "on", "file": data},
        follow=True,
    )
    assert "Будет создано: <strong>1</strong>" in preview.content.decode()
    coordinator_client.post(preview.request["PATH_INFO"])
    person = Participant.objects.get(last_name="Победителева")
    assert Participation.objects.get(participant=person, edition=edition).role == "winner"
    membership = Membership.objects.get(participant=person)
    assert membership.category == "school" and "Победитель" in membership.basis


def test_duplicates_page_lists_close_names_and_merges(coordinator_client):
    from participants.merging import plan_merge
    from participants.models import Organisation

    school = Organisation.objects.get(name=SCHOOL)
    kept = Participant.objects.create(
        last_name="Иванова",
        first_name="Мария",
        patronymic="Петровна",
        birth_date="2006-06-06",
        sex="Ж",
        organisation=school,
    )
    twin = Participant.objects.create(
        last_name="Иванова",
        first_name="Марья",
        patronymic="Петровна",
        birth_date="2006-06-06",
        sex="Ж",
        organisation=school,
        phone="+7 900 000-00-00",
    )
    page = coordinator_client.get(reverse("admin:participants_participant_duplicates")).content.decode()
    assert "Иванова Марья Петровна" in page
    merge_url = reverse("admin:participants_participant_merge", args=[kept.pk, twin.pk])
    assert merge_url in page  # each pair opens the side-by-side page, nothing merges in one click
    response = coordinator_client.post(
        merge_url, {"fingerprint": plan_merge(kept, twin).fingerprint, "field_phone": "removed"}, follow=True
    )
    assert "Записи объединены" in response.content.decode()
    assert not Participant.objects.filter(pk=twin.pk).exists()
    kept.refresh_from_db()
    assert kept.phone == "+7 900 000-00-00"


def test_school_staff_have_no_duplicates_page(staff_client):
    assert staff_client.get(reverse("admin:participants_participant_duplicates")).status_code == 403
