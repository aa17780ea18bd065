"""The home page: what is happening in the network, from the sections and figures the domains
register (alliance.registry), near the visitor's region when they chose one with `?region=`."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import ngettext

from .models import Region
from .registry import registry


@dataclass
class Figure:
    number: int
    label: str


def regions_where_present() -> int:
    """Regions with at least one approved ally, published project or public event (one query): for
    each of the twenty regions the database looks for one such row through the region's index, it
    does not read every ally's regions."""
    here = OuterRef("pk")
    subqueries = [queryset for provide in registry.region_presence for queryset in provide(here)]
    if not subqueries:
        return 0
    return Region.objects.filter(reduce(or_, (Exists(queryset) for queryset in subqueries))).count()


def in_region(region, *paths):
    """The condition "in `region`" over the given lookups (e.g. "regions", "provinces__region"); None
    without a region."""
    if region is None:
        return None
    here = Q()
    for path in paths:
        here |= Q(**{path: region})
    return here


def near_first(queryset, near, order, limit: int) -> list:
    """The first `limit` rows of `queryset` in `order`, those matching `near` (a condition on the
    visitor's region from `in_region()`, or None) first, each marked with `.near`: what `ORDER BY near DESC, ...`
    gives, read as two short index walks (the first near ones, the first others) instead of sorting
    every row by a computed column. Always two queries with a region, so that their number does not
    depend on the data."""
    if near is None:
        items = list(queryset.order_by(*order)[:limit])
        for item in items:
            item.near = False
        return items
    # A subquery, so that matching several provinces of the region does not repeat a row.
    matching = queryset.model.objects.filter(near).values("pk")
    items = list(queryset.filter(pk__in=matching).order_by(*order)[:limit])
    others = list(queryset.exclude(pk__in=matching).order_by(*order)[:limit])
    for item in items:
        item.near = True
    for item in others:
        item.near = False
    return (items + others)[:limit]


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
