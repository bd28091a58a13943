from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from participants.formats import short_date
from participants.models import Municipality, Participant, Programme
from participants.models.fields import PeriodYearField
from participants.periods import period_of


def _dates_in_order(start_field: str, end_field: str, name: str, message: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{start_field}__isnull": True})
        | Q(**{f"{end_field}__isnull": True})
        | Q(**{f"{end_field}__gte": F(start_field)}),
        name=name,
        violation_error_message=message,
    )


def _check_dates_in_order(start: date | None, end: date | None, end_field: str, what: str) -> dict:
    if start and end and end < start:
        return {end_field: f"{what} {short_date(end)} раньше даты начала {short_date(start)}."}
    return {}


class SeriesKind(models.TextChoices):
    ACCREDITED = "accredited", "аккредитованное мероприятие"
    SATELLITE = "satellite", "мероприятие-спутник"
    ACTIVITY = "activity", "мероприятие программы"


class Direction(models.TextChoices):
    PROJECT_RESEARCH = "project_research", "проектная и исследовательская деятельность"
    ENTREPRENEURSHIP = "entrepreneurship", "предпринимательство"
    CIVIC_LEGAL = "civic_legal", "гражданское и правовое образование"
    OLYMPIAD = "olympiad", "олимпиадное движение"
    CAREER = "career", "профориентация"
    OTHER = "other", "другое"


class EventSeries(models.Model):
    """A recurring event; each year's occurrence is an Edition."""

    programme = models.ForeignKey(Programme, models.PROTECT, related_name="event_series", verbose_name="программа")
    name = models.CharField("название", max_length=400)
    short_name = models.CharField("краткое название", max_length=200, blank=True)
    kind = models.CharField("вид", max_length=20, choices=SeriesKind.choices)
    direction = models.CharField("направление", max_length=20, choices=Direction.choices, default=Direction.OTHER)
    organiser = models.CharField("организатор", max_length=300, blank=True)
    accredited_from = models.DateField("аккредитовано с", null=True, blank=True)
    accredited_until = models.DateField("аккредитовано по", null=True, blank=True)
    prepares_for = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="satellites",
        limit_choices_to={"kind": SeriesKind.ACCREDITED},
        verbose_name="готовит к аккредитованному мероприятию",
    )
    sort_order = models.PositiveSmallIntegerField("порядок в отчётах", default=0)

    class Meta:
        verbose_name = "мероприятие (серия)"
        verbose_name_plural = "мероприятия (серии)"
        ordering = ["programme", "kind", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="series_unique_name",
                violation_error_message="В этой программе уже есть мероприятие с таким названием.",
            ),
            _dates_in_order(
                "accredited_from",
                "accredited_until",
                "series_accreditation_dates_in_order",
                "Окончание аккредитации не может быть раньше её начала.",
            ),
        ]
        indexes = [models.Index(fields=["programme", "kind"], name="series_prog_kind_idx")]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        errors = _check_dates_in_order(
            self.accredited_from, self.accredited_until, "accredited_until", "Окончание аккредитации"
        )
        if self.kind != SeriesKind.ACCREDITED and (self.accredited_from or self.accredited_until):
            errors["accredited_from"] = "Даты аккредитации указываются только для аккредитованных мероприятий."
        if self.prepares_for_id:
            target = self.prepares_for
            if self.kind != SeriesKind.SATELLITE:
                errors["prepares_for"] = "Подготовительным к аккредитованному может быть только мероприятие-спутник."
            elif target.kind != SeriesKind.ACCREDITED:
                errors["prepares_for"] = f"«{target}» не аккредитованное мероприятие."
            elif self.programme_id and target.programme_id != self.programme_id:
                errors["prepares_for"] = f"«{target}» относится к другой программе."
        if errors:
            raise ValidationError(errors)


class HeadcountSource(models.TextChoices):
    HEADCOUNT = "headcount", "численность, указанная организаторами"
    RECORDS = "records", "поимённые записи об участии"


