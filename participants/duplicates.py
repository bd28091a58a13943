"""Finding people entered twice under slightly different names, and merging the two records.

`probable_duplicates` lists pairs for a coordinator to review; `merge_participants` folds one
record into the other, moving everything attached to it, in one transaction.
"""

from dataclasses import dataclass, field
from datetime import date
from itertools import groupby, permutations

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from events.models import Opportunity, Participation
from participants import bulk
from participants.formats import short_date
from participants.models import Achievement, Diagnostic, Membership, Participant, TeamMember
from participants.names import normalise_name

# What merge_participants moves, in the order of MergeSummary.moved / .dropped, with labels for a page.
RELATED_LABELS = {
    "memberships": "членство в программах",
    "participations": "участие в мероприятиях",
    "diagnostics": "диагностики",
    "achievements": "достижения",
    "opportunities": "возможности",
    "team_memberships": "участие в командах",
}

# A pair scored above the threshold must also agree part by part (see _parts_agree): a whole-name
# score alone ranks «козлов александр иванович» and «морозов александр иванович» at 90.
_LETTERS_PER_EDIT = 5  # a typo per five letters of a part, at least one: «мария» / «марья», not «федорова» / «егорова»
_MAX_TOTAL_EDITS = 3  # over the whole name; a brother and sister usually differ by four or more
_MAX_PERMUTED_PARTS = 6


@dataclass
class DuplicatePair:
    first: Participant  # the lower pk
    second: Participant
    score: float  # name similarity 0..100 (rapidfuzz WRatio of the normalised ФИО)
    reason: str  # in Russian, for the review page


@dataclass
class MergeSummary:
    kept: Participant  # the kept record as the merge saved it
    moved: dict[str, int] = field(default_factory=dict)  # keys of RELATED_LABELS
    dropped: dict[str, int] = field(default_factory=dict)  # the removed person's rows that clashed with the kept one's
    filled_fields: list[str] = field(default_factory=list)  # Participant field names filled from the removed record


def _parts_agree(key_a: str, key_b: str) -> bool:
    """Whether two normalised names are one name with typos: the parts match in any order (a part
    in another place exactly, one in the same place with at most one typo per five letters, at
    least one; a transposition counts once), three typos in all; one name may lack the other's last
    part (the patronymic). A hyphen separates parts too."""
    parts_a, parts_b = key_a.replace("-", " ").split(), key_b.replace("-", " ").split()
    if len(parts_a) > len(parts_b):
        parts_a, parts_b = parts_b, parts_a
    if not parts_a or len(parts_b) - len(parts_a) > 1:
        return False
    # The part one name lacks is the other's last one: the patronymic, not a surname like it.
    parts_b = parts_b[: len(parts_a)]
    if len(parts_b) > _MAX_PERMUTED_PARTS:
        return OSA.distance(" ".join(sorted(parts_a)), " ".join(sorted(parts_b))) <= _MAX_TOTAL_EDITS
    for order in permutations(range(len(parts_b))):
        total = 0
        for place, (a, other) in enumerate(zip(parts_a, order, strict=True)):
            b = parts_b[other]
            if a == b:
                continue
            allowed = max(1, max(len(a), len(b)) // _LETTERS_PER_EDIT)
            # A part moved to another place must be spelt the same: «алексеева … александровна» is
            # not «александрова … алексеевна».
            edits = OSA.distance(a, b, score_cutoff=allowed + 1) if other == place else allowed + 1
            if edits > allowed:
                break
            total += edits
        else:
            if total <= _MAX_TOTAL_EDITS:
                return True
    return False


# Letters counted in bins for the prefilter: а..я one bin each, anything else one more bin.
_CYRILLIC_A = ord("а")
_LETTER_BINS = 33
_COUNTED_WIDTH = 64  # longer names (rare) skip the prefilter and are always compared
_SMALL_DAY = 3  # up to this many people born on one day, compare them directly


def _letter_counts(names: list[str], chunk: int = 10_000):
    """For each name (parts joined by single spaces): how many of each letter it has, the same
    without its last part, and whether it was too long to count."""
    parts = [_letter_counts_of(names[n : n + chunk]) for n in range(0, len(names), chunk)]
    return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))


