"""The admin of events: a window on the rows, with the rules kept in events.services.

Workflow fields (status, dates of publication and cancellation, calendar
sequence, seats, a registration's status and dates) are read-only here; the
actions publish, cancel and cancel registrations through the services, and
saving an event goes through `services.save_event` (a new time or place
bumps the calendar sequence and tells the people registered). The programme
is edited in the event editor, where removing or shrinking a session people
chose is refused or confirmed: here it is read-only.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Event, Registration, Reminder, Session, SessionChoice, Speaker


class ReadOnlyInline:
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SpeakerInline(ReadOnlyInline, admin.TabularInline):
    model = Speaker
    fields = ["position", "name", "role", "affiliation", "ally", "to_be_confirmed"]
    readonly_fields = fields


class SessionInline(ReadOnlyInline, admin.TabularInline):
    model = Session
    fields = ["day", "start_time", "end_time", "title", "kind", "room", "capacity"]
    readonly_fields = fields


def _apply(modeladmin, request, objects, call, message, *, name=str) -> None:
    """Run `call(obj)` (a service) on each object; report how many succeeded (`message(count)`, a
    translated sentence) and every refusal."""
    done, errors = 0, []
    for obj in objects:
        try:
            call(obj)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            errors.append(f"{name(obj)}: {_errors(exc)}")
    if done:
        modeladmin.message_user(request, message(done) % {"count": done}, messages.SUCCESS)
    for error in errors:
        modeladmin.message_user(request, error, messages.ERROR)


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "start", "city", "admission", "admission_review", "capacity"]
    list_filter = ["status", "kind", "admission", "admission_review", "region", "themes"]
    search_fields = ["title", "summary", "city", "venue_name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organizers", "themes"]
    readonly_fields = [
        "status",
        "capacity",
        "sequence",
        "created_by",
        "created_at",
        "updated_at",
        "published_at",
        "cancelled_at",
    ]
    list_select_related = ["region"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SpeakerInline, SessionInline]
    actions = ["publish_events", "cancel_events"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting would drop registrations without telling anyone: events are cancelled instead.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.registrations.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = services.EventData.from_mapping(
            {name: value for name, value in form.cleaned_data.items() if name not in services.EVENT_M2M}
        )
        for name in ("cover_image", "programme_pdf"):
            if form.cleaned_data.get(name) is None:
                setattr(data, name, services.KEEP)
        result = services.save_event(event=obj if change else None, actor=request.user, data=data)
        saved = result.event
        if form.cleaned_data.get("slug") and form.cleaned_data["slug"] != saved.slug:
            Event.objects.filter(pk=saved.pk).update(slug=form.cleaned_data["slug"])
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    @admin.action(description=_("Publish the selected events"))
    def publish_events(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda event: services.publish_event(event=event, actor=request.user),
            lambda n: ngettext("%(count)d event published.", "%(count)d events published.", n),
        )

    @admin.action(description=_("Cancel the selected events and tell everyone registered"))
    def cancel_events(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda event: services.cancel_event(event=event, actor=request.user),
            lambda n: ngettext("%(count)d event cancelled.", "%(count)d events cancelled.", n),
        )


class SessionChoiceInline(ReadOnlyInline, admin.TabularInline):
    model = SessionChoice
    fields = ["session", "status", "waitlisted_at"]
    readonly_fields = fields


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "event", "status", "created_at", "checked_in_at"]
    list_filter = ["event", "status"]
    search_fields = ["name", "email", "organization", "event__title"]
    list_select_related = ["event"]
    raw_id_fields = ["user"]
    # Seats, waiting lists and their e-mails follow rules kept in events.services: status changes go through
    # the coordination pages or the actions below, and a registration stays at its event and address.
    readonly_fields = [
        "event",
        "email",
        "token",
        "status",
        "email_confirmed_at",
        "privacy_accepted_at",
        "created_at",
        "confirmed_at",
        "waitlisted_at",
        "cancelled_at",
        "checked_in_at",
        "decision_reason",
    ]
    inlines = [SessionChoiceInline]
    actions = ["cancel_registrations", "confirm_from_waiting_list"]

    def has_add_permission(self, request):
        return False  # registering goes through the registration page, which counts the seats

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted seat would not move the waiting list: cancel instead

    @admin.action(description=_("Cancel the selected registrations (the waiting list moves up)"))
    def cancel_registrations(self, request, queryset):
        _apply(
            self,
            request,
            queryset.filter(status__in=services.ACTIVE),
            lambda registration: services.cancel_registration(registration=registration, actor=request.user),
            lambda n: ngettext("%(count)d registration cancelled.", "%(count)d registrations cancelled.", n),
        )

    @admin.action(description=_("Confirm the selected from the waiting list, within the seats"))
    def confirm_from_waiting_list(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda registration: services.move_registration(
                registration=registration, actor=request.user, to=Registration.Status.CONFIRMED
            ),
            lambda n: ngettext("%(count)d registration confirmed.", "%(count)d registrations confirmed.", n),
            name=lambda registration: registration.name,
        )


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["registration", "offset_minutes", "due_at", "sent_at"]
    list_filter = ["sent_at", "registration__event"]
    list_select_related = ["registration__event"]
    readonly_fields = ["registration", "offset_minutes", "due_at", "sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
