"""One person, whatever the keyboard: invisible characters, decomposed letters, compatibility forms
and Latin lookalikes do not make a second person; a name mixing Latin and Cyrillic is refused with
the letter to retype."""

import importlib
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from participants.duplicates import probable_duplicates
from participants.models import Participant
from participants.names import clean_name_part, mixed_script_error, normalise_name
from participants.tests.factories import OrganisationFactory, ParticipantFactory

ZWSP, SOFT_HYPHEN, RLM, LRM, VS16, BOM, CGJ = "\u200b", "\u00ad", "\u200f", "\u200e", "\ufe0f", "\ufeff", "\u034f"


@pytest.mark.parametrize(
    "typed",
    [
        f"Ив{ZWSP}анов",
        f"Ива{SOFT_HYPHEN}нов",
        f"{RLM}Иванов{LRM}",
        f"Иванов{VS16}",
        f"{BOM}Иванов",
        f"Ив{CGJ}анов",
        "Иванов\u0000",
        "  Иванов ",
    ],
)
def test_invisible_characters_are_removed(typed):
    assert clean_name_part(typed) == "Иванов"
    assert normalise_name(typed) == "иванов"


def test_combining_marks_are_composed_and_compatibility_forms_folded():
    assert clean_name_part("Кои\u0306ва") == "Койва"  # и + combining breve
    assert clean_name_part("Ё\u0308лкина".replace("Ё", "Е")) == "Ёлкина"  # Е + combining diaeresis
    assert clean_name_part("Анна\u00a0Мария") == "Анна Мария"  # no-break space
    assert clean_name_part("Ｓｍｉｔｈ") == "Smith"  # full-width Latin


def test_a_latin_lookalike_gives_the_same_key():
    assert normalise_name("Ивaнов", "Пётр") == normalise_name("Иванов", "Петр")
    assert normalise_name("ИBAHOB") == "иванов"
    assert normalise_name("Smith") == "smith"  # a Latin name stays Latin


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Ивaнов", "латинская буква «a» (3-я по счёту) среди русских: наберите её заново в русской раскладке"),
        ("ИBAHOB", "латинские буквы «B» (2-я по счёту), «A» (3-я по счёту), «H» (4-я по счёту)"),
        ("Smithов", "русские буквы «о» (6-я по счёту), «в» (7-я по счёту) среди латинских"),
    ],
)
def test_a_mixed_name_says_which_letter_to_retype(typed, expected):
    assert expected in mixed_script_error(typed)


@pytest.mark.parametrize("name", ["Иванов", "Smith", "Анна-Мария", "О'Нил", "Д'Артаньян"])
def test_a_name_in_one_script_is_fine(name):
    assert mixed_script_error(name) is None


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pass")
    client.force_login(user)
    return client


def test_the_api_refuses_a_mixed_name_and_finds_the_lookalike(staff_client):
    person = ParticipantFactory(last_name="Иванова", first_name="Анна", patronymic="", birth_date=date(2008, 5, 1))
    body = {
        "last_name": "Ивaнова",  # Latin a
        "first_name": "Анна",
        "birth_date": "2008-05-01",
        "sex": "Ж",
        "organisation": person.organisation_id,
    }
    response = staff_client.post("/api/v1/participants/", body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["last_name"]
    assert any("латинская буква «a»" in e for e in errors)
    assert any(f"запись № {person.pk}" in e for e in errors)  # the lookalike is the same person
    invisible = {**body, "last_name": f"Ива{ZWSP}нова"}
    response = staff_client.post("/api/v1/participants/", invisible, content_type="application/json")
    assert response.status_code == 400 and f"запись № {person.pk}" in response.json()["last_name"][0]
    assert Participant.objects.count() == 1


def test_the_import_treats_a_lookalike_as_the_same_person(db):
    from participants import importing
    from participants.tests.test_scope_channels import import_row

    school = OrganisationFactory(name="Школа № 1")
    person = ParticipantFactory(last_name="Иванова", first_name="Анна", patronymic="", organisation=school)
    twin = Participant(
        last_name=f"Ива{SOFT_HYPHEN}нова", first_name="Анна", patronymic="", birth_date=person.birth_date
    )
    from participants.tests.factories import ProgrammeFactory

    report = importing.import_participants(
        import_row(twin, school.name).getvalue(),
        programme=ProgrammeFactory(),
        organisations=[school],
        can_set_membership=True,
        commit=True,
    )
    assert report.ok, [str(e) for e in report.errors]
    assert Participant.objects.count() == 1
    # The same person typed with a Latin «a» is matched, and their stored name is left as it is.
    lookalike = Participant(last_name="Ивaнова", first_name="Анна", patronymic="", birth_date=person.birth_date)
    report = importing.import_participants(
        import_row(lookalike, school.name).getvalue(),
        programme=ProgrammeFactory(),
        organisations=[school],
        can_set_membership=True,
        commit=True,
    )
    assert report.ok and Participant.objects.get().last_name == "Иванова"
    # A new person with a mixed name is refused, with the letter to retype in its column.
    newcomer = Participant(last_name="Смирнoва", first_name="Анна", patronymic="", birth_date=person.birth_date)
    report = importing.import_participants(
        import_row(newcomer, school.name).getvalue(),
        programme=ProgrammeFactory(),
        organisations=[school],
        can_set_membership=True,
        commit=False,
    )
    assert not report.ok
    assert any(e.column == "Фамилия" and "латинская буква «o»" in e.message for e in report.errors)


def test_the_migration_renormalises_stored_names_and_the_duplicates_page_pairs_what_it_cannot_join(db):
    school = OrganisationFactory()
    clean = ParticipantFactory(last_name="Петрова", first_name="Анна", patronymic="", organisation=school)
    # Rows written before the rule, straight into the table (bypassing save()).
    invisible = ParticipantFactory(last_name="Сидорова", first_name="Анна", patronymic="", organisation=school)
    lookalike = ParticipantFactory(last_name="Петровых", first_name="Анна", patronymic="", organisation=school)
    Participant.objects.filter(pk=invisible.pk).update(last_name=f"Сидо{ZWSP}рова", name_key=f"сидо{ZWSP}рова анна")
    Participant.objects.filter(pk=lookalike.pk).update(last_name="Петровa", name_key="петровa анна")

    migration = importlib.import_module("participants.migrations.0009_renormalise_names")
    from django.apps import apps

    migration.renormalise(apps, None)

    invisible.refresh_from_db()
    lookalike.refresh_from_db()
    assert (invisible.last_name, invisible.name_key) == ("Сидорова", "сидорова анна")
    assert lookalike.name_key == "петровa анна"  # would collide with Петрова: kept, and paired below
    pairs = probable_duplicates(Participant.objects.all())
    assert {(p.first.pk, p.second.pk) for p in pairs} == {(clean.pk, lookalike.pk)}
