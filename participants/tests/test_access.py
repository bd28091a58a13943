"""Each role sees exactly what it may, through every channel: admin lists and their counts,
change pages by direct URL, autocomplete, search, filters, form choices, справки."""

import pytest
from django.urls import reverse

from participants.models import Membership, Organisation, Participant, Programme

pytestmark = pytest.mark.usefixtures("demo_data")

SCHOOL = "МАОУ гимназия № 29 г. Томска"


def tomsk_people():
    return Participant.objects.filter(memberships__programme__slug="tomsk-mkr").distinct()


def tula_people():
    return Participant.objects.filter(memberships__programme__slug="tula-kadry").distinct()


def school_pupils():
    return Participant.objects.filter(organisation__name=SCHOOL)


def result_count(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return response.context["cl"].result_count


def test_anonymous_visitors_see_only_the_login_page(client, db):
    for url in ("/", "/reports/", "/reports/tomsk-mkr/2019/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert client.get("/api/v1/reports/tomsk-mkr/2019/").status_code == 401  # the API asks for credentials
    assert client.get("/admin/participants/participant/")["Location"].startswith("/admin/login/")
    assert "Вход в банк талантов" in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("demo", lambda: Participant.objects.count()),
        ("koordinator-tomsk", lambda: tomsk_people().count()),
        ("koordinator-tula", lambda: tula_people().count()),
        ("shkola-29", lambda: school_pupils().count()),
    ],
)
def test_participant_list_and_its_count_hold_only_what_the_role_may_see(login, username, expected):
    assert result_count(login(username), "/admin/participants/participant/") == expected()


def test_a_coordinator_sees_nothing_personal_of_another_programme(login):
    client = login("koordinator-tula")
    tomsk_person = tomsk_people().first()
    assert client.get(reverse("admin:participants_participant_change", args=[tomsk_person.pk])).status_code == 404
    tomsk_membership = Membership.objects.filter(programme__slug="tomsk-mkr").first()
    assert client.get(reverse("admin:participants_membership_change", args=[tomsk_membership.pk])).status_code == 404
    assert (
        result_count(client, "/admin/participants/membership/")
        == Membership.objects.filter(programme__slug="tula-kadry").count()
    )
    assert result_count(client, "/admin/events/participation/") == 0  # Tula records only headcounts
    assert result_count(client, "/admin/participants/achievement/") == 0
    assert result_count(client, "/admin/participants/diagnostic/") == 104
    assert result_count(client, "/admin/events/edition/") == 11
    assert result_count(client, "/admin/participants/participant/", {"q": tomsk_person.last_name}) == len(
        [p for p in tula_people() if tomsk_person.last_name.lower() in p.last_name.lower()]
    )


@pytest.mark.parametrize(
    "model_name",
    ["participant", "achievement", "diagnostic", "membership"],
)
def test_school_staff_cannot_open_another_schools_records_by_url(login, model_name):
    client = login("shkola-29")
    other = {
        "participant": Participant.objects.exclude(organisation__name=SCHOOL).first(),
        "achievement": Participant.objects.exclude(organisation__name=SCHOOL)
        .filter(achievements__isnull=False)
        .first(),
        "diagnostic": Participant.objects.exclude(organisation__name=SCHOOL).filter(diagnostics__isnull=False).first(),
        "membership": Participant.objects.exclude(organisation__name=SCHOOL).first(),
    }[model_name]
    related = {
        "participant": other,
        "achievement": other.achievements.first(),
        "diagnostic": other.diagnostics.first(),
        "membership": other.memberships.first(),
    }[model_name]
    response = client.get(reverse(f"admin:participants_{model_name}_change", args=[related.pk]))
    assert response.status_code == 404
    assert other.last_name not in response.content.decode()


def test_school_staff_open_and_edit_their_own_pupils(login):
    client = login("shkola-29")
    pupil = school_pupils().first()
    page = client.get(reverse("admin:participants_participant_change", args=[pupil.pk]))
    assert page.status_code == 200
    assert pupil.last_name in page.content.decode()


def test_school_staff_never_see_another_school_in_search_filters_or_choices(login):
    client = login("shkola-29")
    stranger = Participant.objects.exclude(organisation__name=SCHOOL).first()
    assert result_count(
        client, "/admin/participants/participant/", {"q": f"{stranger.last_name} {stranger.first_name}"}
    ) == sum(1 for p in school_pupils() if p.last_name == stranger.last_name and p.first_name == stranger.first_name)
    response = client.get("/admin/participants/participant/")
    organisation_filter = next(f for f in response.context["cl"].filter_specs if f.field_path == "organisation")
    assert [name for _, name in organisation_filter.lookup_choices] == ["МАОУ гимназия № 29 г. Томска"]
    add = client.get(reverse("admin:participants_participant_add"))
    choices = list(add.context["adminform"].form.fields["organisation"].queryset.values_list("name", flat=True))
    assert choices == [SCHOOL]


def autocomplete(client, model_name, field_name, term=""):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "participants", "model_name": model_name, "field_name": field_name, "term": term},
    )
    return response.status_code, [
        item["text"] for item in response.json().get("results", [])
    ] if response.status_code == 200 else []


def test_autocomplete_offers_school_staff_only_their_pupils_and_organisation(login):
    client = login("shkola-29")
    status, organisations = autocomplete(client, "participant", "organisation")
    assert status == 200 and organisations == ["МАОУ гимназия № 29 г. Томска"]
    status, people = autocomplete(client, "achievement", "participant")
    assert status == 200
    assert len(people) == min(school_pupils().count(), 20)
    stranger = Participant.objects.exclude(organisation__name=SCHOOL).first()
    status, found = autocomplete(client, "achievement", "participant", stranger.last_name)
    assert all(stranger.full_name not in text for text in found)


