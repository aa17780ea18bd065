"""Deciding event requests in bulk from their review cards (issue 9); the cards are on the registrations page."""

from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from alliance.review import bulk_decision_form, run_bulk_decision

from ..services.registrations import decide_registrations
from .manage import managers_only

DECISIONS = [("approve", gettext_lazy("Approve")), ("decline", gettext_lazy("Decline"))]


def decision_form(data=None):
    return bulk_decision_form(data, decisions=DECISIONS, decline="decline")


def report_text(report) -> str:
    parts = []
    if report.confirmed:
        parts.append(
            ngettext("%(count)s person got a seat", "%(count)s people got a seat", report.confirmed)
            % {"count": report.confirmed}
        )
    if report.waitlisted:
        parts.append(
            ngettext("%(count)s went to the waiting list", "%(count)s went to the waiting list", report.waitlisted)
            % {"count": report.waitlisted}
        )
    if report.declined:
        parts.append(
            ngettext("%(count)s request declined", "%(count)s requests declined", report.declined)
            % {"count": report.declined}
        )
    if report.skipped:
        parts.append(
            ngettext(
                "%(count)s was no longer waiting for a decision",
                "%(count)s were no longer waiting for a decision",
                report.skipped,
            )
            % {"count": report.skipped}
        )
    return _("Done: %(parts)s. Everyone was told by e-mail.") % {"parts": "; ".join(parts)}


@managers_only
@require_POST
def decide(request, event):
    run_bulk_decision(
        request,
        decision_form(request.POST),
        lambda ids, decision, reason: decide_registrations(
            event=event, ids=ids, decision=decision, reason=reason, actor=request.user
        ),
        report_text,
    )
    return redirect("events:registrations", slug=event.slug)
