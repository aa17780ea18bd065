"""What a person fills in to register for an event."""

from django import forms
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import SessionChoice
from .questions import answers_from, question_fields


def time_slots(sessions) -> list[list]:
    """Sessions grouped by time slot: those of the same day that overlap, directly or through another one."""
    slots: list[list] = []
    for session in sorted(sessions, key=lambda s: (s.day, s.start_time, s.end_time, s.pk)):
        last = slots[-1] if slots else None
        if last and last[0].day == session.day and session.start_time < max(s.end_time for s in last):
            last.append(session)
        else:
            slots.append([session])
    return slots


class SlotRadioSelect(forms.RadioSelect):
    """One radio group for a time slot.

    It reads every value posted under its name, so that a hand-made request
    choosing two sessions of one slot reaches the service, which refuses it
    with a message that names them.
    """

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [value for value in values if value]

    def value_omitted_from_data(self, data, files, name):
        return False

    def format_value(self, value):
        return super().format_value(value) or [""]  # nothing chosen: "None" is checked


class SlotField(forms.TypedMultipleChoiceField):
    widget = SlotRadioSelect

    def __init__(self, *, slot, **kwargs):
        self.slot = slot
        super().__init__(coerce=int, required=False, **kwargs)


def _seats_text(session, *, by_organizer=False) -> str:
    left = max(session.capacity - session.confirmed_seats, 0)
    if left == 0:
        # Organizers place a confirmed attendee only where a seat is free (services.change_sessions).
        return str(_("full") if by_organizer else _("full: you would be on its waiting list"))
    return ngettext("%(count)s seat left", "%(count)s seats left", left) % {"count": left}


def _session_label(session, *, by_organizer=False) -> str:
    parts = [session.title]
    if session.room:
        parts.append(session.room)
    parts.append(_seats_text(session, by_organizer=by_organizer))
    return " · ".join(str(part) for part in parts)


def _slot_label(slot) -> str:
    first = slot[0]
    end = max(session.end_time for session in slot)
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": formats.date_format(first.day, "l j F"),
        "start": formats.time_format(first.start_time, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
    }


def meeting_label(session, *, by_organizer=False) -> str:
    """A meeting to tick: its day and time, title, room and, if it has seats, how many are left."""
    parts = [
        _("%(day)s, %(start)s–%(end)s")
        % {
            "day": formats.date_format(session.day, "l j F"),
            "start": formats.time_format(session.start_time, "TIME_FORMAT"),
            "end": formats.time_format(session.end_time, "TIME_FORMAT"),
        },
        session.title,
    ]
    if session.room:
        parts.append(session.room)
    if session.capacity is not None:
        parts.append(_seats_text(session, by_organizer=by_organizer))
    return " · ".join(str(part) for part in parts)


def meetings_field(sessions, *, by_organizer=False, **kwargs) -> forms.TypedMultipleChoiceField:
    """The meetings of a series registered per meeting, as checkboxes; at least one. `by_organizer`: the
    texts speak to an organizer choosing for the attendee."""
    if by_organizer:
        label = _("The meetings they come to")
        help_text = _("Choose at least one meeting. The person gets an e-mail with their new calendar.")
    else:
        label = _("The meetings you come to")
        help_text = _(
            "Choose at least one meeting. Each meeting gets its own entry in your calendar and its reminders."
        )
    return forms.TypedMultipleChoiceField(
        label=label,
        coerce=int,
        choices=[(s.pk, meeting_label(s, by_organizer=by_organizer)) for s in sessions],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one meeting.")},
        help_text=help_text,
        **kwargs,
    )