class EditionQuerySet(models.QuerySet):
    def with_participant_count(self):
        """Annotate `participant_count` and its `participant_source`.

        The one rule against double counting: an edition's stated total, else the sum of its
        stated headcounts (pupils, teachers, experts), else the number of individual
        participation records. Records are never added to headcounts.
        """
        has_parts = (
            Q(headcount_pupils__isnull=False) | Q(headcount_teachers__isnull=False) | Q(headcount_experts__isnull=False)
        )
        parts = (
            Coalesce("headcount_pupils", Value(0))
            + Coalesce("headcount_teachers", Value(0))
            + Coalesce("headcount_experts", Value(0))
        )
        # A bare COUNT(*) subquery (no GROUP BY, no LIMIT): one index-only scan per edition. The
        # grouped form with LIMIT 1 misled PostgreSQL into scanning every participation per edition.
        records = Coalesce(
            Subquery(
                Participation.objects.filter(edition=OuterRef("pk"))
                .order_by()
                .annotate(n=Func(F("pk"), function="COUNT"))
                .values("n"),
                output_field=models.IntegerField(),
            ),
            Value(0),
        )
        return self.annotate(
            participant_count=Case(
                When(headcount_total__isnull=False, then=F("headcount_total")),
                When(has_parts, then=parts),
                default=records,
                output_field=models.IntegerField(),
            ),
            participant_source=Case(
                When(Q(headcount_total__isnull=False) | has_parts, then=Value(HeadcountSource.HEADCOUNT.value)),
                default=Value(HeadcountSource.RECORDS.value),
                output_field=models.CharField(),
            ),
        )


