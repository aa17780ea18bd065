from django.contrib import admin

from .models import (
    ExternalPartner,
    Pathway,
    PathwayApplication,
    PathwayApplicationLogEntry,
    PathwayObjective,
    ProgressUpdate,
    Project,
    ProjectAttachment,
    ProjectLink,
    ProjectLogEntry,
    ProjectObjective,
    ProjectPartner,
    Stage,
    StageProgress,
)


class ReadOnlyLogInline(admin.TabularInline):
    """A history: read, never written here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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


class ProjectLogInline(ReadOnlyLogInline):
    model = ProjectLogEntry
    fields = readonly_fields = ["from_state", "to_state", "actor", "note", "at"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "lead_ally", "status", "publication", "start_date", "end_date", "updated_at"]
    list_filter = ["publication", "status", "scope", "regions", "themes"]
    search_fields = ["title", "summary", "lead_ally__name"]
    list_select_related = ["lead_ally"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["regions", "provinces", "themes"]
    autocomplete_fields = ["lead_ally"]
    raw_id_fields = ["created_by"]
    # Publication changes go through the coordination area, where they are logged and e-mailed.
    readonly_fields = ["publication", "review_comment", "published_at", "created_at", "updated_at"]
    inlines = [
        ProjectObjectiveInline, ProjectPartnerInline, ExternalPartnerInline, ProjectAttachmentInline,
        ProjectLinkInline, ProgressUpdateInline, ProjectLogInline,
    ]


# Pathways ---------------------------------------------------------------------------


class StageInline(admin.StackedInline):
    model = Stage
    extra = 0


class PathwayObjectiveInline(admin.TabularInline):
    model = PathwayObjective
    extra = 0


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "eligibility", "places", "applications_open_at", "applications_close_at"]
    list_filter = ["status", "eligibility"]
    search_fields = ["title", "purpose"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organizers", "themes", "regions"]
    autocomplete_fields = ["project"]
    inlines = [PathwayObjectiveInline, StageInline]


class PathwayApplicationLogInline(ReadOnlyLogInline):
    model = PathwayApplicationLogEntry
    fields = readonly_fields = ["from_status", "to_status", "actor", "note", "at"]


class StageProgressInline(admin.TabularInline):
    model = StageProgress
    extra = 0
    fields = ["stage", "state", "note", "report", "report_submitted_at"]
    readonly_fields = ["stage", "report", "report_submitted_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PathwayApplication)
class PathwayApplicationAdmin(admin.ModelAdmin):
    list_display = ["ally", "pathway", "status", "created_at", "decided_at"]
    list_filter = ["status", "pathway"]
    search_fields = ["ally__name", "pathway__title", "contact_email"]
    list_select_related = ["ally", "pathway"]
    # Decisions go through the coordination area, where places are checked, logged and e-mailed.
    readonly_fields = ["pathway", "ally", "applicant", "status", "decided_by", "decided_at", "decision_reason",
                       "created_at"]
    inlines = [PathwayApplicationLogInline, StageProgressInline]