def _letter_counts_of(names: list[str]):
    count = len(names)
    width = max(1, min(_COUNTED_WIDTH, max(map(len, names))))
    too_long = np.fromiter((len(name) > width for name in names), bool, count)
    codes = np.array([name[:width] for name in names], dtype=f"<U{width}").view(np.uint32).reshape(count, width)
    codes = codes.astype(np.int32)
    letter = (codes != 0) & (codes != ord(" "))
    bins = np.where((codes >= _CYRILLIC_A) & (codes < _CYRILLIC_A + 32), codes - _CYRILLIC_A, 32)
    flat = np.arange(count)[:, None] * _LETTER_BINS + bins
    size = count * _LETTER_BINS
    whole = np.bincount(flat[letter], minlength=size).reshape(count, _LETTER_BINS)
    is_space = codes == ord(" ")
    last_space = np.where(is_space.any(axis=1), width - 1 - np.argmax(is_space[:, ::-1], axis=1), width)
    in_last_part = np.arange(width)[None, :] > last_space[:, None]
    last_part = np.bincount(flat[letter & in_last_part], minlength=size).reshape(count, _LETTER_BINS)
    return whole.astype(np.int16), (whole - last_part).astype(np.int16), too_long


def _letter_close(whole, but_last, too_long):
    """Upper-triangle mask of the pairs that may pass _parts_agree. A typo changes the letter
    counts by at most two (a transposition by none), so names within _MAX_TOTAL_EDITS typos differ
    by at most twice as many counted letters, whole or, when one lacks the other's last part,
    without it. Much cheaper than scoring every pair; the pairs left are scored and checked."""
    limit = 2 * _MAX_TOTAL_EDITS
    close = np.abs(whole[:, None, :] - whole[None, :, :]).sum(axis=2) <= limit
    shortened = np.abs(but_last[:, None, :] - whole[None, :, :]).sum(axis=2) <= limit
    close |= shortened | shortened.T
    close[too_long, :] = True
    close[:, too_long] = True
    return np.triu(close, 1)


def _day_pairs(rows, start: int, end: int, counts, threshold: float):
    """(score, pk_a, pk_b) for the people rows[start:end], born on one day and ordered by pk."""
    size = end - start
    if size <= _SMALL_DAY:
        candidates = [(i, j) for i in range(size) for j in range(i + 1, size)]
    else:
        whole, but_last, too_long = (array[start:end] for array in counts)
        first, second = np.nonzero(_letter_close(whole, but_last, too_long))
        candidates = zip(first.tolist(), second.tolist(), strict=True)
    for i, j in candidates:
        (pk_a, key_a, _), (pk_b, key_b, _) = rows[start + i], rows[start + j]
        score = fuzz.WRatio(key_a, key_b, score_cutoff=threshold)
        if score and (key_a == key_b or _parts_agree(key_a, key_b)):
            yield score, pk_a, pk_b


def _reason(first: Participant, second: Participant, score: float) -> str:
    if first.name_key == second.name_key:
        reason = "совпадают ФИО и дата рождения"
    else:
        reason = f"похожие ФИО ({score:.0f} %), одна дата рождения"
    if first.sex != second.sex:
        reason += ", но указан разный пол"
    return reason


