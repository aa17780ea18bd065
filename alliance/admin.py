from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import LogEntry, OutgoingEmail, Province, Region, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "position"]
    list_editable = ["position"]
    fields = ["name", "name_en", "slug", "description", "description_en", "position"]
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
    """The outbox, read only; failed rows can be sent again (coordinators see it with view permission)."""

    list_display = ["subject", "to", "language", "template", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "language", "template"]
    search_fields = ["to", "subject", "message_id"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_send_again_permission(self, request):
        return request.user.has_perm("alliance.view_outgoingemail")

    @admin.action(description=_("Send the failed e-mails again"), permissions=["send_again"])
    def send_again(self, request, queryset):
        from .services import resend_emails

        count = resend_emails(email_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        skipped = queryset.exclude(status=OutgoingEmail.Status.FAILED).count() if count < queryset.count() else 0
        self.message_user(
            request,
            ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request, _("Only failed e-mails are sent again; the others were left as they are."), messages.INFO
            )


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
