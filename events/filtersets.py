"""Filters of the events app's lists, used by the API."""

from events.models import Coverage, Edition, EventSeries, Opportunity, Participation, PartnerOrganisation, Publication
from participants.filtersets import DATE

FILTER_FIELDS = {
    EventSeries: {"programme": ["exact"], "kind": ["exact"], "direction": ["exact"], "prepares_for": ["exact"]},
    Edition: {
        "series": ["exact"],
        "series__programme": ["exact"],
        "series__kind": ["exact"],
        "series__direction": ["exact"],
        "period": ["exact", "gte", "lte"],
        "held": ["exact"],
        "starts_on": DATE,
        "municipalities": ["exact"],
    },
    Coverage: {"edition": ["exact"], "municipality": ["exact"], "municipality__region": ["exact"]},
    Participation: {
        "edition": ["exact"],
        "edition__series": ["exact"],
        "edition__series__programme": ["exact"],
        "edition__period": ["exact"],
        "participant": ["exact"],
        "participant__organisation": ["exact"],
        "role": ["exact"],
    },
    PartnerOrganisation: {"programme": ["exact"], "kind": ["exact"], "since": DATE},
    Opportunity: {"programme": ["exact"], "participant": ["exact"], "kind": ["exact"], "starts_on": DATE},
    Publication: {"programme": ["exact"], "outlet_kind": ["exact"], "edition": ["exact"], "published_on": DATE},
}
