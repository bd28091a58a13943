"""generate_synthetic: a deterministic programme of a given scale, that the справка can be built on."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from events.models import Coverage, Edition, Participation, SeriesKind
from participants.models import Diagnostic, Membership, Participant, Programme, ProjectTeam
from reports.demo.synthetic import Sizes, generate_synthetic
from reports.services import build_report


def fingerprint(slug: str) -> tuple:
    people = Participant.objects.filter(memberships__programme__slug=slug).distinct()
    return (
        sorted(people.values_list("name_key", "birth_date", "organisation__name")),
        sorted(
            Membership.objects.filter(programme__slug=slug).values_list(
                "participant__name_key", "category", "included_on", "left_on"
            )
        ),
        Participation.objects.filter(edition__series__programme__slug=slug).count(),
    )


@pytest.mark.django_db
def test_scale_one_is_about_tomsk_and_the_same_seed_gives_the_same_bank():
    sizes = Sizes(1)
    fingerprints = []
    for _ in range(2):  # generate, look, roll back; then again from the same seed
        with transaction.atomic():
            programme = generate_synthetic(1, seed=7, slug="synthetic-a")
            people = Participant.objects.filter(memberships__programme=programme).distinct().count()
            assert people == sizes.people == 500
            accredited = Edition.objects.filter(series__programme=programme, series__kind=SeriesKind.ACCREDITED)
            assert accredited.count() == 10 * sizes.accredited_series
            assert Coverage.objects.filter(edition__series__programme=programme).exists()
            assert 1500 < Participation.objects.filter(edition__series__programme=programme).count() <= 2000
            assert ProjectTeam.objects.filter(programme=programme).count() == 10 * sizes.teams_per_period
            assert Diagnostic.objects.filter(programme=programme, stage="final").exists()
            fingerprints.append(fingerprint("synthetic-a"))
            transaction.set_rollback(True)

    assert fingerprints[0] == fingerprints[1]


@pytest.mark.django_db
def test_the_spravka_is_computed_from_the_generated_records():
    programme = generate_synthetic(1, seed=1)
    report = build_report(programme, 2025)

    accredited = report.sections["accredited_participants"]
    assert accredited.participants > 0 and len(accredited.periods) == 3
    assert report.sections["residents"].residents > 0
    assert report.sections["satellite_events"].total.current > 0
    assert report.sections["diagnostic_growth"].rows
    # New ids continue after the generated ones.
    assert Participant.objects.create(last_name="Новиков", first_name="Пётр", birth_date="2010-01-01", sex="М").pk > (
        Participant.objects.exclude(last_name="Новиков", first_name="Пётр").order_by("-pk").first().pk
    )


@pytest.mark.django_db
def test_the_command_refuses_a_taken_code_and_a_bad_scale(capsys):
    call_command("generate_synthetic", "--scale", "1", "--slug", "synthetic-c")
    assert "Программа «synthetic-c» создана" in capsys.readouterr().out
    assert Programme.objects.filter(slug="synthetic-c").exists()
    with pytest.raises(CommandError, match="уже есть"):
        call_command("generate_synthetic", "--scale", "1", "--slug", "synthetic-c")
    with pytest.raises(CommandError, match="не меньше 1"):
        call_command("generate_synthetic", "--scale", "0", "--slug", "synthetic-d")
