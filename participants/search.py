"""Searching people by what a coordinator types: parts of ФИО in any case, with ё or е, or a birth date."""

import re
from datetime import datetime

from django.db.models import Q, QuerySet

from participants.formats import DATE_FORMAT
from participants.models import Organisation
from participants.names import normalise_name

_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")


def person_search_q(term: str, prefix: str = "") -> Q | None:
    """A condition matching people whose ФИО contains every word of the term, or whose organisation
    name contains the term; a word like 01.02.2005 matches the birth date. None for an empty term.

    On PostgreSQL each word is a LIKE '%word%' that the trigram index over name_key answers
    (migration participants 0014). The organisations are matched first, in their own small table,
    and their ids written into the condition: an OR across a join, or with a subquery, would make
    the planner scan every person instead of combining the two indexes."""
    words = normalise_name(term).split()
    if not words:
        return None
    name_q = Q()
    for word in words:
        if _DATE.match(word):
            try:
                name_q &= Q(**{f"{prefix}birth_date": datetime.strptime(word, DATE_FORMAT).date()})
                continue
            except ValueError:
                pass
        name_q &= Q(**{f"{prefix}name_key__contains": word})
    text = term.strip()
    organisations = Organisation.objects.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
    return name_q | Q(**{f"{prefix}organisation_id__in": list(organisations.order_by().values_list("pk", flat=True))})


def search_people(queryset: QuerySet, term: str, prefix: str = "") -> QuerySet:
    condition = person_search_q(term, prefix)
    return queryset if condition is None else queryset.filter(condition)