def probable_duplicates(queryset, threshold: float = 85.0, limit: int = 500) -> list[DuplicatePair]:
    """Pairs of people of `queryset` born on the same day whose normalised ФИО are close: the same,
    with typos, with parts swapped, without the patronymic. Best first, at most `limit` pairs.

    A pair is listed when its score (rapidfuzz WRatio of the name keys, 0..100) reaches `threshold`
    and the names also agree part by part (_parts_agree), which keeps out different people who share
    a first name and patronymic. Two queries whatever the size: the (pk, name key, birth date) of
    everyone, then the people of the pairs with their organisation and municipality (none if no
    pair). Names are compared only within one birth date, after a cheap letter-count prefilter, so
    100 000 people take about a second.
    """
    if limit <= 0:
        return []
    rows = list(queryset.order_by("birth_date", "pk").values_list("pk", "name_key", "birth_date"))
    # A queryset filtered across a relation may repeat a person; the repeats are next to each other.
    rows = [row for n, row in enumerate(rows) if n == 0 or row[0] != rows[n - 1][0]]
    found = []
    if len(rows) > 1:
        counts = _letter_counts([" ".join(key.replace("-", " ").split()) for _, key, _ in rows])
        start = 0
        for _, day in groupby(rows, key=lambda row: row[2]):
            end = start + sum(1 for _ in day)
            if end - start > 1:
                found.extend(_day_pairs(rows, start, end, counts, threshold))
            start = end
    found.sort(key=lambda item: (-item[0], item[1], item[2]))
    found = found[:limit]
    people = (
        queryset.model._default_manager.select_related("organisation__municipality")
        .order_by()
        .in_bulk({pk for _, a, b in found for pk in (a, b)})
    )
    pairs = []
    for score, pk_a, pk_b in found:
        first, second = people[pk_a], people[pk_b]
        pairs.append(DuplicatePair(first, second, score, _reason(first, second, score)))
    return pairs


def _overlap(a: Membership, b: Membership) -> bool:
    """The rule of Membership.clean(): a leaving date is the first day out, no leaving date is open."""
    return a.included_on < (b.left_on or date.max) and b.included_on < (a.left_on or date.max)


def _deleted(queryset) -> int:
    """Delete and count the rows of the queryset's own model (not what cascades from them)."""
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


def _move(queryset, keep: Participant, reason: str, user) -> int:
    """Give the rows of `queryset` to `keep`, with a history record of each (one statement each)."""
    pks = list(queryset.values_list("pk", flat=True))
    queryset.model.objects.filter(pk__in=pks).update(participant=keep)
    bulk.write_history(queryset.model, pks, "~", user, reason)
    return len(pks)


def _with_history(instance, reason: str, user):
    instance._change_reason = reason
    if user is not None:
        instance._history_user = user
    return instance


def _fill_blank_fields(keep: Participant, duplicate: Participant) -> list[str]:
    filled = []
    for name in ("patronymic", "phone", "email"):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
            filled.append(name)
    if "patronymic" in filled:
        # Not if the completed name is that of a third record: leave that pair for another merge.
        key = normalise_name(keep.last_name, keep.first_name, keep.patronymic)
        taken = Participant.objects.filter(name_key=key, birth_date=keep.birth_date).exclude(
            pk__in=[keep.pk, duplicate.pk]
        )
        if taken.exists():
            keep.patronymic = ""
            filled.remove("patronymic")
    if keep.organisation_id is None and duplicate.organisation_id is not None:
        keep.organisation_id = duplicate.organisation_id
        filled.append("organisation")
    if keep.grade is None and keep.course is None:
        for name in ("grade", "course"):
            if getattr(duplicate, name) is not None:
                setattr(keep, name, getattr(duplicate, name))
                filled.append(name)
    if not keep.consent and duplicate.consent:
        for name in ("consent", "consent_date", "consent_given_by", "consent_given_by_name"):
            setattr(keep, name, getattr(duplicate, name))
            if getattr(duplicate, name):
                filled.append(name)
    return filled


def _merge_memberships(keep, duplicate, reason, user) -> tuple[int, int]:
    """Move the duplicate's memberships one by one (simple-history records each); one that overlaps
    a kept membership in the same programme is deleted and the kept one stays as it is."""
    kept = list(Membership.objects.filter(participant=keep))
    clashing, moving = [], []
    for membership in Membership.objects.filter(participant=duplicate).order_by("included_on", "pk"):
        clash = any(k.programme_id == membership.programme_id and _overlap(k, membership) for k in kept)
        (clashing if clash else moving).append(membership)
    for membership in clashing:
        _with_history(membership, reason, user).delete()
    for membership in moving:
        membership.participant = keep
        _with_history(membership, reason, user).save()
    return len(moving), len(clashing)


