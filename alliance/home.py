"""The home page: what is happening in the network, from the sections and figures the domains
register (alliance.registry), near the visitor's region when they chose one with `?region=`."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import ngettext

from .models import Region
from .registry import registry


@dataclass
class Figure:
    number: int
    label: str


def regions_where_present() -> int:
    """Regions with at least one approved ally, published project or public event (one query)."""
    subqueries = [queryset for provide in registry.region_presence for queryset in provide()]
    if not subqueries:
        return 0
    return Region.objects.filter(reduce(or_, (Q(pk__in=queryset) for queryset in subqueries))).count()


def figures() -> list[Figure]:
    counts = [(count.position, count.count(), count.label) for count in registry.home_counts]
    regions = regions_where_present()
    counts.append(
        (
            20,
            regions,
            lambda n: ngettext("region where the network is present", "regions where the network is present", n),
        )
    )
    return [Figure(number, label(number)) for _position, number, label in sorted(counts, key=lambda c: c[0])]


def sections(region) -> list[dict]:
    return [
        {"section": section, "items": section.items(region)}
        for section in sorted(registry.home_sections, key=lambda s: s.position)
    ]
