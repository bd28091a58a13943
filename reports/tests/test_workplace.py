"""The start page per role and «Новый период» (reports/workplace.py, reports/new_period.py), as each
demo account sees them."""

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from events.models import Edition, EventSeries, SeriesKind
from participants.models import (
    Criterion,
    CriterionTarget,
    ImportKind,
    ImportUpload,
    Metric,
    Participant,
    Programme,
    ReportSection,
)
from reports.new_period import PLANNED_NOTE
from reports.services import Report
from reports.workplace import desk

pytestmark = pytest.mark.usefixtures("demo_data")

TOMSK, TULA = "koordinator-tomsk", "koordinator-tula"
INDEX = "/admin/"


def text(response) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"[\s\u00a0]+", " ", re.sub(r"<[^>]+>", " ", page))


def workplace(response) -> str:
    page = response.content.decode()
    assert 'id="workplace"' in page, "no start page"
    return page[page.index('id="workplace"') : page.index('id="content-main"')]


def links(html: str) -> dict[str, str]:
    """{link text: href} of the fragment."""
    return {
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", label)).replace("\u00a0", " ").strip(): href.replace("&amp;", "&")
        for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    }


# The start page ---------------------------------------------------------------------------------


def test_tomsk_coordinator_lands_on_the_2019_criteria_as_the_spravka_computes_them(login):
    client = login(TOMSK)
    landing = client.get("/", follow=True)
    assert landing.redirect_chain[-1][0] == reverse("admin:index")
    fragment = workplace(landing)
    page = re.sub(r"[\s\u00a0]+", " ", re.sub(r"<[^>]+>", " ", fragment))
    assert "Молодёжный кадровый ресурс Томской области — 2019 год" in page
    # Every indicator's figure, target and share, as the справка's criteria section has them.
    tomsk = Programme.objects.get(slug="tomsk-mkr")
    # The справка's criteria section, computed as the справка computes it (with its section cache).
    report = Report(programme=tomsk, period=tomsk.period(2019), generated_at=None).get(ReportSection.CRITERIA)
    rows = re.findall(r"<tr class=\"(met|missed|no_data)\">(.*?)</tr>", fragment, re.S)
    indicators = [i for c in report for i in c.indicators]
    assert len(rows) == len(indicators) == 7
    for (status, row), indicator in zip(rows, indicators, strict=True):
        cells = [
            re.sub(r"<[^>]+>|\s", "", c).replace("\u00a0", "") for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        assert status == indicator.status
        assert cells[1:4] == [
            str(indicator.actual),
            str(indicator.target),
            f"{indicator.percent_of_target}%".replace(".", ","),
        ]
        assert f'<progress max="{indicator.target}" value="{indicator.actual}">' in row
    assert "124 75 165,3 %" in page  # new residents: 124 of 75
    assert "34 50 68,0 %" in page  # residents with opportunities: missed
    found = links(fragment)
    assert found["Справка за 2019 год"] == "/reports/tomsk-mkr/2019/"
    assert [found[y] for y in ("2019", "2018", "2017")] == [f"/reports/tomsk-mkr/{y}/" for y in (2019, 2018, 2017)]
    assert found["Показатели по годам"] == "/reports/tomsk-mkr/trends/"
    assert found["Добавить участника"] == reverse("admin:participants_participant_add")
    assert found["Загрузить участников из Excel"] == reverse("admin:participants_participant_import")
    assert found["Новый период: 2020"] == reverse("admin:new_period", args=["tomsk-mkr"])


def test_each_lack_links_to_the_list_of_exactly_the_records_counted(login, users):
    tomsk = Programme.objects.get(slug="tomsk-mkr")
    criterion = Criterion.objects.create(programme=tomsk, number=7, title="Проверочный критерий")
    series = EventSeries.objects.filter(programme=tomsk, kind=SeriesKind.SATELLITE).first()
    Edition.objects.create(series=series, period=2019, title="Выпуск без численности", starts_on=date(2019, 5, 5))
    client = login(TOMSK)
    fragment = workplace(client.get(INDEX))
    found = links(fragment)
    assert found["Не задана цель на 2019 год: 1 критерий"].startswith(
        reverse("admin:participants_criterion_changelist")
    )
    assert found["критерий 7"] == (
        f"{reverse('admin:participants_criteriontarget_add')}?criterion={criterion.pk}&period=2019"
    )
    counted = {
        label: href
        for label, href in found.items()
        if re.match(r"\d+ (выпуск|участник)", label) and urlsplit(href).path.startswith("/admin/")
    }
    assert {re.sub(r"^\d+ ", "", label) for label in counted} == {
        "выпусков мероприятий без муниципалитетов-участников",
        "выпуск мероприятия без численности участников",
        "участников без образовательной организации",
    }, found
    for label, href in counted.items():
        listed = client.get(href)
        assert listed.status_code == 200, href
        assert listed.context["cl"].result_count == int(label.split()[0]), (label, href)
    no_headcount = client.get(counted["1 выпуск мероприятия без численности участников"])
    assert [e.title for e in no_headcount.context["cl"].result_list] == ["Выпуск без численности"]


def test_pending_imports_and_duplicates_are_the_users_own(login, users):
    koordinator = users[TOMSK]
    mine = ImportUpload.objects.create(kind=ImportKind.PARTICIPANTS, user=koordinator, filename="moi-spisok.xlsx")
    ImportUpload.objects.create(kind=ImportKind.PARTICIPANTS, user=users[TULA], filename="tulskiy-spisok.xlsx")
    ImportUpload.objects.create(
        kind=ImportKind.PARTICIPANTS, user=koordinator, filename="sohranyonnyy.xlsx", applied_at=mine.uploaded_at
    )
    school = Participant.objects.filter(organisation__region__name="Томская область").first().organisation
    for last_name in ("Проверкина", "Проверкена"):
        Participant.objects.create(
            last_name=last_name,
            first_name="Анна",
            patronymic="Ивановна",
            birth_date=date(2007, 3, 3),
            organisation=school,
        )
    fragment = workplace(login(TOMSK).get(INDEX))
    found = links(fragment)
    assert found["moi-spisok.xlsx"] == reverse("admin:participants_participant_import_preview", args=[mine.pk])
    assert "tulskiy-spisok.xlsx" not in fragment and "sohranyonnyy.xlsx" not in fragment
    assert "Не подтверждены загрузки из Excel: 1" in found
    duplicates = [label for label in found if label.startswith("Вероятные дубликаты участников:")]
    assert duplicates and found[duplicates[0]] == reverse("admin:participants_participant_duplicates")
    assert "tulskiy-spisok.xlsx" in links(workplace(login(TULA).get(INDEX)))


def test_tula_coordinator_sees_nothing_of_tomsk_and_tomsk_nothing_of_tula(login):
    tula = login(TULA).get(INDEX)
    page = text(tula)
    assert "Кадры будущего для регионов — 2019/2020 учебный год" in page
    assert "Томск" not in page and "tomsk-mkr" not in tula.content.decode()
    assert "Справка за 2019/2020 учебный год" in links(workplace(tula))
    tomsk = login(TOMSK).get(INDEX)
    assert "Кадры будущего" not in text(tomsk) and "tula-kadry" not in tomsk.content.decode()
    assert [d.programme.slug for d in desk(tomsk.wsgi_request.user).programmes] == ["tomsk-mkr"]


# Session, user, groups, OTP device, the admin's permissions and menu, then per programme: periods
# with data, the criteria as the справка computes them, the lacks; then the user's own lacks.
QUERIES_TOMSK_INDEX = 34  # opportunities: one read of (kind, resident) pairs instead of two counts


def test_start_page_queries_are_pinned_and_do_not_grow_with_the_data(login, django_assert_num_queries):
    client = login(TOMSK)
    client.get(INDEX)  # sessions, content types and permissions cached as in any later request
    with django_assert_num_queries(QUERIES_TOMSK_INDEX):
        client.get(INDEX)
    tomsk = Programme.objects.get(slug="tomsk-mkr")
    series = list(EventSeries.objects.filter(programme=tomsk))
    for n, one in enumerate(series * 3):
        Edition.objects.create(series=one, period=2019, title=f"Ещё выпуск {n}", starts_on=date(2019, 6, 1))
    with django_assert_num_queries(QUERIES_TOMSK_INDEX):
        client.get(INDEX)


def test_each_role_lands_where_it_works(client, login):
    # Anonymous: the login page, for the start and for the admin.
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(INDEX).status_code == 302
    for username, lands_on in [
        ("shkola-29", "/admin/participants/participant/"),
        ("vlast", "/reports/"),
        ("demo", INDEX),
    ]:
        response = login(username).get("/", follow=True)
        assert response.redirect_chain[-1][0] == lands_on, username
        assert 'id="workplace"' not in response.content.decode()
    # School staff: their pupils, with the import.
    pupils = login("shkola-29").get("/", follow=True).content.decode()
    assert links(pupils)["Загрузить из Excel"] == reverse("admin:participants_participant_import")


def test_every_admin_page_links_to_the_spravki_for_those_who_read_them(login):
    client = login(TOMSK)
    for url in (reverse("admin:participants_participant_changelist"), reverse("admin:events_edition_add")):
        assert links(client.get(url).content.decode())["Справки"] == reverse("reports:index")
    staff_page = login("shkola-29").get(reverse("admin:participants_participant_changelist")).content.decode()
    assert "Справки" not in links(staff_page)


def test_the_menu_is_ordered_by_task_without_the_tables_nobody_edits_by_hand(login):
    client = login(TOMSK)
    menu = [m["object_name"] for app in client.get(INDEX).context["app_list"] for m in app["models"]]
    assert menu[:3] == ["Participant", "Membership", "Achievement"]
    assert menu.index("Edition") < menu.index("EventSeries") < menu.index("PeriodReport")
    for hidden in ("Region", "Instrument", "Competence", "ImportUpload", "Coverage", "TeamMember", "ReportVersion"):
        assert hidden not in menu
    # Out of the menu, not out of reach.
    assert client.get(reverse("admin:participants_importupload_changelist")).status_code == 200
    superuser_menu = [m["object_name"] for app in login("demo").get(INDEX).context["app_list"] for m in app["models"]]
    assert "Region" in superuser_menu and "ImportUpload" in superuser_menu


# A new period --------------------------------------------------------------------------------------


def new_period_post(page) -> dict:
    """The form as the browser would send it unchanged: every target copied, every series checked."""
    formset, series_form = page.context["formset"], page.context["series_form"]
    data = {f"targets-{k}": v for k, v in formset.management_form.initial.items()}
    for n, initial in enumerate(formset.initial):
        data.update({f"targets-{n}-{k}": v for k, v in initial.items() if v not in (None, False)})
    data["series"] = list(series_form.fields["series"].initial)
    return data


def test_new_period_copies_the_targets_as_edited_and_never_twice(login):
    client = login(TOMSK)
    url = reverse("admin:new_period", args=["tomsk-mkr"])
    page = client.get(url)
    assert page.status_code == 200
    shown = text(page)
    assert "Новый период: 2020 год" in shown and "из периода 2019 год" in shown
    data = new_period_post(page)
    keys = [data[f"targets-{n}-key"] for n in range(int(data["targets-TOTAL_FORMS"]))]
    new_residents = keys.index(next(k for k in keys if k.endswith(f":{Metric.NEW_RESIDENTS}")))
    publications = keys.index(next(k for k in keys if k.endswith(f":{Metric.PUBLICATIONS}")))
    data[f"targets-{new_residents}-value"] = "80"
    del data[f"targets-{publications}-include"]
    series_count = len(data["series"])
    assert series_count > 5
    done = client.post(url, data, follow=True)
    assert "Целевые значения критериев: 6; новые выпуски мероприятий:" in text(done)
    created = {
        t.metric: t.value for t in CriterionTarget.objects.filter(criterion__programme__slug="tomsk-mkr", period=2020)
    }
    assert created[Metric.NEW_RESIDENTS] == 80 and created[Metric.SATELLITE_EDITIONS] == 10
    assert Metric.PUBLICATIONS not in created and len(created) == 6
    editions = Edition.objects.filter(series__programme__slug="tomsk-mkr", period=2020)
    assert editions.count() == series_count
    assert all(not e.held and e.note == PLANNED_NOTE and e.starts_on is None and e.venue == "" for e in editions)
    # Re-run: what exists is named, only the left-out target is offered, the stale form creates nothing.
    again = client.get(f"{url}?year=2020")
    assert "Уже задано на 2020 год" in text(again)
    assert [t.metric_label for t in again.context["plan"].targets] == [Metric.PUBLICATIONS.label]
    assert not again.context["plan"].series
    stale = client.post(f"{url}?year=2020", data)
    assert "Список целей изменился" in text(stale)
    assert CriterionTarget.objects.filter(criterion__programme__slug="tomsk-mkr", period=2020).count() == 6
    assert editions.count() == series_count
    # The start page now works on 2020 (it has begun: the demo's today is later), offers 2021 and asks
    # for the new editions' dates.
    found = links(workplace(client.get(INDEX)))
    assert "Новый период: 2021" in found
    no_dates = found[f"{series_count} выпусков мероприятий без дат проведения"]
    assert client.get(no_dates).context["cl"].result_count == series_count


def test_bad_values_are_refused_in_russian_and_nothing_is_saved(login):
    client = login(TOMSK)
    url = reverse("admin:new_period", args=["tomsk-mkr"])
    data = new_period_post(client.get(url))
    data["targets-0-value"] = "-5"
    data["targets-1-value"] = "много"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "больше либо равно 0" in text(response) and "Введите целое число" in text(response)
    assert not CriterionTarget.objects.filter(period=2020).exists()
    assert not Edition.objects.filter(series__programme__slug="tomsk-mkr", period=2020).exists()
    data.update({"targets-0-value": "5", "targets-1-value": "5", "targets-TOTAL_FORMS": "1000"})
    assert client.post(url, data).status_code == 200  # too many rows: an error, not a 500
    assert not CriterionTarget.objects.filter(period=2020).exists()


def test_another_programmes_period_is_out_of_reach(login):
    tula = Programme.objects.get(slug="tula-kadry")
    criterion = Criterion.objects.create(programme=tula, number=1, title="Тульский критерий")
    CriterionTarget.objects.create(criterion=criterion, period=2019, metric=Metric.NEW_RESIDENTS, value=10)
    tula_series = EventSeries.objects.filter(programme=tula).first()
    # The Tomsk coordinator cannot open Tula's page, nor post to it.
    client = login(TOMSK)
    assert client.get(reverse("admin:new_period", args=["tula-kadry"])).status_code == 404
    assert client.post(reverse("admin:new_period", args=["tula-kadry"]), {}).status_code == 404
    # Nor smuggle Tula's criterion or series into Tomsk's page.
    url = reverse("admin:new_period", args=["tomsk-mkr"])
    data = new_period_post(client.get(url))
    data["targets-0-key"] = f"{criterion.pk}:{Metric.NEW_RESIDENTS}"
    refused = client.post(url, data)
    assert "Список целей изменился" in text(refused)
    data = new_period_post(client.get(url))
    data["series"] = [*data["series"], str(tula_series.pk)]
    refused = client.post(url, data)
    assert "нет среди повторяющихся мероприятий" in text(refused)
    assert not CriterionTarget.objects.filter(period=2020).exists()
    assert not Edition.objects.filter(period=2020).exists()
    # Tula's coordinator opens their own: the criterion just given a 2019 target is offered for 2020.
    tula_page = login(TULA).get(reverse("admin:new_period", args=["tula-kadry"]))
    assert [t.criterion_title for t in tula_page.context["plan"].targets] == ["Тульский критерий"]
    # School staff and officials have no such page at all.
    assert login("shkola-29").get(url).status_code == 404
    assert login("vlast").get(url).status_code == 302  # not staff: the admin's login
