"""The admin for accounts, allies, applications and invitations.

Workflow fields (membership, approval, verification, decisions) are read-only
here: they change only through the services, which check the rules, log the
change with its actor and send the e-mails; the actions below call them.
Suspending or ending a membership needs a reason: it is done from the ally's
page on the site.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
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
    # Set by the portal, never typed in.
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


from alliance.workflow import history  # noqa: E402

from . import services  # noqa: E402
from .models import Ally, AllyManager, Invitation, MembershipApplication, Principles  # noqa: E402


def _history_html(obj):
    entries = list(history(obj)) if obj is not None and obj.pk else []
    if not entries:
        return "–"
    return format_html(
        "<ol>{}</ol>",
        format_html_join(
            "",
            "<li>{} — {} ({}){}</li>",
            (
                (
                    entry.created_at.strftime("%d/%m/%Y %H:%M"),
                    entry.description,
                    entry.actor.full_name if entry.actor else gettext("the portal"),
                    format_html(": {}", entry.data["note"]) if entry.data.get("note") else "",
                )
                for entry in entries
            ),
        ),
    )


def _run(modeladmin, request, queryset, call, done_message):
    """Call a service for each selected row; say what was done and what was refused, and why.
    `done_message(count)` is the sentence for `count` rows (ngettext), with a %(count)d placeholder."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except PermissionDenied:
            modeladmin.message_user(request, gettext("Only coordinators can do this."), messages.ERROR)
            return
        except ValidationError as exc:
            modeladmin.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.WARNING)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)


@admin.register(Principles)
class PrinciplesAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        # A published text stays as it was accepted: change it by adding a new version.
        return ["version", "title", "body", "published_at"] if obj else []


class AllyManagerInline(admin.TabularInline):
    """Read-only: owners invite and remove managers from the site, where an organization always keeps an owner."""

    model = AllyManager
    extra = 0
    can_delete = False
    readonly_fields = ["user", "role", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ally)
class AllyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "legal_form", "membership_status", "approved_at", "verified_at", "is_supporter"]
    list_filter = ["membership_status", "kind", "legal_form", "is_supporter", "regions", "themes"]
    search_fields = ["name", "tax_code", "city"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["themes", "regions", "provinces"]
    readonly_fields = [
        "membership_status",
        "approved_at",
        "suspended_at",
        "suspended_until",
        "suspension_reason",
        "ended_at",
        "end_reason",
        "verified_at",
        "verified_by",
        "created_at",
        "updated_at",
        "history",
    ]
    inlines = [AllyManagerInline]
    actions = ["verify", "remove_verification", "reinstate"]

    @admin.display(description=_("History"))
    def history(self, obj):
        return _history_html(obj)

    @admin.action(description=_("Mark the selected allies as verified"))
    def verify(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda ally: services.set_verified(ally=ally, actor=request.user, verified=True),
            lambda n: ngettext("%(count)d ally verified.", "%(count)d allies verified.", n),
        )

    @admin.action(description=_("Remove the verification of the selected allies"))
    def remove_verification(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda ally: services.set_verified(ally=ally, actor=request.user, verified=False),
            lambda n: ngettext("%(count)d ally no longer verified.", "%(count)d allies no longer verified.", n),
        )

    @admin.action(description=_("Reinstate the selected suspended memberships"))
    def reinstate(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda ally: services.reinstate_membership(ally=ally, actor=request.user),
            lambda n: ngettext(
                "%(count)d membership reinstated; its managers were told by e-mail.",
                "%(count)d memberships reinstated; their managers were told by e-mail.",
                n,
            ),
        )


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    list_display = ["ally", "status", "applicant", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["ally__name", "applicant__email"]
    list_select_related = ["ally", "applicant"]
    # Decisions go through the services (the action below, or the coordination area), where they are logged
    # and e-mailed; declining needs a reason, given in the coordination area.
    readonly_fields = [
        "ally",
        "applicant",
        "status",
        "motivation",
        "principles",
        "principles_accepted_at",
        "decided_by",
        "decided_at",
        "decision_reason",
        "created_at",
        "history",
    ]
    actions = ["approve"]

    def has_add_permission(self, request):
        return False  # people apply from the site, accepting the principles

    @admin.display(description=_("History"))
    def history(self, obj):
        return _history_html(obj)

    @admin.action(description=_("Approve the selected applications"))
    def approve(self, request, queryset):
        _run(
            self,
            request,
            queryset.select_related("ally"),
            lambda application: services.approve_application(application=application, actor=request.user),
            lambda n: ngettext(
                "%(count)d application approved; the applicant was told by e-mail.",
                "%(count)d applications approved; the applicants were told by e-mail.",
                n,
            ),
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "ally", "role", "created_at", "accepted_at"]
    # Owners invite from the site, where the invitation is e-mailed; here it can only be read or deleted.
    readonly_fields = ["ally", "email", "role", "token", "invited_by", "created_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return False
