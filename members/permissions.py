"""Who may do what with allies: pure predicates, no HTTP."""

from alliance.permissions import is_coordinator

from .models import Ally, AllyManager


def role_of(user, ally: Ally) -> str | None:
    """The role `user` holds in managing `ally`, or None."""
    if not user.is_authenticated:
        return None
    return AllyManager.objects.filter(ally=ally, user=user).values_list("role", flat=True).first()


def can_view_ally(user, ally: Ally) -> bool:
    """Public allies for everyone; the others (applicants, former members) for their managers and the coordination."""
    return ally.is_public or role_of(user, ally) is not None or is_coordinator(user)


def can_edit_ally(user, ally: Ally) -> bool:
    return role_of(user, ally) is not None


def can_manage_editors(user, ally: Ally) -> bool:
    return ally.is_organization and role_of(user, ally) == AllyManager.Role.OWNER


def can_review_applications(user) -> bool:
    return is_coordinator(user)


def can_verify_allies(user) -> bool:
    return is_coordinator(user)


def can_manage_memberships(user) -> bool:
    """Suspend, reinstate or end a membership, and read an ally's history."""
    return is_coordinator(user)


def is_member(user) -> bool:
    """A signed-in person who manages an ally that is a member now: what members-only activities require.

    A suspended or ended membership counts no more, at once (see `members.models.member_q`).
    """
    if not user.is_authenticated:
        return False
    return AllyManager.objects.of_members().filter(user=user).exists()
