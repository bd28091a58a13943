"""Finding people entered twice under slightly different names.

`probable_duplicates` lists pairs for a coordinator to review; participants.merging compares a pair
side by side, merges it and undoes a merge.
"""

from dataclasses import dataclass
from itertools import groupby, permutations

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from participants.models import Participant

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
