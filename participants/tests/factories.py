from datetime import date

import factory

from participants.models import (
    Category,
    Membership,
    Municipality,
    MunicipalityKind,
    Organisation,
    Participant,
    Programme,
    Region,
    Sex,
)
from participants.periods import PeriodKind


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Область № {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Район № {n}")
    kind = MunicipalityKind.DISTRICT


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"МБОУ «СОШ № {n}»")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Программа {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    period_kind = PeriodKind.CALENDAR


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    last_name = factory.Sequence(lambda n: f"Иванов{'а' * (n % 2)}{n}")
    first_name = "Иван"
    patronymic = "Иванович"
    birth_date = date(2005, 3, 14)
    sex = Sex.MALE
    organisation = factory.SubFactory(OrganisationFactory)
    grade = 9


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    participant = factory.SubFactory(ParticipantFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    category = Category.SCHOOL
    included_on = date(2019, 4, 1)