def test_school_staff_cannot_change_memberships_events_or_other_schools(login):
    client = login("shkola-29")
    assert client.get(reverse("admin:participants_membership_add")).status_code == 403
    assert client.get("/admin/events/edition/").status_code == 403
    other_school = Organisation.objects.exclude(name=SCHOOL).filter(kind="school").first()
    response = client.post(
        reverse("admin:participants_participant_add"),
        {
            "last_name": "Новая",
            "first_name": "Ученица",
            "birth_date": "2007-01-01",
            "sex": "Ж",
            "organisation": other_school.pk,
            "grade": "10",
            **{f"{p}-{k}": "0" for p in ("memberships", "achievements") for k in ("TOTAL_FORMS", "INITIAL_FORMS")},
        },
    )
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Participant.objects.filter(last_name="Новая").exists()


def test_officials_read_reports_and_reach_no_personal_data(login):
    client = login("vlast")
    for url in (
        "/reports/tomsk-mkr/2019/",
        "/reports/tomsk-mkr/2019/pdf/",
        "/reports/tula-kadry/2019/xlsx/",
        "/api/v1/reports/tomsk-mkr/2019/",
    ):
        assert client.get(url).status_code == 200, url
    index = client.get("/reports/").content.decode()
    assert "Молодёжный кадровый ресурс" in index and "Кадры будущего" in index
    for url in ("/admin/", "/admin/participants/participant/", "/admin/participants/participant/1/change/"):
        assert client.get(url)["Location"].startswith("/admin/login/"), url
    assert client.get("/").url == "/reports/"


def test_report_access_follows_the_programmes_a_coordinator_runs(login):
    client = login("koordinator-tula")
    assert client.get("/reports/tula-kadry/2019/").status_code == 200
    assert client.get("/reports/tomsk-mkr/2019/").status_code == 404
    assert client.get("/api/v1/reports/tomsk-mkr/2019/").status_code == 404
    assert "Молодёжный кадровый ресурс" not in client.get("/reports/").content.decode()


def test_school_staff_get_no_reports(login):
    client = login("shkola-29")
    assert client.get("/reports/tomsk-mkr/2019/").status_code == 404
    assert "Молодёжный кадровый ресурс" not in client.get("/reports/").content.decode()


def test_a_coordinator_sees_new_pupils_of_the_region_not_yet_in_any_programme(login):
    school = Organisation.objects.get(name=SCHOOL)
    newcomer = Participant.objects.create(
        last_name="Новичкова", first_name="Вера", birth_date="2008-02-02", sex="Ж", organisation=school
    )
    assert result_count(login("koordinator-tomsk"), "/admin/participants/participant/", {"q": "Новичкова"}) == 1
    assert result_count(login("koordinator-tula"), "/admin/participants/participant/", {"q": "Новичкова"}) == 0
    Membership.objects.create(
        participant=newcomer,
        programme=Programme.objects.get(slug="tomsk-mkr"),
        category="potential",
        included_on="2019-10-01",
    )
    assert result_count(login("koordinator-tomsk"), "/admin/participants/participant/", {"q": "Новичкова"}) == 1


def test_change_history_is_as_private_as_the_record(login):
    """Regression: simple-history's pages look records up themselves; they must follow the scope."""
    stranger = Participant.objects.exclude(organisation__name=SCHOOL).first()
    stranger.phone = "+7 999 111-22-33"
    stranger.save()
    version = stranger.history.latest()
    client = login("shkola-29")
    assert client.get(reverse("admin:participants_participant_history", args=[stranger.pk])).status_code == 404
    assert (
        client.get(reverse("admin:participants_participant_simple_history", args=[stranger.pk, version.pk])).status_code
        == 404
    )
    membership = stranger.memberships.first()
    assert client.get(reverse("admin:participants_membership_history", args=[membership.pk])).status_code == 404


def test_coordinators_read_who_changed_what_in_the_history(login):
    client = login("koordinator-tomsk")
    person = tomsk_people().first()
    old_phone = person.phone
    client.post(
        reverse("admin:participants_participant_change", args=[person.pk]),
        {
            "last_name": person.last_name,
            "first_name": person.first_name,
            "patronymic": person.patronymic,
            "birth_date": person.birth_date.isoformat(),
            "sex": person.sex,
            "organisation": person.organisation_id,
            "grade": person.grade or "",
            "course": person.course or "",
            "phone": "+7 913 000-00-01",
            "email": person.email,
            "consent": "on" if person.consent else "",
            "consent_date": person.consent_date.isoformat() if person.consent_date else "",
            "consent_given_by": person.consent_given_by,
            "consent_given_by_name": "",
            **{
                f"{p}-{k}": str(n)
                for p, n in (("memberships", person.memberships.count()),)
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
            **{
                f"memberships-{i}-{field}": value
                for i, m in enumerate(person.memberships.order_by("included_on"))
                for field, value in (
                    ("id", m.pk),
                    ("participant", person.pk),
                    ("programme", m.programme_id),
                    ("category", m.category),
                    ("included_on", m.included_on.isoformat()),
                    ("basis", m.basis),
                    ("left_on", m.left_on.isoformat() if m.left_on else ""),
                    ("leaving_reason", m.leaving_reason),
                )
            },
            **{f"{p}-{k}": "0" for p in ("participations", "achievements") for k in ("TOTAL_FORMS", "INITIAL_FORMS")},
        },
    )
    latest = person.history.latest()
    assert latest.history_user.username == "koordinator-tomsk"
    assert latest.phone == "+7 913 000-00-01"
    page = client.get(reverse("admin:participants_participant_history", args=[person.pk])).content.decode()
    assert "koordinator-tomsk" in page
    assert "+7 913 000-00-01" in page and (old_phone or "") in page
