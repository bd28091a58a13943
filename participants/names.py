"""Person-name normalisation: the one rule for deciding that two records are one person.

A name arrives from keyboards, Word documents, web forms and spreadsheets. «Иванов» typed with a
zero-width space, a soft hyphen, a direction mark, a decomposed «й» or a Latin «а» looks the same
on screen and must be the same person:

- `clean_name_part` tidies what is stored: Unicode NFKC (compatibility forms and combining marks
  composed: «и» + U+0306 is «й»), invisible and formatting characters removed, spaces collapsed;
- `normalise_name` is the key two records are compared by: the cleaned parts, lower case, ё→е, and
  Latin letters that look like Cyrillic ones read as Cyrillic in a word that has Cyrillic letters;
- `mixed_script_error` says which letter of a name mixing Latin and Cyrillic letters to retype.
"""

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# Invisible characters that NFKC keeps: every "format" character (Cf: zero-width spaces and joiners,
# soft hyphen, direction marks and embeddings, the BOM, invisible operators…), the combining
# grapheme joiner, variation selectors, Mongolian free variation selectors, controls other than spaces.
_INVISIBLE_EXTRA = {0x034F, 0x180B, 0x180C, 0x180D, 0x180F, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}


@lru_cache(maxsize=4096)  # a few dozen distinct letters: names are cleaned by the hundred thousand
def _visible(char: str) -> bool:
    if ord(char) in _INVISIBLE_EXTRA:
        return False
    category = unicodedata.category(char)
    return category != "Cf" and not (category == "Cc" and not char.isspace())


@lru_cache(maxsize=65536)  # surnames, first names and patronymics repeat across a whole import
def _clean(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)
    if not all(map(_visible, text)):
        text = "".join(filter(_visible, text))
    return _SPACES.sub(" ", text.strip())


def clean_name_part(value: str) -> str:
    """Tidy a name as typed: NFKC, invisible characters removed, spaces trimmed and collapsed (the
    spelling, ё included, is kept)."""
    return _clean(value) if value else ""


# Latin letters drawn like Cyrillic ones (lower case: keys are compared in lower case).
# Upper-case lookalikes (B, H, M, T) are folded after lower-casing too.
_LOOKALIKE_LETTERS = "aeopcxykmthbë"
_LOOKALIKES = str.maketrans(_LOOKALIKE_LETTERS, "аеорсхукмтнве")


@lru_cache(maxsize=4096)
def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("LATIN"):
        return "latin"
    return None


@lru_cache(maxsize=65536)
def _key_part(part: str) -> str:
    """One cleaned name part as it is compared: lower case, ё→е, lookalike Latin letters folded."""
    words = part.lower().replace("ё", "е").split(" ")
    return " ".join(_fold_lookalikes(word) for word in words).replace("ё", "е")


def _fold_lookalikes(word: str) -> str:
    return word.translate(_LOOKALIKES) if "cyrillic" in map(_script, word) else word


def normalise_name(*parts: str) -> str:
    """Key under which "Ёлкина  Анна", "елкина анна" and «Елкинa» with a Latin «a» are one person."""
    return " ".join(_key_part(cleaned) for cleaned in map(clean_name_part, parts) if cleaned)


@lru_cache(maxsize=65536)  # Participant.clean asks it of every name part of an import's rows
def mixed_script_error(value: str) -> str | None:
    """A Russian message naming the letter to retype when a name mixes Latin and Cyrillic letters
    (a name wholly in one script is fine), else None."""
    text = clean_name_part(value)
    if not {"cyrillic", "latin"} <= set(map(_script, set(text))):
        return None
    scripts = [(index, char, _script(char)) for index, char in enumerate(text)]
    cyrillic = sum(1 for _, _, script in scripts if script == "cyrillic")
    latin = sum(1 for _, _, script in scripts if script == "latin")
    if not cyrillic or not latin:
        return None
    # Latin letters that all look Cyrillic are the slip («ИBAHOB»); otherwise the fewer letters are.
    lookalikes = all(char.lower() in _LOOKALIKE_LETTERS for _, char, script in scripts if script == "latin")
    odd, among = ("latin", "русских") if lookalikes or latin <= cyrillic else ("cyrillic", "латинских")
    letters = [(index, char) for index, char, script in scripts if script == odd]
    kind = "латинская буква" if odd == "latin" else "русская буква"
    shown = ", ".join(f"«{char}» ({index + 1}-я по счёту)" for index, char in letters[:3])
    if len(letters) > 1:
        kind = "латинские буквы" if odd == "latin" else "русские буквы"
    layout = "русской" if odd == "latin" else "латинской"
    return f"В «{text}» {kind} {shown} среди {among}: наберите {'их' if len(letters) > 1 else 'её'} заново в {layout} раскладке."


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
