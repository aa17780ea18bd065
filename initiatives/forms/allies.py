"""Choosing an ally by typing its name: works with 10,000 allies, on a phone, without JavaScript.

The field is a plain text input. On submit the name is looked up among the
allies offered: an exact name (or page address) wins; otherwise a single
partial match is taken; otherwise the error lists at most `MAX_MATCHES`
names to copy. `views.project_manage.ally_search` answers the same lookup as
JSON for a type-ahead that a script may add on top (progressive enhancement).
"""

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_MATCHES = 20


def matching_allies(queryset, text: str):
    """Allies of `queryset` whose name or address contains `text`, exact names first, at most MAX_MATCHES."""
    text = " ".join(str(text).split())
    if not text:
        return []
    exact = list(queryset.filter(Q(name__iexact=text) | Q(slug__iexact=text))[:2])
    if exact:
        return exact
    return list(queryset.filter(Q(name__icontains=text) | Q(slug__icontains=text)).order_by("name")[:MAX_MATCHES])


class AllyNameField(forms.CharField):
    """An ally chosen by name among `queryset`; cleans to the Ally (or None when empty and not required)."""

    default_error_messages = {
        "none": gettext_lazy("No ally is called “%(text)s”: check the name on the ally's page."),
        "several": gettext_lazy("Several allies match “%(text)s”: %(names)s. Write the full name of one."),
    }

    def __init__(self, *, queryset, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "autocomplete": "off", "spellcheck": "false",
            # Where a type-ahead script (static/js) may ask for matches; the field works without it.
            "data-ally-search": reverse_lazy("initiatives:ally_search"),
            # What the type-ahead tells screen readers (static/js/ally-search.js).
            "data-found": gettext_lazy("Allies found:"),
            "data-none": gettext_lazy("No ally found with these letters."),
        }))
        super().__init__(**kwargs)
        self.queryset = queryset

    def prepare_value(self, value):
        # A saved row's initial value is the ally's pk (or the ally): show its name.
        if hasattr(value, "name"):
            return value.name
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            ally = self.queryset.model.objects.filter(pk=value).only("name").first()
            return ally.name if ally else value
        return value

    def has_changed(self, initial, data):
        return (self.prepare_value(initial) or "") != (data or "").strip()

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        if text.isdigit():  # the value of a select, from an older page or a script
            ally = self.queryset.filter(pk=int(text)).first()
            if ally is not None:
                return ally
        found = matching_allies(self.queryset, text)
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(self.error_messages["none"], code="none", params={"text": text})
        names = ", ".join(ally.name for ally in found[:MAX_MATCHES])
        if len(found) >= MAX_MATCHES:
            names += "…"
        raise forms.ValidationError(_(self.error_messages["several"]) % {"text": text, "names": names},
                                    code="several")


class AllyNamesField(forms.CharField):
    """Several allies among `queryset`, one name per line; cleans to a list of Ally."""

    def __init__(self, *, queryset, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
        kwargs.setdefault("max_length", 5000)
        super().__init__(**kwargs)
        self.queryset = queryset
        self.one = AllyNameField(queryset=queryset)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(self.one.prepare_value(item) or "" for item in value)
        return value

    def has_changed(self, initial, data):
        return (self.prepare_value(initial) or "").strip() != (data or "").strip()

    def clean(self, value):
        text = super().clean(value) or ""
        found, errors = [], []
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                ally = self.one.clean(line)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
            else:
                if ally not in found:
                    found.append(ally)
        if errors:
            raise forms.ValidationError(errors)
        return found
