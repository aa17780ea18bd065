from django.urls import path, register_converter
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .views import account, coordination, directory, joining

register_converter(joining.JoinKindConverter, "joinkind")

app_name = "members"

urlpatterns = [
    # Public directory
    path(_("allies/"), directory.ally_list, name="ally_list"),
    path(_("allies/<slug:slug>/"), directory.ally_detail, name="ally_detail"),
    # Joining the alliance
    path(_("my-area/join/"), joining.join_start, name="join"),
    # The kind in the page's language (/area-personale/aderisci/organizzazione/, /en/my-area/join/organization/);
    # the other language's word still resolves and the view redirects it.
    path(format_lazy("{}<joinkind:kind>/", _("my-area/join/")), joining.join_form, name="join_form"),
    path(_("my-area/allies/<slug:slug>/apply-again/"), joining.reapply, name="reapply"),
    path(_("my-area/applications/<int:pk>/withdraw/"), joining.withdraw, name="application_withdraw"),
    # The account area
    path(_("my-area/"), account.my_area, name="my_area"),
    path(_("my-area/allies/<slug:slug>/edit/"), account.ally_edit, name="ally_edit"),
    path(_("my-area/allies/<slug:slug>/managers/"), account.ally_managers, name="ally_managers"),
    path(_("my-area/allies/<slug:slug>/managers/<int:pk>/remove/"), account.manager_remove, name="manager_remove"),
    path(_("my-area/allies/<slug:slug>/managers/<int:pk>/role/"), account.manager_role, name="manager_role"),
    path(_("my-area/invitations/<str:token>/"), account.invitation_accept, name="invitation_accept"),
    path(
        _("my-area/allies/<slug:slug>/invitations/<int:pk>/send-again/"),
        account.invitation_resend,
        name="invitation_resend",
    ),
    path(_("my-area/preferences/"), account.preferences, name="preferences"),
    path(_("my-area/my-data.json"), account.export_data, name="export_data"),
    path(_("my-area/delete-account/"), account.delete_account, name="delete_account"),
    # Coordination area
    path(_("coordination/applications/"), coordination.application_queue, name="application_queue"),
    path(_("coordination/applications/<int:pk>/"), coordination.application_review, name="application_review"),
    path(_("coordination/allies/"), coordination.ally_list, name="coordination_allies"),
    path(_("coordination/allies/<slug:slug>/verify/"), coordination.ally_verify, name="ally_verify"),
    path(_("coordination/allies/<slug:slug>/membership/"), coordination.ally_membership, name="ally_membership"),
]
