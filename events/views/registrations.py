"""The coordination side of registrations: the list with its decisions, the CSV export, messages, check-in at the door."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance.csv import safe_cell
from alliance.workflow import attach_history

from .. import selectors, services
from ..forms.attendee import ChangeSessionsForm
from ..forms.manage import MessageForm, RegistrationActionForm, RegistrationFilterForm
from ..models import Registration
from ..review import answers_of, document_url, pending_requests, registration_cards
from ..services import RegistrationError
from ..services.questions import answer_text
from .attendee import event_offers_session_change, may_change_sessions
from .manage import managers_only
from .review import decision_form

REGISTRATIONS_PER_PAGE = 50
Status = Registration.Status


def _status_counts(event, *, confirmed_addresses_only=False) -> dict:
    registrations = event.registrations.order_by()
    if confirmed_addresses_only:  # who messages reach
        registrations = registrations.filter(email_confirmed_at__isnull=False)
    counts = dict(registrations.values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in Status.values}


def _list_url(event) -> str:
    return reverse("events:registrations", kwargs={"slug": event.slug})


def _back(request, event, registration) -> str:
    """Back to the list as it was (filters, page), on the row that changed."""
    target = request.POST.get("next", "") if request.method == "POST" else request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    if not (allowed and target.startswith(_list_url(event))):
        target = _list_url(event)
    return f"{target.split('#')[0]}#registration-{registration.pk}"


@managers_only
@require_safe
def registration_list(request, event):
    sessions = list(event.sessions.all())
    filters = RegistrationFilterForm(request.GET or None, event=event, sessions=sessions)
    paginator = Paginator(filters.filter(selectors.registrations_for_management(event)), REGISTRATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = attach_history(page.object_list)  # one query for the whole page
    for registration in page.object_list:  # prefetched by the selector: no query each
        registration.answer_list = answers_of(registration, event_slug=event.slug)
    counts = _status_counts(event)
    seats_left = None if event.capacity is None else max(event.capacity - counts[Status.CONFIRMED], 0)
    sessions_change = event_offers_session_change(event, sessions)  # for every row, from the sessions read
    # Issue 9: requests waiting for a decision, as review cards with the bulk form (events.views.review),
    # in pages of their own (the `requests` parameter); the heading counts them all.
    to_review, review_page, review_range = [], None, None
    if event.admission_review:
        review_paginator = Paginator(pending_requests(event), REGISTRATIONS_PER_PAGE)
        review_page = review_paginator.get_page(request.GET.get("requests"))
        review_range = review_paginator.get_elided_page_range(review_page.number, on_each_side=2, on_ends=1)
        to_review = registration_cards(event, review_page.object_list, viewer=request.user)
    return render(
        request,
        "events/manage/registration_list.html",
        {
            "event": event,
            "filters": filters,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "counts": [(value, label, counts[value]) for value, label in Status.choices],
            "seats_left": seats_left,
            "has_sessions": bool(sessions),
            "sessions_change": sessions_change,
            "back_query": urlencode({"next": request.get_full_path()}),
            "active_statuses": services.ACTIVE,
            "Status": Status,
            "to_review": to_review,
            "review_page": review_page,
            "review_range": review_range,
            "decision_form": decision_form() if to_review else None,
        },
    )


@managers_only
@require_POST
def registration_action(request, event, pk):
    registration = get_object_or_404(event.registrations, pk=pk)
    back = _back(request, event, registration)
    form = RegistrationActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(back)
    action, reason, name = form.cleaned_data["action"], form.cleaned_data["reason"], registration.name
    try:
        if action in ("approve", "decline"):
            registration = services.decide_registration(
                registration=registration, actor=request.user, approve=action == "approve", reason=reason
            )
        elif action == "confirm":
            registration = services.move_registration(
                registration=registration, actor=request.user, to=Status.CONFIRMED
            )
        elif action == "waitlist":
            registration = services.move_registration(
                registration=registration, actor=request.user, to=Status.WAITLISTED
            )
        elif registration.status not in services.ACTIVE:
            raise RegistrationError(_("This registration is already declined or cancelled."))
        else:
            registration = services.cancel_registration(registration=registration, actor=request.user)
    except RegistrationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    if action == "decline":
        text = _("The application of “%(name)s” is declined; they received your reason by e-mail.")
    elif action == "cancel":
        text = _("The registration of “%(name)s” is cancelled; they were told by e-mail.")
    elif registration.status == Status.CONFIRMED:
        text = _("“%(name)s” is confirmed; they were told by e-mail.")
    else:
        text = _("“%(name)s” is on the waiting list; they were told by e-mail.")
    messages.success(request, text % {"name": name})
    return redirect(back)


def _sessions_changed_message(event, change) -> str:
    registration = change.registration
    name = registration.name
    if not change.changed:
        if event.per_meeting:
            return _("Nothing changed: these are the meetings “%(name)s” had chosen.") % {"name": name}
        return _("Nothing changed: these are the sessions “%(name)s” had chosen.") % {"name": name}
    if registration.status == Status.CONFIRMED:
        text = _("The choice of “%(name)s” is changed; we sent them an e-mail with the new calendar file.")
    elif registration.email_confirmed_at is not None:
        text = _(
            "The choice of “%(name)s” is changed and they were told by e-mail; it counts once their seat is confirmed."
        )
    else:
        text = _("The choice of “%(name)s” is changed; it counts once their seat is confirmed.")
    return text % {"name": name}


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def registration_sessions(request, event, pk):
    """An organizer changes the workshops (or meetings) of one registration, as the person asked them: the
    attendee's own form, every rule in `services.change_sessions` (by_organizer)."""
    registration = selectors.registration_for_management(event, pk)
    if registration is None:
        raise Http404
    back = _back(request, event, registration)
    if not may_change_sessions(registration):
        messages.info(request, _("The choice of sessions of this registration can no longer change."))
        return redirect(back)
    posted = request.method == "POST"
    form = ChangeSessionsForm(request.POST if posted else None, registration=registration, by_organizer=True)
    if posted and form.is_valid():
        try:
            change = services.change_sessions(
                registration=registration, session_ids=form.session_ids(), actor=request.user, by_organizer=True
            )
        except RegistrationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            (messages.success if change.changed else messages.info)(request, _sessions_changed_message(event, change))
            return redirect(back)
    return render(
        request,
        "events/manage/registration_sessions.html",
        {
            "event": event,
            "registration": registration,
            "choices": registration.session_choices.all(),
            "form": form,
            "next": back.split("#")[0],
            "back": back,
        },
    )


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _answer_cells(event, registration, questions, request) -> list[str]:
    """One cell per question: the answer's text, or the full address of the organizers' view of the document."""
    given = {answer.question_id: answer for answer in registration.answers.all()}
    cells = []
    for question in questions:
        answer = given.get(question.pk)
        if answer is None:
            cells.append("")
        else:
            url = document_url(answer, registration, event_slug=event.slug)
            cells.append(safe_cell(request.build_absolute_uri(url) if url else answer_text(answer)))
    return cells


