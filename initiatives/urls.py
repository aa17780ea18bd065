from django.urls import path
from django.utils.translation import gettext_lazy as _

from .views import pathway_manage, pathways, project_manage, projects

app_name = "initiatives"

urlpatterns = [
    # Projects: public
    path(_("projects/"), projects.project_list, name="project_list"),
    path(_("projects/regions/"), projects.project_regions, name="project_regions"),
    path(_("projects/allies.json"), projects.ally_names, name="ally_names"),
    path(_("projects/<slug:slug>/"), projects.project_detail, name="project_detail"),
    # Projects: the lead ally's side
    path(_("my-area/projects/"), project_manage.my_projects, name="my_projects"),
    path(_("my-area/projects/new/"), project_manage.project_create, name="project_create"),
    path(_("my-area/projects/allies.json"), project_manage.ally_search, name="ally_search"),
    path(_("my-area/projects/<slug:slug>/edit/"), project_manage.project_edit, name="project_edit"),
    path(_("my-area/projects/<slug:slug>/submit/"), project_manage.project_submit, name="project_submit"),
    path(_("my-area/projects/<slug:slug>/updates/"), project_manage.project_add_update, name="project_add_update"),
    # Projects: coordination
    path(_("coordination/projects/"), project_manage.project_queue, name="project_queue"),
    path(_("coordination/projects/<slug:slug>/"), project_manage.project_review, name="project_review"),
    # Pathways: public and applicants
    path(_("pathways/"), pathways.pathway_list, name="pathway_list"),
    path(_("pathways/<slug:slug>/"), pathways.pathway_detail, name="pathway_detail"),
    path(_("pathways/<slug:slug>/apply/"), pathways.pathway_apply, name="pathway_apply"),
    path(_("my-area/pathways/"), pathways.my_pathways, name="my_pathways"),
    path(_("my-area/pathways/<int:pk>/"), pathways.application_timeline, name="application_timeline"),
    path(_("my-area/pathways/<int:pk>/stages/<int:stage_pk>/report/"), pathways.stage_report, name="stage_report"),
    path(_("my-area/pathways/<int:pk>/withdraw/"), pathways.application_withdraw, name="application_withdraw"),
    # Pathways: the coordinators and the managers of the promoting allies
    path(_("coordination/pathways/"), pathway_manage.pathway_list, name="pathway_manage_list"),
    path(_("coordination/pathways/new/"), pathway_manage.pathway_create, name="pathway_create"),
    path(_("coordination/pathways/<slug:slug>/"), pathway_manage.pathway_edit, name="pathway_edit"),
    path(
        _("coordination/pathways/<slug:slug>/applications/"),
        pathway_manage.application_list,
        name="pathway_applications",
    ),
    path(
        _("coordination/pathways/<slug:slug>/applications/decide/"),
        pathway_manage.applications_decide,
        name="pathway_applications_decide",
    ),
    path(
        _("coordination/pathways/<slug:slug>/applications/<int:pk>/"),
        pathway_manage.application_decide,
        name="pathway_application_decide",
    ),
    path(_("coordination/pathways/<slug:slug>/progress/"), pathway_manage.progress_grid, name="progress_grid"),
    path(_("coordination/pathways/<slug:slug>/progress.csv"), pathway_manage.progress_csv, name="progress_csv"),
    path(_("coordination/pathways/<slug:slug>/message/"), pathway_manage.message_admitted, name="pathway_message"),
]
