"""The filters of the public directory of allies."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.models import Region, Theme

from .models import Ally
from .selectors import public_allies, search_allies


class AllyFilterSet(django_filters.FilterSet):
    """Filters, search and order for `public_allies()`; every value travels in the URL.

    An invalid value (a region that does not exist, a kind that is not one)
    leaves the form with an error and the results empty, never a 500.
    """

    ORDER_NAME = "name"
    ORDER_NEWEST = "newest"
    ORDER_RELEVANCE = "relevance"
    ORDER_CHOICES = [
        (ORDER_RELEVANCE, _("Relevance")),
        (ORDER_NAME, _("Name, A to Z")),
        (ORDER_NEWEST, _("Newest members first")),
    ]

    q = django_filters.CharFilter(
        label=_("Words to look for"),
        method="filter_words",
        max_length=200,
        widget=forms.SearchInput,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Person or organization"), choices=Ally.Kind.choices, empty_label=_("All")
    )
    legal_form = django_filters.ChoiceFilter(
        label=_("Legal form"), choices=Ally.LegalForm.choices, empty_label=_("Any legal form")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region served"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
        empty_label=_("All of Italy"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_theme",
        empty_label=_("All themes"),
    )
    verified = django_filters.BooleanFilter(
        label=_("Only allies verified by the coordination"), method="filter_verified", widget=forms.CheckboxInput
    )
    supporter = django_filters.BooleanFilter(
        label=_("Only supporters and donors"), method="filter_supporter", widget=forms.CheckboxInput
    )
    # Applied last, in filter_queryset, because the default depends on the search.
    order = django_filters.ChoiceFilter(
        label=_("Order"), choices=ORDER_CHOICES, empty_label=None, method="filter_nothing"
    )

    class Meta:
        model = Ally
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = public_allies()
        super().__init__(data, queryset, **kwargs)
        # "Relevance" is offered (and is the default) only while searching; an
        # old link with order=relevance and no words still validates, and sorts by name.
        if not self.searching:
            self.form.fields["order"].widget.choices = [
                choice for choice in self.ORDER_CHOICES if choice[0] != self.ORDER_RELEVANCE
            ]

    @property
    def searching(self) -> bool:
        return bool(str(self.data.get("q", "")).strip())

    def filter_words(self, queryset, name, value):
        # The rank costs a subquery per found ally: only when the list is sorted by it.
        order = self.form.cleaned_data.get("order") or self.ORDER_RELEVANCE
        return search_allies(queryset, value, rank=order == self.ORDER_RELEVANCE)

    def filter_region(self, queryset, name, region):
        # An ally serves a region when it names the region or one of its provinces; a subquery
        # keeps one row per ally. The union of the two link tables, read through their region
        # (and province) indexes, is the few allies of one region: a join of every ally with
        # both tables then filtered by region, read every ally.
        serving = (
            Ally.regions.through.objects.filter(region=region)
            .values("ally_id")
            .union(Ally.provinces.through.objects.filter(province__region=region).values("ally_id"))
        )
        return queryset.filter(pk__in=serving)

    def filter_theme(self, queryset, name, theme):
        return queryset.filter(pk__in=Ally.objects.filter(themes=theme).values("pk"))

    def filter_verified(self, queryset, name, value):
        return queryset.filter(verified_at__isnull=False) if value else queryset

    def filter_supporter(self, queryset, name, value):
        return queryset.filter(is_supporter=True) if value else queryset

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        if not self.form.is_valid():
            return queryset.none()
        queryset = super().filter_queryset(queryset)
        order = self.form.cleaned_data.get("order") or (self.ORDER_RELEVANCE if self.searching else self.ORDER_NAME)
        if order == self.ORDER_NEWEST:
            return queryset.order_by("-approved_at", "name", "pk")
        if order == self.ORDER_RELEVANCE and "search_rank" in queryset.query.annotations:
            return queryset.order_by("-search_rank", "name", "pk")
        return queryset.order_by("name", "pk")

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value) of every filter in use, to say what was looked for."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        active = []
        for name, value in self.form.cleaned_data.items():
            if name == "order" or value in (None, "", False):
                continue
            field = self.form.fields[name]
            if value is True:
                active.append((str(field.label), str(_("yes"))))
            elif isinstance(value, Region | Theme):
                active.append((str(field.label), value.display_name))
            elif name in ("kind", "legal_form"):
                active.append((str(field.label), str(dict(field.choices).get(value, value))))
            else:
                active.append((str(field.label), str(value)))
        return active
