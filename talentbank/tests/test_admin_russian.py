"""The admin a coordinator opens is in correct Russian: no English words, no «None», and the model names
in Django's sentences agree in case and number (talentbank/admin_words.py).

Every page reachable from the coordinator's admin index is scanned: each list, its add page, the
change page and the history page of the list's first record. What the scan reads is the text a
person sees (tags, scripts and styles stripped; addresses and e-mails dropped), plus the
«Добавить ещё …» labels the inlines' script writes from their data-inline-formset attribute.
"""

import html
import json
import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import reverse

from participants.models.people import ConsentGiver
from reports.wording import NOUNS, plural_form
from talentbank.admin_words import WORDS, words_for

pytestmark = pytest.mark.usefixtures("demo_data")

COORDINATOR = "koordinator-tomsk"

# Proper names and abbreviations that are written in Latin letters in Russian text too, and the Latin
# the demo data itself holds (competition and site names, a programme's code «tomsk-mkr»).
ALLOWED_LATIN = {
    "API", "Excel", "E-mail", "email", "ID", "IP", "PDF", "URL", "TOTP", "Skillfolio", "WorldSkills",
    "Tula", "Travel", "Facebook", "PRO", "Competition", "Nadav", "Robotraffic", "Shoham", "vtomske", "ru",
    "tomsk-mkr",
}  # fmt: skip
ROMAN_NUMERAL = re.compile(r"[IVXLC]+")  # «XXI Всероссийская олимпиада»

# Pages that still show an English word or «None», each with the reason. The scan fails on any
# other page with a slip, and on a page listed here once it is clean (so the list only shrinks).
KNOWN_SLIPS: dict[str, str] = {}

SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
COMMENT = re.compile(r"<!--.*?-->", re.S)
TAG = re.compile(r"<[^>]+>")
ADDRESS = re.compile(r"\S+@\S+|https?://\S+|/[\w\-/.?=&%]+")
LATIN_WORD = re.compile(r"[A-Za-z](?:[A-Za-z\-]*[A-Za-z])?")
INLINE_DATA = re.compile(r'data-inline-formset="([^"]*)"')


def visible_text(page: str) -> str:
    text = TAG.sub(" ", COMMENT.sub(" ", SCRIPT_OR_STYLE.sub(" ", page)))
    return ADDRESS.sub(" ", html.unescape(text))


def inline_add_labels(page: str) -> list[str]:
    return [json.loads(html.unescape(data))["options"]["addText"] for data in INLINE_DATA.findall(page)]


def slips(page: str, allowed: set[str]) -> list[str]:
    text = visible_text(page) + "\n" + "\n".join(inline_add_labels(page))
    found = [w for w in LATIN_WORD.findall(text) if w not in allowed and not ROMAN_NUMERAL.fullmatch(w)]
    if re.search(r"\bNone\b", text):
        found.append("None")
    return sorted(set(found))


def data_words() -> set[str]:
    """Latin words the demo data itself holds: account names (koordinator-tomsk) and their parts."""
    from django.contrib.auth import get_user_model

    words = set()
    for username in get_user_model().objects.values_list("username", flat=True):
        words.add(username)
        words.update(LATIN_WORD.findall(username))
    return words


def coordinator_pages(client) -> list[tuple[str, str, type]]:
    """(label, url, model) of every list, add, change and history page the coordinator's index leads to."""
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    entries = [entry for app in index.context["app_list"] for entry in app["models"]]
    # Tables out of the menu (talentbank/admin_site.py) that the coordinator still opens.
    request = index.wsgi_request
    for model in admin.site.hidden_from_menu(request):
        opts = model._meta
        entry = {"model": model, "admin_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")}
        if admin.site._registry[model].has_add_permission(request):
            entry["add_url"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        entries.append(entry)
    # The start page itself and «Новый период» (reports/workplace.py).
    pages = [
        ("start page", reverse("admin:index"), None),
        ("new period", reverse("admin:new_period", args=["tomsk-mkr"]), None),
    ]
    for entry in entries:
        model = entry["model"]
        label = model._meta.label_lower
        pages.append((f"{label} list", entry["admin_url"], model))
        if entry.get("add_url"):
            pages.append((f"{label} add", entry["add_url"], model))
        listed = client.get(entry["admin_url"])
        first = listed.context["cl"].result_list[:1]
        if first:
            opts, args = model._meta, [quote(first[0].pk)]
            for view in ("change", "history"):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)
                pages.append((f"{label} {view}", url, model))
    return pages


def test_every_page_a_coordinator_opens_is_russian(login):
    client = login(COORDINATOR)
    allowed = ALLOWED_LATIN | data_words()
    pages = coordinator_pages(client)
    assert len(pages) > 40, pages
    found, models = {}, set()
    for label, url, model in pages:
        response = client.get(url)
        assert response.status_code == 200, f"{label}: {url} answers {response.status_code}"
        if model is not None:
            models.add(model)
        words = slips(response.content.decode(), allowed)
        if words:
            found[label] = words
    new = {label: words for label, words in found.items() if label not in KNOWN_SLIPS}
    assert not new, f"English words or «None» on the coordinator's admin pages: {new}"
    fixed = set(KNOWN_SLIPS) - set(found)
    assert not fixed, f"these pages are clean now, take them off KNOWN_SLIPS: {fixed}"
    missing = [m._meta.label_lower for m in models if words_for(m) is None]
    assert not missing, f"no word forms in talentbank/admin_words.WORDS for {missing}"


