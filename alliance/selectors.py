from .models import Province, Region, Theme


def list_themes():
    return Theme.objects.all()


def list_regions_with_provinces():
    return Region.objects.prefetch_related("provinces")


def province_choices():
    return Province.objects.select_related("region")


def list_regions():
    return list(Region.objects.order_by("name"))
