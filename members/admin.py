from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "preferred_language"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


from .models import Ally, AllyManager, ApplicationLogEntry, Invitation, MembershipApplication, Principles  # noqa: E402


@admin.register(Principles)
class PrinciplesAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        # A published text stays as it was accepted: change it by adding a new version.
        return ["version", "title", "body", "published_at"] if obj else []


class AllyManagerInline(admin.TabularInline):
    model = AllyManager
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Ally)
class AllyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "legal_form", "approved_at", "verified_at", "is_supporter"]
    list_filter = ["kind", "legal_form", "is_supporter", "regions", "themes"]
    search_fields = ["name", "tax_code", "city"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["themes", "regions", "provinces"]
    raw_id_fields = ["verified_by"]
    inlines = [AllyManagerInline]


class ApplicationLogInline(admin.TabularInline):
    model = ApplicationLogEntry
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "note", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    list_display = ["ally", "status", "applicant", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["ally__name", "applicant__email"]
    list_select_related = ["ally", "applicant"]
    # Decisions go through the coordination area, where they are logged and e-mailed.
    readonly_fields = ["ally", "applicant", "status", "principles", "principles_accepted_at", "decided_by",
                       "decided_at", "decision_reason"]
    inlines = [ApplicationLogInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "ally", "role", "created_at", "accepted_at"]
    readonly_fields = ["token"]
