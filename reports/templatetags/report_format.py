"""Template filters for the справка: Russian numbers, percentages, dates and counted nouns."""

from django import template

from participants.formats import short_date
from reports import wording

register = template.Library()

register.filter("num", wording.number)
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