@managers_only
@require_safe
def registrations_csv(request, event):
    filters = RegistrationFilterForm(request.GET or None, event=event)
    registrations = filters.filter(selectors.registrations_for_management(event))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-registrations.csv"'
    # The byte order mark tells spreadsheets the file is UTF-8, so accented names open right.
    response.write("\ufeff")
    writer = csv.writer(response)
    questions = list(event.questions.all())  # one column each (issue 9)
    writer.writerow(
        [
            _("Name"),
            _("E-mail address"),
            _("Organization"),
            _("Role"),
            _("Status"),
            _("Sessions"),
            _("Accessibility needs"),
            _("Shown in the public list"),
            _("Language"),
            _("Registered at"),
            _("Checked in at"),
            *(safe_cell(question.label) for question in questions),
        ]
    )
    yes, no = _("yes"), _("no")
    for registration in registrations:
        sessions = "; ".join(
            f"{choice.session.title} ({choice.get_status_display()})" for choice in registration.session_choices.all()
        )
        writer.writerow(
            [
                safe_cell(registration.name),
                safe_cell(registration.email),
                safe_cell(registration.organization),
                safe_cell(registration.role),
                safe_cell(registration.get_status_display()),
                safe_cell(sessions),
                safe_cell(registration.accessibility_needs),
                safe_cell(yes if registration.public_consent else no),
                safe_cell(registration.language),
                safe_cell(_when(registration.created_at)),
                safe_cell(_when(registration.checked_in_at)),
                *_answer_cells(event, registration, questions, request),
            ]
        )
    return response


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def message(request, event):
    counts = _status_counts(event, confirmed_addresses_only=True)
    form = MessageForm(request.POST if request.method == "POST" else None, counts=counts)
    if request.method == "POST" and form.is_valid():
        sent = services.message_attendees(
            event=event,
            actor=request.user,
            statuses=form.statuses,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )
        if sent:
            messages.success(
                request,
                ngettext(
                    "Your message was sent to %(count)d person.", "Your message was sent to %(count)d people.", sent
                )
                % {"count": sent},
            )
        else:
            messages.warning(request, _("Nobody is in the group you chose: no message was sent."))
        return redirect(_list_url(event))
    return render(request, "events/manage/message_form.html", {"event": event, "form": form})


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, event):
    url = reverse("events:check_in", kwargs={"slug": event.slug})
    if request.method == "POST":
        query = request.POST.get("q", "").strip()
        back = f"{url}?{urlencode({'q': query})}" if query else url
        pk = request.POST.get("registration", "")
        registration = get_object_or_404(event.registrations, pk=int(pk) if pk.isdecimal() else 0)
        undo = request.POST.get("undo") == "1"
        try:
            services.check_in(registration=registration, actor=request.user, undo=undo)
        except RegistrationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if undo:
                messages.info(request, _("Check-in of “%(name)s” undone.") % {"name": registration.name})
            else:
                messages.success(request, _("“%(name)s” is checked in.") % {"name": registration.name})
        return redirect(f"{back}#registration-{registration.pk}")
    query = " ".join(request.GET.get("q", "").split())
    confirmed = event.registrations.filter(status=Status.CONFIRMED)
    attendees = confirmed.order_by("name", "pk")
    if query:
        attendees = attendees.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(organization__icontains=query)
        )
    totals = confirmed.aggregate(confirmed=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)))
    return render(
        request,
        "events/manage/check_in.html",
        {"event": event, "search": query, "attendees": list(attendees), "totals": totals},
    )
