"""The coordinators' page of e-mails that could not be sent: see why, and send them again.

Wired in alliance/urls.py as ``alliance:failed_emails`` (see the platform report); the
coordination area counts the rows with `alliance.services.failed_emails_for`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .middleware import mark_private
from .models import OutgoingEmail
from .permissions import is_coordinator
from .services import resend_emails

PER_PAGE = 50


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def failed_emails(request):
    if not (is_coordinator(request.user) and request.user.has_perm("alliance.view_outgoingemail")):
        raise Http404
    failed = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED)
    if request.method == "POST":
        if request.POST.get("all"):
            ids = list(failed.values_list("pk", flat=True))
        else:
            ids = [int(value) for value in request.POST.getlist("email") if value.isdigit()]
        if not ids:
            messages.warning(request, _("Choose the e-mails to send again."))
            return redirect(request.path)
        count = resend_emails(email_ids=ids, actor=request.user)
        messages.success(
            request,
            ngettext("%(count)d e-mail will be sent again.", "%(count)d e-mails will be sent again.", count)
            % {"count": count},
        )
        return redirect(request.path)
    paginator = Paginator(
        failed.only("pk", "to", "subject", "template", "created_at", "attempts", "last_error").order_by(
            "-created_at", "-pk"
        ),
        PER_PAGE,
    )
    page = paginator.get_page(request.GET.get("page"))
    response = render(
        request,
        "alliance_outbox/failed_emails.html",
        {
            "page_obj": page,
            "emails": page.object_list,
            "total": paginator.count,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )
    return mark_private(response)
