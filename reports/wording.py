"""Russian wording of figures: numbers (2 584), percentages (3,6 %), dates (20 января 2020 г.),
years (2019, never «2 019»), «нет данных» for what was not recorded, and counted nouns.

Counted nouns
-------------
A numeral agrees with its noun in the case the sentence puts it in: «1 участник», «52 участника»,
«у 52 участников», «0 из 41 участника», «в 21 организации». `counted(n, noun, case)` is the one
place that writes a number with its noun; `people(n)`, `participants(n, "gen")`… are shortcuts.
Cases: "nom" (also the accusative of the inanimate nouns: «провели 11 мероприятий»), "gen" (after
«у», «из», «без», «для», «не хватает»), "dat" («к 5 участникам»), "ins" («с 2 организациями»), "pre"
(«в 69 организациях»). The accusative of animate nouns is not offered: with a numeral it is the
nominative or the genitive depending on the numeral («22 участника», «двух участников»), and the
справка is worded not to need it.

Each noun's forms are written out below per case in the three plural forms of gettext's Russian
rule, which `plural_form(n)` applies (one: 1, 21, 101…; few: 2–4, 22–24…; many: 0, 5–20, 11–14,
25–30…). The choice against a morphology library was measured (pymorphy3 2.0.6 with
pymorphy3-dicts-ru 2.4.417150, Python 3.11, this project's machine): install 3 s and 17 MB on
disk (16 MB of dictionaries); import 0.06 s and 0.13 s to load the analyser; about 30 MB more
resident memory in every process that renders a справка (each gunicorn worker); 0.35 ms per
inflection. It also counts two of the справка's nouns wrongly: «5 людей», «у 2 людей» for
«человек» (a count takes «5 человек»), and «обучающийся», which it reads as a participle, gives
«1 обучающегося» for the dative «1 обучающемуся»; «запись об участии» needs a phrase rule on top.
Both would need exceptions here anyway, so the dozen nouns the справка counts are written out, and
reports/tests/test_wording.py checks every one of them in every case for 0…1000 against the rule
and against a table of known forms. Django's ngettext with a catalogue per case was the other way;
it puts each form in locale/ under an English key, two files and a compile step away from the
sentence that uses it, for one language.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format

NBSP = "\u00a0"  # also between thousands, so that "2 584" never splits across lines
NO_DATA = "нет данных"
NO_TARGET = "цель не задана"

CASES = ("nom", "gen", "dat", "ins", "pre")
ONE, FEW, MANY = 0, 1, 2


def number(value) -> str:
    """2584 -> '2 584'; None -> '—'."""
    if value is None:
        return "—"
    if isinstance(value, Decimal | float):
        text = f"{Decimal(value):,.1f}".replace(",", " ").replace(".", ",")
    else:
        text = f"{int(value):,}".replace(",", " ")
    return text.replace(" ", NBSP)


def figure(value) -> str:
    """A figure of the справка: 2584 -> '2 584'; None (nothing recorded) -> 'нет данных'."""
    return NO_DATA if value is None else number(value)


def year(value) -> str:
    """A year or an identifier: digits only, never grouped (2019 -> '2019', not '2 019')."""
    return "—" if value is None else str(int(value))


def signed_number(value) -> str:
    """A change: Decimal('0.6') -> '+0,6', Decimal('-1.2') -> '−1,2' (a minus sign, not a hyphen), 0 -> '0'."""
    if value is None:
        return "—"
    if value > 0:
        return "+" + number(value)
    if value < 0:
        return "−" + number(-value)
    return number(value)


def percent(value, signed: bool = False) -> str:
    """Decimal('3.6') -> '3,6 %'; signed adds '+' to growth; None -> '—'."""
    if value is None:
        return "—"
    text = number(Decimal(value))
    if signed and Decimal(value) > 0:
        text = "+" + text
    if signed and Decimal(value) < 0:
        text = "−" + text.lstrip("-")
    return f"{text}{NBSP}%"


def long_date(day: date | None) -> str:
    """date(2020, 1, 20) -> '20 января 2020 г.'"""
    if day is None:
        return "—"
    return f"{date_format(day, 'j E Y')}{NBSP}г."


# Counted nouns


def plural_form(n: int) -> int:
    """gettext's Russian rule: ONE for 1, 21, 101…; FEW for 2–4, 22–24…; MANY for the rest (0, 5–20, 11–14…)."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return ONE
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return FEW
    return MANY


