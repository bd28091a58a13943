"""Template filters for the справка: Russian numbers, percentages, dates and counted nouns.

Counted nouns take the case as an argument: `{{ n|participants }}` is the nominative,
`у {{ n|participants:"gen" }}` the genitive («у 52 участников»), `в {{ n|organisations:"pre" }}` the
prepositional («в 21 организации»); None prints «нет данных». Years and identifiers go through
`year` (never «2 019»); figures that may be unrecorded through `figure`.
"""

from django import template

from participants.formats import short_date
from reports import wording

register = template.Library()

register.filter("num", wording.number)
register.filter("figure", wording.figure)
register.filter("year", wording.year)
register.filter("points", wording.points)
register.filter("signed_num", wording.signed_number)
register.filter("category_counts", wording.category_counts)
register.filter("ru_date", wording.long_date)
register.filter("short_date", short_date)
register.filter("people", wording.people)
register.filter("residents", wording.residents)
register.filter("participants", wording.participants)
register.filter("events", wording.events)
register.filter("organisations", wording.organisations)
register.filter("municipalities", wording.municipalities)
register.filter("partners", wording.partners)
register.filter("publications", wording.publications)
register.filter("teams", wording.teams)
register.filter("pupils", wording.pupils)
register.filter("educational_organisations", wording.educational_organisations)
register.filter("criteria", wording.criteria)


@register.filter
def counted(n, noun_and_case: str):
    """{{ n|counted:"participant,gen" }}: any noun of wording.NOUNS in any case."""
    noun, _, case = noun_and_case.partition(",")
    return wording.counted(n, noun.strip(), case.strip() or "nom")


@register.filter
def agree(n, forms: str) -> str:
    """{{ n|agree:"принял,приняли" }}: a verb that agrees with the number («принял участие 21 человек»)."""
    one, _, other = forms.partition(",")
    return wording.agree(n, one, other)


@register.filter
def not_recorded(period_title: str, what: str) -> str:
    """{{ report.period_title|not_recorded:"teams" }} -> 'За … проектных команд не зарегистрировано.'"""
    return wording.not_recorded(period_title, what)


@register.filter
def pct(value):
    return wording.percent(value)


@register.filter
def signed_pct(value):
    return wording.percent(value, signed=True)


@register.filter
def dash_zero(value):
    """Tables print a dash where there is none, as the source documents do."""
    return "—" if not value else wording.number(value)


@register.filter
def date_range(start, end):
    if start and end and start != end:
        return f"{short_date(start)} – {short_date(end)}"
    return short_date(start or end)


@register.filter
def get_item(mapping, key):
    return mapping.get(str(key)) if mapping else None
