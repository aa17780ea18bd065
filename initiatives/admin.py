"""The admin of projects and pathways: content is edited here, workflow fields only read.

Publication, application status, decisions and places change only through
the services (the actions below call them), so that every rule holds and
every change is on the record.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance import workflow

from . import services
from .models import (
    ExternalPartner,
    Pathway,
    PathwayApplication,
    PathwayObjective,
    ProgressUpdate,
    Project,
    ProjectAttachment,
    ProjectLink,
    ProjectObjective,
    ProjectPartner,
    Stage,
    StageProgress,
)


class HistoryMixin:
    @admin.display(description=_("History"))
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        return (
            render_to_string("includes/history.html", {"entries": list(workflow.history(obj)), "history_id": "admin"})
            or "–"
        )


def _run(modeladmin, request, queryset, service, done_message, **kwargs):
    """Call `service` for each selected row; report what was done and what a rule refused.
    `done_message(count)` is the sentence for `count` rows (ngettext), with a %(count)d placeholder."""
    done = 0
    for obj in queryset:
        try:
            service(obj, actor=request.user, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(getattr(exc, "messages", [])) or str(_("not allowed"))
            modeladmin.message_user(request, f"{obj}: {reason}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)


# Projects ---------------------------------------------------------------------------


class ProjectObjectiveInline(admin.TabularInline):
    model = ProjectObjective
    extra = 0


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["ally"]


class ExternalPartnerInline(admin.TabularInline):
    model = ExternalPartner
    extra = 0


class ProjectAttachmentInline(admin.TabularInline):
    model = ProjectAttachment
    extra = 0


class ProjectLinkInline(admin.TabularInline):
    model = ProjectLink
    extra = 0


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    raw_id_fields = ["created_by"]


@admin.register(Project)
class ProjectAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = ["title", "lead_ally", "status", "publication", "start_date", "end_date", "updated_at"]
    list_filter = ["publication", "status", "scope", "regions", "themes"]
    search_fields = ["title", "summary", "lead_ally__name"]
    list_select_related = ["lead_ally"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["regions", "provinces", "themes"]
    autocomplete_fields = ["lead_ally"]
    raw_id_fields = ["created_by"]
    # Publication changes go through the coordination area, where they are logged and e-mailed.
    readonly_fields = ["publication", "review_comment", "published_at", "created_at", "updated_at", "history"]
    inlines = [
        ProjectObjectiveInline,
        ProjectPartnerInline,
        ExternalPartnerInline,
        ProjectAttachmentInline,
        ProjectLinkInline,
        ProgressUpdateInline,
    ]
    actions = ["publish"]

    @admin.action(description=_("Publish the selected projects submitted for review"))
    def publish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda p, actor: services.publish_project(project=p, actor=actor),
            lambda n: ngettext("%(count)d project published.", "%(count)d projects published.", n),
        )


# Pathways ---------------------------------------------------------------------------


class StageInline(admin.StackedInline):
    model = Stage
    extra = 0


class PathwayObjectiveInline(admin.TabularInline):
    model = PathwayObjective
    extra = 0


@admin.register(Pathway)
class PathwayAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "eligibility",
        "places_and_admitted",
        "applications_open_at",
        "applications_close_at",
    ]
    list_filter = ["status", "eligibility"]
    search_fields = ["title", "purpose"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organizers", "themes", "regions"]
    autocomplete_fields = ["project"]
    # Status and places change in the pathway editor, where places never go below the admitted.
    readonly_fields = ["status", "places", "places_and_admitted", "created_at", "history"]
    inlines = [PathwayObjectiveInline, StageInline]
    actions = ["open_applications", "close_pathway"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(admitted=Count("applications", filter=Q(applications__status=PathwayApplication.Status.ADMITTED)))
        )

    @admin.display(description=_("admitted / places"))
    def places_and_admitted(self, obj):
        admitted = getattr(obj, "admitted", None)
        if admitted is None:
            admitted = obj.applications.filter(status=PathwayApplication.Status.ADMITTED).count() if obj.pk else 0
        return f"{admitted} / {obj.places if obj.places is not None else '∞'}"

    def _status(self, request, queryset, status, message):
        _run(
            self,
            request,
            queryset,
            lambda p, actor: services.set_pathway_status(pathway=p, actor=actor, status=status),
            message,
        )

    @admin.action(description=_("Open the selected pathways for applications"))
    def open_applications(self, request, queryset):
        self._status(
            request,
            queryset,
            Pathway.Status.OPEN,
            lambda n: ngettext(
                "%(count)d pathway open for applications.", "%(count)d pathways open for applications.", n
            ),
        )

    @admin.action(description=_("Close the selected pathways"))
    def close_pathway(self, request, queryset):
        self._status(
            request,
            queryset,
            Pathway.Status.CLOSED,
            lambda n: ngettext("%(count)d pathway closed.", "%(count)d pathways closed.", n),
        )


class StageProgressInline(admin.TabularInline):
    model = StageProgress
    extra = 0
    # Progress is kept in the grid of the pathway, where every change is logged.
    fields = readonly_fields = ["stage", "state", "note", "note_date", "report", "report_submitted_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PathwayApplication)
class PathwayApplicationAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = ["ally", "pathway", "status", "created_at", "decided_at"]
    list_filter = ["status", "pathway"]
    search_fields = ["ally__name", "pathway__title", "contact_email"]
    list_select_related = ["ally", "pathway"]
    # Decisions go through the coordination area, where places are checked, logged and e-mailed.
    readonly_fields = [
        "pathway",
        "ally",
        "applicant",
        "status",
        "decided_by",
        "decided_at",
        "decision_reason",
        "created_at",
        "history",
    ]
    inlines = [StageProgressInline]
    actions = ["admit", "waitlist"]

    def _decide(self, request, queryset, status, message):
        _run(
            self,
            request,
            queryset,
            lambda a, actor: services.decide_pathway_application(application=a, actor=actor, status=status),
            message,
        )

    @admin.action(description=_("Admit the selected applications (within the places)"))
    def admit(self, request, queryset):
        self._decide(
            request,
            queryset,
            PathwayApplication.Status.ADMITTED,
            lambda n: ngettext("%(count)d application admitted.", "%(count)d applications admitted.", n),
        )

    @admin.action(description=_("Put the selected applications on the waiting list"))
    def waitlist(self, request, queryset):
        self._decide(
            request,
            queryset,
            PathwayApplication.Status.WAITLISTED,
            lambda n: ngettext(
                "%(count)d application put on the waiting list.", "%(count)d applications put on the waiting list.", n
            ),
        )
