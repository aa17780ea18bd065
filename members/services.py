"""Every write about allies, their managers and their membership."""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import text
from alliance.emails import queue_email
from alliance.roles import COORDINATOR_GROUP

from .models import Ally, AllyManager, ApplicationLogEntry, Invitation, MembershipApplication, Principles
from .permissions import role_of

Status = MembershipApplication.Status


class MembershipError(ValidationError):
    """A rule about allies refused the change; the message is for the person."""


def current_principles() -> Principles:
    principles = Principles.objects.order_by("-version").first()
    if principles is None:
        raise MembershipError(_("The alliance's principles have not been published yet."))
    return principles


def unique_slug(name: str, *, exclude_pk=None) -> str:
    return text.unique_slug(Ally, name, fallback="alleato", exclude_pk=exclude_pk)


# Joining -------------------------------------------------------------------


def apply_to_join(*, user, ally: Ally, m2m: dict, motivation: str, principles: Principles) -> MembershipApplication:
    """Create the ally's profile (not public yet), make `user` its owner and submit the application.

    `ally` is an unsaved instance filled from the form; `m2m` maps themes,
    regions and provinces to their chosen objects. If anything fails, the
    rows roll back and the uploaded image, already written to storage, goes too.
    """
    try:
        return _apply_to_join(user=user, ally=ally, m2m=m2m, motivation=motivation, principles=principles)
    except Exception:
        if ally.image and ally.image.name and ally.pk is not None:
            ally.image.storage.delete(ally.image.name)
        raise


@transaction.atomic
def _apply_to_join(*, user, ally, m2m, motivation, principles):
    if principles.pk != current_principles().pk:
        raise MembershipError(
            _("The principles changed while you were reading them: please read and accept them again.")
        )
    if ally.kind == Ally.Kind.PERSON and Ally.objects.filter(kind=Ally.Kind.PERSON, memberships__user=user).exists():
        raise MembershipError(_("You have already applied as a person. You can apply again for an organization."))
    ally.slug = unique_slug(ally.name)
    ally.approved_at = None
    ally.verified_at = None
    ally.save()
    for name, values in m2m.items():
        getattr(ally, name).set(values)
    AllyManager.objects.create(ally=ally, user=user, role=AllyManager.Role.OWNER)
    application = MembershipApplication.objects.create(
        ally=ally,
        applicant=user,
        motivation=motivation,
        principles=principles,
        principles_accepted_at=timezone.now(),
    )
    ApplicationLogEntry.objects.create(application=application, from_status="", to_status=Status.SUBMITTED, actor=user)
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
    """A new application for an ally whose last one was declined or withdrawn."""
    ally = Ally.objects.select_for_update().get(pk=ally.pk)
    if role_of(user, ally) != AllyManager.Role.OWNER:
        raise PermissionDenied
    if ally.is_member or ally.applications.filter(status=Status.SUBMITTED).exists():
        raise MembershipError(_("This profile already has an application under review or is already a member."))
    if principles.pk != current_principles().pk:
        raise MembershipError(
            _("The principles changed while you were reading them: please read and accept them again.")
        )
    application = MembershipApplication.objects.create(
        ally=ally,
        applicant=user,
        motivation=motivation,
        principles=principles,
        principles_accepted_at=timezone.now(),
    )
    ApplicationLogEntry.objects.create(application=application, from_status="", to_status=Status.SUBMITTED, actor=user)
    _email_applicant(application, "membership_submitted")
    _email_coordinators(application)
    return application


def approve_application(*, application: MembershipApplication, actor) -> MembershipApplication:
    return _decide(application=application, actor=actor, status=Status.APPROVED, reason="")


def decline_application(*, application: MembershipApplication, actor, reason: str) -> MembershipApplication:
    if not reason.strip():
        raise MembershipError(_("Please give the applicant a reason."))
    return _decide(application=application, actor=actor, status=Status.DECLINED, reason=reason.strip())


@transaction.atomic
def withdraw_application(*, application: MembershipApplication, actor) -> MembershipApplication:
    if role_of(actor, application.ally) != AllyManager.Role.OWNER:
        raise PermissionDenied
    return _transition(application, Status.WITHDRAWN, actor=actor)


@transaction.atomic
def _decide(*, application, actor, status, reason):
    from alliance.permissions import is_coordinator

    if not is_coordinator(actor):
        raise PermissionDenied
    application = _transition(application, status, actor=actor, note=reason)
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.decision_reason = reason
    application.save(update_fields=["decided_by", "decided_at", "decision_reason"])
    if status == Status.APPROVED:
        Ally.objects.filter(pk=application.ally_id, approved_at__isnull=True).update(approved_at=application.decided_at)
    _email_applicant(application, f"membership_{status}")
    return application


def _transition(application, status, *, actor, note=""):
    """The one place an application changes status: checked, locked, logged."""
    application = MembershipApplication.objects.select_for_update().select_related("ally").get(pk=application.pk)
    if not application.can_become(status):
        raise MembershipError(
            _("This application is %(status)s and can no longer be changed.")
            % {"status": application.get_status_display().lower()}
        )
    previous = application.status
    application.status = status
    application.save(update_fields=["status"])
    ApplicationLogEntry.objects.create(
        application=application, from_status=previous, to_status=status, actor=actor, note=note
    )
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
def update_ally(*, ally: Ally, actor, form) -> Ally:
    """Save the profile form of an ally `actor` manages."""
    if role_of(actor, ally) is None:
        raise PermissionDenied
    if {"name", "tax_code", "legal_form"} & set(form.changed_data):
        # The coordination verified who the ally was; a new identity needs a new check.
        form.instance.verified_at = None
        form.instance.verified_by = None
    ally = form.save()
    return ally


@transaction.atomic
def set_verified(*, ally: Ally, actor, verified: bool) -> Ally:
    from alliance.permissions import is_coordinator

    if not is_coordinator(actor):
        raise PermissionDenied
    ally.verified_at = timezone.now() if verified else None
    ally.verified_by = actor if verified else None
    ally.save(update_fields=["verified_at", "verified_by"])
    return ally


# Managers and invitations -------------------------------------------------------


@transaction.atomic
def invite_manager(*, ally: Ally, inviter, email: str, role: str) -> Invitation:
    if not ally.is_organization or role_of(inviter, ally) != AllyManager.Role.OWNER:
        raise PermissionDenied
    email = get_user_model().objects.normalize_email(email).strip()
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
        },
        language=existing.preferred_language if existing else inviter.preferred_language,
    )
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, user) -> AllyManager:
    invitation = Invitation.objects.select_for_update().select_related("ally").filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise MembershipError(_("This invitation is no longer valid. Ask the organization for a new one."))
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
