"""Joining the alliance: choosing how, the application form, applying again, withdrawing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from .. import selectors, services
from ..forms import AllyProfileForm, PrinciplesForm
from ..models import Ally, AllyManager, MembershipApplication, Principles
from ..services import MembershipError

Status = MembershipApplication.Status
KINDS = {Ally.Kind.PERSON.value, Ally.Kind.ORGANIZATION.value}

# The kind of profile as the address of the join form says it, per language (English: the kind itself).
KIND_IN_ADDRESS = {"it": {Ally.Kind.ORGANIZATION.value: "organizzazione", Ally.Kind.PERSON.value: "persona"}}


class JoinKindConverter:
    """`organization`/`person` in the address, in the words of the page's language; the words of the other
    languages are read too (old and shared links), and the view redirects them to the page's own."""

    regex = "|".join(sorted({*KINDS, *(word for words in KIND_IN_ADDRESS.values() for word in words.values())}))

    def to_python(self, value):
        for words in KIND_IN_ADDRESS.values():
            for kind, word in words.items():
                if value == word:
                    return kind
        return value

    def to_url(self, value):
        return KIND_IN_ADDRESS.get(get_language(), {}).get(value, value)


def _has_person_profile(allies) -> bool:
    return any(ally.kind == Ally.Kind.PERSON for ally in allies)


def _principles_form(principles, *, data=None, motivation=""):
    return PrinciplesForm(data, initial={"principles_version": principles.version, "motivation": motivation})


def _accepted_principles(form) -> Principles:
    """The version the person read; the service checks that it is still the current one."""
    principles = selectors.principles_by_version(form.cleaned_data["principles_version"])
    if principles is None:
        raise MembershipError(
            _("The principles changed while you were reading them: please read and accept them again.")
        )
    return principles


@login_required
@require_safe
def join_start(request):
    allies = list(selectors.allies_managed_by(request.user))
    applications = [
        {"ally": ally, "application": ally.applications.all()[0]} for ally in allies if ally.applications.all()
    ]
    return render(
        request,
        "members/join_start.html",
        {"applications": applications, "has_person_profile": _has_person_profile(allies)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join_form(request, kind):
    if kind not in KINDS:
        raise Http404
    own_address = reverse("members:join_form", args=[kind])
    if request.method != "POST" and request.path != own_address:
        # /aderisci/organization/ on an Italian page, or an old link: the address in the page's language.
        query = request.META.get("QUERY_STRING", "")
        return redirect(own_address + (f"?{query}" if query else ""), permanent=True)
    try:
        principles = services.current_principles()
    except services.REFUSED as exc:
        return render(request, "members/join_form.html", {"kind": kind, "unavailable": " ".join(exc.messages)})

    posted = request.method == "POST"
    profile_form = AllyProfileForm(request.POST if posted else None, request.FILES if posted else None, kind=kind)
    principles_form = _principles_form(principles, data=request.POST if posted else None)
    if posted and all([profile_form.is_valid(), principles_form.is_valid()]):
        try:
            application = services.apply_to_join(
                user=request.user,
                kind=kind,
                profile=profile_form.profile_data(),
                motivation=principles_form.cleaned_data["motivation"],
                principles=_accepted_principles(principles_form),
            )
        except services.REFUSED as exc:
            profile_form.add_error(None, exc)
            if principles_form.cleaned_data["principles_version"] != principles.version:
                # They must read and accept the text that is current now.
                principles_form = _principles_form(principles, motivation=principles_form.cleaned_data["motivation"])
        else:
            messages.success(
                request,
                _(
                    "Your application for “%(name)s” has been sent. The coordinators of the network will review it "
                    "and you will receive an e-mail with their decision; meanwhile your profile is not public."
                )
                % {"name": application.ally.name},
            )
            return redirect("members:my_area")

    # Said before the form is filled in, not after: the service refuses a second person profile anyway.
    already_person = (
        not posted and kind == Ally.Kind.PERSON and _has_person_profile(selectors.allies_managed_by(request.user))
    )
    return render(
        request,
        "members/join_form.html",
        {
            "kind": kind,
            "is_organization": kind == Ally.Kind.ORGANIZATION,
            "profile_form": profile_form,
            "principles_form": principles_form,
            "principles": principles,
            "already_person": already_person,
        },
    )


def _owned_ally(user, slug):
    ally = selectors.allies_managed_by(user).filter(slug=slug).first()
    if ally is None or not any(
        m.user_id == user.pk and m.role == AllyManager.Role.OWNER for m in ally.memberships.all()
    ):
        raise Http404
    return ally


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reapply(request, slug):
    ally = _owned_ally(request.user, slug)
    applications = list(ally.applications.all())
    last = applications[0] if applications else None
    still_open = last is not None and last.status == Status.SUBMITTED
    can_reapply = not still_open and ally.membership_status in (
        Ally.MembershipStatus.APPLICANT,
        Ally.MembershipStatus.ENDED,
    )
    try:
        principles = services.current_principles()
    except services.REFUSED as exc:
        context = {"ally": ally, "last": last, "unavailable": " ".join(exc.messages)}
        return render(request, "members/reapply_form.html", context)

    form = _principles_form(principles, data=request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.reapply(
                user=request.user,
                ally=ally,
                motivation=form.cleaned_data["motivation"],
                principles=_accepted_principles(form),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.REFUSED as exc:
            error = " ".join(exc.messages)
            if form.cleaned_data["principles_version"] != principles.version:
                form = _principles_form(principles, motivation=form.cleaned_data["motivation"])
        else:
            messages.success(
                request,
                _(
                    "Your new application for “%(name)s” has been sent. The coordinators will review it "
                    "and write to you by e-mail."
                )
                % {"name": ally.name},
            )
            return redirect("members:my_area")
    return render(
        request,
        "members/reapply_form.html",
        {
            "ally": ally,
            "last": last,
            "can_reapply": can_reapply,
            "form": form,
            "principles": principles,
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, pk):
    application = selectors.application_owned_by(request.user, pk)
    if application is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.withdraw_application(application=application, actor=request.user)
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.REFUSED as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("You withdrew the application for “%(name)s”. You can apply again whenever you like.")
                % {"name": application.ally.name},
            )
            return redirect("members:my_area")
    return render(request, "members/application_confirm_withdraw.html", {"application": application, "error": error})
