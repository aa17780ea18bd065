"""The coordination side of events: the events one runs, the editor with the programme, publishing, copies, cancelling.

Coordinators run every event; the managers of an organizing ally run that
ally's events. To anyone else these pages do not exist (404), whether or not
the event does; anonymous visitors are asked to sign in.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance.workflow import history
from initiatives.forms.allies import matching_allies, picker_search
from initiatives.selectors import linkable_projects

from .. import selectors, services
from ..filters import ManagedEventFilterSet
from ..forms.manage import MAX_ROWS, CancelEventForm, EventEditor
from ..models import Event
from ..permissions import can_create_events, can_manage_event
from ..services import RegistrationError

EVENTS_PER_PAGE = 25
ROWS_STEP = 3


def managers_only(view):
    """Looks the event up by slug and lets through only the people who may run it; the view receives the event."""

    @login_required
    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        event = Event.objects.filter(slug=slug).first()
        if event is None or not can_manage_event(request.user, event):
            raise Http404
        return view(request, event, *args, **kwargs)

    return wrapper


def _may_run_events(user) -> bool:
    return can_create_events(user) or selectors.managed_events(user).exists()


def _edit_url(event, rows=None) -> str:
    url = reverse("events:event_edit", kwargs={"slug": event.slug})
    return f"{url}?rows={rows}" if rows else url


def _error_text(exc) -> str:
    return " ".join(exc.messages)


@login_required
@require_safe
def event_list(request):
    """The events one runs: search, status, upcoming or past, organizer (events.filters.ManagedEventFilterSet)."""
    if not _may_run_events(request.user):
        raise Http404
    filterset = ManagedEventFilterSet(request.GET, queryset=selectors.managed_events(request.user), user=request.user)
    paginator = Paginator(filterset.qs, EVENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "events/manage/event_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "can_create": can_create_events(request.user),
            "Status": Event.Status,
        },
    )


@login_required
@require_safe
def organizer_search(request):
    """The type-ahead of the list's “Organized by” filter: the organizers of the events one runs whose name
    contains `q` (`selectors.managed_event_organizers`), at most 20, as JSON."""
    if not _may_run_events(request.user):
        raise Http404
    found = matching_allies(selectors.managed_event_organizers(request.user), request.GET.get("q", "")[:200])
    return JsonResponse({"results": [{"id": ally.pk, "name": ally.name} for ally in found]})


@login_required
@require_safe
def project_search(request):
    """The projects whose title contains `q` that this person may link an event to, at most 20, as JSON: for the
    type-ahead over the editor's project field (static/js/ally-search.js)."""
    if not _may_run_events(request.user):
        raise Http404
    found = matching_allies(linkable_projects(request.user), request.GET.get("q", "")[:200], "title")
    return JsonResponse({"results": [{"id": project.pk, "name": project.title} for project in found]})


def _rows(request) -> int:
    """How many empty rows of speakers and sessions to offer: three, three more after each “add more rows”."""
    try:
        rows = int(request.GET.get("rows", ROWS_STEP))
    except ValueError:
        rows = ROWS_STEP
    return min(max(rows, ROWS_STEP), MAX_ROWS // 2)


def _editor(request, event: Event):
    rows = _rows(request)
    title = event.title  # the form changes the instance as it validates
    if request.method == "POST":
        editor = EventEditor(request.POST, request.FILES, instance=event, user=request.user, rows=rows)
        created = event.pk is None
        if picker_search(request.POST):
            # A picker's “Search” without JavaScript: the page comes back as sent, with the matches; nothing saved.
            messages.info(request, _("Nothing is saved yet: tick the allies you want among those found, then save."))
            return _render_editor(request, event, editor, title, rows)
        saved = editor.save() if editor.is_valid() else None
        if saved is not None:
            event = saved
            moved = len(editor.result.moved)
            if moved:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d person moved to the waiting list and was told by e-mail.",
                        "%(count)d people moved to the waiting list and were told by e-mail.",
                        moved,
                    )
                    % {"count": moved},
                )
            if request.POST.get("action") == "more":
                messages.success(request, _("Saved. Here are three more empty rows for speakers and sessions."))
                return redirect(_edit_url(event, rows + ROWS_STEP))
            if created:
                messages.success(
                    request, _("The event is saved as a draft: only its organizers can see it until you publish it.")
                )
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect(_edit_url(event))
        if editor.needs_confirmation:
            messages.error(
                request,
                _(
                    "Nothing was saved: some people would lose their place. Change the seats, "
                    "or confirm the moves below and save again."
                ),
            )
        else:
            messages.error(request, _("Nothing was saved: please correct the errors marked below."))
    else:
        editor = EventEditor(instance=event, user=request.user, rows=rows)
    return _render_editor(request, event, editor, title, rows)


def _render_editor(request, event, editor, title, rows):
    return render(
        request,
        "events/manage/event_form.html",
        {
            "event": event if event.pk else None,
            "title": title,
            "editor": editor,
            "rows": rows,
            "Status": Event.Status,
            "history": list(history(event)) if event.pk else [],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request):
    if not can_create_events(request.user):
        raise Http404
    return _editor(request, Event())


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request, event):
    return _editor(request, event)


@managers_only
@require_POST
def event_publish(request, event):
    try:
        services.publish_event(event=event, actor=request.user)
    except RegistrationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("“%(title)s” is published: it is on the public calendar and open for registration as you set it.")
            % {"title": event.title},
        )
    return redirect(_edit_url(event))


@managers_only
@require_POST
def event_duplicate(request, event):
    copy = services.duplicate_event(event=event, actor=request.user)
    messages.success(
        request,
        _(
            "This is a draft copy of “%(title)s”, with its programme and speakers: change the "
            "dates and publish it when it is ready."
        )
        % {"title": event.title},
    )
    return redirect(_edit_url(copy))


@managers_only
@require_http_methods(["GET", "HEAD", "POST"])
def event_cancel(request, event):
    if event.status == Event.Status.CANCELLED:
        messages.info(request, _("This event is already cancelled."))
        return redirect(_edit_url(event))
    form = CancelEventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.cancel_event(event=event, actor=request.user, message=form.cleaned_data["message"])
        if event.status == Event.Status.PUBLISHED:
            messages.success(
                request, _("“%(title)s” is cancelled; everyone registered was told by e-mail.") % {"title": event.title}
            )
        else:
            messages.success(request, _("“%(title)s” is cancelled.") % {"title": event.title})
        return redirect(_edit_url(event))
    told = (
        event.registrations.filter(status__in=services.ACTIVE, email_confirmed_at__isnull=False).count()
        if event.is_published
        else 0
    )
    return render(
        request,
        "events/manage/event_cancel.html",
        {"event": event, "form": form, "told": told},
    )
