"""Forms of the coordination side: the event with its programme, filters, messages, decisions.

The event editor is one page: the event's fields, its speakers and its
sessions. `EventEditor` validates all three before anything is written, then
hands them to `services.save_event` as plain data (EventData, SpeakerData,
SessionData), which saves them in one transaction: an error anywhere leaves
nothing half-saved. The forms check shape; the rules about seats and about
removing sessions people chose are the service's (`DisplacementError`), and
the editor shows them on the fields, with a checkbox to confirm the moves.
"""

from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.dates import html_bounds, sane_date
from alliance.permissions import is_coordinator
from initiatives.forms.allies import AllyNameField, AllyPickerField, ProjectTitleField

from .. import services
from ..models import Event, Registration, Session, Speaker

ROME = ZoneInfo("Europe/Rome")
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_REMINDERS = 5
MAX_REMINDER_HOURS = 60 * 24  # sixty days
MAX_ROWS = 100


def _datetime_field(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        # The browser's date and time picker; values are the portal's time, Europe/Rome.
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", **html_bounds("datetime-local")}, format="%Y-%m-%dT%H:%M"
        ),
        error_messages={"invalid": _("Enter a date and a time, e.g. 14/05/2026 09:30.")},
        validators=[sane_date],
    )


def _local_date(value):
    return timezone.localtime(value, ROME).date()


def _hours(minutes: int) -> str:
    hours = Decimal(int(minutes)) / 60
    return f"{hours.normalize():f}"


def manageable_allies(user):
    """The allies `user` may name as organizers: every approved ally for coordinators, else the approved allies they manage."""
    from members.models import Ally

    allies = Ally.objects.members()
    if is_coordinator(user):
        return allies
    return allies.filter(memberships__user=user).distinct()


