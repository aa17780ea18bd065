"""The filters of the public lists of projects (and pathways)."""

import datetime

import django_filters
from django import forms
from django.db.models import F, Q
from django.http import JsonResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from alliance.models import Region, Theme
from alliance.search import filter_by_search
from members.models import Ally

from .forms.allies import AllyNameField, matching_allies
from .models import Project
from .selectors import published_projects


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class AllyFilterField(AllyNameField):
    """An ally typed by name, for the filters of public lists: a text field (with a type-ahead that
    `search_url` answers) instead of a select of every ally, so that the page does not grow with the
    network. A page address (slug) also works, as the links of other pages send it. Once chosen,
    the field shows the ally's full name."""

    def __init__(self, *, queryset, search_url, **kwargs):
        kwargs["widget"] = forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "data-ally-search": search_url,  # static/js/ally-search.js; the field works without it
                "data-found": _("Allies found:"),
                "data-none": _("No ally found with these letters."),
            }
        )
        super().__init__(queryset=queryset, **kwargs)
        self.chosen = None  # (what was typed, the ally it named)

    def clean(self, value):
        ally = super().clean(value)
        self.chosen = (" ".join(str(value or "").split()), ally) if ally is not None else None
        return ally

    def prepare_value(self, value):
        if self.chosen and isinstance(value, str) and " ".join(value.split()) == self.chosen[0]:
            return self.chosen[1].name
        return super().prepare_value(value)


class AllyFilter(django_filters.Filter):
    field_class = AllyFilterField


def ally_names_response(queryset, request) -> JsonResponse:
    """What an AllyFilter's type-ahead asks: at most 20 allies of `queryset` whose name contains `q`,
    as JSON (names and page addresses, public already), the same for every visitor."""
    found = matching_allies(queryset, request.GET.get("q", "")[:200])
    response = JsonResponse({"results": [{"name": ally.name, "slug": ally.slug} for ally in found]})
    response["Cache-Control"] = "public, max-age=300"
    return response


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
    ally = AllyFilter(
        label=_("Ally involved"),
        queryset=Ally.objects.members(),
        search_url=reverse_lazy("initiatives:ally_names"),
        method="filter_ally",
        help_text=_("As lead or as partner: type part of its name."),
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = published_projects()
        super().__init__(data, queryset, **kwargs)

    def filter_words(self, queryset, name, value):
        # The site search's index and rules (accents, plurals, drafts never): every word must be
        # found; a project with every word in its title comes first (filter_queryset).
        return filter_by_search(queryset, value, kind="project", rank=True)

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
        queryset = super().filter_queryset(queryset)
        order = (F("start_date").desc(nulls_last=True), "title", "pk")
        if "search_rank" in queryset.query.annotations:
            return queryset.order_by("-search_rank", *order)
        return queryset.order_by(*order)

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
            elif isinstance(value, Ally):
                value = value.name
            elif name == "status":
                value = dict(field.choices).get(value, value)
            active.append((str(field.label), str(value)))
        return active
