"""What the allies bring to the home page (alliance.registry): how many, and where."""

from django.utils.translation import ngettext

from alliance.registry import HomeCount, registry

from .models import Ally


def count_allies() -> int:
    """The allies of the directory (members, and members suspended for now): what a visitor finds there."""
    return Ally.objects.public().count()


def ally_regions(region):
    """The allies of the directory in `region`: the regions they serve, their provinces' and their seat's."""
    approved = Ally.objects.public()
    return [
        approved.filter(regions=region),
        approved.filter(provinces__region=region),
        approved.filter(province__region=region),
    ]


registry.home_counts.append(HomeCount(count=count_allies, label=lambda n: ngettext("ally", "allies", n), position=10))
registry.region_presence.append(ally_regions)
