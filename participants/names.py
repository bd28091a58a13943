"""Person-name normalisation: the one rule for deciding that two records are one person."""

import re

_SPACES = re.compile(r"\s+")


def clean_name_part(value: str) -> str:
    """Tidy a name as typed: trim and collapse inner spaces (the spelling, ё included, is kept)."""
    return _SPACES.sub(" ", (value or "").strip())


def normalise_name(*parts: str) -> str:
    """Key under which "Ёлкина  Анна" and "елкина анна" are the same person: case, spaces, ё→е."""
    joined = " ".join(clean_name_part(p) for p in parts if p and p.strip())
    return joined.lower().replace("ё", "е")


_NUMBER = re.compile(r"(\d+)")
_QUOTES = str.maketrans("", "", "«»\"'“”„")


def natural_key(name: str) -> list:
    """Sort key for names of organisations and the like, the same on every database: case and
    quotes ignored, numbers in natural order («ЦО № 7» before «ЦО № 53»)."""
    parts = _NUMBER.split((name or "").translate(_QUOTES).casefold())
    return [int(p) if p.isdigit() else p for p in parts]


def full_name(last_name: str, first_name: str, patronymic: str = "") -> str:
    """Фамилия Имя Отчество, skipping empty parts."""
    return " ".join(p for p in (last_name, first_name, patronymic) if p)
