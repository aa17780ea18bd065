"""What the events domain stores about a person: in their data download, and forgotten with their account."""

from django.db.models import Prefetch, Q
from django.utils import timezone

from .models import Attendance, Registration, RegistrationAnswer, Reminder
from .review import document_url


def _registrations_of(user):
    return Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))


def export_personal_data(user) -> dict:
    registrations = (
        _registrations_of(user)
        .select_related("event")
        .prefetch_related(
            "session_choices__session",
            Prefetch("answers", queryset=RegistrationAnswer.objects.select_related("question")),
            Prefetch("attendances", queryset=Attendance.objects.select_related("session")),
        )
    )
    return {
        "event_registrations": [
            {
                "event": r.event.title,
                "event_start": r.event.start,
                "status": r.status,
                "name": r.name,
                "email": r.email,
                "organization": r.organization,
                "role": r.role,
                "accessibility_needs": r.accessibility_needs,
                "shown_in_public_list": r.public_consent,
                "privacy_accepted_at": r.privacy_accepted_at,
                "registered_at": r.created_at,
                "checked_in_at": r.checked_in_at,
                "sessions": [c.session.title for c in r.session_choices.all()],
                "answers": [
                    {"question": a.question.label, "answer": a.value, "document": document_url(a, r, event_slug=None)}
                    for a in r.answers.all()
                ],
                "meetings_attended": [
                    {"meeting": a.session.title, "day": a.session.day, "checked_in_at": a.checked_in_at}
                    for a in r.attendances.all()
                ],
            }
            for r in registrations
        ]
    }


def forget_person(user) -> int:
    """Free the person's seats at future events, then keep each registration only as an anonymous count.

    The cancellations go through the service, so the waiting lists move and
    whoever gets the seat is told; past registrations stay as they were, without
    the person.
    """
    from .services import ACTIVE, cancel_registration

    future = _registrations_of(user).filter(status__in=ACTIVE, event__start__gt=timezone.now()).order_by("pk")
    for registration in future.select_related("event"):
        cancel_registration(registration=registration, actor=None, reason="account_deleted")
    registrations = list(_registrations_of(user))
    for registration in registrations:
        registration.user = None
        registration.name = ""
        registration.email = f"deleted-{registration.pk}@invalid.example"
        registration.organization = ""
        registration.role = ""
        registration.accessibility_needs = ""
        registration.public_consent = False
    Registration.objects.bulk_update(
        registrations,
        ["user", "name", "email", "organization", "role", "accessibility_needs", "public_consent"],
    )
    Reminder.objects.filter(registration__in=registrations, sent_at__isnull=True).delete()
    # The answers are the person's own words and documents: they go (and the files with them, see models).
    for answer in RegistrationAnswer.objects.filter(registration__in=registrations):
        answer.delete()
    return len(registrations)