def merge_participants(keep: Participant, duplicate: Participant, *, user=None) -> MergeSummary:
    """Fold `duplicate` into `keep` and delete it; all or nothing, in one transaction.

    Everything attached to the duplicate moves to the kept person. Where the kept person already has
    the same thing (participation in the same edition, the same team, a diagnostic of the same
    programme, period, instrument and stage, or a membership overlapping in the same programme), the
    kept person's row stays as it is and the duplicate's is deleted, counted in `dropped`. Blank
    fields of the kept record are filled from the duplicate. The history of the kept person and of
    the moved memberships records the change with the reason «Объединение с записью № <id>» and `user`
    (else the user of the current request, through simple-history's middleware).

    Raises ValidationError (in Russian) for a record merged with itself, different birth dates, or a
    record that is no longer there. The instances passed in are not changed: use `summary.kept`.
    """
    if keep.pk is None or duplicate.pk is None:
        raise ValidationError("Объединять можно только сохранённые записи.")
    if keep.pk == duplicate.pk:
        raise ValidationError("Нельзя объединить запись саму с собой: выберите две разные записи.")
    with transaction.atomic():
        rows = Participant.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")
        locked = {person.pk: person for person in rows}
        for pk in (keep.pk, duplicate.pk):
            if pk not in locked:
                raise ValidationError(f"Записи № {pk} уже нет в банке: возможно, её объединили или удалили.")
        keep, duplicate = locked[keep.pk], locked[duplicate.pk]
        if keep.birth_date != duplicate.birth_date:
            raise ValidationError(
                f"Нельзя объединить записи с разными датами рождения ({short_date(keep.birth_date)} "
                f"в записи № {keep.pk} и {short_date(duplicate.birth_date)} в записи № {duplicate.pk}). "
                "Если это один человек, сначала исправьте дату рождения в ошибочной записи."
            )
        reason = f"Объединение с записью № {duplicate.pk}"
        moved, dropped = dict.fromkeys(RELATED_LABELS, 0), dict.fromkeys(RELATED_LABELS, 0)

        moved["memberships"], dropped["memberships"] = _merge_memberships(keep, duplicate, reason, user)

        kept_editions = Participation.objects.filter(participant=keep).values("edition_id")
        dropped["participations"] = _deleted(
            Participation.objects.filter(participant=duplicate, edition_id__in=kept_editions)
        )
        moved["participations"] = _move(Participation.objects.filter(participant=duplicate), keep, reason, user)

        same_stage = Diagnostic.objects.filter(
            participant=keep,
            programme_id=OuterRef("programme_id"),
            period=OuterRef("period"),
            instrument_id=OuterRef("instrument_id"),
            stage=OuterRef("stage"),
        )
        # Scores belong to their diagnostic: they move with it, and go with a dropped one.
        dropped["diagnostics"] = _deleted(Diagnostic.objects.filter(Exists(same_stage), participant=duplicate))
        moved["diagnostics"] = _move(Diagnostic.objects.filter(participant=duplicate), keep, reason, user)

        moved["achievements"] = _move(Achievement.objects.filter(participant=duplicate), keep, reason, user)
        moved["opportunities"] = _move(Opportunity.objects.filter(participant=duplicate), keep, reason, user)

        kept_teams = TeamMember.objects.filter(participant=keep).values("team_id")
        dropped["team_memberships"] = _deleted(TeamMember.objects.filter(participant=duplicate, team_id__in=kept_teams))
        moved["team_memberships"] = _move(TeamMember.objects.filter(participant=duplicate), keep, reason, user)

        filled = _fill_blank_fields(keep, duplicate)
        # The duplicate goes first: a patronymic filled from it gives the kept record its name key.
        _with_history(duplicate, f"Объединение с записью № {keep.pk}", user).delete()
        _with_history(keep, reason, user).save()
    for instance in (keep, duplicate):
        instance.__dict__.pop("_change_reason", None)
        instance.__dict__.pop("_history_user", None)
    return MergeSummary(kept=keep, moved=moved, dropped=dropped, filled_fields=filled)
