"""Series of meetings and editions (issue 9): check-in per meeting, a meeting cancelled, certificates of
attendance (sent by the organizers, downloaded by the attendee), a new edition from a new start."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import services
from ..certificates import certificate_filename, certificate_pdf
from ..forms.series import CancelMeetingForm, NewEditionForm
from ..models import Attendance, Registration, SessionChoice
from ..services import RegistrationError
from ..services.attendance import attendance_of, check_in_meeting, send_certificates
from ..services.event_life import cancel_meeting
from .manage import _edit_url, managers_only


def _meeting(event, value):
    meetings = list(event.sessions.all())
    chosen = next((m for m in meetings if str(m.pk) == str(value)), None)
    return meetings, chosen


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_check_in(request, event):
    if not event.is_series:
        raise Http404
    url = reverse("events:meeting_check_in", kwargs={"slug": event.slug})
    if request.method == "POST":
        meetings, meeting = _meeting(event, request.POST.get("meeting", ""))
        if meeting is None:
            raise Http404
        query = request.POST.get("q", "").strip()
        back = f"{url}?{urlencode({'meeting': meeting.pk, **({'q': query} if query else {})})}"
        pk = request.POST.get("registration", "")
        registration = get_object_or_404(event.registrations, pk=int(pk) if pk.isdecimal() else 0)
        undo = request.POST.get("undo") == "1"
        try:
            check_in_meeting(registration=registration, session=meeting, actor=request.user, undo=undo)
        except RegistrationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if undo:
                messages.info(request, _("Check-in of “%(name)s” undone.") % {"name": registration.name})
            else:
                messages.success(request, _("“%(name)s” is checked in.") % {"name": registration.name})
        return redirect(f"{back}#registration-{registration.pk}")
    meetings, meeting = _meeting(event, request.GET.get("meeting", ""))
    query = " ".join(request.GET.get("q", "").split())
    attendees, present = [], set()
    if meeting is not None:
        confirmed = event.registrations.filter(status=services.Status.CONFIRMED)
        if event.per_meeting:  # the people holding a seat at this meeting
            confirmed = confirmed.filter(
                session_choices__session=meeting, session_choices__status=SessionChoice.Status.CONFIRMED
            )
        attendees = confirmed.order_by("name", "pk")
        if query:
            attendees = attendees.filter(
                Q(name__icontains=query) | Q(email__icontains=query) | Q(organization__icontains=query)
            )
        attendees = list(attendees)
        present = set(Attendance.objects.filter(session=meeting).values_list("registration_id", flat=True))
        for registration in attendees:
            registration.present = registration.pk in present
    return render(
        request,
        "events/manage/check_in_meetings.html",
        {
            "event": event,
            "meetings": meetings,
            "meeting": meeting,
            "search": query,
            "attendees": attendees,
            "present_count": len(present),
        },
    )


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_cancel(request, event, pk):
    meeting = get_object_or_404(event.sessions, pk=pk)
    if not event.is_series:
        raise Http404
    form = CancelMeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_meeting(event=event, session=meeting, actor=request.user, message=form.cleaned_data["message"])
        except RegistrationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The meeting is cancelled; its attendees were told by e-mail."))
        return redirect(_edit_url(event))
    told = event.registrations.filter(status__in=services.ACTIVE, email_confirmed_at__isnull=False).count()
    return render(
        request, "events/manage/meeting_cancel.html", {"event": event, "meeting": meeting, "form": form, "told": told}
    )


@managers_only
@require_POST
def certificates_send(request, event):
    try:
        sent = send_certificates(event=event, actor=request.user)
    except RegistrationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if sent:
            messages.success(
                request,
                ngettext(
                    "One certificate of attendance is on its way.",
                    "%(count)d certificates of attendance are on their way.",
                    sent,
                )
                % {"count": sent},
            )
        else:
            messages.warning(request, _("Nobody has been checked in at a meeting yet: no certificate was sent."))
    return redirect(_edit_url(event))


@require_safe
def certificate(request, token):
    """The attendee's certificate, from the link of their registration (the token is the key)."""
    registration = get_object_or_404(Registration.objects.select_related("event"), token=token)
    if not registration.event.is_series:
        raise Http404
    record = attendance_of(registration)
    if not record.meetings:
        raise Http404
    response = HttpResponse(certificate_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(record)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def new_edition(request, event):
    form = NewEditionForm(request.POST if request.method == "POST" else None, initial={"title": event.title})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.duplicate_event(
                event=event, actor=request.user, start=form.cleaned_data["start"], title=form.cleaned_data["title"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("start", message)
        else:
            messages.success(
                request,
                _("This is the new edition, a draft with every date moved: check it and publish it when it is ready."),
            )
            return redirect(_edit_url(copy))
    return render(request, "events/manage/new_edition.html", {"event": event, "form": form})
