"""Name search reads the trigram index on PostgreSQL and still finds what a coordinator types.

The speed itself is measured by `make bench` (admin search at scale 1000); here the plan is checked:
with sequential scans priced out, PostgreSQL must be *able* to answer the search from the index —
a condition the index cannot serve (an OR across a join, a function over the column) would still
scan every person.
"""

from datetime import date

import pytest
from django.db import connection

from participants.models import Participant
from participants.search import search_people

from .factories import OrganisationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    """The plan with whole-table reads priced out: a sequential scan, or a walk along another
    index in sort order that filters every row (what the planner picks for a tiny test table)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_migration_made_the_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'participant_name_key_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "gin_trgm_ops" in definition and "name_key" in definition


@pytest.mark.parametrize("term", ["ёлкин", "Ёлкина Анна", "анна", "школа", "ЁЛКИНА 01.02.2010"])
def test_search_by_name_or_organisation_uses_the_index(term):
    OrganisationFactory(name="МБОУ «Школа № 5»")
    plan = _plan(search_people(Participant.objects.all(), term))
    # A birth date may lead through its own index instead; a name word always through trigrams.
    assert "participant_name_key_trgm" in plan or "birth_date =" in plan, plan
    assert "Seq Scan on participants_participant" not in plan, plan


def test_search_finds_parts_of_names_in_any_case_with_yo_or_ye_and_by_school():
    school = OrganisationFactory(name="МАОУ «Лицей № 7»", short_name="Лицей 7")
    elkina = ParticipantFactory(last_name="Ёлкина", first_name="Анна", birth_date=date(2010, 2, 1))
    other = ParticipantFactory(last_name="Петрова", first_name="Мария", organisation=school)
    ParticipantFactory(last_name="Сидорова", first_name="Ольга")

    def found(term):
        return set(search_people(Participant.objects.all(), term))

    assert found("елк") == {elkina}
    assert found("ЁЛКИНА анна") == {elkina}
    assert found("лкина 01.02.2010") == {elkina}
    assert found("лицей 7") == {other}
    assert found("Лицей № 7") == {other}
    assert found("анна мария") == set()
    assert found("   ") == set(Participant.objects.all())
