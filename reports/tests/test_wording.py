"""Russian as a reader checks it: numerals agree with their nouns in every case the справка puts
them in, changes carry a real minus, years are never digit-grouped."""

import ast
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from reports import wording as w

NBSP = "\u00a0"
ROOT = Path(settings.BASE_DIR)

# How a grammar book states the rule: a number ending in 1 (but not 11) takes the noun as after 1;
# one ending in 2, 3 or 4 (but not 12–14) as after 2; any other as after 5.
#   nom: 1 участник, 2 участника, 5 участников      gen (у, из, без): 1 участника, 2 участников, 5 участников
#   pre (в, о): 1 организации, 2 организациях, 5 организациях


def like(n: int) -> int:
    if n % 10 == 1 and n % 100 != 11:
        return 1
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return 2
    return 5


# Every counted noun the справка uses, in every case it uses it in, as "after 1, after 2, after 5"
# («у 1 участника», «у 2 участников», «у 5 участников»). Written here by hand, apart from wording.NOUNS.
USED = {
    ("person", "nom"): ("человек", "человека", "человек"),  # приняли участие 2 584 человека
    ("person", "gen"): ("человека", "человек", "человек"),  # у 10 человек
    ("resident", "nom"): ("резидент", "резидента", "резидентов"),  # в банке 463 резидента
    ("participant", "nom"): ("участник", "участника", "участников"),  # в программе 52 участника
    ("participant", "gen"): ("участника", "участников", "участников"),  # у 52 участников; 0 из 41 участника
    ("event", "nom"): ("мероприятие", "мероприятия", "мероприятий"),  # 11 мероприятий
    ("organisation", "pre"): ("организации", "организациях", "организациях"),  # обучаются в 69 организациях
    ("educational_organisation", "gen"): (  # из 13 образовательных организаций
        "образовательной организации",
        "образовательных организаций",
        "образовательных организаций",
    ),
    ("school_resident", "nom"): ("резидент-школьник", "резидента-школьника", "резидентов-школьников"),
    ("student_resident", "nom"): ("резидент-студент", "резидента-студента", "резидентов-студентов"),
    ("potential_resident", "nom"): ("потенциальный резидент", "потенциальных резидента", "потенциальных резидентов"),
    ("partner_person", "nom"): ("партнёр", "партнёра", "партнёров"),
    ("point", "nom"): ("балл", "балла", "баллов"),  # +2 балла
    ("municipality", "nom"): ("муниципалитет", "муниципалитета", "муниципалитетов"),  # 4 муниципалитета из 20
    ("publication", "nom"): ("публикация", "публикации", "публикаций"),  # 6 публикаций
    ("participation_record", "nom"): ("запись об участии", "записи об участии", "записей об участии"),
    ("criterion", "nom"): ("критерий", "критерия", "критериев"),  # не задана цель: 2 критерия
}

SHORTCUTS = {
    "people": "person",
    "residents": "resident",
    "participants": "participant",
    "pupils": "pupil",
    "events": "event",
    "organisations": "organisation",
    "educational_organisations": "educational_organisation",
    "municipalities": "municipality",
    "partners": "partner",
    "publications": "publication",
    "teams": "team",
    "criteria": "criterion",
    "participation_records": "participation_record",
}


@pytest.mark.parametrize(("noun", "case"), sorted(USED))
def test_every_counted_noun_agrees_from_0_to_1000_in_each_case_it_is_used_in(noun, case):
    after = dict(zip((1, 2, 5), USED[noun, case], strict=True))
    wrong = [
        (n, w.counted(n, noun, case))
        for n in range(1001)
        if w.counted(n, noun, case).replace(NBSP, " ") != f"{w.number(n).replace(NBSP, ' ')} {after[like(n)]}"
    ]
    assert wrong == []


@pytest.mark.parametrize("noun", sorted(w.NOUNS))
@pytest.mark.parametrize("case", w.CASES)
def test_every_noun_in_every_case_takes_the_form_of_1_2_or_5_by_the_rule(noun, case):
    forms = {k: w.noun_form(k, noun, case) for k in (1, 2, 5)}
    assert all(w.noun_form(n, noun, case) == forms[like(n)] for n in range(1001))
    # the genitive and the prepositional have one plural for 2 and for 5 («у 2 участников», «у 5 участников»)
    if case in ("gen", "dat", "ins", "pre"):
        assert forms[2] == forms[5]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (w.participants(1), "1 участник"),
        (w.participants(2), "2 участника"),
        (w.participants(5), "5 участников"),
        (w.participants(11), "11 участников"),
        (w.participants(21), "21 участник"),
        (w.participants(22), "22 участника"),
        (w.participants(111), "111 участников"),
        ("у " + w.participants(1, "gen"), "у 1 участника"),
        ("у " + w.participants(2, "gen"), "у 2 участников"),
        ("у " + w.participants(21, "gen"), "у 21 участника"),
        ("у " + w.participants(52, "gen"), "у 52 участников"),
        ("0 из " + w.participants(41, "gen"), "0 из 41 участника"),
        ("из " + w.participants(1, "gen"), "из 1 участника"),
        ("из " + w.participants(2, "gen"), "из 2 участников"),
        ("из " + w.participants(5, "gen"), "из 5 участников"),
        ("из " + w.participants(21, "gen"), "из 21 участника"),
        (w.publications(1), "1 публикация"),
        (w.publications(2), "2 публикации"),
        (w.publications(5), "5 публикаций"),
        (w.publications(21), "21 публикация"),
        (w.people(2584), "2 584 человека"),
        ("у " + w.people(10, "gen"), "у 10 человек"),
        ("в " + w.organisations(69, "pre"), "в 69 организациях"),
        ("в " + w.organisations(21, "pre"), "в 21 организации"),
        (w.events(101), "101 мероприятие"),
        (w.pupils(2), "2 обучающихся"),
        (w.pupils(1, "dat"), "1 обучающемуся"),
        (w.participation_records(3), "3 записи об участии"),
        (w.counted(None, "participant"), "нет данных"),
    ],
)
def test_known_forms(words, expected):
    assert words.replace(NBSP, " ") == expected