def test_participant_list_says_whom_to_choose_and_counts_them(login):
    page = login(COORDINATOR).get(reverse("admin:participants_participant_changelist"))
    text = visible_text(page.content.decode())
    assert "Выберите участника для изменения" in text
    assert "Добавить участника" in text
    count = page.context["cl"].result_count
    assert count > 1
    paginator = visible_text(re.search(r'<p class="paginator">(.*?)</p>', page.content.decode(), re.S).group(1))
    # «… 12 13 610 участников»: the page links, then the count and its noun.
    assert re.sub(r"\D", "", paginator).endswith(str(count)), paginator
    assert paginator.split()[-1] == NOUNS["participant"].form(count), paginator
    # Filters are headed by their names, not «По образовательная организация».
    summaries = [visible_text(t).strip() for t in re.findall(r"<summary>(.*?)</summary>", page.content.decode(), re.S)]
    assert summaries and not any(t.startswith("По ") for t in summaries), summaries


def test_inline_add_another_agrees(login):
    client = login(COORDINATOR)
    participant = client.get(reverse("admin:participants_participant_changelist")).context["cl"].result_list[0]
    page = client.get(reverse("admin:participants_participant_change", args=[participant.pk])).content.decode()
    labels = inline_add_labels(page)
    assert "Добавить ещё одно членство в программе" in labels, labels
    assert "Добавить ещё одно участие в мероприятии" in labels, labels
    assert "Добавить ещё одно достижение" in labels, labels


def test_history_page_names_fields_in_russian_and_shows_a_dash_for_nothing(login):
    from participants.models import Participant

    client = login(COORDINATOR)
    participant = client.get(reverse("admin:participants_participant_changelist")).context["cl"].result_list[0]
    participant = Participant.objects.get(pk=participant.pk)
    participant.patronymic = ""
    participant.consent, participant.consent_date, participant.consent_given_by = False, None, ""
    participant.save()
    participant.patronymic = "Иванович"
    participant.consent = True
    participant.consent_date = participant.birth_date
    participant.consent_given_by = ConsentGiver.values[0]
    participant.save()
    page = client.get(reverse("admin:participants_participant_history", args=[participant.pk])).content.decode()
    text = visible_text(page)
    assert "Согласие на обработку ПДн:" in text
    assert re.search(r"Отчество:\s+—\s+→\s+Иванович", text), text
    assert re.search(r"Дата согласия:\s+—\s+→", text), text
    assert re.search(r"Согласие на обработку ПДн:\s+нет\s+→\s+да", text), text
    assert f"→  {ConsentGiver.labels[0]}" in text.replace("\xa0", " ")
    assert "Изменения" in text
    assert slips(page, ALLOWED_LATIN | data_words()) == []


def test_titles_and_delete_action_use_the_accusative(login):
    client = login(COORDINATOR)
    add = client.get(reverse("admin:participants_programme_add"))
    assert add.context["title"] == "Добавить программу"
    listed = client.get(reverse("admin:participants_participant_changelist"))
    actions = dict(listed.context["action_form"].fields["action"].choices)
    if "delete_selected" in actions:
        assert actions["delete_selected"] == "Удалить выбранных участников"


def test_counted_forms_follow_the_russian_rule():
    """Each model's three forms after a number are in the order one (1, 21), few (2–4), many (5–20)."""
    assert [plural_form(n) for n in (1, 2, 5, 11, 21, 33)] == [0, 1, 2, 2, 0, 1]
    for label, words in WORDS.items():
        assert len(words.counted) == 3, label
        assert words.gender in {"m", "m-anim", "f", "n"}, label
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert {label for label in WORDS if label not in registered} == set()


def test_the_delete_confirmation_names_the_record_in_the_accusative(login):
    from participants.models import Programme

    programme = Programme.objects.get(slug="tomsk-mkr")
    page = login(COORDINATOR).get(reverse("admin:participants_programme_delete", args=[programme.pk]))
    text = visible_text(page.content.decode())
    assert "удалить программу" in text and "удалить программа" not in text.lower(), text[:600]

    from events.models import Publication

    publication = Publication.objects.filter(programme=programme).first()
    page = login(COORDINATOR).get(reverse("admin:events_publication_delete", args=[publication.pk]))
    text = visible_text(page.content.decode())
    assert f"удалить {words_for(Publication).accusative}" in text, text[:600]


def test_a_single_history_version_page_is_russian(login):
    """The page of one past version (simple-history's «история» → a date): its title, fields and
    buttons."""
    from participants.models import Participant

    client = login(COORDINATOR)
    participant = client.get(reverse("admin:participants_participant_changelist")).context["cl"].result_list[0]
    participant = Participant.objects.get(pk=participant.pk)
    participant.phone = "+7 900 000-00-00"
    participant.save()
    version = participant.history.order_by("history_id").first()
    url = reverse("admin:participants_participant_simple_history", args=[participant.pk, version.history_id])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert slips(page, ALLOWED_LATIN | data_words()) == []
    assert "Фамилия" in visible_text(page)
