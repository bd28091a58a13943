"""The pupil card: what each role sees on it, who cannot open it at all, its A4 PDF and its queries."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

import audit
from audit.models import AuditEvent
from events.models import Edition, Opportunity, OpportunityKind, Participation, Role
from participants.models import (
    Achievement,
    AchievementLevel,
    AchievementResult,
    Category,
    Competence,
    Diagnostic,
    DiagnosticScore,
    Instrument,
    Membership,
    Organisation,
    Participant,
    Programme,
    ProjectTeam,
    Stage,
    TeamMember,
)
from participants.roles import SCHOOL_STAFF

pytestmark = pytest.mark.usefixtures("demo_data")

SCHOOL = "МАОУ гимназия № 29 г. Томска"  # shkola-29's school
SECTIONS = [
    "Членство в программах",
    "Участие в мероприятиях",
    "Достижения",
    "Диагностика и прирост",
    "Практики, стажировки, смены",
    "Проектные команды",
]


def normalise(text: str) -> str:
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def card_url(person) -> str:
    return reverse("admin:participants_participant_card", args=[person.pk])


def pdf_url(person) -> str:
    return reverse("admin:participants_participant_card_pdf", args=[person.pk])


def change_url(record) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def tomsk_editions(count: int) -> list[Edition]:
    editions = list(Edition.objects.filter(series__programme__slug="tomsk-mkr").order_by("pk")[:count])
    assert len(editions) == count
    return editions


def add_participations(person, editions, result="победитель"):
    Participation.objects.bulk_create(
        [Participation(edition=e, participant=person, role=Role.WINNER, result=result) for e in editions],
        ignore_conflicts=True,
    )


@pytest.fixture
def pupil(db):
    """A Tomsk-only pupil of gymnasium № 29 with a record of every kind in the Tomsk programme."""
    person = (
        Participant.objects.filter(organisation__name=SCHOOL, memberships__programme__slug="tomsk-mkr")
        .exclude(memberships__programme__slug="tula-kadry")
        .first()
    )
    tomsk = Programme.objects.get(slug="tomsk-mkr")
    Participation.objects.filter(participant=person).delete()
    add_participations(person, tomsk_editions(3))
    Achievement.objects.create(
        participant=person,
        event_name="Всероссийская олимпиада школьников по физике",
        level=AchievementLevel.ALL_RUSSIAN,
        result=AchievementResult.PRIZE_WINNER,
        place=3,
        achieved_on=date(2019, 4, 20),
    )
    instrument, _ = Instrument.objects.get_or_create(name="Скиллфолио")
    competences = [
        Competence.objects.get_or_create(instrument=instrument, name=n)[0] for n in ("Коммуникация", "Лидерство")
    ]
    for stage, scores, day in ((Stage.ENTRY, (50, 70), date(2019, 2, 1)), (Stage.FINAL, (62.5, 68), date(2019, 11, 1))):
        diagnostic = Diagnostic.objects.create(
            participant=person, programme=tomsk, period=2019, instrument=instrument, stage=stage, taken_on=day
        )
        for competence, score in zip(competences, scores, strict=True):
            DiagnosticScore.objects.create(diagnostic=diagnostic, competence=competence, score=Decimal(str(score)))
    Opportunity.objects.create(
        programme=tomsk,
        participant=person,
        kind=OpportunityKind.PROFILE_SHIFT,
        place="ОЦ «Сириус», смена «Большие вызовы»",
        starts_on=date(2019, 7, 1),
        ends_on=date(2019, 7, 24),
    )
    team = ProjectTeam.objects.create(programme=tomsk, period=2019, name="Команда «Квант»", mentor_name="Петров П. П.")
    TeamMember.objects.create(team=team, participant=person, is_leader=True)
    return person


def page_text(response) -> str:
    return normalise(response.content.decode())


# Who sees what -----------------------------------------------------------------------------------


def test_coordinator_sees_every_part_with_links_to_edit_each(login, pupil):
    response = login("koordinator-tomsk").get(card_url(pupil))
    assert response.status_code == 200
    text = page_text(response)
    assert pupil.full_name in text and SCHOOL in text
    for section in SECTIONS:
        assert section in text, section
    assert "Всероссийская олимпиада школьников по физике" in text and "призёр, 3 место" in text
    assert "ОЦ «Сириус», смена «Большие вызовы»" in text and "Команда «Квант» (лидер)" in text
    # Growth between the stages: 50 → 62,5 is +12,5; 70 → 68 is −2 (a minus sign).
    assert "+12,5" in text and "−2,0" in text
    records = [
        pupil,
        *Membership.objects.filter(participant=pupil),
        *Participation.objects.filter(participant=pupil),
        *Achievement.objects.filter(participant=pupil),
        *Diagnostic.objects.filter(participant=pupil),
        *Opportunity.objects.filter(participant=pupil),
        ProjectTeam.objects.get(name="Команда «Квант»"),
    ]
    for record in records:
        assert f'href="{change_url(record)}"' in text, record
    assert f'href="{pdf_url(pupil)}"' in text and "Печать (PDF)" in text
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_school_staff_see_their_pupil_and_edit_only_what_their_role_changes(login, pupil):
    response = login("shkola-29").get(card_url(pupil))
    assert response.status_code == 200
    text = page_text(response)
    assert pupil.full_name in text and "Членство в программах" in text and "Молодёжный кадровый ресурс" in text
    assert f'href="{change_url(pupil)}"' in text
    assert f'href="{change_url(Achievement.objects.get(participant=pupil))}"' in text
    # Memberships are read-only to school staff; events, opportunities and teams are not theirs at all.
    for membership in Membership.objects.filter(participant=pupil):
        assert change_url(membership) not in text
    for section in ("Участие в мероприятиях", "Практики, стажировки, смены", "Проектные команды"):
        assert section not in text
    assert "Команда «Квант»" not in text and "Сириус" not in text


def test_out_of_scope_people_are_not_found(login, users, pupil):
    """School staff of another school, the other region's coordinator and an official: the card and its
    PDF answer as for a record that does not exist, and name nobody."""
    other_school = (
        Organisation.objects.filter(region=pupil.organisation.region).exclude(pk=pupil.organisation_id).first()
    )
    stranger = type(users["shkola-29"]).objects.create_user("shkola-drugaya", password="x", is_staff=True)
    stranger.groups.add(Group.objects.get(name=SCHOOL_STAFF))
    other_school.staff.add(stranger)
    users["shkola-drugaya"] = stranger
    missing = Participant.objects.order_by("-pk").first().pk + 1000
    for username in ("shkola-drugaya", "koordinator-tula"):
        client = login(username)
        for url in (card_url(pupil), pdf_url(pupil)):
            response = client.get(url)
            assert response.status_code == 404, (username, url)
            assert pupil.last_name not in response.content.decode()
        assert client.get(reverse("admin:participants_participant_card", args=[missing])).status_code == 404
        crafted = client.get(card_url(pupil).replace(f"/{pupil.pk}/", "/1%20OR%201=1/"), follow=True)
        assert crafted.status_code == 404
    response = login("vlast").get(card_url(pupil))
    assert response.status_code in (302, 404) and pupil.last_name not in response.content.decode()
    assert not AuditEvent.objects.filter(action=audit.DOWNLOAD_CARD_PDF).exists()


def test_anonymous_is_sent_to_log_in(client, pupil):
    for url in (card_url(pupil), pdf_url(pupil)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_coordinator_sees_only_their_programmes_part_of_a_shared_person(login, pupil):
    tula = Programme.objects.get(slug="tula-kadry")
    Membership.objects.create(participant=pupil, programme=tula, category=Category.SCHOOL, included_on=date(2019, 9, 1))
    text = page_text(login("koordinator-tula").get(card_url(pupil)))
    assert pupil.full_name in text and tula.name in text
    assert "Молодёжный кадровый ресурс" not in text  # Tomsk's membership, events, diagnostics, teams
    assert "Команда «Квант»" not in text and "+12,5" not in text and "Сириус" not in text


def test_the_card_is_in_russian(login, pupil):
    from talentbank.tests.test_admin_russian import ALLOWED_LATIN, data_words, slips

    for username in ("koordinator-tomsk", "shkola-29"):
        page = login(username).get(card_url(pupil)).content.decode()
        assert slips(page, ALLOWED_LATIN | data_words()) == [], username


def test_the_list_and_the_change_page_link_to_the_card(login, pupil):
    client = login("koordinator-tomsk")
    listing = client.get(reverse("admin:participants_participant_changelist"), {"q": pupil.last_name})
    assert f'href="{card_url(pupil)}"' in listing.content.decode()
    change = client.get(change_url(pupil))
    assert f'href="{card_url(pupil)}">Карточка</a>' in change.content.decode()


# The PDF -------------------------------------------------------------------------------------------


def pdf_of(response) -> tuple[str, int]:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return normalise(" ".join(" ".join(p.extract_text() for p in pages).split())), len(pages)


def test_the_pdf_is_one_a4_page_private_and_logged(login, pupil):
    response = login("koordinator-tomsk").get(pdf_url(pupil))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="kartochka-{pupil.pk}.pdf"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    text, pages = pdf_of(response)
    assert pages == 1
    assert pupil.full_name in text and "+12,5" in text and "Проектные команды" in text
    assert "изменить" not in text
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width) / 72 * 25.4), round(float(page.mediabox.height) / 72 * 25.4)) == (210, 297)
    event = AuditEvent.objects.get(action=audit.DOWNLOAD_CARD_PDF)
    assert event.username == "koordinator-tomsk" and f"участник № {pupil.pk}" in event.what


def test_a_person_with_many_records_flows_onto_a_second_page(login, pupil):
    add_participations(pupil, Edition.objects.filter(series__programme__slug="tomsk-mkr").order_by("pk")[3:40])
    text, pages = pdf_of(login("koordinator-tomsk").get(pdf_url(pupil)))
    assert pages >= 2 and pupil.full_name in text and "Проектные команды" in text


# Queries -------------------------------------------------------------------------------------------


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Pinned: the session and user, the admin's sidebar, the role and its scope, the person, one query
# per part. A change here is a decision, not an accident.
@pytest.mark.parametrize(("username", "expected"), [("koordinator-tomsk", 18), ("shkola-29", 16)])
def test_the_card_takes_the_same_queries_for_3_and_30_records(login, pupil, username, expected):
    client = login(username)
    few = queries_of(client, card_url(pupil))
    add_participations(pupil, Edition.objects.filter(series__programme__slug="tomsk-mkr").order_by("pk")[3:30])
    Achievement.objects.bulk_create(
        [
            Achievement(
                participant=pupil,
                event_name=f"Конкурс № {n}",
                level=AchievementLevel.REGIONAL,
                result=AchievementResult.WINNER,
                achieved_on=date(2019, 5, n),
            )
            for n in range(1, 28)
        ]
    )
    assert queries_of(client, card_url(pupil)) == few == expected
