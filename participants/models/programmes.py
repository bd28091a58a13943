from django.conf import settings
from django.db import models

from participants.periods import Period, PeriodKind

from .fields import PeriodYearField
from .geography import Region


class ReportSection(models.TextChoices):
    """Sections a справка can have, in the order they are printed; each programme picks its own."""

    CRITERIA = "criteria", "Критерии эффективности"
    RESIDENTS = "residents", "Резиденты банка"
    RESIDENTS_BY_MUNICIPALITY = "residents_by_municipality", "Резиденты по муниципалитетам"
    ACCREDITED_PARTICIPANTS = "accredited_participants", "Участники аккредитованных мероприятий"
    TERRITORIAL_COVERAGE = "territorial_coverage", "Территориальный охват аккредитованных мероприятий"
    SATELLITE_EVENTS = "satellite_events", "Мероприятия-спутники"
    OPPORTUNITIES = "opportunities", "Практики, стажировки, профильные смены"
    PARTNERS = "partners", "Организации-партнёры"
    PUBLICATIONS = "publications", "Публикации"
    ACHIEVEMENTS = "achievements", "Личные достижения"
    COHORT = "cohort", "Участники и образовательные организации"
    TEAMS = "teams", "Проектные команды"
    ORGANIZATIONS_RANKING = "organizations_ranking", "Рейтинг образовательных организаций"
    DIAGNOSTICS_BY_ORGANIZATION = "diagnostics_by_organization", "Прохождение диагностики"
    ACTIVITIES = "activities", "Мероприятия участников"
    DIAGNOSTIC_GROWTH = "diagnostic_growth", "Прирост навыков и компетенций"
    CONCLUSIONS = "conclusions", "Выводы"


class ProgrammeKind(models.TextChoices):
    """How the справка's title calls the programme (the genitive after «об итогах реализации»)."""

    PROGRAMME = "programme", "программа"
    REGIONAL_PROJECT = "regional_project", "региональный проект"
    PROJECT = "project", "проект"
    INITIATIVE = "initiative", "инициатива"


PROGRAMME_KIND_GENITIVE = {
    ProgrammeKind.PROGRAMME: "программы",
    ProgrammeKind.REGIONAL_PROJECT: "регионального проекта",
    ProgrammeKind.PROJECT: "проекта",
    ProgrammeKind.INITIATIVE: "инициативы",
}


class Programme(models.Model):
    region = models.ForeignKey(Region, models.PROTECT, related_name="programmes", verbose_name="субъект РФ")
    name = models.CharField("название", max_length=300)
    short_name = models.CharField("краткое название", max_length=100, blank=True)
    slug = models.SlugField("код", max_length=50, unique=True, help_text="Латиницей, для адресов: tomsk-mkr.")
    operator = models.CharField("оператор", max_length=300, blank=True)
    period_kind = models.CharField("отчётный период", max_length=10, choices=PeriodKind.choices)
    description = models.TextField("описание", blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_programmes",
        verbose_name="региональные координаторы",
        help_text="Видят и ведут все данные программы.",
    )
    kind = models.CharField(
        "как называется в справке",
        max_length=20,
        choices=ProgrammeKind.choices,
        default=ProgrammeKind.PROGRAMME,
        help_text="В заголовке: «об итогах реализации программы / регионального проекта / инициативы …».",
    )
    issuer = models.CharField(
        "кто выпускает справку",
        max_length=300,
        blank=True,
        help_text="Организация в шапке справки, если это не оператор (например, министерство).",
    )
    signer_position = models.CharField("должность подписывающего", max_length=300, blank=True)
    signer_name = models.CharField("подписывающий (И. О. Фамилия)", max_length=150, blank=True)
    executor = models.CharField(
        "исполнитель и контакты", max_length=300, blank=True, help_text="Например: Иванова А. П., +7 3822 00-00-00."
    )
    is_demo = models.BooleanField(
        "демонстрационные данные",
        default=False,
        help_text="Справка такой программы помечается «Демонстрационные данные» на каждой странице.",
    )
    report_sections = models.JSONField(
        "разделы справки",
        default=list,
        blank=True,
        help_text="Какие разделы входят в справку программы. Если не выбран ни один — все.",
    )

    class Meta:
        verbose_name = "программа"
        verbose_name_plural = "программы"
        ordering = ["name"]
        permissions = [("view_report", "Может открывать и скачивать справки")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="programme_unique_name_in_region",
                violation_error_message="В этом субъекте РФ уже есть программа с таким названием.",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def period(self, year: int) -> Period:
        return Period(self.period_kind, year)

    def section_keys(self) -> list[str]:
        """The configured sections in print order (unknown keys ignored); all when none is chosen."""
        chosen = set(self.report_sections or [])
        return [s.value for s in ReportSection if not chosen or s.value in chosen]


class Criterion(models.Model):
    programme = models.ForeignKey(Programme, models.CASCADE, related_name="criteria", verbose_name="программа")
    number = models.PositiveSmallIntegerField("номер")
    title = models.CharField("название", max_length=300)
    description = models.TextField("что считается", blank=True)

    class Meta:
        verbose_name = "критерий эффективности"
        verbose_name_plural = "критерии эффективности"
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="criterion_unique_number",
                violation_error_message="У программы уже есть критерий с таким номером.",
            ),
        ]

    def __str__(self):
        return f"Критерий {self.number}. {self.title}"


class Metric(models.TextChoices):
    """What a criterion target is compared with; each has one computation in the reports app."""

    NEW_RESIDENTS = "new_residents", "новые резиденты за период"
    ACCREDITED_EDITIONS = "accredited_editions", "проведённые аккредитованные мероприятия"
    NEW_PARTNERS = "new_partners", "новые организации-партнёры"
    SATELLITE_EDITIONS = "satellite_editions", "проведённые мероприятия-спутники"
    SATELLITE_PARTICIPANTS = "satellite_participants", "участники мероприятий-спутников"
    RESIDENTS_WITH_OPPORTUNITIES = (
        "residents_with_opportunities",
        "резиденты с практиками, стажировками, профильными сменами, экспертной работой",
    )
    PUBLICATIONS = "publications", "публикации в СМИ и на сайтах партнёров"


class CriterionTarget(models.Model):
    criterion = models.ForeignKey(Criterion, models.CASCADE, related_name="targets", verbose_name="критерий")
    period = PeriodYearField()
    metric = models.CharField("показатель", max_length=40, choices=Metric.choices)
    value = models.PositiveIntegerField("целевое значение (не менее)")
    note = models.CharField("примечание", max_length=300, blank=True)

    class Meta:
        verbose_name = "целевое значение критерия"
        verbose_name_plural = "целевые значения критериев"
        ordering = ["criterion", "period", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "period", "metric"],
                name="criterion_target_unique",
                violation_error_message="Для этого критерия и периода такой показатель уже задан.",
            ),
        ]

    def __str__(self):
        return f"{self.get_metric_display()} ≥ {self.value} ({self.period})"
