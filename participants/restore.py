"""Bringing a deleted person back from the audit trail, with everything that was deleted with them.

Every table with a person's data keeps django-simple-history records, deletions included. A person's
deletion removes their memberships, participations, diagnostics (with scores), achievements,
opportunities and team places in the same moment (cascade); `restore_person` re-creates the person
under the same record number and each of those rows as it was when deleted, in one transaction.
A row whose event, team or programme has been deleted since cannot come back and is counted, not
half-restored.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from events.models import Opportunity, Participation
from participants.formats import short_date
from participants.models import Achievement, Diagnostic, DiagnosticScore, Membership, Participant, TeamMember

REASON = "Восстановление удалённой записи"
# The rows deleted with the person carry deletion times within the one delete: a generous window.
_SAME_DELETE = timedelta(minutes=1)

# What comes back with a person, in the order of the page's summary, with their labels.
RESTORED = {
    Membership: "членство в программах",
    Participation: "участие в мероприятиях",
    Diagnostic: "диагностики",
    DiagnosticScore: "баллы диагностик",
    Achievement: "достижения",
    Opportunity: "возможности",
    TeamMember: "участие в командах",
}


@dataclass
class RestoreSummary:
    person: Participant
    restored: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # rows whose event, team… is gone


def deleted_people():
    """The last deletion record of every person who is no longer in the bank, newest first."""
    history = Participant.history.model
    last = history.objects.filter(id=OuterRef("id")).order_by("-history_date", "-history_id")
    return (
        history.objects.filter(history_type="-", history_id=Subquery(last.values("history_id")[:1]))
        .exclude(id__in=Participant.objects.values("pk"))
        .select_related("history_user")
        .order_by("-history_date")
    )


def _deleted_rows(model, deleted_at, **owner):
    """The rows of `model` whose last record is a deletion made with the person's."""
    history = model.history.model
    last = history.objects.filter(id=OuterRef("id")).order_by("-history_date", "-history_id")
    return (
        history.objects.filter(
            history_type="-",
            history_date__range=(deleted_at - _SAME_DELETE, deleted_at + _SAME_DELETE),
            history_id=Subquery(last.values("history_id")[:1]),
            **owner,
        )
        .exclude(id__in=model.objects.values("pk"))
        .order_by("id")
    )


def _references_hold(instance) -> bool:
    """Whether everything the row refers to is still there. (Foreign keys are checked by PostgreSQL
    only at commit, too late to leave one row out.) A missing optional reference is emptied, as its
    deletion would have done; a missing required one keeps the row from coming back."""
    for f in instance._meta.concrete_fields:
        value = getattr(instance, f.attname) if f.many_to_one else None
        if value is None or f.related_model._default_manager.filter(pk=value).exists():
            continue
        if not f.null:
            return False
        setattr(instance, f.attname, None)
    return True


def _bring_back(record, user) -> bool:
    instance = record.instance
    if not _references_hold(instance):
        return False
    instance._change_reason = REASON
    instance._history_user = user
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:  # what it refers to is gone, or it clashes with what is there now
        return False
    return True


def restore_person(person_id: int, *, user=None) -> RestoreSummary:
    """Re-create the deleted person `person_id` and the records deleted with them; all or nothing.

    Raises ValidationError (in Russian) when the person is in the bank or was never deleted, or when
    someone with the same ФИО and birth date has been entered since.
    """
    with transaction.atomic():
        if Participant.objects.filter(pk=person_id).exists():
            raise ValidationError(f"Запись № {person_id} есть в банке: восстанавливать нечего.")
        deletion = deleted_people().filter(id=person_id).first()
        if deletion is None:
            raise ValidationError(f"Запись № {person_id} не удалялась: в истории нет её удаления.")
        person = deletion.instance
        person.tidy_names()  # the name key is not kept in the history
        twin = Participant.objects.filter(name_key=person.name_key, birth_date=person.birth_date).first()
        if twin is not None:
            raise ValidationError(
                f"После удаления в банк внесена запись № {twin.pk} с теми же ФИО и датой рождения "
                f"({person.full_name}, {short_date(person.birth_date)}): объедините их вместо восстановления."
            )
        if not _bring_back(deletion, user):
            raise ValidationError(f"Запись № {person_id} не удалось восстановить: её организация удалена.")
        Participant.objects.filter(pk=person_id).update(created_at=deletion.created_at)  # not "now"
        summary = RestoreSummary(person=Participant.objects.get(pk=person_id))
        diagnostics = []
        for model, label in RESTORED.items():
            if model is DiagnosticScore:
                rows = _deleted_rows(model, deletion.history_date, diagnostic_id__in=diagnostics)
            else:
                rows = _deleted_rows(model, deletion.history_date, participant_id=person_id)
            done = skipped = 0
            for record in rows:
                if _bring_back(record, user):
                    done += 1
                    if model is Diagnostic:
                        diagnostics.append(record.id)
                else:
                    skipped += 1
            summary.restored[label] = done
            if skipped:
                summary.skipped[label] = skipped
    return summary
