"""The filters of the public lists of projects (and pathways)."""

import datetime

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alliance.models import Region, Theme
from members.models import Ally

from .models import Project
from .selectors import published_projects, search_projects


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ProjectFilterSet(django_filters.FilterSet):
    """Filters and search for `published_projects()`; every value travels in the URL.

    An invalid value (a region that does not exist, a year that is not one)
    leaves the form with an error and the results empty, never a 500.
    """

    q = django_filters.CharFilter(
        label=_("Words to look for"), method="filter_words", max_length=200, widget=forms.SearchInput
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_theme",
        empty_label=_("All themes"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
        empty_label=_("All of Italy"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Project.Status.choices, empty_label=_("Any status"))
    year = YearFilter(
        label=_("Year"),
        method="filter_year",
        min_value=1900,
        max_value=2100,
        help_text=_("Projects running in that year, e.g. 2025."),
    )
    ally = django_filters.ModelChoiceFilter(
        label=_("Ally involved"),
        queryset=Ally.objects.members().order_by("name"),
        to_field_name="slug",
        method="filter_ally",
        empty_label=_("Any ally"),
        help_text=_("As lead or as partner."),
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = published_projects()
        super().__init__(data, queryset, **kwargs)

    def filter_words(self, queryset, name, value):
        return search_projects(queryset, value)

    def filter_theme(self, queryset, name, theme):
        return queryset.filter(pk__in=Project.objects.filter(themes=theme).values("pk"))

    def filter_region(self, queryset, name, region):
        # A project is in a region when it names the region or one of its provinces;
        # a subquery keeps one row per project.
        here = Project.objects.filter(Q(regions=region) | Q(provinces__region=region)).values("pk")
        return queryset.filter(pk__in=here)

    def filter_year(self, queryset, name, year):
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        return queryset.filter(start_date__lte=last).filter(Q(end_date__isnull=True) | Q(end_date__gte=first))

    def filter_ally(self, queryset, name, ally):
        involved = Project.objects.filter(Q(lead_ally=ally) | Q(partners__ally=ally)).values("pk")
        return queryset.filter(pk__in=involved)

    def filter_queryset(self, queryset):
        if not self.form.is_valid():
            return queryset.none()
        return super().filter_queryset(queryset).order_by(F("start_date").desc(nulls_last=True), "title", "pk")

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value) of every filter in use, to say what was looked for."""
        if not self.is_bound or not self.form.is_valid():
            return []
        active = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            field = self.form.fields[name]
            if isinstance(value, Region | Theme):
                value = value.display_name
            elif name == "status":
                value = dict(field.choices).get(value, value)
            active.append((str(field.label), str(value)))
        return active
