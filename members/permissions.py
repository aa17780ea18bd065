"""Who may do what with allies: pure predicates, no HTTP."""

from alliance.permissions import is_coordinator

from .models import Ally, AllyManager


def role_of(user, ally: Ally) -> str | None:
    """The role `user` holds in managing `ally`, or None."""
    if not user.is_authenticated:
        return None
    return AllyManager.objects.filter(ally=ally, user=user).values_list("role", flat=True).first()


def can_view_ally(user, ally: Ally) -> bool:
    return ally.is_member or role_of(user, ally) is not None or is_coordinator(user)


def can_edit_ally(user, ally: Ally) -> bool:
    return role_of(user, ally) is not None


def can_manage_editors(user, ally: Ally) -> bool:
    return ally.is_organization and role_of(user, ally) == AllyManager.Role.OWNER


def can_review_applications(user) -> bool:
    return is_coordinator(user)


def can_verify_allies(user) -> bool:
    return is_coordinator(user)


def is_member(user) -> bool:
    """A signed-in person who manages an approved ally: what members-only activities require."""
    if not user.is_authenticated:
        return False
    return AllyManager.objects.filter(user=user, ally__approved_at__isnull=False).exists()
