"""The coordinators' side of membership: the queue of applications, the decision, the verified badge,
the list of every ally, and suspending, reinstating or ending a membership."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance.permissions import is_coordinator

from .. import selectors, services
from ..forms import (
    CoordinationAllyFilterForm,
    DecisionForm,
    EndMembershipForm,
    ReinstateMembershipForm,
    SuspendMembershipForm,
)
from ..models import MembershipApplication

ALLIES_PER_PAGE = 50


def coordinators_only(view):
    """Anonymous visitors are asked to log in; anyone else who is not a coordinator finds nothing here."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_coordinator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@coordinators_only
@require_safe
def application_queue(request):
    return render(
        request,
        "members/coordination/application_list.html",
        {"applications": list(selectors.pending_applications())},
    )


def _application_for_review(pk):
    application = selectors.application_for_review(pk)
    if application is None:
        raise Http404
    return application


@coordinators_only
@require_http_methods(["GET", "HEAD", "POST"])
def application_review(request, pk):
    application = _application_for_review(pk)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.approve_application(application=application, actor=request.user)
                message = _("“%(name)s” is now a member of the alliance; the applicant was told by e-mail.")
            else:
                services.decline_application(
                    application=application, actor=request.user, reason=form.cleaned_data["reason"]
                )
                message = _("The application of “%(name)s” was declined; the applicant received your reason by e-mail.")
        except services.REFUSED as exc:
            error = " ".join(exc.messages)
            application = _application_for_review(pk)
        else:
            messages.success(request, message % {"name": application.ally.name})
            return redirect("members:application_queue")
    return render(
        request,
        "members/coordination/application_review.html",
        {
            "application": application,
            "ally": application.ally,
            "is_open": application.status == MembershipApplication.Status.SUBMITTED,
            "form": form,
            "error": error,
        },
    )


@coordinators_only
@require_POST
def ally_verify(request, slug):
    ally = selectors.ally_for_page(slug)
    if ally is None:
        raise Http404
    if request.POST.get("verified") not in ("0", "1"):
        return HttpResponseBadRequest()
    verified = request.POST["verified"] == "1"
    services.set_verified(ally=ally, actor=request.user, verified=verified)
    if verified:
        messages.success(request, _("“%(name)s” now shows the verified badge.") % {"name": ally.name})
    else:
        messages.success(request, _("“%(name)s” no longer shows the verified badge.") % {"name": ally.name})
    return redirect(ally.get_absolute_url())


@coordinators_only
@require_safe
def ally_list(request):
    """Every ally, whatever its membership (ended ones too, which the directory no longer shows)."""
    form = CoordinationAllyFilterForm(request.GET)
    # An invalid value (a status that is not one) leaves the form with an error and the list empty.
    allies = selectors.allies_for_coordination(**form.cleaned_data) if form.is_valid() else []
    paginator = Paginator(allies, ALLIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "members/coordination/ally_list.html",
        {
            "form": form,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


ACTIONS = {
    "suspend": SuspendMembershipForm,
    "reinstate": ReinstateMembershipForm,
    "end": EndMembershipForm,
}


@coordinators_only
@require_http_methods(["GET", "HEAD", "POST"])
def ally_membership(request, slug):
    """Suspend, reinstate or end the membership of an ally, with its history."""
    ally = selectors.ally_by_slug(slug)
    if ally is None:
        raise Http404
    forms = {name: form_class(prefix=name) for name, form_class in ACTIONS.items()}
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ACTIONS:
            return HttpResponseBadRequest()
        form = forms[action] = ACTIONS[action](request.POST, prefix=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "suspend":
                    services.suspend_membership(
                        ally=ally, actor=request.user, reason=data["reason"], until=data["until"]
                    )
                    message = _("The membership of “%(name)s” is suspended; its managers were told by e-mail.")
                elif action == "reinstate":
                    services.reinstate_membership(ally=ally, actor=request.user, note=data["note"])
                    message = _("The membership of “%(name)s” is reinstated; its managers were told by e-mail.")
                else:
                    services.end_membership(ally=ally, actor=request.user, reason=data["reason"])
                    message = _("The membership of “%(name)s” has ended; its managers were told by e-mail.")
            except services.REFUSED as exc:
                error = " ".join(exc.messages)
                ally = selectors.ally_by_slug(slug)
            else:
                messages.success(request, message % {"name": ally.name})
                return redirect("members:ally_membership", slug=ally.slug)
    return render(
        request,
        "members/coordination/ally_membership.html",
        {
            "ally": ally,
            "forms": forms,
            "error": error,
            "history": selectors.ally_history(ally),
            "Status": ally.MembershipStatus,
        },
    )
