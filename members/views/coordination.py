"""The coordinators' side of membership: the queue of applications, the decision, the verified badge."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance.permissions import is_coordinator

from .. import selectors, services
from ..forms import DecisionForm
from ..models import MembershipApplication
from ..services import MembershipError


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
        except MembershipError as exc:
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
