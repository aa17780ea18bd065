"""What the allies bring to the home page (alliance.registry): how many, and where."""

from django.utils.translation import ngettext

from alliance.registry import HomeCount, registry

from .models import Ally


def count_allies() -> int:
    return Ally.objects.filter(approved_at__isnull=False).count()


def ally_regions():
    """Region pks of the approved allies: the regions they serve, their provinces' and their seat's."""
    approved = Ally.objects.filter(approved_at__isnull=False)
    return [
        approved.filter(regions__isnull=False).values("regions"),
        approved.filter(provinces__isnull=False).values("provinces__region"),
        approved.filter(province__isnull=False).values("province__region"),
    ]


registry.home_counts.append(
    HomeCount(count=count_allies, label=lambda n: ngettext("ally", "allies", n), position=10)
)
registry.region_presence.append(ally_regions)
