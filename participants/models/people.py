from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from participants.formats import short_date
from participants.names import clean_name_part, full_name, mixed_script_error, normalise_name

from .fields import PeriodYearField
from .geography import Organisation
from .programmes import Programme

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
MIN_GRADE, MAX_GRADE = 1, 11
MIN_COURSE, MAX_COURSE = 1, 6


class Sex(models.TextChoices):
    MALE = "М", "мужской"
    FEMALE = "Ж", "женский"


class ConsentGiver(models.TextChoices):
    SELF = "self", "сам участник"
    PARENT = "parent", "родитель"
    GUARDIAN = "guardian", "законный представитель"


class Participant(models.Model):
    """One person, across years, programmes and events."""

    last_name = models.CharField("фамилия", max_length=100)
    first_name = models.CharField("имя", max_length=100)
    patronymic = models.CharField("отчество", max_length=100, blank=True)
    birth_date = models.DateField("дата рождения")
    sex = models.CharField("пол", max_length=1, choices=Sex.choices)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name="образовательная организация",
    )
    grade = models.PositiveSmallIntegerField(
        "класс",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(MIN_GRADE, "Класс должен быть от 1 до 11."),
            MaxValueValidator(MAX_GRADE, "Класс должен быть от 1 до 11; для студентов укажите курс."),
        ],
    )
    course = models.PositiveSmallIntegerField(
        "курс",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(MIN_COURSE, "Курс должен быть от 1 до 6."),
            MaxValueValidator(MAX_COURSE, "Курс должен быть от 1 до 6."),
        ],
    )
    phone = models.CharField("телефон", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    consent = models.BooleanField("согласие на обработку ПДн", default=False)
    consent_date = models.DateField("дата согласия", null=True, blank=True)
    consent_given_by = models.CharField("кто дал согласие", max_length=10, choices=ConsentGiver.choices, blank=True)
    consent_given_by_name = models.CharField(
        "ФИО давшего согласие",
        max_length=300,
        blank=True,
        help_text="Для несовершеннолетних — родитель или законный представитель.",
    )
    # normalise_name(last, first, patronymic): the identity used to refuse duplicates.
    name_key = models.CharField("ключ ФИО", max_length=310, editable=False, db_index=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)
    # Who entered the record: a coordinator keeps seeing a person they entered before the person has
    # an organisation or a membership (participants.access).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто внёс",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["name_key", "updated_at"])

    # Who is entering or editing the record (set by the admin form and the API): the duplicate
    # message names the existing record only to a user who may see it.
    viewer = None

    class Meta:
        verbose_name = "участник"
        verbose_name_plural = "участники"
        ordering = ["last_name", "first_name", "patronymic", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key", "birth_date"],
                name="participant_unique_person",
                violation_error_message="Участник с такими ФИО и датой рождения уже есть в банке.",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=MIN_GRADE, grade__lte=MAX_GRADE),
                name="participant_grade_range",
                violation_error_message="Класс должен быть от 1 до 11.",
            ),
            models.CheckConstraint(
                condition=Q(course__isnull=True) | Q(course__gte=MIN_COURSE, course__lte=MAX_COURSE),
                name="participant_course_range",
                violation_error_message="Курс должен быть от 1 до 6.",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(course__isnull=True),
                name="participant_grade_or_course",
                violation_error_message="Укажите либо класс, либо курс, но не оба.",
            ),
            models.CheckConstraint(
                condition=Q(consent=False) | Q(consent_date__isnull=False),
                name="participant_consent_dated",
                violation_error_message="Укажите дату согласия на обработку персональных данных.",
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="participant_name_idx"),
            models.Index(fields=["organisation", "last_name"], name="participant_org_name_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} ({short_date(self.birth_date)})" if self.birth_date else self.full_name

    def save(self, *args, **kwargs):
        self.tidy_names()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return full_name(self.last_name, self.first_name, self.patronymic)

    @property
    def initials_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip()

    def tidy_names(self):
        """Trim the name parts and recompute the identity key; save() does it, bulk inserts must call it."""
        self.last_name = clean_name_part(self.last_name)
        self.first_name = clean_name_part(self.first_name)
        self.patronymic = clean_name_part(self.patronymic)
        self.name_key = normalise_name(self.last_name, self.first_name, self.patronymic)

    def find_duplicate(self):
        """Another record of the same person (normalised ФИО and birth date), or None."""
        if not (self.last_name and self.first_name and self.birth_date):
            return None
        key = normalise_name(self.last_name, self.first_name, self.patronymic)
        return (
            Participant.objects.filter(name_key=key, birth_date=self.birth_date)
            .exclude(pk=self.pk)
            .select_related("organisation__municipality")
            .first()
        )

    # The day "not yet" is judged against; an import checking thousands of rows sets it once.
    checked_on: date | None = None

    def clean(self):
        errors = {}
        today = self.checked_on or timezone.localdate()
        if self.birth_date:
            if self.birth_date > today:
                errors["birth_date"] = f"Дата рождения {short_date(self.birth_date)} ещё не наступила."
            elif self.birth_date < EARLIEST_BIRTH_DATE:
                errors["birth_date"] = f"Дата рождения {short_date(self.birth_date)} слишком ранняя: проверьте год."
        if self.grade is not None and self.course is not None:
            errors["course"] = "Укажите либо класс (для школьников), либо курс (для студентов), но не оба."
        if self.consent and not self.consent_date:
            errors["consent_date"] = "Согласие отмечено, но не указана его дата."
        if self.consent_date and self.consent_date > today:
            errors["consent_date"] = f"Дата согласия {short_date(self.consent_date)} ещё не наступила."
        if self.consent_date and self.birth_date and self.consent_date < self.birth_date:
            errors["consent_date"] = "Дата согласия раньше даты рождения."
        for name in ("last_name", "first_name", "patronymic"):
            problem = mixed_script_error(getattr(self, name))
            if problem:
                errors[name] = problem
        duplicate = self.find_duplicate()
        if duplicate:
            errors["last_name"] = [
                *([errors["last_name"]] if "last_name" in errors else []),
                duplicate_message(duplicate, self.viewer),
            ]
        if errors:
            raise ValidationError(errors)


ALREADY_REGISTERED = (
    "Человек с такими ФИО и датой рождения уже зарегистрирован в банке. "
    "Если это ваш ученик, обратитесь к региональному координатору: он поможет."
)


def duplicate_message(duplicate: Participant, viewer) -> str:
    """What to tell a user who enters a person already in the bank: the existing record when the user
    may see it, else only that such a person is registered — never whose pupil, where or which record."""
    from participants.access import scope

    if viewer is None or not scope(viewer, Participant.objects.filter(pk=duplicate.pk)).exists():
        return ALREADY_REGISTERED
    place = duplicate.organisation.name if duplicate.organisation else "организация не указана"
    if duplicate.organisation:
        place += f", {duplicate.organisation.municipality}"
    return (
        f"Этот человек уже есть в банке: {duplicate.full_name}, {short_date(duplicate.birth_date)} г. р. "
        f"({place}; запись № {duplicate.pk}). Откройте существующую запись вместо создания новой."
    )


class Category(models.TextChoices):
    SCHOOL = "school", "резидент-школьник"
    STUDENT = "student", "резидент-студент"
    POTENTIAL = "potential", "потенциальный резидент"
    PARTNER = "partner", "партнёр"
    PARTICIPANT = "participant", "участник"


RESIDENT_CATEGORIES = (Category.SCHOOL, Category.STUDENT)


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day: date):
        """Memberships in force at the end of the given day (a leaving date is the first day out)."""
        return self.filter(included_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))

    def overlapping(self, start: date, end: date):
        """Memberships in force at any moment between start and end, both inclusive."""
        return self.filter(included_on__lte=end).filter(Q(left_on__isnull=True) | Q(left_on__gt=start))

    def residents(self):
        return self.filter(category__in=RESIDENT_CATEGORIES)


