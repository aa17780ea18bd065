"""Choosing an ally by typing its name: works with 10,000 allies, on a phone, without JavaScript.

The field is a plain text input. On submit the name is looked up among the
allies offered: an exact name (or page address) wins; otherwise a single
partial match is taken; otherwise the error lists at most `MAX_MATCHES`
names to copy. `views.project_manage.ally_search` answers the same lookup as
JSON for a type-ahead that a script may add on top (progressive enhancement).

`ProjectTitleField` chooses a project by title the same way (the event
editor's project); `AllyPickerField` chooses several allies: the chosen ones
as checkboxes, a search field whose matches come back as checkboxes to tick
(without JavaScript) or are added at once by the type-ahead (with it).
"""

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_MATCHES = 20


def matching_allies(queryset, text: str, name: str = "name"):
    """Rows of `queryset` whose `name` (an ally's name, a project's title) or address contains `text`, exact
    names first, at most MAX_MATCHES."""
    text = " ".join(str(text).split())
    if not text:
        return []
    exact = list(queryset.filter(Q(**{f"{name}__iexact": text}) | Q(slug__iexact=text))[:2])
    if exact:
        return exact
    return list(
        queryset.filter(Q(**{f"{name}__icontains": text}) | Q(slug__icontains=text)).order_by(name)[:MAX_MATCHES]
    )


class AllyNameField(forms.CharField):
    """An ally chosen by name among `queryset`; cleans to the Ally (or None when empty and not required)."""

    default_error_messages = {
        "none": gettext_lazy("No ally is called “%(text)s”: check the name on the ally's page."),
        "several": gettext_lazy("Several allies match “%(text)s”: %(names)s. Write the full name of one."),
    }

    name = "name"  # the field of the rows that people type
    search_url = reverse_lazy("initiatives:ally_search")
    found_text = gettext_lazy("Allies found:")
    none_text = gettext_lazy("No ally found with these letters.")

    def __init__(self, *, queryset, search_url=None, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "off",
                    "spellcheck": "false",
                    # Where a type-ahead script (static/js) may ask for matches; the field works without it.
                    "data-ally-search": self.search_url if search_url is None else search_url,
                    # What the type-ahead tells screen readers (static/js/ally-search.js).
                    "data-found": self.found_text,
                    "data-none": self.none_text,
                }
            ),
        )
        super().__init__(**kwargs)
        self.queryset = queryset

    def prepare_value(self, value):
        # A saved row's initial value is the ally's pk (or the ally): show its name.
        if hasattr(value, "pk") and hasattr(value, self.name):  # a row (a str has a `title` method)
            return getattr(value, self.name)
        if isinstance(value, int):
            # A saved link (the form's initial): shown even if the row is no longer among the choices.
            row = self.queryset.model.objects.filter(pk=value).only(self.name).first()
            return getattr(row, self.name) if row else value
        if isinstance(value, str) and value.isdigit():
            # A number typed or sent by a visitor: named only if it is among the choices, or anyone
            # could read the names of allies that are not public by trying numbers.
            row = self.queryset.filter(pk=value).only(self.name).first()
            return getattr(row, self.name) if row else value
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
        found = matching_allies(self.queryset, text, self.name)
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(self.error_messages["none"], code="none", params={"text": text})
        names = ", ".join(getattr(row, self.name) for row in found[:MAX_MATCHES])
        if len(found) >= MAX_MATCHES:
            names += "…"
        raise forms.ValidationError(_(self.error_messages["several"]) % {"text": text, "names": names}, code="several")


class ProjectTitleField(AllyNameField):
    """A project chosen by title among `queryset` (thousands of projects), as AllyNameField chooses an ally."""

    name = "title"
    search_url = None  # given by the form: which projects a person may choose depends on the person
    found_text = gettext_lazy("Projects found:")
    none_text = gettext_lazy("No project found with these letters.")
    default_error_messages = {
        "none": gettext_lazy("No project is called “%(text)s”: check the title on the project's page."),
        "several": gettext_lazy("Several projects match “%(text)s”: %(names)s. Write the full title of one."),
    }


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


# Several allies from a large list: chosen ones as checkboxes, a search field adds more ---------------------