class EventForm(forms.ModelForm):
    start = _datetime_field(_("Start"))
    end = _datetime_field(_("End"))
    registration_opens_at = _datetime_field(
        _("Registration opens"), required=False, help_text=_("Empty: as soon as the event is published.")
    )
    registration_closes_at = _datetime_field(
        _("Registration closes"), required=False, help_text=_("Empty: when the event starts.")
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=_("For online or hybrid events: the address of the meeting or of the stream."),
    )
    reminders = forms.CharField(
        label=_("Reminders"),
        required=False,
        max_length=100,
        help_text=_(
            "Hours before the start, separated by commas: “48, 2” sends a reminder two days and two hours "
            "before. Empty: no reminders."
        ),
    )
    # Admission (issue 9, registrations engineer): who may register, and how. `registration_policy`
    # keeps its name (the editor's markup and callers use it) and now holds who; `admission_review` says
    # how. The last three keep the event's values when the page does not send them.
    registration_policy = forms.ChoiceField(label=_("Who may register"), choices=Event.Admission.choices)
    admission_review = forms.TypedChoiceField(
        label=_("How"),
        required=False,
        coerce=lambda value: value == "review",
        widget=forms.RadioSelect,
        choices=[("immediate", _("Immediately, while there are seats")), ("review", _("On review by the organizers"))],
        help_text=_("On review: each request waits for your decision; members-only on review suits a selective cycle."),
    )
    # Pickers that work with thousands of allies, also without JavaScript (initiatives.forms.allies).
    admission_allies = AllyPickerField(
        label=_("Allies whose members may register"),
        required=False,
        queryset=None,
        help_text=_("For “members of given allies”."),
    )
    organizers = AllyPickerField(label=_("Organizing allies"), required=False, queryset=None)
    # Thousands of projects: typed, with a type-ahead (issue 10).
    project = ProjectTitleField(
        label=_("Related project"),
        required=False,
        queryset=None,
        search_url=reverse_lazy("events:project_search"),
        help_text=_("The project of the network this event belongs to, if any: type part of its title."),
    )
    admission_regions = forms.ModelMultipleChoiceField(
        label=_("Regions whose members may register"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “members from given regions”: allies serving them."),
    )
    # End of the admission fields.
    # Shown only with an error about seats or removed sessions: the organizer's explicit yes.
    confirm_moves = forms.BooleanField(
        label=_(
            "Yes, move the latest confirmed to the waiting list and drop the choices of removed sessions; "
            "tell each of them by e-mail."
        ),
        required=False,
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "summary",
            "description",
            "organizers",
            "venue_name",
            "address",
            "city",
            "province",
            "region",
            "online_url",
            "step_free_access",
            "interpretation",
            "accessibility_notes",
            "start",
            "end",
            "capacity",
            "cover_image",
            "programme_pdf",
            "themes",
            "language",
            "registration_opens_at",
            "registration_closes_at",
            "is_series",  # series of meetings (issue 9)
            "register_per_meeting",  # attendees choose their meetings (issue 9, h2)
            "project",
            "pathway_stage",  # what the event carries out (issue 10)
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "cover_image": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
            "programme_pdf": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        }
        help_texts = {
            "cover_image": _("PNG, JPEG or WebP, at most 2 MB."),
            "programme_pdf": _("A PDF file, at most 10 MB."),
            "region": _("Filled in from the province when left empty."),
            "pathway_stage": _(
                "The stage of a pathway this event carries out, if any: it is then listed on the "
                "pathway's page and on its project's page."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.coordinator = is_coordinator(user)
        allies = manageable_allies(user)
        current = self.instance.organizers.all() if self.instance.pk else None
        if self.coordinator and current is not None:
            # An organizer whose membership ended stays choosable, so that saving does not drop it silently.
            allies = allies.model.objects.filter(Q(pk__in=allies.values("pk")) | Q(pk__in=current.values("pk")))
        self.fields["organizers"].queryset = allies.order_by("name")
        if not self.coordinator:
            # The type-ahead offers only the allies this person manages, as the field accepts.
            self.fields["organizers"].widget.search_url = f"{reverse('initiatives:ally_search')}?scope=managed"
            self.fields["organizers"].required = True
            self.fields["organizers"].help_text = _("Your organizations that organize this event.")
            self.fields["organizers"].error_messages["required"] = _(
                "Choose at least one of your organizations: otherwise you could no longer manage this event."
            )
            mine = set(allies.values_list("pk", flat=True))
            if self.instance.pk is None and not self.initial.get("organizers"):
                self.initial["organizers"] = sorted(mine)
            elif self.instance.pk is not None:
                # Co-organizers this person does not manage are not choices here; clean_organizers keeps them.
                self.initial["organizers"] = [
                    a for a in self.initial.get("organizers", []) if getattr(a, "pk", a) in mine
                ]
                others = [ally.name for ally in current if ally.pk not in mine]
                if others:
                    self.fields["organizers"].help_text = _(
                        "Your organizations that organize this event. Also organizing it: %(others)s."
                    ) % {"others": format_html_join(", ", "{}", ((name,) for name in others))}  # help texts are HTML
        self.fields["province"].queryset = self.fields["province"].queryset.select_related("region")
        self.fields["capacity"].widget.attrs["min"] = 1
        self._init_links()
        self._init_admission()  # admission (issue 9)
        self.initial.setdefault("reminders", ", ".join(_hours(m) for m in (self.instance.reminder_offsets or [])))

    def _init_links(self):
        """The project and the stage: those this person may link, and the event's own even if not (it stays)."""
        from initiatives.models import Project, Stage
        from initiatives.selectors import linkable_projects, linkable_stages

        for name, model, linkable in (
            ("project", Project, linkable_projects),
            ("pathway_stage", Stage, linkable_stages),
        ):
            queryset = model.objects.filter(pk__in=linkable(self.user).values("pk"))
            current = getattr(self.instance, f"{name}_id")
            if current:
                queryset = queryset | model.objects.filter(pk=current)
            self.fields[name].queryset = queryset
        if self.instance.project_id:
            self.initial["project"] = self.instance.project  # its title, in the query that loads it
        stage = self.fields["pathway_stage"]
        stage.queryset = stage.queryset.select_related("pathway").order_by("pathway__title", "position", "pk")
        stage.empty_label = _("No stage")
        stage.label_from_instance = lambda item: (
            _("%(pathway)s — stage %(position)s: %(title)s")
            % {"pathway": item.pathway.title, "position": item.position, "title": item.title}
        )

    def _init_admission(self):
        from alliance.models import Region
        from members.models import Ally

        self.fields["admission_allies"].queryset = Ally.objects.members().order_by("name")
        self.fields["admission_regions"].queryset = Region.objects.order_by("name")
        event = self.instance
        self.initial["registration_policy"] = event.admission
        self.initial["admission_review"] = "review" if event.admission_review else "immediate"
        if event.pk and event.admission in (Event.Admission.ALLIES, Event.Admission.REGIONS):  # else unused
            self.initial["admission_allies"] = list(event.admission_allies.all())
            self.initial["admission_regions"] = list(event.admission_regions.all())

    def admission_values(self) -> dict:
        """Who and how as plain data for `services.EventData`; what the page did not send stays as it is."""
        data, sent = self.cleaned_data, self.data
        values = {"admission": data["registration_policy"]}
        if self.add_prefix("admission_review") in sent:
            values["admission_review"] = data["admission_review"]
        for name in ("admission_allies", "admission_regions"):
            if any(self.add_prefix(key) in sent for key in (name, f"{name}_sent", f"{name}_search")):
                values[name] = list(data[name])
        return values

    def _clean_admission(self, cleaned):
        who = cleaned.get("registration_policy")
        for kind, name, message in (
            (Event.Admission.ALLIES, "admission_allies", _("Choose the allies whose members may register.")),
            (Event.Admission.REGIONS, "admission_regions", _("Choose the regions whose members may register.")),
        ):
            if who != kind or cleaned.get(name) or name in self.errors:
                continue
            if self.add_prefix(name) in self.data or not (self.instance.pk and getattr(self.instance, name).exists()):
                self.add_error(name, message)

    def clean_cover_image(self):
        from alliance.uploads import clean_image

        image = self.cleaned_data.get("cover_image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return clean_image(image)
        return image

    def clean_programme_pdf(self):
        upload = self.cleaned_data.get("programme_pdf")
        if not upload or not hasattr(upload, "content_type"):
            return upload
        if upload.size > MAX_PDF_BYTES:
            raise forms.ValidationError(
                _("The PDF is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_PDF_BYTES)}
            )
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(
                _("This file is not a PDF, whatever its name says: export the programme as PDF and upload it again.")
            )
        if not upload.name.lower().endswith(".pdf"):
            upload.name = f"{upload.name.rsplit('.', 1)[0]}.pdf"
        return upload

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError(_("Leave it empty for no limit, or give at least one seat."))
        return capacity

    def clean_organizers(self):
        chosen = list(self.cleaned_data.get("organizers") or [])
        if self.coordinator or self.instance.pk is None:
            return chosen
        # Allies this person does not manage are not on the form: keep them as they were.
        mine = set(self.fields["organizers"].queryset.values_list("pk", flat=True))
        others = [ally for ally in self.instance.organizers.all() if ally.pk not in mine]
        return chosen + others

    def clean_reminders(self):
        text = self.cleaned_data.get("reminders", "")
        minutes = set()
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            try:
                hours = Decimal(part)
            except InvalidOperation:
                raise forms.ValidationError(
                    _("“%(value)s” is not a number of hours: write e.g. “48, 2”.") % {"value": part}
                ) from None
            if not hours.is_finite() or hours <= 0 or hours > MAX_REMINDER_HOURS:
                raise forms.ValidationError(
                    _("“%(value)s”: a reminder goes between a few minutes and %(max)s hours before the start.")
                    % {"value": part, "max": MAX_REMINDER_HOURS}
                )
            value = int((hours * 60).to_integral_value())
            if value < 1:
                raise forms.ValidationError(
                    _("“%(value)s”: a reminder goes between a few minutes and %(max)s hours before the start.")
                    % {"value": part, "max": MAX_REMINDER_HOURS}
                )
            minutes.add(value)
        if len(minutes) > MAX_REMINDERS:
            raise forms.ValidationError(
                ngettext("At most %(count)d reminder.", "At most %(count)d reminders.", MAX_REMINDERS)
                % {"count": MAX_REMINDERS}
            )
        return sorted(minutes, reverse=True)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must come after the start."))
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        if closes and end and closes > end:
            self.add_error("registration_closes_at", _("Registration must close before the event ends."))
        if opens and end and opens >= end:
            self.add_error("registration_opens_at", _("Registration must open before the event ends."))
        online = data.get("online_url")
        if data.get("kind") == Event.Kind.WEBINAR:
            if not online and "online_url" not in self.errors:
                self.add_error("online_url", _("A webinar needs its online link."))
        elif not online and not (data.get("venue_name") or data.get("address") or data.get("city")):
            if "online_url" not in self.errors:
                self.add_error(
                    None, _("Say where the event takes place: a venue with its town, or an online link, or both.")
                )
        province, region = data.get("province"), data.get("region")
        if province and region and province.region_id != region.pk:
            self.add_error("region", _("%(province)s is not in %(region)s.") % {"province": province, "region": region})
        elif province and not region:
            data["region"] = province.region
        self._clean_admission(data)  # admission (issue 9)
        return data

    def _post_clean(self):
        super()._post_clean()
        if "reminders" in self.cleaned_data:
            self.instance.reminder_offsets = self.cleaned_data["reminders"]


# Speakers and sessions --------------------------------------------------------------


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def split_names(text: str) -> list[str]:
    return [" ".join(part.split()) for part in (text or "").split(",") if part.strip()]


class SpeakerForm(forms.ModelForm):
    ally = AllyNameField(
        label=_("Ally"),
        required=False,
        queryset=None,
        help_text=_("If the speaker speaks for an ally of the network: type part of its name."),
    )

    class Meta:
        model = Speaker
        fields = ["name", "role", "affiliation", "ally", "to_be_confirmed", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        from members.models import Ally

        super().__init__(*args, **kwargs)
        allies = Ally.objects.members()
        if self.instance.ally_id:
            # The ally already linked stays choosable (its membership may have ended); its name without a query.
            allies = Ally.objects.filter(Q(pk__in=allies.values("pk")) | Q(pk=self.instance.ally_id))
            self.initial["ally"] = self.instance.ally
        self.fields["ally"].queryset = allies

    def clean_name(self):
        name = " ".join(self.cleaned_data.get("name", "").split())
        if "," in name:
            raise forms.ValidationError(
                _("Write the name without commas: sessions list their speakers separated by commas.")
            )
        return name


class BaseSpeakerFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            name = form.cleaned_data.get("name")
            if not name:
                continue
            if _normal(name) in seen:
                form.add_error(
                    "name",
                    _("Two speakers are called “%(name)s”: tell them apart, e.g. with a middle initial.")
                    % {"name": name},
                )
            seen[_normal(name)] = form

    def names(self) -> set[str]:
        """The names of the speakers that stay, normalized, also from rows that have other errors."""
        names = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if hasattr(form, "cleaned_data") and form.cleaned_data.get("name"):
                names.add(_normal(form.cleaned_data["name"]))
            elif form.has_changed() or form.instance.pk:
                raw = form["name"].value()
                if raw:
                    names.add(_normal(raw))
        return names


SpeakerFormSet = forms.inlineformset_factory(
    Event,
    Speaker,
    form=SpeakerForm,
    formset=BaseSpeakerFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
)


class SessionForm(forms.ModelForm):
    speaker_names = forms.CharField(
        label=_("Speakers"),
        required=False,
        max_length=1000,
        help_text=_("Names of speakers listed above, separated by commas."),
    )

    class Meta:
        model = Session
        fields = ["title", "kind", "day", "start_time", "end_time", "room", "capacity", "description"]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date", **html_bounds("date")}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "capacity": _("Only for workshops that attendees choose at registration. Empty: no limit of its own."),
        }

    def __init__(self, *args, event_days=None, speaker_names=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_days = event_days
        self.known_speakers = speaker_names
        self.fields["day"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        self.fields["day"].validators.append(sane_date)
        self.fields["start_time"].input_formats = ["%H:%M", "%H:%M:%S", "%H.%M"]
        self.fields["end_time"].input_formats = ["%H:%M", "%H:%M:%S", "%H.%M"]
        self.fields["capacity"].widget.attrs["min"] = 1
        if self.instance.pk:
            self.initial.setdefault("speaker_names", ", ".join(s.name for s in self.instance.speakers.all()))

    def has_changed(self):
        # An empty row only carries the kind's default; whatever the browser sent for it, it stays empty.
        if self.instance.pk:
            return super().has_changed()
        return any(name != "kind" for name in self.changed_data)

    def clean_speaker_names(self):
        names = split_names(self.cleaned_data.get("speaker_names", ""))
        if self.known_speakers is not None:
            unknown = [name for name in names if _normal(name) not in self.known_speakers]
            if unknown:
                raise forms.ValidationError(
                    ngettext(
                        "%(names)s is not among the speakers of this event: add them to the speakers above, "
                        "or check the spelling.",
                        "%(names)s are not among the speakers of this event: add them to the speakers above, "
                        "or check the spelling.",
                        len(unknown),
                    )
                    % {"names": ", ".join(f"“{name}”" for name in unknown)}
                )
        return names

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError(_("Leave it empty, or give at least one seat."))
        return capacity

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The session must end after it starts."))
        day = data.get("day")
        if day and self.event_days is not None:
            first, last = self.event_days
            if not first <= day <= last:
                if first == last:
                    message = _("The event takes place on %(first)s: move the session to that day.")
                else:
                    message = _("The event takes place from %(first)s to %(last)s: choose a day in between.")
                self.add_error(
                    "day", message % {"first": first.strftime("%d/%m/%Y"), "last": last.strftime("%d/%m/%Y")}
                )
        # Seats of its own make a session something attendees choose at registration; that fits parallel
        # workshops. Plenaries and breaks are for everyone registered, whose seats are the event's.
        if data.get("capacity") is not None and data.get("kind") != Session.Kind.WORKSHOP:
            self.add_error(
                "capacity",
                _(
                    "Only workshops can have seats of their own: plenaries and breaks are for "
                    "everyone registered to the event. Leave it empty, or make it a workshop."
                ),
            )
        return data


SessionFormSet = forms.inlineformset_factory(
    Event,
    Session,
    form=SessionForm,
    extra=3,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
)


def _with_rows(formset_class, rows: int):
    if rows == formset_class.extra:
        return formset_class
    return type(formset_class.__name__, (formset_class,), {"extra": rows})


class EventEditor:
    """The event, its speakers and its sessions: validated together, saved together by the service."""

    def __init__(self, data=None, files=None, *, instance: Event, user, rows: int = 3):
        self.is_bound = data is not None
        self.data = data
        self.instance = instance
        self.user = user
        self.rows = rows
        self.needs_confirmation = False
        self.result = None
        self.event_form = EventForm(data, files, instance=instance, user=user)
        self.speakers = _with_rows(SpeakerFormSet, rows)(
            data,
            instance=instance,
            prefix="speakers",
            queryset=Speaker.objects.select_related("ally") if instance.pk else Speaker.objects.none(),
        )
        self.sessions = self._sessions()

    def _sessions(self, event_days=None, speaker_names=None):
        queryset = Session.objects.prefetch_related("speakers") if self.instance.pk else Session.objects.none()
        return _with_rows(SessionFormSet, self.rows)(
            self.data,
            instance=self.instance,
            prefix="sessions",
            queryset=queryset,
            form_kwargs={"event_days": event_days, "speaker_names": speaker_names},
        )

    def is_valid(self) -> bool:
        if not self.is_bound:
            return False
        event_ok = self.event_form.is_valid()
        speakers_ok = self.speakers.is_valid()
        data = self.event_form.cleaned_data
        days = None
        if data.get("start") and data.get("end") and data["start"] < data["end"]:
            days = (_local_date(data["start"]), _local_date(data["end"]))
        # The sessions are checked against the event's dates and speakers as submitted.
        self.sessions = self._sessions(event_days=days, speaker_names=self.speakers.names())
        sessions_ok = self.sessions.is_valid()
        return event_ok and speakers_ok and sessions_ok

    @property
    def show_confirmation(self) -> bool:
        return self.needs_confirmation or bool(self.event_form["confirm_moves"].value())

    def event_data(self) -> services.EventData:
        values = dict(self.event_form.cleaned_data)
        values["reminder_offsets"] = values.pop("reminders", [])
        # Who may register and how: the admission settings, saved by save_event in the same transaction.
        values.pop("registration_policy", None)
        for name in ("admission_review", "admission_allies", "admission_regions"):
            values.pop(name, None)
        values.update(self.event_form.admission_values())
        for name in ("cover_image", "programme_pdf"):
            if values.get(name) is None:  # nothing uploaded, nothing cleared
                values.pop(name, None)
        return services.EventData.from_mapping(values)

    def programme(self) -> services.Programme:
        programme = services.Programme()
        for form in self._rows(self.speakers, programme.removed_speaker_ids):
            data = form.cleaned_data
            programme.speakers.append(
                services.SpeakerData(
                    pk=form.instance.pk,
                    name=data["name"],
                    role=data.get("role", ""),
                    affiliation=data.get("affiliation", ""),
                    to_be_confirmed=data.get("to_be_confirmed", False),
                    bio=data.get("bio", ""),
                    ally=data.get("ally"),
                )
            )
        for form in self._rows(self.sessions, programme.removed_session_ids):
            data = form.cleaned_data
            programme.sessions.append(
                services.SessionData(
                    pk=form.instance.pk,
                    title=data["title"],
                    kind=data["kind"],
                    day=data["day"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    room=data.get("room", ""),
                    capacity=data.get("capacity"),
                    description=data.get("description", ""),
                    speaker_names=data.get("speaker_names", []),
                )
            )
        return programme

    @staticmethod
    def _rows(formset, removed: list):
        """The rows to save; the saved rows marked “Delete” go to `removed` (the service removes them)."""
        for form in formset.forms:
            if formset._should_delete_form(form):
                if form.instance.pk:
                    removed.append(form.instance.pk)
                continue
            if not form.instance.pk and not form.has_changed():
                continue
            yield form

    def save(self) -> Event | None:
        """Save through the service; None when it refused (the reasons are then on the fields)."""
        try:
            self.result = services.save_event(
                event=self.instance if self.instance.pk else None,
                actor=self.user,
                data=self.event_data(),
                programme=self.programme(),
                confirm_moves=self.event_form.cleaned_data.get("confirm_moves", False),
            )
        except services.DisplacementError as exc:
            self._show(exc.problems)
            return None
        except ValidationError as exc:  # a rule of the service, e.g. a project this person may not link
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    field = name if name in self.event_form.fields else None
                    for error in errors:
                        self.event_form.add_error(field, error)
            else:
                self.event_form.add_error(None, exc)
            return None
        return self.result.event

    def _show(self, problems) -> None:
        self.needs_confirmation = True
        sessions = {form.instance.pk: form for form in self.sessions.forms if form.instance.pk}
        for problem in problems:
            form = sessions.get(problem.session_id)
            if problem.kind == "seats":
                self.event_form.add_error("capacity", problem.message)
            elif form is not None and problem.kind == "session_seats":
                form.add_error("capacity", problem.message)
            elif form is not None:
                form.add_error(None, problem.message)
            else:
                self.event_form.add_error(None, problem.message)


# Registrations ------------------------------------------------------------------------


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    session = forms.ModelChoiceField(
        label=_("Session"), required=False, queryset=Session.objects.none(), empty_label=_("All the sessions")
    )

    def __init__(self, *args, event: Event, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All"))] + list(Registration.Status.choices)
        self.fields["session"].queryset = event.sessions.all()
        if sessions is not None:
            self.fields["session"].choices = [("", _("All the sessions"))] + [(s.pk, str(s)) for s in sessions]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data["status"]:
            queryset = queryset.filter(status=self.cleaned_data["status"])
        if self.cleaned_data["session"]:
            queryset = queryset.filter(session_choices__session=self.cleaned_data["session"])
        return queryset


class RegistrationActionForm(forms.Form):
    ACTIONS = ["approve", "decline", "confirm", "waitlist", "cancel"]

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", _("Please give the applicant a reason."))
        return data


RECIPIENTS = {
    "active": [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED, Registration.Status.PENDING],
    "confirmed": [Registration.Status.CONFIRMED],
    "waitlisted": [Registration.Status.WAITLISTED],
    "pending": [Registration.Status.PENDING],
}


class MessageForm(forms.Form):
    recipients = forms.ChoiceField(
        label=_("To"),
        widget=forms.RadioSelect,
        choices=[
            ("active", _("Everyone registered (confirmed, waiting list, pending)")),
            ("confirmed", _("Confirmed attendees")),
            ("waitlisted", _("People on the waiting list")),
            ("pending", _("Pending registrations")),
        ],
        initial="confirmed",
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, counts: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if counts is not None:
            self.fields["recipients"].choices = [
                (key, f"{label} ({sum(counts.get(s, 0) for s in RECIPIENTS[key])})")
                for key, label in self.fields["recipients"].choices
            ]

    @property
    def statuses(self) -> list[str]:
        return list(RECIPIENTS[self.cleaned_data["recipients"]])


class CancelEventForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the people registered"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Optional: it goes in the cancellation e-mail, e.g. whether a new date will follow."),
    )
