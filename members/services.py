"""Every write about allies, their managers and their membership.

Services take plain values (keyword arguments, dicts of field values), never
forms or requests. Status changes go through `alliance.workflow.transition`,
checked against the model's TRANSITIONS table and logged with their actor.
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance import text
from alliance.dates import check_sane
from alliance.emails import queue_email
from alliance.permissions import is_coordinator
from alliance.roles import COORDINATOR_GROUP
from alliance.workflow import ACTION_LABELS, TransitionError, log, transition

from .models import (
    EMAIL_MAX_LENGTH,
    Ally,
    AllyManager,
    Invitation,
    MembershipApplication,
    MembershipStatus,
    Principles,
)
from .permissions import role_of

Status = MembershipApplication.Status

ACTION_LABELS["members.ally.verified"] = gettext_lazy("Marked as verified")
ACTION_LABELS["members.ally.unverified"] = gettext_lazy("Verification removed")


class MembershipError(ValidationError):
    """A rule about allies refused the change; the message is for the person."""


# What a view catches around a service call: a rule of this module or the transition table said no.
REFUSED = (MembershipError, TransitionError)

# The fields of a profile that `apply_to_join` and `update_ally` accept.
PROFILE_FIELDS = frozenset(
    {
        "name",
        "role",
        "legal_form",
        "tax_code",
        "summary",
        "description",
        "image",
        "website",
        "social_links",
        "address",
        "city",
        "province",
        "year_founded",
        "is_supporter",
        "contact_email",
        "contact_email_public",
        "phone",
        "phone_public",
    }
)
PROFILE_RELATIONS = frozenset({"themes", "regions", "provinces"})
# Who the ally is: the coordination verified these, a change needs a new check.
IDENTITY_FIELDS = frozenset({"name", "tax_code", "legal_form"})


def _check_profile_fields(values: dict):
    unknown = set(values) - PROFILE_FIELDS - PROFILE_RELATIONS
    if unknown:
        raise ValueError(f"Not fields of a profile: {', '.join(sorted(unknown))}")


def _set_profile(ally: Ally, values: dict) -> dict:
    """Set the plain fields of `values` on `ally`; return the relations, to set once it is saved."""
    relations = {}
    for name, value in values.items():
        if name in PROFILE_RELATIONS:
            relations[name] = list(value or [])
        elif name == "image":
            ally.image = value or ""  # False or None: the image is removed
        else:
            setattr(ally, name, value)
    return relations


def current_principles() -> Principles:
    principles = Principles.objects.order_by("-version").first()
    if principles is None:
        raise MembershipError(_("The alliance's principles have not been published yet."))
    return principles


def unique_slug(name: str, *, exclude_pk=None) -> str:
    return text.unique_slug(Ally, name, fallback="alleato", exclude_pk=exclude_pk)


# Joining -------------------------------------------------------------------


def apply_to_join(*, user, kind: str, profile: dict, motivation: str, principles: Principles) -> MembershipApplication:
    """Create the ally's profile (not public yet), make `user` its owner and submit the application.

    `profile` maps profile fields (and themes, regions, provinces) to their
    values. If anything fails, the rows roll back and the uploaded image,
    already written to storage, goes too.
    """
    _check_profile_fields(profile)
    ally = Ally(kind=kind)
    try:
        return _apply_to_join(user=user, ally=ally, profile=profile, motivation=motivation, principles=principles)
    except Exception:
        if ally.image and ally.image.name and ally.pk is not None:
            ally.image.storage.delete(ally.image.name)
        raise


@transaction.atomic
def _apply_to_join(*, user, ally, profile, motivation, principles):
    if ally.kind not in Ally.Kind.values:
        raise MembershipError(_("Choose whether you apply as a person or for an organization."))
    if principles.pk != current_principles().pk:
        raise MembershipError(
            _("The principles changed while you were reading them: please read and accept them again.")
        )
    if ally.kind == Ally.Kind.PERSON and Ally.objects.filter(kind=Ally.Kind.PERSON, memberships__user=user).exists():
        raise MembershipError(_("You have already applied as a person; you can still apply for an organization."))
    relations = _set_profile(ally, profile)
    ally.slug = unique_slug(ally.name)
    ally.save()
    for name, values in relations.items():
        getattr(ally, name).set(values)
    AllyManager.objects.create(ally=ally, user=user, role=AllyManager.Role.OWNER)
    return _submit(ally=ally, user=user, motivation=motivation, principles=principles)


def _submit(*, ally, user, motivation, principles) -> MembershipApplication:
    application = MembershipApplication.objects.create(
        ally=ally,
        applicant=user,
        motivation=motivation,
        principles=principles,
        principles_accepted_at=timezone.now(),
    )
    # The first entry of the log: there is no status before it, so it is written, not transitioned.
    log(
        application,
        f"status.{Status.SUBMITTED}",
        actor=user,
        data={"field": "status", "from": "", "to": Status.SUBMITTED},
    )
    _email_applicant(application, "membership_submitted")
    _email_coordinators(application)
    return application


def _email_coordinators(application):
    ally = application.ally
    for coordinator in coordinators():
        queue_email(
            to=coordinator.email,
            template="membership_new_application",
            context={
                "application_id": application.pk,
                "ally_name": ally.name,
                "kind": Ally.Kind(ally.kind).label,  # lazy: rendered in the coordinator's language
                "recipient_name": coordinator.full_name,
            },
            language=coordinator.preferred_language,
        )


@transaction.atomic
def reapply(*, user, ally: Ally, motivation: str, principles: Principles) -> MembershipApplication:
    """A new application for an ally whose last one was declined or withdrawn, or whose membership ended."""
    ally = Ally.objects.select_for_update().get(pk=ally.pk)
    if role_of(user, ally) != AllyManager.Role.OWNER:
        raise PermissionDenied
    if ally.is_suspended:
        raise MembershipError(
            _("This membership is suspended: the coordination reinstates it, there is no need to apply again.")
        )
    if ally.is_member or ally.applications.filter(status=Status.SUBMITTED).exists():
        raise MembershipError(_("This profile already has an application under review or is already a member."))
    if principles.pk != current_principles().pk:
        raise MembershipError(
            _("The principles changed while you were reading them: please read and accept them again.")
        )
    return _submit(ally=ally, user=user, motivation=motivation, principles=principles)


def approve_application(*, application: MembershipApplication, actor) -> MembershipApplication:
    return _decide(application=application, actor=actor, status=Status.APPROVED, reason="")


def decline_application(*, application: MembershipApplication, actor, reason: str) -> MembershipApplication:
    if not reason.strip():
        raise MembershipError(_("Please give the applicant a reason."))
    return _decide(application=application, actor=actor, status=Status.DECLINED, reason=reason.strip())


def _locked_application(application) -> tuple[MembershipApplication, str]:
    """The application under lock, and the sentence that refuses a change of it."""
    application = MembershipApplication.objects.select_for_update().select_related("ally").get(pk=application.pk)
    refusal = _("This application is %(status)s and can no longer be changed.") % {
        "status": application.get_status_display().lower()
    }
    return application, refusal


@transaction.atomic
def withdraw_application(*, application: MembershipApplication, actor) -> MembershipApplication:
    if role_of(actor, application.ally) != AllyManager.Role.OWNER:
        raise PermissionDenied
    application, refusal = _locked_application(application)
    transition(application, Status.WITHDRAWN, actor=actor, message=refusal)
    return application


@transaction.atomic
def _decide(*, application, actor, status, reason):
    if not is_coordinator(actor):
        raise PermissionDenied
    application, refusal = _locked_application(application)
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.decision_reason = reason
    transition(
        application,
        status,
        actor=actor,
        note=reason,
        message=refusal,
        update_fields=["decided_by", "decided_at", "decision_reason"],
    )
    if status == Status.APPROVED:
        ally = Ally.objects.select_for_update().get(pk=application.ally_id)
        ally.approved_at = application.decided_at
        ally.ended_at = None
        ally.end_reason = ""
        transition(
            ally,
            MembershipStatus.ACTIVE,
            actor=actor,
            field="membership_status",
            update_fields=["approved_at", "ended_at", "end_reason"],
            message=_("%(name)s cannot be approved now: its membership is “%(status)s”.")
            % {"name": ally.name, "status": ally.get_membership_status_display()},
        )
        application.ally = ally
    _email_applicant(application, f"membership_{status}")
    return application


def _email_applicant(application, template):
    applicant = application.applicant
    if applicant is None:
        return
    queue_email(
        to=applicant.email,
        template=template,
        context={
            "recipient_name": applicant.full_name,
            "ally_name": application.ally.name,
            "ally_slug": application.ally.slug,
            "reason": application.decision_reason,
        },
        language=applicant.preferred_language,
    )


def coordinators():
    return get_user_model().objects.filter(groups__name=COORDINATOR_GROUP, is_active=True).distinct()


# Profile ---------------------------------------------------------------------


@transaction.atomic
def update_ally(*, ally: Ally, actor, changes: dict) -> Ally:
    """Change the profile of an ally `actor` manages; `changes` maps the changed fields to their new values.

    Themes, regions and provinces take lists of rows; `image` takes a file, or
    a false value to remove it.
    """
    _check_profile_fields(changes)
    ally = Ally.objects.select_for_update().get(pk=ally.pk)
    if role_of(actor, ally) is None:
        raise PermissionDenied
    new_identity = any(name in changes and changes[name] != getattr(ally, name) for name in IDENTITY_FIELDS)
    relations = _set_profile(ally, changes)
    if new_identity and ally.verified_at is not None:
        # The coordination verified who the ally was; a new identity needs a new check.
        ally.verified_at = None
        ally.verified_by = None
        log(ally, "unverified", actor=actor, data={"note": _("The name, legal form or tax code changed.")})
    ally.save()
    for name, values in relations.items():
        getattr(ally, name).set(values)
    return ally


@transaction.atomic
def set_verified(*, ally: Ally, actor, verified: bool) -> Ally:
    if not is_coordinator(actor):
        raise PermissionDenied
    ally = Ally.objects.select_for_update().get(pk=ally.pk)
    if ally.is_verified == verified:
        return ally
    ally.verified_at = timezone.now() if verified else None
    ally.verified_by = actor if verified else None
    ally.save(update_fields=["verified_at", "verified_by"])
    log(ally, "verified" if verified else "unverified", actor=actor)
    return ally


# Membership lifecycle ------------------------------------------------------------


def _locked_ally_for_coordinator(ally, actor) -> Ally:
    if not is_coordinator(actor):
        raise PermissionDenied
    return Ally.objects.select_for_update().get(pk=ally.pk)


def _refusal(ally, sentence) -> str:
    return sentence % {"name": ally.name, "status": ally.get_membership_status_display().lower()}


def suspend_membership(*, ally: Ally, actor, reason: str, until: datetime.date | None = None) -> Ally:
    """Members-only access stops at once; the ally stays in the directory; its managers are told why."""
    with transaction.atomic():
        ally = _locked_ally_for_coordinator(ally, actor)
        reason = reason.strip()
        if not reason:
            raise MembershipError(_("Please give the ally a reason for the suspension."))
        if until is not None:
            check_sane(until)
            if until <= timezone.localdate():
                raise MembershipError(_("The expected end of the suspension must be after today."))
        ally.suspended_at = timezone.now()
        ally.suspended_until = until
        ally.suspension_reason = reason
        transition(
            ally,
            MembershipStatus.SUSPENDED,
            actor=actor,
            field="membership_status",
            note=reason,
            data={"until": until.isoformat()} if until else None,
            update_fields=["suspended_at", "suspended_until", "suspension_reason"],
            message=_refusal(ally, _("Only a current membership can be suspended: %(name)s is “%(status)s”.")),
        )
    # Rendered once the ally's row lock is released (see _email_managers).
    _email_managers(ally, "membership_suspended", {"reason": reason, "until": until})
    return ally


def reinstate_membership(*, ally: Ally, actor, note: str = "") -> Ally:
    """A suspended ally is a member again, at once."""
    with transaction.atomic():
        ally = _locked_ally_for_coordinator(ally, actor)
        ally.suspended_at = None
        ally.suspended_until = None
        ally.suspension_reason = ""
        transition(
            ally,
            MembershipStatus.ACTIVE,
            actor=actor,
            field="membership_status",
            note=note.strip(),
            update_fields=["suspended_at", "suspended_until", "suspension_reason"],
            message=_refusal(ally, _("Only a suspended membership can be reinstated: %(name)s is “%(status)s”.")),
        )
    # Rendered once the ally's row lock is released (see _email_managers).
    _email_managers(ally, "membership_reinstated", {"note": note.strip()})
    return ally


def end_membership(*, ally: Ally, actor, reason: str) -> Ally:
    """The ally leaves the directory and members-only access; its profile, managers and history stay."""
    with transaction.atomic():
        ally = _locked_ally_for_coordinator(ally, actor)
        reason = reason.strip()
        if not reason:
            raise MembershipError(_("Please give the ally a reason for ending the membership."))
        ally.ended_at = timezone.now()
        ally.end_reason = reason
        ally.suspended_at = None
        ally.suspended_until = None
        ally.suspension_reason = ""
        transition(
            ally,
            MembershipStatus.ENDED,
            actor=actor,
            field="membership_status",
            note=reason,
            update_fields=["ended_at", "end_reason", "suspended_at", "suspended_until", "suspension_reason"],
            message=_refusal(ally, _("%(name)s is “%(status)s”: there is no membership to end.")),
        )
    # Rendered once the ally's row lock is released (see _email_managers).
    _email_managers(ally, "membership_ended", {"reason": reason})
    return ally


def _email_managers(ally, template, context):
    """Every manager of `ally`, each in their own language."""
    for manager in AllyManager.objects.filter(ally=ally, user__is_active=True).select_related("user"):
        user = manager.user
        queue_email(
            to=user.email,
            template=template,
            context={"recipient_name": user.full_name, "ally_name": ally.name, "ally_slug": ally.slug, **context},
            language=user.preferred_language,
        )


# Managers and invitations -------------------------------------------------------


@transaction.atomic
def invite_manager(*, ally: Ally, inviter, email: str, role: str) -> Invitation:
    if not ally.is_organization or role_of(inviter, ally) != AllyManager.Role.OWNER:
        raise PermissionDenied
    email = get_user_model().objects.normalize_email(email).strip()
    _check_email(email)
    if role not in AllyManager.Role.values:
        raise MembershipError(_("Choose a role from the list."))
    if AllyManager.objects.filter(ally=ally, user__email__iexact=email).exists():
        raise MembershipError(_("%(email)s already manages this organization.") % {"email": email})
    Invitation.objects.filter(ally=ally, email__iexact=email, accepted_at__isnull=True).delete()
    invitation = Invitation.objects.create(
        ally=ally, email=email, role=role, token=secrets.token_urlsafe(32), invited_by=inviter
    )
    existing = get_user_model().objects.filter(email__iexact=email).first()
    queue_email(
        to=email,
        template="ally_invitation",
        context={
            "ally_name": ally.name,
            "inviter_name": inviter.full_name,
            "token": invitation.token,
            "role": AllyManager.Role(invitation.role).label,  # lazy: rendered in the recipient's language
            "expires_on": timezone.localdate(invitation.expires_at),
        },
        language=existing.preferred_language if existing else inviter.preferred_language,
    )
    return invitation


@transaction.atomic
def resend_invitation(*, invitation: Invitation, actor) -> Invitation:
    """A new invitation (new link, new validity) to the same address with the same role; the old link stops."""
    return invite_manager(ally=invitation.ally, inviter=actor, email=invitation.email, role=invitation.role)


def _check_email(email: str):
    from django.core.validators import validate_email

    if len(email) > EMAIL_MAX_LENGTH:
        raise MembershipError(_("An e-mail address has at most %(max)d characters.") % {"max": EMAIL_MAX_LENGTH})
    try:
        validate_email(email)
    except ValidationError as exc:
        raise MembershipError(_("Enter a valid e-mail address.")) from exc


@transaction.atomic
def accept_invitation(*, token: str, user) -> AllyManager:
    invitation = Invitation.objects.select_for_update().select_related("ally").filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise MembershipError(_("This invitation is no longer valid. Ask the organization for a new one."))
    if invitation.is_expired:
        raise MembershipError(
            _("This invitation expired on %(date)s. Ask the organization to send you a new one.")
            % {"date": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")}
        )
    if invitation.email.lower() != user.email.lower():
        raise MembershipError(
            _("This invitation was sent to %(email)s: sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    manager, created = AllyManager.objects.get_or_create(
        ally=invitation.ally, user=user, defaults={"role": invitation.role}
    )
    if not created and invitation.role == AllyManager.Role.OWNER and manager.role != AllyManager.Role.OWNER:
        manager.role = AllyManager.Role.OWNER
        manager.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return manager


@transaction.atomic
def remove_manager(*, manager: AllyManager, actor) -> None:
    """An owner removes a manager (or anyone leaves); an organization always keeps an owner."""
    ally = Ally.objects.select_for_update().get(pk=manager.ally_id)
    if actor.pk != manager.user_id and role_of(actor, ally) != AllyManager.Role.OWNER:
        raise PermissionDenied
    manager = AllyManager.objects.get(pk=manager.pk)
    if (
        manager.role == AllyManager.Role.OWNER
        and not ally.memberships.filter(role=AllyManager.Role.OWNER).exclude(pk=manager.pk).exists()
    ):
        raise MembershipError(_("An organization cannot be left without an owner: make someone else owner first."))
    manager.delete()


@transaction.atomic
def set_manager_role(*, manager: AllyManager, actor, role: str) -> AllyManager:
    ally = Ally.objects.select_for_update().get(pk=manager.ally_id)
    if role_of(actor, ally) != AllyManager.Role.OWNER:
        raise PermissionDenied
    manager = AllyManager.objects.get(pk=manager.pk)
    if (
        role != AllyManager.Role.OWNER
        and manager.role == AllyManager.Role.OWNER
        and not ally.memberships.filter(role=AllyManager.Role.OWNER).exclude(pk=manager.pk).exists()
    ):
        raise MembershipError(_("An organization cannot be left without an owner: make someone else owner first."))
    manager.role = role
    manager.save(update_fields=["role"])
    return manager


# Account ---------------------------------------------------------------------


@transaction.atomic
def set_email_preferences(*, user, preferred_language: str, news_opt_in: bool):
    from django.conf import settings

    if preferred_language not in dict(settings.LANGUAGES):
        raise MembershipError(_("Choose a language from the list."))
    if news_opt_in != user.news_opt_in:
        user.news_opt_in_changed_at = timezone.now()
    user.preferred_language = preferred_language
    user.news_opt_in = news_opt_in
    user.save(update_fields=["preferred_language", "news_opt_in", "news_opt_in_changed_at"])
    return user


@dataclass
class DeletionPlan:
    """What deleting an account does, told to the person before and after."""

    removed_allies: list = field(default_factory=list)  # only theirs: deleted with the account
    kept_allies: list = field(default_factory=list)  # others manage them: they stay, without this person
    blocking_allies: list = field(default_factory=list)  # editors but no other owner: choose an owner first

    @property
    def can_delete(self) -> bool:
        return not self.blocking_allies


def plan_account_deletion(user) -> DeletionPlan:
    plan = DeletionPlan()
    memberships = AllyManager.objects.filter(user=user).select_related("ally")
    for membership in memberships:
        ally = membership.ally
        others = AllyManager.objects.filter(ally=ally).exclude(user=user)
        if not others.exists():
            # Projects it leads are the network's too: someone must take them over first.
            (plan.blocking_allies if ally.led_projects.exists() else plan.removed_allies).append(ally)
        elif membership.role != AllyManager.Role.OWNER or others.filter(role=AllyManager.Role.OWNER).exists():
            plan.kept_allies.append(ally)
        else:
            plan.blocking_allies.append(ally)
    return plan


@transaction.atomic
def delete_account(*, user) -> DeletionPlan:
    """Remove what is only this person's; keep what others need, without them."""
    from alliance.models import OutgoingEmail
    from alliance.registry import registry

    plan = plan_account_deletion(user)
    if not plan.can_delete:
        raise MembershipError(
            _("Choose another owner for %(names)s before deleting your account.")
            % {"names": ", ".join(a.name for a in plan.blocking_allies)}
        )
    for ally in plan.removed_allies:
        if ally.image:
            # The file goes only if the rows really go.
            transaction.on_commit(lambda storage=ally.image.storage, name=ally.image.name: storage.delete(name))
        ally.delete()
    Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
    for forget in registry.account_deletion_hooks:
        forget(user)
    OutgoingEmail.objects.filter(to__iexact=user.email).delete()
    user.delete()
    return plan