@dataclass(frozen=True)
class Noun:
    """A counted noun's forms: for each case, (one, few, many)."""

    nom: tuple[str, str, str]
    gen: tuple[str, str, str]
    dat: tuple[str, str, str]
    ins: tuple[str, str, str]
    pre: tuple[str, str, str]

    def form(self, n: int, case: str = "nom") -> str:
        if case not in CASES:
            raise ValueError(f"Падеж {case!r} не поддерживается: {', '.join(CASES)}.")
        return getattr(self, case)[plural_form(n)]


def _phrase(noun: Noun, tail: str) -> Noun:
    """A noun with words after it that do not change: «запись» + «об участии»."""
    return Noun(*(tuple(f"{form} {tail}" for form in getattr(noun, case)) for case in CASES))


NOUNS: dict[str, Noun] = {
    "person": Noun(
        nom=("человек", "человека", "человек"),
        gen=("человека", "человек", "человек"),
        dat=("человеку", "людям", "людям"),
        ins=("человеком", "людьми", "людьми"),
        pre=("человеке", "людях", "людях"),
    ),
    "resident": Noun(
        nom=("резидент", "резидента", "резидентов"),
        gen=("резидента", "резидентов", "резидентов"),
        dat=("резиденту", "резидентам", "резидентам"),
        ins=("резидентом", "резидентами", "резидентами"),
        pre=("резиденте", "резидентах", "резидентах"),
    ),
    "participant": Noun(
        nom=("участник", "участника", "участников"),
        gen=("участника", "участников", "участников"),
        dat=("участнику", "участникам", "участникам"),
        ins=("участником", "участниками", "участниками"),
        pre=("участнике", "участниках", "участниках"),
    ),
    # A substantivised participle: after 2–4 it takes the genitive plural, as adjectives do.
    "pupil": Noun(
        nom=("обучающийся", "обучающихся", "обучающихся"),
        gen=("обучающегося", "обучающихся", "обучающихся"),
        dat=("обучающемуся", "обучающимся", "обучающимся"),
        ins=("обучающимся", "обучающимися", "обучающимися"),
        pre=("обучающемся", "обучающихся", "обучающихся"),
    ),
    "event": Noun(
        nom=("мероприятие", "мероприятия", "мероприятий"),
        gen=("мероприятия", "мероприятий", "мероприятий"),
        dat=("мероприятию", "мероприятиям", "мероприятиям"),
        ins=("мероприятием", "мероприятиями", "мероприятиями"),
        pre=("мероприятии", "мероприятиях", "мероприятиях"),
    ),
    "organisation": Noun(
        nom=("организация", "организации", "организаций"),
        gen=("организации", "организаций", "организаций"),
        dat=("организации", "организациям", "организациям"),
        ins=("организацией", "организациями", "организациями"),
        pre=("организации", "организациях", "организациях"),
    ),
    # After 2–4 a feminine adjective takes the nominative plural: «2 образовательные организации».
    "educational_organisation": Noun(
        nom=("образовательная организация", "образовательные организации", "образовательных организаций"),
        gen=("образовательной организации", "образовательных организаций", "образовательных организаций"),
        dat=("образовательной организации", "образовательным организациям", "образовательным организациям"),
        ins=("образовательной организацией", "образовательными организациями", "образовательными организациями"),
        pre=("образовательной организации", "образовательных организациях", "образовательных организациях"),
    ),
    "municipality": Noun(
        nom=("муниципалитет", "муниципалитета", "муниципалитетов"),
        gen=("муниципалитета", "муниципалитетов", "муниципалитетов"),
        dat=("муниципалитету", "муниципалитетам", "муниципалитетам"),
        ins=("муниципалитетом", "муниципалитетами", "муниципалитетами"),
        pre=("муниципалитете", "муниципалитетах", "муниципалитетах"),
    ),
    "partner": Noun(
        nom=("организация-партнёр", "организации-партнёра", "организаций-партнёров"),
        gen=("организации-партнёра", "организаций-партнёров", "организаций-партнёров"),
        dat=("организации-партнёру", "организациям-партнёрам", "организациям-партнёрам"),
        ins=("организацией-партнёром", "организациями-партнёрами", "организациями-партнёрами"),
        pre=("организации-партнёре", "организациях-партнёрах", "организациях-партнёрах"),
    ),
    "publication": Noun(
        nom=("публикация", "публикации", "публикаций"),
        gen=("публикации", "публикаций", "публикаций"),
        dat=("публикации", "публикациям", "публикациям"),
        ins=("публикацией", "публикациями", "публикациями"),
        pre=("публикации", "публикациях", "публикациях"),
    ),
    "team": Noun(
        nom=("команда", "команды", "команд"),
        gen=("команды", "команд", "команд"),
        dat=("команде", "командам", "командам"),
        ins=("командой", "командами", "командами"),
        pre=("команде", "командах", "командах"),
    ),
    "point": Noun(
        nom=("балл", "балла", "баллов"),
        gen=("балла", "баллов", "баллов"),
        dat=("баллу", "баллам", "баллам"),
        ins=("баллом", "баллами", "баллами"),
        pre=("балле", "баллах", "баллах"),
    ),
    "criterion": Noun(
        nom=("критерий", "критерия", "критериев"),
        gen=("критерия", "критериев", "критериев"),
        dat=("критерию", "критериям", "критериям"),
        ins=("критерием", "критериями", "критериями"),
        pre=("критерии", "критериях", "критериях"),
    ),
    # Categories of the bank's members (participants.models.Category), for «463 резидента: 312 резидентов-школьников…».
    "school_resident": Noun(
        nom=("резидент-школьник", "резидента-школьника", "резидентов-школьников"),
        gen=("резидента-школьника", "резидентов-школьников", "резидентов-школьников"),
        dat=("резиденту-школьнику", "резидентам-школьникам", "резидентам-школьникам"),
        ins=("резидентом-школьником", "резидентами-школьниками", "резидентами-школьниками"),
        pre=("резиденте-школьнике", "резидентах-школьниках", "резидентах-школьниках"),
    ),
    "student_resident": Noun(
        nom=("резидент-студент", "резидента-студента", "резидентов-студентов"),
        gen=("резидента-студента", "резидентов-студентов", "резидентов-студентов"),
        dat=("резиденту-студенту", "резидентам-студентам", "резидентам-студентам"),
        ins=("резидентом-студентом", "резидентами-студентами", "резидентами-студентами"),
        pre=("резиденте-студенте", "резидентах-студентах", "резидентах-студентах"),
    ),
    # After 2–4 a masculine adjective takes the genitive plural: «2 потенциальных резидента».
    "potential_resident": Noun(
        nom=("потенциальный резидент", "потенциальных резидента", "потенциальных резидентов"),
        gen=("потенциального резидента", "потенциальных резидентов", "потенциальных резидентов"),
        dat=("потенциальному резиденту", "потенциальным резидентам", "потенциальным резидентам"),
        ins=("потенциальным резидентом", "потенциальными резидентами", "потенциальными резидентами"),
        pre=("потенциальном резиденте", "потенциальных резидентах", "потенциальных резидентах"),
    ),
    "partner_person": Noun(
        nom=("партнёр", "партнёра", "партнёров"),
        gen=("партнёра", "партнёров", "партнёров"),
        dat=("партнёру", "партнёрам", "партнёрам"),
        ins=("партнёром", "партнёрами", "партнёрами"),
        pre=("партнёре", "партнёрах", "партнёрах"),
    ),
    # What an import tells about a file: «и ещё 1 234 ошибки в столбце …» (participants.importing.report).
    "error": Noun(
        nom=("ошибка", "ошибки", "ошибок"),
        gen=("ошибки", "ошибок", "ошибок"),
        dat=("ошибке", "ошибкам", "ошибкам"),
        ins=("ошибкой", "ошибками", "ошибками"),
        pre=("ошибке", "ошибках", "ошибках"),
    ),
    "participation_record": _phrase(
        Noun(
            nom=("запись", "записи", "записей"),
            gen=("записи", "записей", "записей"),
            dat=("записи", "записям", "записям"),
            ins=("записью", "записями", "записями"),
            pre=("записи", "записях", "записях"),
        ),
        "об участии",
    ),
}


