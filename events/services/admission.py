"""Admission (issue 9): who may register for an event, and how.

Two settings of the event: `admission` (everyone, members of the alliance,
members of given allies, members from given regions, or no registration) and
`admission_review` (a seat at once, or each request reviewed by the
organizers). "Members" are people who manage an ally that is a member now
(`members.models.member_q`), the same definition as everywhere else. A
members-only event on review is the seed-004 case: a non-member is told to
join, a member's request waits for the organizers' decision.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from alliance.workflow import log

from ..models import Event
from ..permissions import can_manage_event
from .base import RegistrationError

Admission = Event.Admission

# Why someone may not register: "sign_in" (anonymous, on a members-only event), "join" (signed in but no
# member ally), "not_eligible" (a member, but not of the allies or regions the event is for).
SIGN_IN, JOIN, NOT_ELIGIBLE = "sign_in", "join", "not_eligible"


def _managed_ally_ids(user):
    from members.models import AllyManager

    return AllyManager.objects.of_members().filter(user=user).values("ally_id")


def refusal(event: Event, user) -> str | None:
    """None when `user` (an account or anonymous) may register for `event`, else why not (see above)."""
    if event.admission in (Admission.OPEN, Admission.NONE):
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return SIGN_IN
    from members.models import Ally, member_q

    allies = Ally.objects.filter(member_q(), pk__in=_managed_ally_ids(user))
    if not allies.exists():
        return JOIN
    if event.admission == Admission.ALLIES:
        if not allies.filter(pk__in=event.admission_allies.values("pk")).exists():
            return NOT_ELIGIBLE
    elif event.admission == Admission.REGIONS:
        regions = event.admission_regions.values("pk")
        if not allies.filter(pk__in=Ally.objects.filter(regions__in=regions).values("pk")).exists() and not (
            allies.filter(province__region__in=regions).exists()
        ):
            return NOT_ELIGIBLE
    return None


def refusal_message(event: Event, reason: str) -> str:
    if reason == NOT_ELIGIBLE:
        if event.admission == Admission.ALLIES:
            return _("This event is for the members of some allies of the network, and yours is not among them.")
        return _("This event is for members from some regions, and none of your allies works there.")
    return _("This event is for members of the alliance: sign in with the account of an approved ally.")


def check(event: Event, user) -> None:
    """Raise RegistrationError when `user` may not register for `event`."""
    reason = refusal(event, user)
    if reason is not None:
        raise RegistrationError(refusal_message(event, reason))


def set_admission(*, event: Event, actor, who: str, review: bool | None = None, allies=None, regions=None) -> Event:
    """Set who may register and how; `review`, `allies` and `regions` left at None stay as they are.

    Changing these settings decides nobody: requests already made keep their state. The event editor
    does not call this: `save_event` applies the same settings with `apply_admission` in its own
    transaction, so that the event and its admission are saved together or not at all.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not can_manage_event(actor, event):
            raise PermissionDenied
        apply_admission(event, actor=actor, who=who, review=review, allies=allies, regions=regions)
    return event


def _admission_state(event: Event) -> dict:
    return {
        "who": event.admission,
        "review": event.admission_review,
        "allies": sorted(event.admission_allies.values_list("pk", flat=True)),
        "regions": sorted(event.admission_regions.values_list("pk", flat=True)),
    }


def apply_admission(
    event: Event, *, actor, who: str | None, review: bool | None = None, allies=None, regions=None
) -> None:
    """Within the caller's transaction, on a saved and locked event: the settings given (None: as they are),
    logged as "admission_changed" with the actor when something changed. The caller checks the permission."""
    before = _admission_state(event)
    if who is not None:
        event.admission = Admission(who)
    if review is not None:
        event.admission_review = bool(review)
    if (event.admission, event.admission_review) != (before["who"], before["review"]):
        event.save(update_fields=["admission", "admission_review"])
    if allies is not None:
        event.admission_allies.set(allies)
    if regions is not None:
        event.admission_regions.set(regions)
    after = _admission_state(event)
    if after != before:
        log(event, "admission_changed", actor=actor, data={"before": before, "after": after})
