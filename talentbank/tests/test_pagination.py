"""Lists of a national-size bank never wait for a full COUNT: exact when quick, else an estimate."""

import pytest
from django.db import connection

from participants.models import Participant
from participants.tests.factories import OrganisationFactory, ParticipantFactory
from talentbank import pagination
from talentbank.pagination import EstimatedCountPaginator


@pytest.fixture
def people(db):
    organisation = OrganisationFactory()
    return ParticipantFactory.create_batch(12, organisation=organisation)


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_small_lists_are_counted_exactly(people):
    paginator = EstimatedCountPaginator(Participant.objects.order_by("pk"), 5)

    assert paginator.count == 12
    assert not paginator.estimated
    assert paginator.num_pages == 3


def test_a_list_that_can_match_nothing_counts_zero(people):
    """A user whose scope is empty (a coordinator of no programme) gets an empty list, not an error."""
    paginator = EstimatedCountPaginator(Participant.objects.filter(pk__in=[]).order_by("pk"), 5)

    assert paginator.count == 0
    assert list(paginator.page(1)) == []


def test_a_count_that_would_take_too_long_gives_the_planners_estimate(people, monkeypatch):
    monkeypatch.setattr(pagination, "ALWAYS_COUNT_BELOW", 0)
    monkeypatch.setattr(pagination, "COUNT_TIMEOUT_MS", 20)
    slow = Participant.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"]).order_by("pk")
    before = statement_timeout()

    paginator = EstimatedCountPaginator(slow, 5)

    assert isinstance(paginator.count, int) and paginator.count >= 1
    assert paginator.estimated
    assert statement_timeout() == before  # the short timeout did not outlive the count
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.05)")  # later statements are not cut short


def test_a_quick_count_of_a_big_estimate_is_exact_and_restores_the_timeout(people, monkeypatch):
    monkeypatch.setattr(pagination, "ALWAYS_COUNT_BELOW", 0)
    before = statement_timeout()

    paginator = EstimatedCountPaginator(Participant.objects.order_by("pk"), 5)

    assert paginator.count == 12
    assert not paginator.estimated
    assert statement_timeout() == before


def test_admin_list_says_when_its_count_is_an_estimate(people, coordinator_client, monkeypatch):
    monkeypatch.setattr(pagination, "ALWAYS_COUNT_BELOW", 0)
    monkeypatch.setattr(pagination, "COUNT_TIMEOUT_MS", 1)
    monkeypatch.setattr(
        pagination.EstimatedCountPaginator, "_estimate", staticmethod(lambda sql, params, using: 512_000)
    )
    original_count = type(Participant.objects.all()).count

    def slow_count(queryset):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.05)")
        return original_count(queryset)

    monkeypatch.setattr(type(Participant.objects.all()), "count", slow_count)

    page = coordinator_client.get("/admin/participants/participant/").content.decode()

    assert "около 512\xa0000 (оценка)" in page


def test_api_lists_tell_whether_the_count_is_exact(people, coordinator_client):
    data = coordinator_client.get("/api/v1/participants/").json()

    assert data["count"] == 12
    assert data["count_estimated"] is False


def test_a_count_that_ran_out_of_time_is_not_tried_again_for_a_while(people, monkeypatch):
    """Every page of a national list would otherwise spend COUNT_TIMEOUT_MS of the database's time
    on a count that cannot finish; the next pages reuse the estimate until the memory expires."""
    monkeypatch.setattr(pagination, "ALWAYS_COUNT_BELOW", 0)
    monkeypatch.setattr(pagination, "COUNT_TIMEOUT_MS", 20)
    slow = Participant.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"]).order_by("pk")
    first = EstimatedCountPaginator(slow, 5)
    assert first.estimated is False and first.count >= 1 and first.estimated

    counts = []
    original_count = type(slow).count
    monkeypatch.setattr(type(slow), "count", lambda queryset: counts.append(1) or original_count(queryset))
    again = EstimatedCountPaginator(slow, 5)
    assert (again.count, again.estimated) == (first.count, True)
    assert counts == []  # no second try
    other = EstimatedCountPaginator(Participant.objects.order_by("pk"), 5)
    assert (other.count, other.estimated) == (12, False)  # another list is still counted

    monkeypatch.setattr(pagination, "SLOW_COUNT_MEMORY_SECONDS", 0)
    pagination.forget_slow_counts()
    assert EstimatedCountPaginator(slow, 5).count >= 1
    later = EstimatedCountPaginator(slow, 5)
    assert later.count >= 1 and later.estimated and len(counts) == 3  # memory expired: counted again
