from django.contrib import admin

from .models import LogEntry, OutgoingEmail, Province, Region, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_en"]


class ProvinceInline(admin.TabularInline):
    model = Province
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "name_en"]
    inlines = [ProvinceInline]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "abbreviation"]
    list_select_related = ["region"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "language", "template", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "language", "template"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    """The record of every change: read only, as it was written."""

    list_display = ["created_at", "action", "content_type", "object_id", "actor"]
    list_filter = ["content_type"]
    search_fields = ["action", "actor__email"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