def add_session_fields(form, event, chosen=(), upcoming_only=False, by_organizer=False) -> list[str]:
    """The choice of sessions on `form`: one radio group per time slot (workshops), or the meetings as
    checkboxes (a series registered per meeting); `chosen` are the session ids to show as chosen. With
    `upcoming_only`, sessions that have begun are left out (they can no longer change); with `by_organizer`
    the texts speak to an organizer choosing for the attendee. Returns the names."""
    from ..services.reminders import meeting_start

    sessions = list(
        services.choosable_sessions(event).annotate(
            confirmed_seats=Count("choices", filter=Q(choices__status=SessionChoice.Status.CONFIRMED))
        )
    )
    if upcoming_only:
        now = timezone.now()
        sessions = [s for s in sessions if meeting_start(s) > now]
    chosen = set(chosen)
    if event.per_meeting:
        form.fields["meetings"] = meetings_field(
            sessions, by_organizer=by_organizer, initial=[s.pk for s in sessions if s.pk in chosen]
        )
        return ["meetings"]
    names = []
    for number, slot in enumerate(time_slots(sessions), start=1):
        name = f"slot_{number}"
        form.fields[name] = SlotField(
            slot=slot,
            label=_slot_label(slot),
            choices=[("", _("None of these"))] + [(s.pk, _session_label(s, by_organizer=by_organizer)) for s in slot],
            help_text=_("One of the sessions that take place at this time, at most.")
            if by_organizer
            else _("You may choose one of the sessions that take place at this time."),
            initial=[s.pk for s in slot if s.pk in chosen],
        )
        names.append(name)
    return names


class ChangeSessionsForm(forms.Form):
    """The attendee's new choice of workshops (or meetings), from their registration page, or the one an
    organizer makes for them (`by_organizer`: the same fields, the texts speak to the organizer).

    Sessions that have begun are not offered: the choices there are kept as they are."""

    def __init__(self, *args, registration, by_organizer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.registration = registration
        chosen = [c.session_id for c in registration.session_choices.all()]
        self.slot_names = add_session_fields(
            self, registration.event, chosen=chosen, upcoming_only=True, by_organizer=by_organizer
        )
        self.offered = {pk for name in self.slot_names for pk, _label in self.fields[name].choices if pk != ""}
        # Choices of sessions that have begun stay as they are. Those that can no longer be chosen (a cancelled
        # meeting, a workshop whose seat limit was removed) are left to the service, which keeps them.
        from ..services.reminders import meeting_start

        now = timezone.now()
        self.kept = [
            c.session_id
            for c in registration.session_choices.all()
            if c.session_id not in self.offered and c.session.cancelled_at is None and meeting_start(c.session) <= now
        ]
        if self.kept and "meetings" in self.fields:
            # Past meetings are kept: the remaining ones may all be given up (the service still wants one overall).
            self.fields["meetings"].required = False

    def session_ids(self) -> list[int]:
        picked = [pk for name in self.slot_names for pk in self.cleaned_data.get(name, [])]
        return [*self.kept, *picked]


def _privacy_label():
    return format_html(
        _(
            'I have read the <a href="{url}">privacy policy</a> and agree that my data is used to manage this registration.'
        ),
        url=reverse("alliance:privacy"),
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={"required": _("Please enter your e-mail address.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send you an e-mail to confirm the address: your seat counts once you confirm it."),
    )
    organization = forms.CharField(
        label=_("Organization"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.CharField(
        label=_("Role"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example step-free access, sign language interpretation, a dietary need. "
            "Only the organizers of the event read it, to prepare the place."
        ),
    )
    public_consent = forms.BooleanField(
        label=_("Show my name and organization in the public list of participants"),
        required=False,
    )
    privacy_consent = forms.BooleanField(
        label=_("I accept the privacy policy."),  # with its link, in __init__
        error_messages={"required": _("To register, please accept the privacy policy.")},
    )

    def __init__(self, *args, event, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.user = user
        self.fields["privacy_consent"].label = _privacy_label()
        if user is not None and user.is_authenticated:
            self.fields["email"].initial = user.email
            self.fields["name"].initial = user.full_name
            self.fields["email"].help_text = _(
                "The address of your account. You may register someone else: we then send an e-mail to that "
                "address to confirm it."
            )
        self.slot_names = add_session_fields(self, event)
        self.questions = list(event.questions.all())
        self.fields.update(question_fields(self.questions, get_language()))
        self.order_fields(
            [
                "name",
                "email",
                "organization",
                "role",
                "accessibility_needs",
                *self.slot_names,
                *(f"question_{q.pk}" for q in self.questions),
                "public_consent",
            ]
        )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def session_ids(self) -> list[int]:
        return [pk for name in self.slot_names for pk in self.cleaned_data.get(name, [])]

    def to_attendee(self, language: str) -> services.Attendee:
        data = self.cleaned_data
        return services.Attendee(
            name=data["name"],
            email=data["email"],
            organization=data["organization"],
            role=data["role"],
            accessibility_needs=data["accessibility_needs"],
            public_consent=data["public_consent"],
            language=language,
            session_ids=self.session_ids(),
            answers=answers_from(self.questions, data),
        )