class Membership(models.Model):
    """A person's membership of a programme; a change of category closes one and opens another."""

    participant = models.ForeignKey(Participant, models.CASCADE, related_name="memberships", verbose_name="участник")
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="memberships", verbose_name="программа")
    category = models.CharField("категория", max_length=20, choices=Category.choices)
    included_on = models.DateField("дата включения")
    basis = models.CharField(
        "основание включения",
        max_length=400,
        blank=True,
        help_text="Например: победитель аккредитованного мероприятия.",
    )
    left_on = models.DateField(
        "дата выбытия", null=True, blank=True, help_text="Первый день, когда человек уже не в категории."
    )
    leaving_reason = models.CharField("причина выбытия", max_length=400, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "членство в программе"
        verbose_name_plural = "членство в программах"
        ordering = ["programme", "participant", "included_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "programme"],
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_programme",
                violation_error_message="У человека уже есть действующее членство в этой программе: сначала закройте его.",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("included_on")),
                name="membership_left_after_included",
                violation_error_message="Дата выбытия не может быть раньше даты включения.",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "category", "included_on"], name="membership_prog_cat_inc_idx"),
            models.Index(fields=["programme", "left_on"], name="membership_prog_left_idx"),
        ]

    def __str__(self):
        return f"{self.participant.full_name}: {self.get_category_display()} ({self.programme})"

    def clean(self):
        errors = {}
        if self.included_on and self.left_on and self.left_on < self.included_on:
            errors["left_on"] = (
                f"Дата выбытия {short_date(self.left_on)} раньше даты включения {short_date(self.included_on)}."
            )
        if self.left_on and not self.leaving_reason:
            errors["leaving_reason"] = "Укажите причину выбытия."
        if not errors and self.participant_id and self.programme_id and self.included_on:
            others = Membership.objects.filter(
                participant_id=self.participant_id, programme_id=self.programme_id
            ).exclude(pk=self.pk)
            end = self.left_on or date.max
            clash = (
                others.filter(included_on__lt=end)
                .filter(Q(left_on__isnull=True) | Q(left_on__gt=self.included_on))
                .first()
            )
            if clash:
                until = f"по {short_date(clash.left_on)}" if clash.left_on else "без даты выбытия"
                errors["included_on"] = (
                    f"Пересекается с другим членством в этой программе: {clash.get_category_display()} "
                    f"с {short_date(clash.included_on)} {until}. Сначала закройте или исправьте его."
                )
        if errors:
            raise ValidationError(errors)