class Edition(models.Model):
    """One occurrence of a series in one period, with its coverage and headcounts."""

    series = models.ForeignKey(EventSeries, models.PROTECT, related_name="editions", verbose_name="мероприятие")
    period = PeriodYearField(
        blank=True,
        help_text="Период, в котором выпуск учитывается в отчётах (перенесённый выпуск — по фактической дате). "
        "Если не указан, берётся из даты начала.",
    )
    title = models.CharField("название выпуска", max_length=400, blank=True, help_text="Например: XX форум «…».")
    starts_on = models.DateField("дата начала", null=True, blank=True)
    ends_on = models.DateField("дата окончания", null=True, blank=True)
    venue = models.CharField("место проведения", max_length=300, blank=True)
    held = models.BooleanField("состоялось", default=True)
    note = models.CharField(
        "примечание", max_length=500, blank=True, help_text="Обязательно, если мероприятие не состоялось."
    )
    headcount_pupils = models.PositiveIntegerField("обучающихся", null=True, blank=True)
    headcount_teachers = models.PositiveIntegerField("педагогов", null=True, blank=True)
    headcount_experts = models.PositiveIntegerField("экспертов", null=True, blank=True)
    headcount_total = models.PositiveIntegerField(
        "всего участников",
        null=True,
        blank=True,
        help_text="Если известен только общий итог без разбивки; иначе оставьте пустым.",
    )
    municipalities = models.ManyToManyField(
        Municipality, through="Coverage", related_name="editions", verbose_name="муниципалитеты-участники"
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = "выпуск мероприятия"
        verbose_name_plural = "выпуски мероприятий"
        ordering = ["series", "period", "starts_on"]
        constraints = [
            _dates_in_order(
                "starts_on", "ends_on", "edition_dates_in_order", "Дата окончания не может быть раньше даты начала."
            ),
            models.CheckConstraint(
                condition=Q(held=True) | ~Q(note=""),
                name="edition_not_held_explained",
                violation_error_message="Для несостоявшегося мероприятия укажите примечание: почему и куда перенесено.",
            ),
        ]
        indexes = [
            models.Index(fields=["series", "period"], name="edition_series_period_idx"),
            models.Index(fields=["period"], name="edition_period_idx"),
        ]

    def __str__(self):
        label = self.title or str(self.series)
        return f"{label} — {self.period}" if self.period else label

    @property
    def headcount(self) -> int | None:
        """Total from headcounts: the stated total, else the sum of the parts given; None if none given."""
        if self.headcount_total is not None:
            return self.headcount_total
        parts = [self.headcount_pupils, self.headcount_teachers, self.headcount_experts]
        known = [p for p in parts if p is not None]
        return sum(known) if known else None

    def clean(self):
        errors = _check_dates_in_order(self.starts_on, self.ends_on, "ends_on", "Дата окончания")
        if self.period is None and self.starts_on and self.series_id:
            self.period = period_of(self.series.programme.period_kind, self.starts_on).year
        if self.period is None:
            errors.setdefault("period", "Укажите период или дату начала.")
        if not self.held and not self.note.strip():
            errors["note"] = "Мероприятие не состоялось: укажите в примечании почему и куда перенесено."
        if self.held and self.starts_on and self.starts_on > timezone.localdate():
            errors["held"] = f"Мероприятие начнётся {short_date(self.starts_on)}: его нельзя отметить состоявшимся."
        parts = [self.headcount_pupils, self.headcount_teachers, self.headcount_experts]
        parts_sum = sum(p for p in parts if p is not None)
        if self.headcount_total is not None and parts_sum > self.headcount_total:
            errors["headcount_total"] = (
                f"Всего участников ({self.headcount_total}) меньше суммы обучающихся, педагогов и экспертов ({parts_sum})."
            )
        if errors:
            raise ValidationError(errors)


class Coverage(models.Model):
    """A municipality (of the programme's region or another) that took part in an edition."""

    edition = models.ForeignKey(Edition, models.CASCADE, related_name="coverage", verbose_name="выпуск")
    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="coverage", verbose_name="муниципалитет"
    )

    class Meta:
        verbose_name = "муниципалитет-участник"
        verbose_name_plural = "муниципалитеты и другие регионы — участники"
        ordering = ["edition", "municipality__region__name", "municipality__sort_order", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "municipality"],
                name="coverage_unique",
                violation_error_message="Этот муниципалитет уже отмечен для выпуска.",
            ),
        ]

    def __str__(self):
        return str(self.municipality)


class Role(models.TextChoices):
    PARTICIPANT = "participant", "участник"
    WINNER = "winner", "победитель"
    PRIZE_WINNER = "prize_winner", "призёр"
    EXPERT = "expert", "эксперт"
    MODERATOR = "moderator", "модератор"
    COORDINATOR = "coordinator", "координатор"
    MENTOR = "mentor", "наставник"


class Participation(models.Model):
    edition = models.ForeignKey(Edition, models.CASCADE, related_name="participations", verbose_name="выпуск")
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="participations", verbose_name="участник")
    role = models.CharField("роль", max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    result = models.CharField("результат", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "участие в мероприятии"
        verbose_name_plural = "участие в мероприятиях"
        ordering = ["edition", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "participant"],
                name="participation_unique",
                violation_error_message="Участие этого человека в выпуске уже записано.",
            ),
        ]
        indexes = [models.Index(fields=["participant", "edition"], name="participation_person_idx")]

    def __str__(self):
        return f"{self.participant.full_name} — {self.edition} ({self.get_role_display()})"


class PartnerKind(models.TextChoices):
    UNIVERSITY = "university", "вуз"
    GOVERNMENT = "government", "орган власти"
    BUSINESS = "business", "бизнес"
    NONPROFIT = "nonprofit", "некоммерческая организация"
    EDUCATION = "education", "образовательная организация"
    OTHER = "other", "другое"


