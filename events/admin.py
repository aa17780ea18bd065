from django.contrib import admin
from django.db import models

from .models import Event, Registration, Reminder, Session, SessionChoice, Speaker


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    fields = ["position", "name", "role", "affiliation", "ally", "to_be_confirmed"]
    raw_id_fields = ["ally"]


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    fields = [("day", "start_time", "end_time"), "title", ("kind", "room", "capacity"), "description", "speakers"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "speakers":
            # Only the speakers of the event on the page, not those of every event ever held.
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Speaker.objects.filter(event_id=object_id) if object_id else Speaker.objects.none()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "start", "city", "registration_policy", "capacity"]
    list_filter = ["status", "kind", "registration_policy", "region", "themes"]
    search_fields = ["title", "summary", "city", "venue_name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organizers", "themes"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["created_at", "updated_at", "published_at", "cancelled_at"]
    list_select_related = ["region"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SpeakerInline, SessionInline]


class SessionChoiceInline(admin.TabularInline):
    model = SessionChoice
    extra = 0
    can_delete = False
    fields = ["session", "status", "waitlisted_at"]
    readonly_fields = ["session", "status", "waitlisted_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "event", "status", "created_at", "checked_in_at"]
    list_filter = ["event", "status"]
    search_fields = ["name", "email", "organization", "event__title"]
    list_select_related = ["event"]
    raw_id_fields = ["event", "user"]
    # Seats, waiting lists and their e-mails follow rules kept in events.services: status changes go through
    # the coordination pages, not through here.
    readonly_fields = ["token", "status", "email_confirmed_at", "privacy_accepted_at", "created_at", "confirmed_at",
                       "waitlisted_at", "cancelled_at", "checked_in_at", "decision_reason"]
    inlines = [SessionChoiceInline]


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