class ProjectTeam(models.Model):
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="teams", verbose_name="программа")
    period = PeriodYearField()
    name = models.CharField("название", max_length=300)
    mentor_name = models.CharField("наставник (ФИО)", max_length=300, blank=True)
    mentor_position = models.CharField("должность и место работы наставника", max_length=300, blank=True)
    description = models.TextField("о проекте", blank=True)
    members = models.ManyToManyField(Participant, through="TeamMember", related_name="teams", verbose_name="участники")

    class Meta:
        verbose_name = "проектная команда"
        verbose_name_plural = "проектные команды"
        ordering = ["programme", "period", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period", "name"],
                name="team_unique_name",
                violation_error_message="В этой программе и периоде уже есть команда с таким названием.",
            ),
        ]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(ProjectTeam, models.CASCADE, related_name="memberships", verbose_name="команда")
    participant = models.ForeignKey(
        Participant, models.CASCADE, related_name="team_memberships", verbose_name="участник"
    )
    is_leader = models.BooleanField("лидер команды", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "участник команды"
        verbose_name_plural = "участники команды"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "participant"],
                name="team_member_unique",
                violation_error_message="Этот участник уже в команде.",
            ),
        ]

    def __str__(self):
        return f"{self.participant.full_name} — {self.team}"


class Instrument(models.Model):
    name = models.CharField("название", max_length=200, unique=True)
    description = models.TextField("описание", blank=True)

    class Meta:
        verbose_name = "диагностический инструмент"
        verbose_name_plural = "диагностические инструменты"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Competence(models.Model):
    instrument = models.ForeignKey(Instrument, models.CASCADE, related_name="competences", verbose_name="инструмент")
    name = models.CharField("название", max_length=200)
    sort_order = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "компетенция"
        verbose_name_plural = "компетенции"
        ordering = ["instrument", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "name"],
                name="competence_unique_name",
                violation_error_message="У инструмента уже есть компетенция с таким названием.",
            ),
        ]

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    ENTRY = "entry", "входная"
    FINAL = "final", "итоговая"