class PartnerOrganisation(models.Model):
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="partners", verbose_name="программа")
    name = models.CharField("название", max_length=400)
    kind = models.CharField("вид", max_length=20, choices=PartnerKind.choices)
    since = models.DateField("партнёр с")
    until = models.DateField("партнёр по", null=True, blank=True)
    note = models.CharField("примечание", max_length=500, blank=True)

    class Meta:
        verbose_name = "организация-партнёр"
        verbose_name_plural = "организации-партнёры"
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="partner_unique_name",
                violation_error_message="У программы уже есть партнёр с таким названием.",
            ),
            _dates_in_order(
                "since", "until", "partner_dates_in_order", "Окончание партнёрства не может быть раньше его начала."
            ),
        ]
        indexes = [models.Index(fields=["programme", "since"], name="partner_prog_since_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = _check_dates_in_order(self.since, self.until, "until", "Окончание партнёрства")
        if errors:
            raise ValidationError(errors)


class OpportunityKind(models.TextChoices):
    PRACTICE = "practice", "практика"
    INTERNSHIP = "internship", "стажировка"
    PROFILE_SHIFT = "profile_shift", "профильная смена"
    EXPERT_WORK = "expert_work", "экспертная работа"


class Opportunity(models.Model):
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="opportunities", verbose_name="программа")
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="opportunities", verbose_name="участник")
    kind = models.CharField("вид", max_length=20, choices=OpportunityKind.choices)
    place = models.CharField("где", max_length=400, help_text="Организация, центр, смена.")
    partner = models.ForeignKey(
        PartnerOrganisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name="партнёр",
    )
    edition = models.ForeignKey(
        Edition,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name="выпуск мероприятия",
        help_text="Для экспертной работы на мероприятии.",
    )
    starts_on = models.DateField("дата начала")
    ends_on = models.DateField("дата окончания", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "возможность (практика, стажировка, смена)"
        verbose_name_plural = "возможности: практики, стажировки, смены, экспертиза"
        ordering = ["programme", "-starts_on"]
        constraints = [
            _dates_in_order(
                "starts_on", "ends_on", "opportunity_dates_in_order", "Дата окончания не может быть раньше даты начала."
            ),
        ]
        indexes = [models.Index(fields=["programme", "starts_on"], name="opportunity_prog_start_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.place}"

    def clean(self):
        errors = _check_dates_in_order(self.starts_on, self.ends_on, "ends_on", "Дата окончания")
        if self.partner_id and self.programme_id and self.partner.programme_id != self.programme_id:
            errors["partner"] = f"Партнёр «{self.partner}» относится к другой программе."
        if self.edition_id and self.programme_id and self.edition.series.programme_id != self.programme_id:
            errors["edition"] = f"Выпуск «{self.edition}» относится к другой программе."
        if errors:
            raise ValidationError(errors)


class OutletKind(models.TextChoices):
    FOUNDER_SITE = "founder_site", "сайт учредителя"
    PARTNER_SITE = "partner_site", "сайт организации-партнёра"
    NEWS_AGENCY = "news_agency", "информационное агентство"
    SOCIAL_NETWORK = "social_network", "социальная сеть"
    OTHER = "other", "другое"


class Publication(models.Model):
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="publications", verbose_name="программа")
    title = models.CharField("заголовок", max_length=500)
    url = models.URLField("адрес", max_length=500, blank=True)
    outlet = models.CharField("издание или сайт", max_length=300)
    outlet_kind = models.CharField("вид площадки", max_length=20, choices=OutletKind.choices)
    published_on = models.DateField("дата публикации")
    edition = models.ForeignKey(
        Edition,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name="о выпуске мероприятия",
    )

    class Meta:
        verbose_name = "публикация"
        verbose_name_plural = "публикации"
        ordering = ["programme", "-published_on"]
        indexes = [models.Index(fields=["programme", "published_on"], name="publication_prog_date_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.published_on and self.published_on > timezone.localdate():
            raise ValidationError(
                {"published_on": f"Дата публикации {short_date(self.published_on)} ещё не наступила."}
            )
