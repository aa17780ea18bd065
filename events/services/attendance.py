"""Attendance per meeting of a series (issue 9): check-in at the door of each meeting, the meetings
someone attended and their hours, and the attendance certificates sent after the cycle.

In a series registered per meeting, only those holding a seat at a meeting are checked in there.
Checking someone in at one meeting marks that meeting only (an `Attendance` row); every check-in and
its undoing go on the record with `alliance.workflow.log`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.workflow import log

from ..models import Attendance, Event, Registration, Session, SessionChoice
from ..permissions import can_manage_event
from .base import RegistrationError, Status, _lock, _locked_work


def meeting_hours(session: Session) -> timedelta:
    start = datetime.combine(session.day, session.start_time)
    end = datetime.combine(session.day, session.end_time)
    if end <= start:
        end += timedelta(days=1)
    return end - start


@dataclass(frozen=True)
class AttendanceRecord:
    registration: Registration
    meetings: list  # the sessions attended, in order
    duration: timedelta

    @property
    def hours(self) -> float:
        return self.duration.total_seconds() / 3600


def attendance_of(registration: Registration) -> AttendanceRecord:
    meetings = [
        a.session
        for a in registration.attendances.select_related("session").order_by("session__day", "session__start_time")
    ]
    return AttendanceRecord(registration, meetings, sum((meeting_hours(m) for m in meetings), timedelta()))


def check_in_meeting(*, registration: Registration, session: Session, actor, undo: bool = False) -> bool:
    """Mark (or unmark) `registration` as present at `session`; True if something changed."""
    with transaction.atomic():
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if not can_manage_event(actor, registration.event):
            raise PermissionDenied
        if session.event_id != registration.event_id:
            raise RegistrationError(_("This meeting is not part of the event."))
        if session.cancelled_at is not None:
            raise RegistrationError(_("This meeting is cancelled."))
        if registration.status != Status.CONFIRMED:
            raise RegistrationError(_("Only confirmed attendees can be checked in."))
        if (
            not undo
            and registration.event.per_meeting
            and not registration.session_choices.filter(session=session, status=SessionChoice.Status.CONFIRMED).exists()
        ):
            raise RegistrationError(_("This person has no seat at this meeting."))
        data = {"session": session.title, "session_id": session.pk, "day": session.day.isoformat()}
        if undo:
            deleted, _rows = Attendance.objects.filter(registration=registration, session=session).delete()
            if deleted:
                log(registration, "meeting_check_in_undone", actor=actor, data=data)
            return bool(deleted)
        try:
            with transaction.atomic():
                Attendance.objects.create(registration=registration, session=session, checked_in_at=timezone.now())
        except IntegrityError:
            return False  # already checked in (two phones at the same door)
        log(registration, "meeting_checked_in", actor=actor, data=data)
        return True


def send_certificates(*, event: Event, actor) -> int:
    """Queue one e-mail with the attendance certificate (PDF) to everyone who attended at least one meeting.

    The PDFs are drawn when the e-mails are rendered, once the event's row lock is released."""
    from ..certificates import certificate_attachment

    with _locked_work() as outbox:
        event = _lock(event)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        if not event.is_series:
            raise RegistrationError(_("Certificates are for series of meetings."))
        attendees = list(
            event.registrations.filter(attendances__isnull=False, email_confirmed_at__isnull=False)
            .exclude(status=Status.CANCELLED)
            .distinct()
            .order_by("pk")
        )
        for registration in attendees:
            record = attendance_of(registration)
            outbox.add(
                event,
                registration,
                "event_certificate",
                extra={"record": record},
                attachments=[partial(certificate_attachment, record)],
            )
        log(event, "certificates_sent", actor=actor, data={"recipients": len(attendees)})
    return len(attendees)
