"""The filters of the public list of events."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from alliance.models import Region, Theme
from alliance.search import filter_by_search
from initiatives.filters import AllyFilter
from members.models import Ally

from . import selectors
from .models import Event

ROME = ZoneInfo("Europe/Rome")


class MonthField(forms.CharField):
    """A month as YYYY-MM (what `<input type="month">` sends), cleaned to its first day."""

    # No placeholder or pattern: HTML allows neither on type="month" (the field's help text gives the
    # form for the browsers that draw a text box, and to_python checks it).
    widget = forms.TextInput(attrs={"type": "month"})
    default_error_messages = {"invalid": _("Enter a month as year and month, e.g. 2026-03.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date(int(match.group(1)), int(match.group(2)), 1)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class MonthFilter(django_filters.Filter):
    field_class = MonthField


def registration_open_now(queryset, now=None):
    """Events whose registration_state() is 'open', in SQL."""
    now = now or timezone.now()
    return queryset.filter(
        Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now),
        Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now),
        status=Event.Status.PUBLISHED,
        start__gt=now,
        end__gt=now,
    ).exclude(admission=Event.Admission.NONE)


def organizers():
    """The allies the organizer filter accepts: members that organize a public event."""
    return Ally.objects.filter(Ally.MEMBER_Q, pk__in=Event.objects.filter(selectors.PUBLIC).values("organizers"))


class EventFilterSet(django_filters.FilterSet):
    """Filters and search for `public_events()`; every value travels in the URL.

    An invalid value leaves the form with an error and the results empty, never a 500.
    """

    WHEN_UPCOMING = "upcoming"
    WHEN_PAST = "past"
    WHEN_CHOICES = [(WHEN_UPCOMING, _("Upcoming events")), (WHEN_PAST, _("Past events"))]

    q = django_filters.CharFilter(
        label=_("Words to look for"), method="filter_words", max_length=200, widget=forms.SearchInput
    )
    kind = django_filters.ChoiceFilter(label=_("Kind of event"), choices=Event.Kind.choices, empty_label=_("All"))
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
    month = MonthFilter(label=_("Month"), method="filter_month", help_text=_("Year and month, e.g. 2026-03."))
    organizer = AllyFilter(
        label=_("Organized by"),
        queryset=Ally.objects.none(),  # set in __init__: the allies that organize public events
        search_url=reverse_lazy("events:organizer_names"),
        method="filter_organizer",
        help_text=_("An ally that organizes events: type part of its name."),
    )
    open = django_filters.BooleanFilter(
        label=_("Only events open for registration"), method="filter_open", widget=forms.CheckboxInput
    )
    # The tabs of the page; applied last, in filter_queryset, because it also orders.
    when = django_filters.ChoiceFilter(
        label=_("When"), choices=WHEN_CHOICES, empty_label=None, method="filter_nothing", widget=forms.HiddenInput
    )

    class Meta:
        model = Event
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = selectors.public_events()
        super().__init__(data, queryset, **kwargs)
        self.form.fields["organizer"].queryset = organizers()

    def get_form_class(self):
        # django-filter builds the form's class from the filters for each request; the fields are the
        # same for every one (labels and addresses lazy, translated when written, the organizers' queryset
        # set on the form's copy in __init__), so the class is built once.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = type(self)._form_class = super().get_form_class()
        return form_class

    @property
    def tab(self) -> str:
        """The tab shown: 'upcoming' or 'past'."""
        value = self.data.get("when") if self.data else None
        return self.WHEN_PAST if value == self.WHEN_PAST else self.WHEN_UPCOMING

    def filter_words(self, queryset, name, value):
        # The site search's index and rules (accents, plurals, sessions and speakers, drafts never);
        # an event with every word in its title comes first (filter_queryset).
        return filter_by_search(queryset, value, kind="event", rank=True)

    def filter_theme(self, queryset, name, theme):
        return queryset.filter(themes=theme)

    def filter_region(self, queryset, name, region):
        return queryset.filter(Q(region=region) | Q(province__region=region))

    def filter_month(self, queryset, name, first_day):
        start = datetime.combine(first_day, time(0), tzinfo=ROME)
        following = (
            date(first_day.year + 1, 1, 1) if first_day.month == 12 else date(first_day.year, first_day.month + 1, 1)
        )
        end = datetime.combine(following, time(0), tzinfo=ROME)
        return queryset.filter(start__lt=end, end__gt=start)

    def filter_organizer(self, queryset, name, ally):
        return queryset.filter(organizers=ally)

    def filter_open(self, queryset, name, value):
        return registration_open_now(queryset) if value else queryset

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        if not self.form.is_valid():
            return queryset.none()
        # The seats taken are counted for the page's events only (events.views.public.event_cards): a
        # count in the list's query would be worked out for every event a later page skips.
        queryset = super().filter_queryset(queryset)
        ranked = ("-search_rank",) if "search_rank" in queryset.query.annotations else ()
        if self.form.cleaned_data.get("when") == self.WHEN_PAST:
            return selectors.past(queryset).order_by(*ranked, "-start", "-pk")
        return selectors.upcoming(queryset).order_by(*ranked, "start", "pk")

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value) of every filter in use, to say what was looked for."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        active = []
        for name, value in self.form.cleaned_data.items():
            if name == "when" or value in (None, "", False):
                continue
            field = self.form.fields[name]
            if value is True:
                active.append((str(field.label), str(_("yes"))))
            elif isinstance(value, Region | Theme):
                active.append((str(field.label), value.display_name))
            elif isinstance(value, Ally):
                active.append((str(field.label), value.name))
            elif isinstance(value, date):
                active.append((str(field.label), date_format(value, "YEAR_MONTH_FORMAT")))
            elif name == "kind":
                active.append((str(field.label), str(dict(field.choices).get(value, value))))
            else:
                active.append((str(field.label), str(value)))
        return active


# "Events you manage" (issue 9) -----------------------------------------------------------------


class AllyNameFilter(django_filters.Filter):
    """An ally typed by name (initiatives.forms.allies.AllyNameField, with the type-ahead of
    static/js/ally-search.js); the filter method receives the Ally."""

    @property
    def field_class(self):
        from initiatives.forms.allies import AllyNameField

        return AllyNameField


class ManagedEventFilterSet(django_filters.FilterSet):
    """Search and filters of the events one runs (`selectors.managed_events`); every value travels in the URL.

    Drafts are not in the site-wide search index (alliance.search indexes public documents only), so the
    words are looked for in the title: every word, in any order, accents as typed. Upcoming events (not
    over yet) come by start, the past ones newest first. An invalid value leaves the form with its error
    and the results empty.
    """

    WHEN_UPCOMING = "upcoming"
    WHEN_PAST = "past"
    WHEN_CHOICES = [(WHEN_UPCOMING, _("Upcoming and under way")), (WHEN_PAST, _("Past"))]

    q = django_filters.CharFilter(
        label=_("Words in the title"), method="filter_words", max_length=200, widget=forms.SearchInput
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Event.Status.choices, empty_label=_("Any status"))
    # The tabs of the page (kept by the form in a hidden field); applied last, in filter_queryset, as it orders.
    when = django_filters.ChoiceFilter(
        label=_("When"), choices=WHEN_CHOICES, empty_label=None, method="filter_nothing", widget=forms.HiddenInput
    )
    # Looked up only among the allies organizing the events `user` runs (`selectors.managed_event_organizers`):
    # the error that lists matching names must not name allies that are not public.
    organizer = AllyNameFilter(
        label=_("Organized by"),
        method="filter_organizer",
        queryset=Ally.objects.none(),
        required=False,
        help_text=_("The name of an organizing ally, or part of it."),
    )

    class Meta:
        model = Event
        fields = []

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if user is not None:
            # Built only when a name is looked up: the list without that filter asks no more queries.
            self.filters["organizer"].extra["queryset"] = SimpleLazyObject(
                lambda: selectors.managed_event_organizers(user, events=queryset)
            )
        # The type-ahead asks the events' own endpoint, scoped the same way (events.views.manage.organizer_search).
        self.form.fields["organizer"].widget.attrs["data-ally-search"] = reverse("events:organizer_search")

    @property
    def tab(self) -> str:
        value = self.data.get("when") if self.data else None
        return self.WHEN_PAST if value == self.WHEN_PAST else self.WHEN_UPCOMING

    def filter_words(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(title__icontains=word)
        return queryset

    def filter_organizer(self, queryset, name, ally):
        # A subquery, not a join: an event with two organizers must not come twice, nor double its counts.
        return queryset.filter(pk__in=Event.objects.filter(organizers=ally).values("pk"))

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        if not self.form.is_valid():
            return queryset.none()
        queryset = super().filter_queryset(queryset)
        if self.tab == self.WHEN_PAST:
            return selectors.past(queryset).order_by("-start", "-pk")
        return selectors.upcoming(queryset).order_by("start", "pk")

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value) of every filter in use but the upcoming/past switch, to say what was looked for."""
        if not self.is_bound or not self.form.is_valid():
            return []
        active = []
        for name, value in self.form.cleaned_data.items():
            if name == "when" or value in (None, ""):
                continue
            field = self.form.fields[name]
            if isinstance(value, Ally):
                value = value.name
            elif name == "status":
                value = dict(field.choices).get(value, value)
            active.append((str(field.label), str(value)))
        return active
