"""Merging two records of one person, and undoing a merge exactly.

`plan_merge(keep, removed)` is what the side-by-side page shows: both records' fields in groups, the
value each differing group keeps by default, and every related row of both people — which move to
the kept record and which of the removed person's rows clash with the kept person's own (the same
edition, team, diagnostic stage, or a membership overlapping in the same programme) and are set
aside. `merge_participants(keep, removed, choices=…)` does it in one transaction and writes a
MergeRecord holding both people's field values and exactly which rows were whose (the set-aside
ones in full). `undo_merge(record)` splits them back from that record: the removed person under
the same number with the same values, exactly their rows back to them, the kept person's fields as
they were — or refuses, saying what stands in the way, and changes nothing.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import SET_NULL
from django.utils import timezone

from events.models import Opportunity, Participation
from participants import bulk
from participants.formats import short_date
from participants.models import (
    Achievement,
    Diagnostic,
    DiagnosticScore,
    Membership,
    MergeRecord,
    Participant,
    TeamMember,
)

# Fields chosen together: a name is one choice (its parts make the identity key), class and course
# exclude each other, and consent goes with its date and who gave it.
FIELD_GROUPS = {
    "name": ("ФИО", ("last_name", "first_name", "patronymic")),
    "sex": ("пол", ("sex",)),
    "organisation": ("образовательная организация", ("organisation",)),
    "study": ("класс или курс", ("grade", "course")),
    "phone": ("телефон", ("phone",)),
    "email": ("электронная почта", ("email",)),
    "consent": ("согласие на обработку ПДн", ("consent", "consent_date", "consent_given_by", "consent_given_by_name")),
}
KEPT, REMOVED = "kept", "removed"


def _membership_text(row: Membership) -> str:
    until = f" по {short_date(row.left_on)}" if row.left_on else ""
    return f"{row.programme}: {row.get_category_display()} с {short_date(row.included_on)}{until}"


def _participation_text(row: Participation) -> str:
    result = f", {row.result}" if row.result else ""
    return f"{row.edition}: {row.get_role_display()}{result}"


def _diagnostic_text(row: Diagnostic) -> str:
    return f"{row.instrument}, {row.get_stage_display()} этап, {row.programme}, {row.period}"


def _achievement_text(row: Achievement) -> str:
    return f"{row} ({row.get_level_display()}, {short_date(row.achieved_on)})"


def _opportunity_text(row: Opportunity) -> str:
    return f"{row}, с {short_date(row.starts_on)} ({row.programme})"


def _team_text(row: TeamMember) -> str:
    leader = ", лидер" if row.is_leader else ""
    return f"«{row.team}» ({row.team.programme}, {row.team.period}){leader}"


@dataclass(frozen=True)
class RelatedKind:
    key: str
    label: str  # «участие в мероприятиях»
    model: type
    related: tuple[str, ...]  # select_related for the page's descriptions
    same: tuple[str, ...]  # rows of both people with these values equal are one thing twice
    describe: object  # row -> Russian text

    def clashes(self, row, other) -> bool:
        if self.model is Membership:
            return row.programme_id == other.programme_id and memberships_overlap(row, other)
        return bool(self.same) and all(getattr(row, name) == getattr(other, name) for name in self.same)


RELATED_KINDS = [
    RelatedKind("memberships", "членство в программах", Membership, ("programme",), (), _membership_text),
    RelatedKind(
        "participations", "участие в мероприятиях", Participation, ("edition__series",), ("edition_id",),
        _participation_text,
    ),
    RelatedKind(
        "diagnostics", "диагностики", Diagnostic, ("programme", "instrument"),
        ("programme_id", "period", "instrument_id", "stage"), _diagnostic_text,
    ),
    RelatedKind("achievements", "достижения", Achievement, (), (), _achievement_text),
    RelatedKind("opportunities", "возможности", Opportunity, ("programme",), (), _opportunity_text),
    RelatedKind("team_memberships", "участие в командах", TeamMember, ("team__programme",), ("team_id",), _team_text),
]  # fmt: skip
RELATED_LABELS = {kind.key: kind.label for kind in RELATED_KINDS}


def memberships_overlap(a: Membership, b: Membership) -> bool:
    """The rule of Membership.clean(): a leaving date is the first day out, no leaving date is open."""
    return a.included_on < (b.left_on or date.max) and b.included_on < (a.left_on or date.max)


# The plan: what the page shows and the merge does ------------------------------------------------


@dataclass
class FieldChoice:
    key: str  # of FIELD_GROUPS
    label: str
    kept_text: str
    removed_text: str
    differs: bool
    default: str  # KEPT or REMOVED


@dataclass
class RelatedRows:
    kind: RelatedKind
    kept: list  # the kept person's rows: they stay
    moving: list  # the removed person's rows that move to the kept one
    clashing: list  # (removed person's row, the kept row it repeats): set aside, back on undo

    @property
    def total(self) -> int:
        return len(self.kept) + len(self.moving) + len(self.clashing)


@dataclass
class MergePlan:
    keep: Participant
    removed: Participant
    fields: list[FieldChoice]
    related: list[RelatedRows]

    @property
    def differing(self) -> list[FieldChoice]:
        return [choice for choice in self.fields if choice.differs]

    @property
    def moving_count(self) -> int:
        return sum(len(rows.moving) for rows in self.related)

    @property
    def clashing_count(self) -> int:
        return sum(len(rows.clashing) for rows in self.related)

    @property
    def fingerprint(self) -> str:
        """Changes whenever either person's fields or rows change: a page confirmed after someone else
        changed them is refused rather than merging what the coordinator did not see."""
        state = [_values(self.keep), _values(self.removed)]
        for rows in self.related:
            for group in (rows.kept, rows.moving, [row for row, _ in rows.clashing]):
                state.append(sorted(json.dumps(_values(row), sort_keys=True, default=str) for row in group))
        return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _values(instance) -> dict:
    return {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname != "updated_at"
    }


def _group_values(person: Participant, key: str) -> tuple:
    return tuple(getattr(person, f if f != "organisation" else "organisation_id") for f in FIELD_GROUPS[key][1])


def _group_text(person: Participant, key: str) -> str:
    if key == "name":
        return person.full_name
    if key == "sex":
        return person.get_sex_display()
    if key == "organisation":
        return str(person.organisation) if person.organisation_id else "—"
    if key == "study":
        if person.grade is not None:
            return f"{person.grade} класс"
        return f"{person.course} курс" if person.course is not None else "—"
    if key == "consent":
        if not person.consent:
            return "нет"
        giver = person.get_consent_given_by_display() if person.consent_given_by else ""
        if person.consent_given_by_name:
            giver = f"{giver}: {person.consent_given_by_name}" if giver else person.consent_given_by_name
        return ", ".join(part for part in (f"да, {short_date(person.consent_date)}", giver) if part)
    return getattr(person, FIELD_GROUPS[key][1][0]) or "—"


def _blank(values: tuple) -> bool:
    return all(value in (None, "", False) for value in values)


def _load_rows(kind: RelatedKind, person_pks: list[int], lock: bool):
    rows = kind.model.objects.filter(participant_id__in=person_pks).order_by("pk")
    if kind.related:  # (select_related() with no names would follow every foreign key)
        rows = rows.select_related(*kind.related)
    if lock:
        rows = rows.select_for_update(of=("self",))
    rows = list(rows)
    for row in rows:
        row.description = kind.describe(row)  # for the page
    return rows


def plan_merge(keep: Participant, removed: Participant, *, lock: bool = False) -> MergePlan:
    """Both records side by side: field groups (which differ, which value is kept by default: the
    kept record's, unless it is blank and the removed one's is not) and every related row of both."""
    fields = []
    for key, (label, _) in FIELD_GROUPS.items():
        kept_values, removed_values = _group_values(keep, key), _group_values(removed, key)
        differs = kept_values != removed_values
        default = REMOVED if differs and _blank(kept_values) and not _blank(removed_values) else KEPT
        fields.append(FieldChoice(key, label, _group_text(keep, key), _group_text(removed, key), differs, default))
    related = []
    for kind in RELATED_KINDS:
        rows = _load_rows(kind, [keep.pk, removed.pk], lock)
        kept = [row for row in rows if row.participant_id == keep.pk]
        moving, clashing = [], []
        for row in rows:
            if row.participant_id != removed.pk:
                continue
            repeated = next((other for other in kept if kind.clashes(row, other)), None)
            if repeated is None:
                moving.append(row)
            else:
                clashing.append((row, repeated))
        related.append(RelatedRows(kind, kept, moving, clashing))
    return MergePlan(keep, removed, fields, related)


# Merging -----------------------------------------------------------------------------------------


@dataclass
class MergeSummary:
    kept: Participant  # the kept record as the merge saved it
    record: MergeRecord
    moved: dict[str, int] = field(default_factory=dict)  # keys of RELATED_LABELS
    set_aside: dict[str, int] = field(default_factory=dict)  # removed person's rows the kept one already had
    taken: list[str] = field(default_factory=list)  # FIELD_GROUPS keys whose value came from the removed record


def _json_value(value):
    # Times to the microsecond (Django's JSON encoder keeps milliseconds): undo restores them exactly.
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _dump(objs) -> list[dict]:
    return json.loads(json.dumps(serializers.serialize("python", objs), default=_json_value))


def _undump(data: list[dict]) -> list:
    return [item.object for item in serializers.deserialize("python", data)]


def _with_history(instance, reason: str, user):
    instance._change_reason = reason
    if user is not None:
        instance._history_user = user
    return instance


def _forget_history_marks(*instances):
    for instance in instances:
        instance.__dict__.pop("_change_reason", None)
        instance.__dict__.pop("_history_user", None)


def _move(model, pks: list[int], to_pk: int, reason: str, user):
    """Give the rows to another person, with a history record of each (one statement each)."""
    if pks:
        model.objects.filter(pk__in=pks).update(participant_id=to_pk)
        bulk.write_history(model, pks, "~", user, reason)


def _lock_pair(keep_pk, removed_pk) -> tuple[Participant, Participant]:
    rows = Participant.objects.select_for_update().filter(pk__in=[keep_pk, removed_pk]).order_by("pk")
    locked = {person.pk: person for person in rows}
    for pk in (keep_pk, removed_pk):
        if pk not in locked:
            raise ValidationError(f"Записи № {pk} уже нет в банке: возможно, её объединили или удалили.")
    return locked[keep_pk], locked[removed_pk]


def check_pair(keep: Participant, removed: Participant) -> None:
    """Refusals before anything is shown or done (ValidationError in Russian)."""
    if keep.pk is None or removed.pk is None:
        raise ValidationError("Объединять можно только сохранённые записи.")
    if keep.pk == removed.pk:
        raise ValidationError("Нельзя объединить запись саму с собой: выберите две разные записи.")
    if keep.birth_date != removed.birth_date:
        raise ValidationError(
            f"Нельзя объединить записи с разными датами рождения ({short_date(keep.birth_date)} "
            f"в записи № {keep.pk} и {short_date(removed.birth_date)} в записи № {removed.pk}). "
            "Если это один человек, сначала исправьте дату рождения в ошибочной записи."
        )


def merge_participants(
    keep: Participant,
    removed: Participant,
    *,
    user=None,
    choices: dict[str, str] | None = None,
    reason: str = "",
    fingerprint: str | None = None,
) -> MergeSummary:
    """Fold `removed` into `keep` and delete it; all or nothing, in one transaction, with a MergeRecord.

    `choices` says per differing FIELD_GROUPS key whose value the kept record gets (KEPT or REMOVED);
    a group not named gets plan_merge's default. Every row of the removed person moves to the kept
    one, except those the kept person already has (plan_merge's `clashing`): they are deleted and kept
    in full in the record. Histories carry «Объединение с записью № <id>» and `user`. With `fingerprint`
    (MergePlan.fingerprint of the page the coordinator confirmed), a pair changed since is refused.

    Both rows are locked (in the order of their numbers) before anything is read, so two merges of one
    pair at the same time cannot both succeed: the second finds its record gone. Raises
    ValidationError (in Russian) for a record merged with itself, different birth dates, a record no
    longer there, or a pair changed since the page was opened.
    """
    check_pair(keep, removed)
    choices = choices or {}
    unknown = sorted(set(choices) - set(FIELD_GROUPS)) + sorted(
        key for key, side in choices.items() if side not in (KEPT, REMOVED)
    )
    if unknown:
        raise ValidationError("Неизвестный выбор значений: " + ", ".join(unknown) + ". Откройте страницу заново.")
    with transaction.atomic():
        keep, removed = _lock_pair(keep.pk, removed.pk)
        check_pair(keep, removed)
        plan = plan_merge(keep, removed, lock=True)
        if fingerprint is not None and fingerprint != plan.fingerprint:
            raise ValidationError(
                "Записи изменились после того, как вы открыли страницу сравнения: проверьте их ещё раз и подтвердите."
            )
        kept_before, removed_before = _dump([keep]), _dump([removed])
        taken = [c.key for c in plan.differing if choices.get(c.key, c.default) == REMOVED]
        for key in taken:
            for name in FIELD_GROUPS[key][1]:
                attname = "organisation_id" if name == "organisation" else name
                setattr(keep, attname, getattr(removed, attname))
        if "organisation" in taken:
            keep.organisation = removed.organisation
        # A name is chosen whole: the kept record then has the removed one's key, free once it is gone.
        history_reason = f"Объединение с записью № {removed.pk}"
        related, moved, set_aside = {}, {}, {}
        for rows in plan.related:
            clashing = [row for row, _ in rows.clashing]
            related[rows.kind.key] = {
                "kept": [row.pk for row in rows.kept],
                "moved": [row.pk for row in rows.moving],
                "set_aside": _dump(clashing),
                "repeats": {str(row.pk): other.pk for row, other in rows.clashing},
            }
            if rows.kind.model is Diagnostic:
                related[rows.kind.key]["scores"] = _dump(
                    DiagnosticScore.objects.filter(diagnostic__in=clashing).order_by("pk")
                )
            for row in clashing:  # scores go with their diagnostic (cascade), kept in the record above
                _with_history(row, history_reason, user).delete()
            _move(rows.kind.model, [row.pk for row in rows.moving], keep.pk, history_reason, user)
            moved[rows.kind.key], set_aside[rows.kind.key] = len(rows.moving), len(clashing)

        # The removed record goes first: a name taken from it gives the kept record its name key.
        removed_pk = removed.pk
        _with_history(removed, f"Объединение с записью № {keep.pk}", user).delete()
        _with_history(keep, history_reason, user).save()
        record = MergeRecord.objects.create(
            kept=keep,
            kept_pk=keep.pk,
            removed_pk=removed_pk,
            kept_name=str(keep),
            removed_name=str(removed),
            merged_by=user,
            reason=reason.strip(),
            kept_before=kept_before,
            removed_before=removed_before,
            kept_after=_dump([Participant.objects.get(pk=keep.pk)]),
            choices={key: REMOVED for key in taken},
            related=related,
        )
    _forget_history_marks(keep, removed)
    return MergeSummary(kept=keep, record=record, moved=moved, set_aside=set_aside, taken=taken)


# Undoing -----------------------------------------------------------------------------------------


@dataclass
class UndoSummary:
    kept: Participant
    restored: Participant
    moved_back: dict[str, int] = field(default_factory=dict)
    recreated: dict[str, int] = field(default_factory=dict)


class NotVisible(Exception):
    """The user may not see both people once split: the undo is not theirs (the view answers 404)."""


def _person(data: list[dict]) -> Participant:
    return _undump(data)[0]


def _merge_changed_fields(record: MergeRecord) -> list[str]:
    """Fields of the kept person the merge changed (from the record, not from the current row)."""
    before, after = record.kept_before[0]["fields"], record.kept_after[0]["fields"]
    return [name for name in before if name not in ("updated_at", "name_key") and before[name] != after[name]]


def _field_label(name: str) -> str:
    return Participant._meta.get_field(name).verbose_name


def _numbers(pks) -> str:
    return ", ".join(f"№ {pk}" for pk in sorted(pks))


def _missing_references(instance) -> list[str]:
    """Names of the fields whose referenced rows are no longer there. A reference its deletion would
    have emptied (SET_NULL: who entered a person, an opportunity's partner) is emptied, as it would
    have been, and does not count."""
    missing = []
    for f in instance._meta.concrete_fields:
        if not f.many_to_one or f.name == "participant":
            continue
        value = getattr(instance, f.attname)
        if value is None or f.related_model._default_manager.filter(pk=value).exists():
            continue
        if f.remote_field.on_delete is SET_NULL:
            setattr(instance, f.attname, None)
        else:
            missing.append(f.name)
    return missing


def _labels(instance, names: list[str]) -> str:
    return ", ".join(str(instance._meta.get_field(name).verbose_name) for name in names)


def undo_blockers(record: MergeRecord, *, lock: bool = False) -> list[str]:
    """What keeps the merge from being undone exactly, in Russian; empty when it can be."""
    if record.is_undone:
        who = f" ({record.undone_by})" if record.undone_by else ""
        return [f"Это объединение уже отменено {timezone.localtime(record.undone_at):%d.%m.%Y %H:%M}{who}."]
    blockers = []
    people = Participant.objects.filter(pk__in=[record.kept_pk, record.removed_pk]).order_by("pk")
    present = {p.pk: p for p in (people.select_for_update() if lock else people)}
    kept = present.get(record.kept_pk)
    if kept is None:
        return [f"Оставленная запись № {record.kept_pk} удалена после объединения: разделять нечего."]
    if record.removed_pk in present:
        blockers.append(
            f"Запись № {record.removed_pk} снова есть в банке (её восстановили после объединения): "
            "второй раз её не создать."
        )
    removed, kept_before, kept_after = (
        _person(record.removed_before),
        _person(record.kept_before),
        _person(record.kept_after),
    )
    edited = [name for name in _merge_changed_fields(record) if getattr(kept, name) != getattr(kept_after, name)]
    if edited:
        labels = ", ".join(f"«{_field_label(name)}»" for name in edited)
        blockers.append(
            f"После объединения в записи № {kept.pk} изменены поля, которые объединение заполнило: {labels}. "
            "Верните им значения, оставленные объединением, или исправьте запись вручную."
        )
    for person, whose in ((removed, f"записи № {removed.pk}"), (kept_before, f"записи № {kept.pk} до объединения")):
        person.tidy_names()
        twin = (
            Participant.objects.filter(name_key=person.name_key, birth_date=person.birth_date)
            .exclude(pk__in=[record.kept_pk, record.removed_pk])
            .first()
        )
        if twin is not None:
            blockers.append(f"ФИО и дата рождения {whose} теперь у записи № {twin.pk}: две такие записи быть не могут.")
    for whose, person, names in (
        (f"записи № {removed.pk}", removed, _missing_references(removed)),
        (
            f"записи № {kept.pk}",
            kept_before,
            set(_missing_references(kept_before)) & set(_merge_changed_fields(record)),
        ),
    ):
        if names:
            blockers.append(
                f"У {whose} не вернуть прежнее значение поля «{_labels(person, sorted(names))}»: оно удалено из банка."
            )
    for kind in RELATED_KINDS:
        data = record.related.get(kind.key, {})
        moved = data.get("moved", [])
        rows = kind.model.objects.filter(pk__in=moved)
        found = {row.pk: row for row in (rows.select_for_update() if lock else rows)}
        gone = [pk for pk in moved if pk not in found]
        elsewhere = [pk for pk, row in found.items() if row.participant_id != kept.pk]
        if gone:
            blockers.append(f"{kind.label.capitalize()}: записи {_numbers(gone)} удалены после объединения.")
        if elsewhere:
            blockers.append(
                f"{kind.label.capitalize()}: записи {_numbers(elsewhere)} после объединения переданы другому участнику."
            )
        set_aside = _undump(data.get("set_aside", [])) + _undump(data.get("scores", []))
        for row in set_aside:
            if type(row)._default_manager.filter(pk=row.pk).exists():
                blockers.append(f"{kind.label.capitalize()}: номер записи № {row.pk} занят, её не вернуть.")
            missing = [name for name in _missing_references(row) if name != "diagnostic"]  # comes back too
            if missing:
                blockers.append(
                    f"{kind.label.capitalize()}: запись № {row.pk} не вернуть — удалено «{_labels(row, missing)}»."
                )
    return blockers


# PostgreSQL constraints an undo may still meet (rows edited since the merge), by name.
_CONSTRAINT_MESSAGES = {
    constraint.name: constraint.violation_error_message
    for kind in RELATED_KINDS
    for constraint in kind.model._meta.constraints
} | {"membership_no_overlap": "членство пересекается по датам с другим членством в той же программе"}


def _constraint_message(error: IntegrityError) -> str:
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    text = _CONSTRAINT_MESSAGES.get(name) or "записи противоречат друг другу"
    return str(text).rstrip(".")


def undo_merge(record_pk: int, *, user=None, reason: str, people=None) -> UndoSummary:
    """Split a merge back exactly, or change nothing.

    The removed person comes back under the same number with the values they had; the rows that were
    theirs (moved and set aside) are theirs again, the kept person's own rows and anything given to
    them since stay; the fields the merge changed in the kept record get their earlier values. The
    record says who undid it, when and why (`reason` is required). `people`: the persons the user may
    see; when either of the two is not among them after the split, NotVisible is raised and nothing
    is kept. Raises ValidationError (in Russian) listing what blocks an exact undo (undo_blockers).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Укажите причину отмены объединения.")
    with transaction.atomic():
        record = MergeRecord.objects.select_for_update().filter(pk=record_pk).first()
        if record is None:
            raise ValidationError(f"Объединения № {record_pk} нет в журнале.")
        blockers = undo_blockers(record, lock=True)
        if blockers:
            raise ValidationError(["Отменить объединение нельзя.", *blockers])
        history_reason = f"Отмена объединения с записью № {record.removed_pk}"
        kept = Participant.objects.get(pk=record.kept_pk)
        kept_before = _person(record.kept_before)
        for name in _merge_changed_fields(record):
            attname = Participant._meta.get_field(name).attname
            setattr(kept, attname, getattr(kept_before, attname))
        try:
            with transaction.atomic():
                _with_history(kept, history_reason, user).save()
                removed, as_it_was = _person(record.removed_before), _person(record.removed_before)
                _missing_references(removed)  # empties references deleted since (blockers checked the rest)
                _with_history(removed, f"Отмена объединения с записью № {kept.pk}", user).save(force_insert=True)
                # save() dates the row now: it keeps the dates it had
                Participant.objects.filter(pk=removed.pk).update(
                    created_at=as_it_was.created_at, updated_at=as_it_was.updated_at
                )
                summary = UndoSummary(kept=kept, restored=removed)
                for kind in RELATED_KINDS:
                    data = record.related.get(kind.key, {})
                    _move(kind.model, data.get("moved", []), removed.pk, history_reason, user)
                    recreated = _undump(data.get("set_aside", [])) + _undump(data.get("scores", []))
                    for row in recreated:
                        _missing_references(row)
                        _with_history(row, history_reason, user).save(force_insert=True)
                    _forget_history_marks(*recreated)
                    summary.moved_back[kind.key] = len(data.get("moved", []))
                    summary.recreated[kind.key] = len(data.get("set_aside", []))
        except IntegrityError as error:
            raise ValidationError(
                [
                    "Отменить объединение нельзя.",
                    "После объединения записи изменены так, что вернуть их прежнему владельцу не получается: "
                    f"{_constraint_message(error)}. Исправьте перенесённые записи и попробуйте снова.",
                ]
            ) from error
        if people is not None and people.filter(pk__in=[kept.pk, removed.pk]).count() != 2:
            raise NotVisible
        record.undone_at = timezone.now()
        record.undone_by = user
        record.undo_reason = reason
        record.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    _forget_history_marks(kept, removed)
    summary.restored = Participant.objects.get(pk=removed.pk)
    return summary


# The merge record's page ---------------------------------------------------------------------------


@dataclass
class RecordedField:
    label: str
    kept_text: str  # the kept record's value before the merge
    removed_text: str
    taken: bool  # the kept record got the removed one's value


@dataclass
class RecordedRows:
    label: str
    kept: list[int]
    moved: list[int]
    set_aside: list[tuple[int, int]]  # (removed person's row, the kept row it repeated)


def _text_or_gone(person: Participant, key: str) -> str:
    try:
        return _group_text(person, key)
    except Participant.organisation.RelatedObjectDoesNotExist:
        return f"организация № {person.organisation_id} (удалена)"


def recorded_fields(record: MergeRecord) -> list[RecordedField]:
    """Both records' field groups as they were before the merge, and which value the kept one got."""
    kept, removed = _person(record.kept_before), _person(record.removed_before)
    return [
        RecordedField(label, _text_or_gone(kept, key), _text_or_gone(removed, key), record.choices.get(key) == REMOVED)
        for key, (label, _) in FIELD_GROUPS.items()
        if _group_values(kept, key) != _group_values(removed, key)
    ]


def recorded_rows(record: MergeRecord) -> list[RecordedRows]:
    """Which related rows were whose, by kind, as the record keeps them."""
    found = []
    for kind in RELATED_KINDS:
        data = record.related.get(kind.key, {})
        set_aside = [(int(pk), kept) for pk, kept in data.get("repeats", {}).items()]
        if data.get("kept") or data.get("moved") or set_aside:
            found.append(RecordedRows(kind.label, data.get("kept", []), data.get("moved", []), sorted(set_aside)))
    return found
