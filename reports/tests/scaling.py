"""Test helper: grow the demo data tenfold (people, memberships, events, coverage, teams,
diagnostics) so that tests can check that a report's query count does not depend on it."""

from django.db import connection

from events.models import Coverage, Edition, EventSeries, Opportunity, Participation, PartnerOrganisation, Publication
from participants.models import (
    Achievement,
    Diagnostic,
    DiagnosticScore,
    Membership,
    Municipality,
    Organisation,
    Participant,
    Programme,
    ProjectTeam,
    TeamMember,
)


def _copy(instance, **changes):
    clone = type(instance).objects.model(
        **{f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    )
    clone.pk = None
    for key, value in changes.items():
        setattr(clone, key, value)
    return clone


def multiply_demo_data(times: int = 10) -> None:
    for programme in Programme.objects.all():
        region = programme.region
        new_municipalities = Municipality.objects.bulk_create(
            [
                Municipality(
                    region=region, name=f"{programme.slug} новый район {n}", kind="district", sort_order=100 + n
                )
                for n in range(times)
            ]
        )
        Organisation.objects.bulk_create(
            [Organisation(region=region, municipality=m, name=f"Школа {m.name}") for m in new_municipalities]
        )
        people = list(Participant.objects.filter(memberships__programme=programme).distinct())
        memberships = list(Membership.objects.filter(programme=programme))
        participations = list(Participation.objects.filter(edition__series__programme=programme))
        opportunities = list(Opportunity.objects.filter(programme=programme))
        achievements = list(Achievement.objects.filter(participant__in=people))
        team_members = list(TeamMember.objects.filter(team__programme=programme))
        diagnostics = list(Diagnostic.objects.filter(programme=programme).prefetch_related("scores"))
        for copy in range(1, times):
            clones = {}
            for person in people:
                clone = _copy(person, last_name=f"{person.last_name}{copy}")
                clone.tidy_names()
                clones[person.pk] = clone
            Participant.objects.bulk_create(clones.values())
            Membership.objects.bulk_create(_copy(m, participant_id=clones[m.participant_id].pk) for m in memberships)
            Participation.objects.bulk_create(
                _copy(p, participant_id=clones[p.participant_id].pk) for p in participations
            )
            Opportunity.objects.bulk_create(_copy(o, participant_id=clones[o.participant_id].pk) for o in opportunities)
            Achievement.objects.bulk_create(_copy(a, participant_id=clones[a.participant_id].pk) for a in achievements)
            TeamMember.objects.bulk_create(_copy(t, participant_id=clones[t.participant_id].pk) for t in team_members)
            new_diagnostics = Diagnostic.objects.bulk_create(
                _copy(d, participant_id=clones[d.participant_id].pk) for d in diagnostics
            )
            DiagnosticScore.objects.bulk_create(
                _copy(s, diagnostic_id=new.pk)
                for old, new in zip(diagnostics, new_diagnostics, strict=True)
                for s in old.scores.all()
            )
            ProjectTeam.objects.bulk_create(
                ProjectTeam(programme=programme, period=2019, name=f"Команда {copy}-{n}") for n in range(3)
            )
            PartnerOrganisation.objects.bulk_create(
                PartnerOrganisation(programme=programme, name=f"Партнёр {copy}", kind="business", since="2019-05-01")
                for _ in [0]
            )
            Publication.objects.bulk_create(
                Publication(
                    programme=programme,
                    title=f"Новость {copy}",
                    outlet=f"Сайт {copy}",
                    outlet_kind="news_agency",
                    published_on="2019-06-01",
                )
                for _ in [0]
            )
        for series in list(EventSeries.objects.filter(programme=programme)):
            for copy in range(1, times):
                twin = _copy(series, name=f"{series.name} ({copy})", prepares_for=None)
                twin.save()
                for edition in Edition.objects.filter(series=series):
                    new_edition = _copy(edition, series_id=twin.pk)
                    new_edition.save()
                    Coverage.objects.bulk_create(
                        [
                            Coverage(edition=new_edition, municipality_id=c.municipality_id)
                            for c in edition.coverage.all()
                        ]
                        + [
                            Coverage(
                                edition=new_edition, municipality=new_municipalities[copy % len(new_municipalities)]
                            )
                        ]
                    )
    # As autovacuum would after such growth: without fresh statistics the planner takes the new
    # residents' anti-join for a few rows and runs it for tens of seconds.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