class AllyPickerWidget(forms.Widget):
    """The chosen allies as ticked checkboxes, then a search field with its button (see AllyPickerField).

    Without JavaScript, “Search” sends the form back unsaved and the matches come back as checkboxes to tick;
    a name typed in the field is also taken on saving when it matches one ally. static/js/ally-search.js
    makes the search field a combobox that adds the chosen ally to the checkboxes at once.
    """

    template_name = "includes/ally_picker.html"
    use_fieldset = True

    def __init__(self, *, search_url=None, attrs=None):
        super().__init__(attrs)
        self.search_url = search_url or reverse_lazy("initiatives:ally_search")
        self.queryset = None

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        ids = getlist(name) if getlist else data.get(name, [])
        if isinstance(ids, str | int):  # one value from a plain dict (a test, an API)
            ids = [ids]
        return {
            "ids": [str(pk) for pk in ids if str(pk).strip()],
            "text": " ".join(str(data.get(f"{name}_search", "")).split())[:200],
            "search": data.get(SEARCH_ACTION) == name,
        }

    def value_omitted_from_data(self, data, files, name):
        return not any(key in data for key in (name, f"{name}_search", f"{name}_sent"))

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, dict) else {"ids": [], "text": ""}
        chosen = value.get("allies")
        if chosen is None:
            ids = [int(pk) for pk in value.get("ids", []) if str(pk).isdigit()]
            chosen = (
                list(self.queryset.filter(pk__in=ids).order_by("name")) if ids and self.queryset is not None else []
            )
        chosen_ids = {ally.pk for ally in chosen}
        text, results = value.get("text", ""), []
        if text and self.queryset is not None:
            results = [ally for ally in matching_allies(self.queryset, text) if ally.pk not in chosen_ids]
        widget = context["widget"]
        widget.update(
            {
                "chosen": chosen,
                "results": results,
                "searched": bool(text),
                "text": "" if results else text,
                "search_url": self.search_url,
                "action": SEARCH_ACTION,
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        from django.template.loader import render_to_string
        from django.utils.safestring import mark_safe

        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


SEARCH_ACTION = "ally_search"


def picker_search(data) -> str | None:
    """The name of the picker whose “Search” button sent the form, if one did: the form is then not saved."""
    return data.get(SEARCH_ACTION) or None


class AllyPickerField(forms.Field):
    """Several allies among `queryset` (10,000 or more), chosen by name; cleans to a list of Ally, by name."""

    widget = AllyPickerWidget
    default_error_messages = {
        "gone": gettext_lazy("One of the allies chosen can no longer be chosen here: it was taken off the list."),
        "none": AllyNameField.default_error_messages["none"],
        "several": gettext_lazy("Several allies match “%(text)s”: tick the ones you mean below, then save."),
    }

    def __init__(self, *, queryset, search_url=None, **kwargs):
        kwargs.setdefault("widget", AllyPickerWidget(search_url=search_url))
        super().__init__(**kwargs)
        self.queryset = queryset

    @property
    def queryset(self):
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        self._queryset = queryset
        self.widget.queryset = queryset

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.queryset = self._queryset
        return result

    def prepare_value(self, value):
        if isinstance(value, dict):
            return value
        items = list(value or [])
        if all(hasattr(item, "pk") for item in items):
            return {"ids": [str(item.pk) for item in items], "allies": sorted(items, key=lambda a: a.name), "text": ""}
        return {"ids": [str(getattr(item, "pk", item)) for item in items], "text": ""}

    def has_changed(self, initial, data):
        before = set(self.prepare_value(initial)["ids"])
        after = self.prepare_value(data)
        return before != set(after["ids"]) or bool(after.get("text"))

    def clean(self, value):
        value = self.prepare_value(value)
        ids = set()
        for pk in value["ids"]:
            if not str(pk).isdigit():
                raise forms.ValidationError(self.error_messages["gone"], code="gone")
            ids.add(int(pk))
        chosen = list(self.queryset.filter(pk__in=ids)) if ids else []
        if len(chosen) != len(ids):
            raise forms.ValidationError(self.error_messages["gone"], code="gone")
        text = value.get("text", "")
        if text:
            found = matching_allies(self.queryset, text)
            if not found:
                raise forms.ValidationError(self.error_messages["none"], code="none", params={"text": text})
            if len(found) > 1:
                raise forms.ValidationError(self.error_messages["several"], code="several", params={"text": text})
            if found[0].pk not in ids:
                chosen.append(found[0])
        if not chosen and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        self.run_validators(chosen)
        return sorted(chosen, key=lambda ally: ally.name)
