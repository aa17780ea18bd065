from .models import Province, Region, Theme
from .registry import registry


def list_themes():
    return Theme.objects.all()


def home_figures() -> list[tuple[str, int]]:
    """(label, number) pairs for the home page, from every domain that provides one."""
    figures = []
    for provide in registry.home_figures:
        figures.extend(provide())
    return figures


def taxonomy_figures():
    from django.utils.translation import gettext as _

    return [(_("themes of work"), Theme.objects.count()), (_("regions"), Region.objects.count())]


def list_regions_with_provinces():
    return Region.objects.prefetch_related("provinces")


def province_choices():
    return Province.objects.select_related("region")


def list_regions():
    return list(Region.objects.order_by("name"))
