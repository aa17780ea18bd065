"""Readable labels for what the events domain puts on the record (see alliance.workflow).

Status changes of events and registrations are described by the workflow
itself ("Pending → Confirmed"); these are the other changes.
"""

from django.utils.translation import gettext_lazy as _

from alliance.workflow import ACTION_LABELS

LABELS = {
    "events.registration.meeting_checked_in": _("Checked in at a meeting"),
    "events.registration.meeting_check_in_undone": _("Check-in at a meeting undone"),
    "events.event.meeting_cancelled": _("Meeting cancelled"),
    "events.event.certificates_sent": _("Certificates of attendance sent"),
    "events.event.created": _("Event created"),
    "events.event.changed": _("Time or place changed"),
    "events.event.seats_changed": _("Number of seats changed"),
    "events.event.session_seats_changed": _("Seats of a session changed"),
    "events.event.session_removed": _("Session removed from the programme"),
    "events.event.message_sent": _("Message sent to the people registered"),
    "events.event.links_changed": _("Linked project or pathway stage changed"),
    "events.registration.created": _("Registered"),
    "events.registration.email_confirmed": _("E-mail address confirmed"),
    "events.registration.checked_in": _("Checked in"),
    "events.registration.check_in_undone": _("Check-in undone"),
    "events.registration.session_promoted": _("Got a seat in a chosen session"),
    "events.registration.session_waitlisted": _("Moved to the waiting list of a chosen session"),
    "events.registration.session_removed": _("A chosen session was removed from the programme"),
    "events.registration.sessions_changed": _("Chosen sessions changed"),
    "events.event.questions_changed": _("Registration questions changed"),
}


def register_labels() -> None:
    ACTION_LABELS.update(LABELS)
