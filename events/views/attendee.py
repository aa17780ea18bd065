"""Attendees: registering, the registration page reached through its secret link, confirming, cancelling.

The token in the link is the only key to a registration: whoever holds it
may see and cancel it, without an account. So the token page is shown right
after registering only to whoever already owns the registration (a signed-in
person registering their own verified address); a guest reaches it through
the e-mail, which is what proves the address is theirs.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .. import selectors, services
from ..calendar import event_calendar
from ..forms.attendee import ChangeSessionsForm, RegistrationForm
from ..models import Registration, SessionChoice
from ..review import answers_of
from ..services import RegistrationError, admission

Status = Registration.Status
ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)


def _error_text(exc: RegistrationError) -> str:
    return " ".join(exc.messages)


def _waitlist_position(registration) -> int | None:
    return selectors.waitlist_position(registration)


def _registration_or_404(token: str) -> Registration:
    registration = selectors.registration_by_token(token)
    if registration is None:
        raise Http404
    return registration


def _email_language(user, email: str) -> str:
    """The account's e-mail language for one's own address, else the language of the page."""
    if user.is_authenticated and user.email.lower() == email.lower():
        return user.preferred_language
    return translation.get_language()


def _guest_message(email: str) -> str:
    return _(
        "We sent an e-mail to %(email)s to confirm the address: your seat counts once you confirm it "
        "with the link in the e-mail."
    ) % {"email": email}


def _outcome_message(registration, waitlist_position: int | None) -> str:
    """`waitlist_position`: the place the service gave, under the event's lock (the e-mail's number)."""
    if registration.status == Status.PENDING and registration.email_confirmed_at is None:
        return _guest_message(registration.email)
    if registration.status == Status.PENDING:
        return _("We received your request. The organizers will review it and write to you with their decision.")
    if registration.status == Status.CONFIRMED:
        return _("Your seat is confirmed. We sent you an e-mail with the details and the calendar file.")
    if registration.status == Status.WAITLISTED:
        return _(
            "The event is full: you are number %(position)s on the waiting list. We will write to you as soon as "
            "a seat frees up."
        ) % {"position": waitlist_position}
    return _("Your registration is %(status)s.") % {"status": registration.get_status_display().lower()}


@require_http_methods(["GET", "HEAD", "POST"])
def register(request, slug):
    # The page names neither themes nor organizers: none of the list's prefetching.
    event = selectors.public_events().prefetch_related(None).filter(slug=slug).first()
    if event is None:
        raise Http404
    state = event.registration_state()
    context = {"event": event, "state": state}
    if state != "open":
        context["closed_reason"] = services.closed_reason(state)
        return render(request, "events/register.html", context)
    refusal = admission.refusal(event, request.user)
    if refusal is not None:
        # "sign_in", "join" (with the link to join the alliance) or "not_eligible".
        context["members_only"] = refusal
        context["refusal_message"] = admission.refusal_message(event, refusal)
        context["join_url"] = reverse("members:join")
        if refusal == admission.SIGN_IN:
            context["login_url"] = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
            context["signup_url"] = f"{reverse('account_signup')}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "events/register.html", context)

    posted = request.method == "POST"
    # Read once for the form and the service's first check (the service reads them again under the lock).
    prefetch_related_objects([event], "questions")
    form = RegistrationForm(
        request.POST if posted else None, request.FILES if posted else None, event=event, user=request.user
    )
    if posted and form.is_valid():
        from alliance.ratelimit import RATE_LIMITED_MESSAGE, allow

        if not request.user.is_authenticated and not allow(
            request, "events.guest_registration", key=form.cleaned_data["email"]
        ):
            form.add_error(None, RATE_LIMITED_MESSAGE)
            context["form"] = form
            return render(request, "events/register.html", context, status=429)
        attendee = form.to_attendee(_email_language(request.user, form.cleaned_data["email"]))
        try:
            result = services.register(event=event, attendee=attendee, user=request.user)
        except RegistrationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            registration = result.registration
            if not result.created:
                if result.may_see_token_page:
                    messages.info(request, _("You were already registered for this event."))
                    return redirect("events:registration", token=registration.token)
                # Whoever typed the address learns nothing: the same answer as for a new guest, and
                # the link goes again to the address only (at most as often as "events.resend_link" allows).
                if allow(request, "events.resend_link", key=registration.email):
                    services.resend_registration_link(registration)
                messages.success(request, _guest_message(registration.email))
                return redirect(event)
            messages.success(request, _outcome_message(registration, result.waitlist_position))
            if result.may_see_token_page:
                return redirect("events:registration", token=registration.token)
            return redirect(event)
    context["form"] = form
    return render(request, "events/register.html", context)


@never_cache
@require_safe
def registration_detail(request, token):
    registration = _registration_or_404(token)
    choices = list(registration.session_choices.all())
    for choice in choices:  # the place in line of each session waited for
        choice.position = selectors.session_waitlist_position(choice)
    return render(
        request,
        "events/registration_detail.html",
        {
            "registration": registration,
            "event": registration.event,
            "choices": choices,
            "position": _waitlist_position(registration),
            "is_active": registration.status in ACTIVE,
            "waits_for_email": registration.status == Status.PENDING and registration.email_confirmed_at is None,
            "may_change": may_change_sessions(registration),
            "has_calendar": has_calendar(registration),
            "answers": answers_of(registration, event_slug=None),  # through its own link
        },
    )


def may_change_sessions(registration) -> bool:
    """Whether the registration page offers to change the workshops (or meetings): an active registration
    of a published event not over, that chooses sessions."""
    return registration.status in ACTIVE and event_offers_session_change(registration.event)


def event_offers_session_change(event, sessions=None) -> bool:
    """A published event not over whose attendees choose sessions; `sessions`: its sessions if already read
    (a list of registrations asks once for all its rows)."""
    if event.status != event.Status.PUBLISHED or event.end <= timezone.now():
        return False
    if event.per_meeting:
        return True
    if sessions is None:
        return services.choosable_sessions(event).exists()
    return any(session.capacity is not None for session in sessions)  # as choosable_sessions, from the list


def _changed_message(change) -> str:
    registration = change.registration
    if registration.status != Status.CONFIRMED:
        return _("Your choice is changed. It counts once your seat is confirmed.")
    waiting = [
        c.session.title
        for c in registration.session_choices.all()
        if c.session in change.added and c.status == SessionChoice.Status.WAITLISTED
    ]
    if waiting:
        return _(
            "Your choice is changed. “%(titles)s” is full: you are on its waiting list, and we will write to "
            "you when a seat frees up. We sent you an e-mail with the new calendar file."
        ) % {"titles": "”, “".join(waiting)}
    return _("Your choice is changed. We sent you an e-mail with the new calendar file.")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def change_sessions(request, token):
    """The attendee changes their workshops or meetings; the link is the key, as for cancelling.
    A page of its own, so that the registration page sets no cookie."""
    registration = _registration_or_404(token)
    if not may_change_sessions(registration):
        messages.info(request, _("The choice of sessions of this registration can no longer change."))
        return redirect("events:registration", token=registration.token)
    form = ChangeSessionsForm(request.POST if request.method == "POST" else None, registration=registration)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_sessions(
                registration=registration, session_ids=form.session_ids(), actor=request.user, by_link=True
            )
        except RegistrationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            if change.changed:
                messages.success(request, _changed_message(change))
            else:
                messages.info(request, _("Nothing changed: these are the sessions you had chosen."))
            return redirect("events:registration", token=registration.token)
    return render(
        request,
        "events/registration_sessions.html",
        {
            "registration": registration,
            "event": registration.event,
            "form": form,
        },
    )


def _confirmed_message(registration) -> str:
    if registration.status == Status.CONFIRMED:
        return _(
            "Thank you: your address is confirmed and so is your seat. We sent you an e-mail with the calendar file."
        )
    if registration.status == Status.WAITLISTED:
        return _(
            "Thank you: your address is confirmed. The event is full: you are number %(position)s on the waiting "
            "list, and we will write to you as soon as a seat frees up."
        ) % {"position": _waitlist_position(registration)}
    return _(
        "Thank you: your address is confirmed. The organizers will review your request and write to you with "
        "their decision."
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email(request, token):
    registration = _registration_or_404(token)
    # Only a registration still waiting for its address has anything to confirm; the service ignores the rest.
    waiting = registration.status == Status.PENDING and registration.email_confirmed_at is None
    error = None
    if request.method == "POST":
        try:
            registration = services.confirm_email(token=token)
        except RegistrationError as exc:
            error = _error_text(exc)
        else:
            if not waiting and registration.status in ACTIVE:
                messages.info(request, _("Your e-mail address was already confirmed."))
            elif not waiting:
                messages.info(request, _("This registration is no longer active: there is nothing to confirm."))
            else:
                messages.success(request, _confirmed_message(registration))
            return redirect("events:registration", token=registration.token)
    # One template for both questions asked through the link: confirm the address, cancel the registration.
    return render(
        request,
        "events/registration_confirm_cancel.html",
        {
            "registration": registration,
            "event": registration.event,
            "action": "confirm_email",
            "error": error,
            "waiting": waiting,
            "is_active": registration.status in ACTIVE,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token):
    registration = _registration_or_404(token)
    if request.method == "POST":
        was_active = registration.status in ACTIVE
        registration = services.cancel_registration(registration=registration, actor=None)
        if was_active:
            messages.success(
                request,
                _("Your registration for “%(event)s” is cancelled. Thank you for freeing your seat.")
                % {"event": registration.event.title},
            )
        else:
            messages.info(request, _("This registration was already cancelled."))
        return redirect("events:registration", token=registration.token)
    return render(
        request,
        "events/registration_confirm_cancel.html",
        {
            "registration": registration,
            "event": registration.event,
            "action": "cancel",
            "is_active": registration.status in ACTIVE,
        },
    )


def has_calendar(registration) -> bool:
    """Whether the registration has a calendar file: a confirmed one; in a series registered per meeting, only
    with a seat at one of its meetings (else the file would hold nothing)."""
    if registration.status != Status.CONFIRMED:
        return False
    return not registration.event.per_meeting or any(
        c.status == SessionChoice.Status.CONFIRMED for c in registration.session_choices.all()
    )


@never_cache
@require_safe
def registration_ics(request, token):
    """The attendee's own calendar file: the event with the sessions where they hold a seat; in a series
    registered per meeting, exactly their meetings."""
    registration = _registration_or_404(token)
    if not has_calendar(registration):
        raise Http404
    sessions = [c.session for c in registration.session_choices.all() if c.status == SessionChoice.Status.CONFIRMED]
    response = HttpResponse(event_calendar(registration.event, sessions), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{registration.event.slug}.ics"'
    return response


@login_required
@require_safe
def my_registrations(request):
    now = timezone.now()
    registrations = list(selectors.registrations_of_user(request.user))  # newest event first
    upcoming = sorted((r for r in registrations if r.event.end >= now), key=lambda r: (r.event.start, r.pk))
    past = [r for r in registrations if r.event.end < now]
    return render(
        request,
        "events/my_registrations.html",
        {
            "sections": [
                {"id": "upcoming", "title": _("Upcoming events"), "registrations": upcoming},
                {"id": "past", "title": _("Past events"), "registrations": past},
            ],
            "active_statuses": ACTIVE,
        },
    )