def noun_form(n: int, noun: str, case: str = "nom") -> str:
    """The noun alone, in the form the number n asks for: noun_form(52, "participant", "gen") -> 'участников'."""
    return NOUNS[noun].form(n, case)


def counted(n: int | None, noun: str, case: str = "nom") -> str:
    """counted(52, "participant", "gen") -> '52 участников' (as in «у 52 участников»);
    counted(41, "participant", "gen") -> '41 участника' (as in «0 из 41 участника»);
    None (nothing recorded) -> 'нет данных'."""
    if n is None:
        return NO_DATA
    return f"{number(n)} {noun_form(n, noun, case)}"


CATEGORY_NOUNS = {
    "school": "school_resident",
    "student": "student_resident",
    "potential": "potential_resident",
    "partner": "partner_person",
    "participant": "participant",
}


def join_and(items) -> str:
    """['a', 'b', 'c'] -> 'a, b и c'."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} и {items[-1]}"


def category_counts(categories, case: str = "nom") -> str:
    """CategoryCount rows -> '312 резидентов-школьников и 151 резидент-студент'."""
    return join_and(counted(c.count, CATEGORY_NOUNS[c.category], case) for c in categories)


def agree(n: int, one: str, other: str) -> str:
    """A verb or adjective that agrees with a number in the subject: agree(21, "принял", "приняли")
    -> 'принял' («принял участие 21 человек»), agree(22, …) -> 'приняли'."""
    return one if plural_form(n) == ONE else other


def points(value) -> str:
    """A signed score difference with its noun: after a fraction the genitive singular («+0,6 балла»,
    «−1,2 балла», «+9,0 балла»), after a whole number agreement («+1 балл», «+2 балла», «+5 баллов»);
    None -> 'нет данных'."""
    if value is None:
        return NO_DATA
    if isinstance(value, Decimal | float):
        return f"{signed_number(value)}{NBSP}{NOUNS['point'].gen[ONE]}"
    return f"{signed_number(value)}{NBSP}{noun_form(value, 'point')}"


def _shortcut(noun: str):
    def shortcut(n: int | None, case: str = "nom") -> str:
        return counted(n, noun, case)

    shortcut.__name__ = shortcut.__qualname__ = f"{noun}s"
    shortcut.__doc__ = f"counted(n, {noun!r}, case)"
    return shortcut


people = _shortcut("person")
residents = _shortcut("resident")
participants = _shortcut("participant")
pupils = _shortcut("pupil")
events = _shortcut("event")
organisations = _shortcut("organisation")
educational_organisations = _shortcut("educational_organisation")
municipalities = _shortcut("municipality")
partners = _shortcut("partner")
publications = _shortcut("publication")
teams = _shortcut("team")
criteria = _shortcut("criterion")
participation_records = _shortcut("participation_record")


# Tables that have no rows: what was not recorded, in the genitive plural of «не зарегистрировано».
NOT_RECORDED = {
    "criteria": "критериев эффективности",
    "territorial_coverage": "аккредитованных мероприятий",
    "satellite_events": "мероприятий-спутников",
    "opportunities": "практик, стажировок, профильных смен и экспертной работы резидентов",
    "partners": "организаций-партнёров",
    "publications": "публикаций",
    "achievements": "личных достижений участников",
    "teams": "проектных команд",
    "organizations_ranking": "участников программы",
    "diagnostics_by_organization": "участников, прошедших входную и итоговую диагностику,",
    "activities": "мероприятий участников",
    "diagnostic_growth": "результатов входной и итоговой диагностики",
}


def not_recorded(period_title: str, what: str) -> str:
    """The one line that stands for an empty table: 'За 2019 год мероприятий-спутников не
    зарегистрировано.' `what` is a key of NOT_RECORDED or the words themselves."""
    return f"За {period_title} {NOT_RECORDED.get(what, what)} не зарегистрировано."
