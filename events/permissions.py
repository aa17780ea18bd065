"""Who may see and run events: pure predicates."""

from alliance.permissions import is_coordinator

from .models import Event


def can_manage_event(user, event: Event) -> bool:
    """Coordinators, and the managers of an organizing ally for their own events."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    return event.organizers.filter(memberships__user=user).exists()


def can_create_events(user) -> bool:
    from members.permissions import is_member

    return is_coordinator(user) or is_member(user)


def is_public(event: Event) -> bool:
    """Published, or cancelled after it had been published (as `selectors.public_events()`)."""
    return event.status == Event.Status.PUBLISHED or (
        event.status == Event.Status.CANCELLED and event.published_at is not None
    )


def can_view_event(user, event: Event) -> bool:
    return is_public(event) or can_manage_event(user, event)
