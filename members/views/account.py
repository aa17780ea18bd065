"""The account area ("My area"): one's account, profiles, managers, preferences, data and deletion.

Every page needs a login. An ally the person does not manage answers 404, as
if it did not exist: the area never tells outsiders what is there.
"""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import selectors, services
from ..forms import AllyProfileForm, DeleteAccountForm, EmailPreferencesForm, InvitationForm
from ..models import Ally, AllyManager, MembershipApplication
from ..permissions import can_edit_ally, can_manage_editors

Status = MembershipApplication.Status


def _managed_ally(user, slug: str, *, organization: bool = False) -> Ally:
    """The ally `slug` if `user` manages it; 404 otherwise, whether or not it exists."""
    ally = selectors.ally_by_slug(slug)
    if ally is None or not can_edit_ally(user, ally) or (organization and not ally.is_organization):
        raise Http404
    return ally


def _error_text(exc) -> str:
    return " ".join(exc.messages)


# My area ------------------------------------------------------------------------


@login_required
@require_safe
def my_area(request):
    profiles = []
    # The prefetched memberships and applications answer every row: no query per ally.
    for ally in selectors.allies_managed_by(request.user):
        membership = next(m for m in ally.memberships.all() if m.user_id == request.user.pk)
        applications = list(ally.applications.all())  # newest first
        profiles.append(
            {"ally": ally, "membership": membership, "application": applications[0] if applications else None}
        )
    return render(
        request,
        "members/my_area.html",
        {
            "profiles": profiles,
            # "another organization" only to someone who has one.
            "has_organization": any(profile["ally"].is_organization for profile in profiles),
            "Role": AllyManager.Role,
            "Status": Status,
        },
    )


# Profiles -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ally_edit(request, slug):
    ally = _managed_ally(request.user, slug)
    if request.method == "POST":
        form = AllyProfileForm(request.POST, request.FILES, kind=ally.kind, instance=ally)
        if form.is_valid():
            try:
                ally = services.update_ally(ally=ally, actor=request.user, changes=form.changed_profile())
            except services.REFUSED as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("The profile of %(name)s has been saved.") % {"name": ally.name})
                return redirect("members:my_area")
    else:
        form = AllyProfileForm(kind=ally.kind, instance=ally)
    return render(request, "members/ally_form.html", {"ally": ally, "form": form})


# Managers of an organization ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ally_managers(request, slug):
    ally = _managed_ally(request.user, slug, organization=True)
    is_owner = can_manage_editors(request.user, ally)
    form = InvitationForm() if is_owner else None
    if request.method == "POST":
        if not is_owner:
            raise Http404
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invite_manager(
                    ally=ally, inviter=request.user, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
                )
            except services.REFUSED as exc:
                form.add_error("email", _error_text(exc))
            else:
                messages.success(request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email})
                return redirect("members:ally_managers", slug=ally.slug)
    managers = selectors.managers_of(ally)
    invitations = selectors.pending_invitations(ally) if is_owner else []
    return render(
        request,
        "members/ally_managers.html",
        {
            "ally": ally,
            "managers": managers,
            "invitations": invitations,
            "form": form,
            "is_owner": is_owner,
            "role_choices": AllyManager.Role.choices,
        },
    )


def _manager_of(request, slug, pk) -> AllyManager:
    ally = _managed_ally(request.user, slug, organization=True)
    manager = selectors.manager_of(ally, pk)
    if manager is None:
        raise Http404
    return manager


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def manager_remove(request, slug, pk):
    manager = _manager_of(request, slug, pk)
    ally = manager.ally
    leaving = manager.user_id == request.user.pk
    if not leaving and not can_manage_editors(request.user, ally):
        raise Http404
    if request.method == "POST":
        try:
            services.remove_manager(manager=manager, actor=request.user)
        except services.REFUSED as exc:
            messages.error(request, _error_text(exc))
            return redirect("members:ally_managers", slug=ally.slug)
        except PermissionDenied as exc:
            raise Http404 from exc
        if leaving:
            messages.success(request, _("You no longer manage %(name)s.") % {"name": ally.name})
            return redirect("members:my_area")
        messages.success(
            request,
            _("%(person)s no longer manages %(name)s.") % {"person": manager.user.full_name, "name": ally.name},
        )
        return redirect("members:ally_managers", slug=ally.slug)
    return render(
        request, "members/manager_confirm_remove.html", {"manager": manager, "ally": ally, "leaving": leaving}
    )


@login_required
@require_POST
def manager_role(request, slug, pk):
    manager = _manager_of(request, slug, pk)
    ally = manager.ally
    if not can_manage_editors(request.user, ally):
        raise Http404
    role = request.POST.get("role", "")
    if role not in AllyManager.Role.values:
        messages.error(request, _("Choose a role from the list."))
        return redirect("members:ally_managers", slug=ally.slug)
    try:
        manager = services.set_manager_role(manager=manager, actor=request.user, role=role)
    except services.REFUSED as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s of %(name)s.")
            % {"person": manager.user.full_name, "role": manager.get_role_display().lower(), "name": ally.name},
        )
    return redirect("members:ally_managers", slug=ally.slug)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request, token):
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            manager = services.accept_invitation(token=token, user=request.user)
        except services.REFUSED as exc:
            error = _error_text(exc)
        else:
            messages.success(
                request,
                _("You now manage %(name)s as %(role)s.")
                % {"name": manager.ally.name, "role": manager.get_role_display().lower()},
            )
            return redirect("members:my_area")
    return render(
        request,
        "members/invitation_accept.html",
        {
            "invitation": invitation,
            "error": error,
            "used": invitation.accepted_at is not None,
            "other_address": invitation.email.lower() != request.user.email.lower(),
        },
    )


@login_required
@require_POST
def invitation_resend(request, slug, pk):
    """The owner sends a new invitation (new link, new validity) in place of a pending or expired one."""
    ally = _managed_ally(request.user, slug, organization=True)
    if not can_manage_editors(request.user, ally):
        raise Http404
    invitation = selectors.pending_invitations(ally).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    try:
        invitation = services.resend_invitation(invitation=invitation, actor=request.user)
    except services.REFUSED as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("A new invitation has been sent to %(email)s.") % {"email": invitation.email})
    return redirect("members:ally_managers", slug=ally.slug)


# Account ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    user = request.user
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            services.set_email_preferences(
                user=user,
                preferred_language=form.cleaned_data["preferred_language"],
                news_opt_in=form.cleaned_data["news_opt_in"],
            )
            messages.success(request, _("Your e-mail preferences have been saved."))
            return redirect("members:my_area")
    else:
        form = EmailPreferencesForm(
            initial={"preferred_language": user.preferred_language, "news_opt_in": user.news_opt_in}
        )
    return render(request, "members/preferences.html", {"form": form})


@login_required
@require_safe
@never_cache
def export_data(request):
    data = selectors.export_user_data(request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alleanza-my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def delete_account(request):
    user = request.user
    if request.method == "POST":
        form = DeleteAccountForm(request.POST, user=user)
        if form.is_valid():
            try:
                plan = services.delete_account(user=user)
            except services.REFUSED as exc:
                form.add_error(None, _error_text(exc))
            else:
                # The account is gone: the result is shown now, there is nobody to redirect.
                logout(request)
                return render(request, "members/account_deleted.html", {"plan": plan})
    else:
        form = DeleteAccountForm(user=user)
    return render(request, "members/delete_account.html", {"form": form, "plan": services.plan_account_deletion(user)})
