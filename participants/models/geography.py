from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Region(models.Model):
    name = models.CharField("название", max_length=200, unique=True)
    code = models.CharField("код субъекта", max_length=3, blank=True, help_text="Код субъекта РФ, например 70.")

    class Meta:
        verbose_name = "субъект РФ"
        verbose_name_plural = "субъекты РФ"
        ordering = ["name"]

    def __str__(self):
        return self.name


class MunicipalityKind(models.TextChoices):
    DISTRICT = "district", "муниципальный район"
    MUNICIPAL_OKRUG = "municipal_okrug", "муниципальный округ"
    URBAN_OKRUG = "urban_okrug", "городской округ"
    CLOSED_CITY = "zato", "ЗАТО"


class Municipality(models.Model):
    region = models.ForeignKey(Region, models.PROTECT, related_name="municipalities", verbose_name="субъект РФ")
    name = models.CharField("название", max_length=200)
    kind = models.CharField("вид", max_length=20, choices=MunicipalityKind.choices)
    sort_order = models.PositiveSmallIntegerField(
        "порядок в отчётах", default=0, help_text="Порядок строк в таблицах справки (меньше — выше)."
    )

    class Meta:
        verbose_name = "муниципальное образование"
        verbose_name_plural = "муниципальные образования"
        ordering = ["region__name", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="municipality_unique_name_in_region",
                violation_error_message="В этом субъекте РФ уже есть муниципальное образование с таким названием.",
            ),
        ]

    def __str__(self):
        return self.name


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", "общеобразовательная организация"
    COLLEGE = "college", "профессиональная образовательная организация"
    UNIVERSITY = "university", "образовательная организация высшего образования"
    ADDITIONAL = "additional", "организация дополнительного образования"
    OTHER = "other", "другая организация"


# Kinds whose learners are counted in courses rather than school grades.
COURSE_ORGANISATION_KINDS = {OrganisationKind.COLLEGE, OrganisationKind.UNIVERSITY}


class Organisation(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        models.PROTECT,
        related_name="organisations",
        verbose_name="муниципальное образование",
        help_text="Где организация находится; для подведомственных региону — тоже.",
    )
    # Copied from the municipality on save so that names can be unique within a region in the database.
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", editable=False, verbose_name="субъект РФ")
    name = models.CharField("полное название", max_length=400)
    short_name = models.CharField("краткое название", max_length=200, blank=True)
    kind = models.CharField("тип", max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.SCHOOL)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="staff_organisations",
        verbose_name="сотрудники",
        help_text="Учётные записи сотрудников, которые ведут обучающихся этой организации.",
    )
    is_regional = models.BooleanField(
        "подведомственна региону",
        default=False,
        help_text="Подчинена органу власти субъекта РФ, а не муниципалитету (в охвате считается по месту нахождения).",
    )

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="organisation_unique_name_in_region",
                violation_error_message="В этом субъекте РФ уже есть организация с таким полным названием.",
            ),
            models.UniqueConstraint(
                fields=["region", "short_name"],
                condition=~models.Q(short_name=""),
                name="organisation_unique_short_name_in_region",
                violation_error_message="В этом субъекте РФ уже есть организация с таким кратким названием.",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        self.region_id = self.municipality.region_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.municipality_id is None:
            return
        self.region_id = self.municipality.region_id
        for field, value in (("name", self.name), ("short_name", self.short_name)):
            if not value:
                continue
            clash = (
                Organisation.objects.filter(region_id=self.region_id)
                .filter(models.Q(name__iexact=value) | models.Q(short_name__iexact=value))
                .exclude(pk=self.pk)
                .select_related("municipality")
                .first()
            )
            if clash:
                raise ValidationError(
                    {
                        field: f"Название «{value}» уже занято организацией «{clash.name}» "
                        f"({clash.municipality}). Названия организаций в субъекте РФ не повторяются."
                    }
                )