def test_the_old_helpers_keep_working_in_the_nominative():
    assert w.people(22) == w.counted(22, "person") == "22 человека"
    assert w.residents(463) == "463 резидента"
    assert w.teams(8) == "8 команд"
    assert w.partners(3) == "3 организации-партнёра"
    assert w.municipalities(15) == "15 муниципалитетов"


def test_points_after_a_fraction_are_balla_and_after_a_whole_number_agree():
    assert w.points(Decimal("0.6")) == f"+0,6{NBSP}балла"
    assert w.points(Decimal("9.0")) == f"+9,0{NBSP}балла"
    assert w.points(Decimal("-1.2")) == f"−1,2{NBSP}балла"  # a minus sign, never «+-1,2»
    assert [w.points(n).replace(NBSP, " ") for n in (1, 2, 5, 11, 21)] == [
        "+1 балл",
        "+2 балла",
        "+5 баллов",
        "+11 баллов",
        "+21 балл",
    ]


def test_verbs_agree_with_the_number():
    assert [w.agree(n, "принял", "приняли") for n in (1, 2, 5, 11, 21, 2584)] == [
        "принял",
        "приняли",
        "приняли",
        "приняли",
        "принял",
        "приняли",
    ]


def test_category_counts_join_with_i():
    rows = [type("C", (), {"category": c, "count": n}) for c, n in (("school", 312), ("student", 151))]
    assert w.category_counts(rows) == "312 резидентов-школьников и 151 резидент-студент"


def test_years_and_identifiers_are_never_grouped():
    assert w.year(2019) == "2019"
    assert w.year(12345) == "12345"
    assert w.number(2019) == f"2{NBSP}019"  # a quantity is grouped; a year goes through w.year


def test_numbers_percentages_and_dates_are_written_the_russian_way():
    assert w.number(2584) == f"2{NBSP}584"
    assert w.number(1234567) == f"1{NBSP}234{NBSP}567"
    assert w.percent(Decimal("3.6")) == f"3,6{NBSP}%"
    assert w.percent(Decimal("65.3"), signed=True) == f"+65,3{NBSP}%"
    assert w.percent(Decimal("-1.8"), signed=True) == f"−1,8{NBSP}%"
    assert w.percent(None) == "—"
    assert w.figure(None) == "нет данных"
    assert w.figure(0) == "0"
    assert w.long_date(date(2020, 1, 20)) == f"20 января 2020{NBSP}г."


# Where the справка counts: every (noun, case) it writes must be in USED, so the test above covers it.


def _python_uses() -> set[tuple[str, str]]:
    found = set()
    for path in [*ROOT.glob("reports/**/*.py"), ROOT / "events" / "admin.py"]:
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            if not (isinstance(owner, ast.Name) and owner.id in ("w", "wording")):
                continue
            name = node.func.attr
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            case = next((k.value.value for k in node.keywords if k.arg == "case"), None)
            if name in SHORTCUTS:
                found.add((SHORTCUTS[name], case or (args[1] if len(args) > 1 else None) or "nom"))
            elif name == "counted" and len(args) > 1 and args[1]:
                found.add((args[1], case or (args[2] if len(args) > 2 else None) or "nom"))
    return found


TEMPLATE_FILTER = re.compile(r"\|(\w+)(?::\"([^\"]*)\")?")


def _template_uses() -> set[tuple[str, str]]:
    found = set()
    for path in ROOT.glob("templates/reports/**/*.html"):
        for name, argument in TEMPLATE_FILTER.findall(path.read_text()):
            if name in SHORTCUTS:
                found.add((SHORTCUTS[name], argument or "nom"))
            elif name == "counted":
                noun, _, case = argument.partition(",")
                found.add((noun.strip(), case.strip() or "nom"))
    return found


def test_every_counted_noun_the_spravka_prints_is_checked_above():
    used = _python_uses() | _template_uses()
    assert ("participant", "gen") in used and ("person", "nom") in used  # the scan finds them
    assert used - set(USED) == set()