class Diagnostic(models.Model):
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="diagnostics", verbose_name="участник")
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="diagnostics", verbose_name="программа")
    period = PeriodYearField()
    instrument = models.ForeignKey(Instrument, models.PROTECT, related_name="diagnostics", verbose_name="инструмент")
    stage = models.CharField("этап", max_length=10, choices=Stage.choices)
    taken_on = models.DateField("дата прохождения", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "диагностика"
        verbose_name_plural = "диагностики"
        ordering = ["programme", "period", "participant", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "programme", "period", "instrument", "stage"],
                name="diagnostic_unique_stage",
                violation_error_message="У участника уже есть диагностика этого этапа в этом периоде.",
            ),
        ]
        indexes = [models.Index(fields=["programme", "period", "stage"], name="diagnostic_prog_period_idx")]

    def __str__(self):
        return f"{self.instrument}, {self.get_stage_display()} — {self.participant.full_name}"

    def clean(self):
        if self.taken_on and self.taken_on > timezone.localdate():
            raise ValidationError({"taken_on": f"Дата диагностики {short_date(self.taken_on)} ещё не наступила."})


class DiagnosticScore(models.Model):
    diagnostic = models.ForeignKey(Diagnostic, models.CASCADE, related_name="scores", verbose_name="диагностика")
    competence = models.ForeignKey(Competence, models.PROTECT, related_name="scores", verbose_name="компетенция")
    score = models.DecimalField(
        "балл",
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(0, "Балл должен быть от 0 до 100."),
            MaxValueValidator(100, "Балл должен быть от 0 до 100."),
        ],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "балл по компетенции"
        verbose_name_plural = "баллы по компетенциям"
        ordering = ["diagnostic", "competence"]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "competence"],
                name="score_unique_competence",
                violation_error_message="Балл по этой компетенции уже указан.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="score_range",
                violation_error_message="Балл должен быть от 0 до 100.",
            ),
        ]

    def __str__(self):
        return f"{self.competence}: {self.score}"

    def clean(self):
        if self.diagnostic_id and self.competence_id and self.competence.instrument_id != self.diagnostic.instrument_id:
            raise ValidationError(
                {
                    "competence": f"Компетенция «{self.competence}» не относится к инструменту «{self.diagnostic.instrument}»."
                }
            )


class AchievementLevel(models.TextChoices):
    INTERNATIONAL = "international", "международный"
    ALL_RUSSIAN = "all_russian", "всероссийский"
    INTERREGIONAL = "interregional", "межрегиональный"
    REGIONAL = "regional", "региональный"
    MUNICIPAL = "municipal", "муниципальный"


class AchievementResult(models.TextChoices):
    WINNER = "winner", "победитель"
    PRIZE_WINNER = "prize_winner", "призёр"
    LAUREATE = "laureate", "лауреат"
    DIPLOMA = "diploma", "дипломант"
    FINALIST = "finalist", "финалист"


class Achievement(models.Model):
    """A personal result outside the programme (olympiad, conference, contest)."""

    participant = models.ForeignKey(Participant, models.CASCADE, related_name="achievements", verbose_name="участник")
    event_name = models.CharField("мероприятие", max_length=400)
    level = models.CharField("уровень", max_length=20, choices=AchievementLevel.choices)
    result = models.CharField("результат", max_length=20, choices=AchievementResult.choices)
    place = models.PositiveSmallIntegerField(
        "место", null=True, blank=True, validators=[MinValueValidator(1, "Место — положительное число.")]
    )
    achieved_on = models.DateField("дата")
    location = models.CharField("место проведения", max_length=200, blank=True)
    description = models.TextField("подробности", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "достижение"
        verbose_name_plural = "достижения"
        ordering = ["-achieved_on"]
        indexes = [models.Index(fields=["achieved_on"], name="achievement_date_idx")]

    def __str__(self):
        return f"{self.get_result_display()}: {self.event_name}"

    def clean(self):
        if self.achieved_on and self.achieved_on > timezone.localdate():
            raise ValidationError({"achieved_on": f"Дата {short_date(self.achieved_on)} ещё не наступила."})
