"""The справка as a document: its narrative per programme and period, and its approved versions.

The figures are computed (reports.services); what people write and sign lives here:
- `PeriodReport` — one programme's справка for one period: the narrative blocks the coordinator
  writes (an introduction, a commentary after each section, the closing parts), kept with history;
- `ReportVersion` — an approved справка frozen as version N: the figures and narrative as they were,
  the PDF and the workbook as rendered then, who approved it and when, a digest of the content, and
  the differences from version N−1. Officials read these; a later correction of a record changes
  the current справка, never an approved version.

The files are kept in the database next to their version (BinaryField): approving is one
transaction, so there is never a version without its files or a file without its version, and a
backup of the database is a backup of every signed справка.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from participants.models import Programme
from participants.models.fields import PeriodYearField


def person_name(user) -> str:
    """How a справка names the person who approved it: full name, else the login, else «—»."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


class PeriodReport(models.Model):
    programme = models.ForeignKey(Programme, models.CASCADE, related_name="period_reports", verbose_name="программа")
    period = PeriodYearField()
    narrative = models.JSONField(
        "текст справки",
        default=dict,
        blank=True,
        help_text="Введение, комментарии к разделам и заключительные части: {часть: текст}.",
    )
    # The document's frame for this period, when it differs from the programme's.
    issuer = models.CharField(
        "кто выпускает справку", max_length=300, blank=True, help_text="Если пусто — как у программы."
    )
    signer_position = models.CharField(
        "должность подписывающего", max_length=300, blank=True, help_text="Если пусто — как у программы."
    )
    signer_name = models.CharField(
        "подписывающий", max_length=150, blank=True, help_text="Если пусто — как у программы."
    )
    executor = models.CharField(
        "исполнитель и контакты", max_length=300, blank=True, help_text="Если пусто — как у программы."
    )
    updated_at = models.DateTimeField("изменена", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "текст справки"
        verbose_name_plural = "тексты справок"
        ordering = ["programme", "-period"]
        permissions = [("approve_report", "Может утверждать справки")]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period"],
                name="period_report_unique",
                violation_error_message="Текст справки программы за этот период уже есть.",
            ),
        ]

    def __str__(self):
        return f"{self.programme}, {self.programme.period(self.period).label}"

    def block(self, part: str) -> str:
        value = (self.narrative or {}).get(part, "")
        return value if isinstance(value, str) else ""


class ReportVersion(models.Model):
    report = models.ForeignKey(PeriodReport, models.PROTECT, related_name="versions", verbose_name="справка")
    number = models.PositiveIntegerField("версия")
    approved_at = models.DateTimeField("утверждена")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="утвердил(а)"
    )
    figures = models.JSONField("показатели")
    narrative = models.JSONField("текст", default=dict)
    digest = models.CharField("контрольная сумма (SHA-256)", max_length=64)
    changes = models.JSONField("отличия от предыдущей версии", default=list, help_text="[раздел, строка, было, стало]")
    html = models.TextField("страница", editable=False, default="")
    pdf = models.BinaryField("PDF", editable=False)
    xlsx = models.BinaryField("Excel", editable=False)

    class Meta:
        verbose_name = "утверждённая версия справки"
        verbose_name_plural = "утверждённые версии справок"
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"],
                name="report_version_unique_number",
                violation_error_message="Версия с таким номером уже есть.",
            ),
        ]

    def __str__(self):
        return f"{self.report}, версия {self.number}"

    @property
    def approver_name(self) -> str:
        return person_name(self.approved_by)
