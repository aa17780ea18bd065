"""What the events domain stores about a person: in their data download, and forgotten with their account."""

from django.db.models import Q

from .models import Registration, Reminder


def _registrations_of(user):
    return Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))


def export_personal_data(user) -> dict:
    registrations = _registrations_of(user).select_related("event").prefetch_related("session_choices__session")
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
            }
            for r in registrations
        ]
    }


def forget_person(user) -> int:
    """Keep each registration only as an anonymous count: nothing left points to the person."""
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
    return len(registrations)
