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
