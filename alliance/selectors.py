from .models import Province, Region, Theme


def list_themes():
    return Theme.objects.all()


def taxonomy_figures():
    # Nobody reads registry.home_figures any more (the home page uses registry.home_counts);
    # kept only while alliance/apps.py still registers it.
    from django.utils.translation import gettext as _

    return [(_("themes of work"), Theme.objects.count()), (_("regions"), Region.objects.count())]


def list_regions_with_provinces():
    return Region.objects.prefetch_related("provinces")


def province_choices():
    return Province.objects.select_related("region")


def list_regions():
    return list(Region.objects.order_by("name"))
