from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Projects and pathways")

    def ready(self):
        from alliance.registry import AllySection, CoordinationTask, NavItem, registry
        from alliance.roles import COORDINATOR_PERMISSIONS
        from alliance.workflow import ACTION_LABELS

        from . import privacy, selectors

        # Allies, Projects, Pathways, Events: the order of the main navigation.
        position = 1 if registry.navigation else 0
        registry.navigation[position:position] = [
            NavItem(label=_("Projects"), url_name="initiatives:project_list"),
            NavItem(label=_("Pathways"), url_name="initiatives:pathway_list"),
        ]
        registry.coordination_tasks += [
            CoordinationTask(
                label=_("Projects to review"),
                count=selectors.count_projects_to_review,
                url_name="initiatives:project_queue",
            ),
            CoordinationTask(
                label=_("Pathway applications to decide"),
                count=selectors.count_pathway_applications_to_decide,
                url_name="initiatives:pathway_manage_list",
            ),
        ]
        registry.coordination_links += [
            NavItem(label=_("Projects"), url_name="initiatives:project_queue"),
            NavItem(label=_("Pathways"), url_name="initiatives:pathway_manage_list"),
        ]
        registry.ally_sections += [
            AllySection(title=_("Projects"), items=selectors.ally_projects),
            AllySection(title=_("Pathways"), items=selectors.ally_pathways),
        ]
        ACTION_LABELS.update(
            {
                "initiatives.project.changed": _("Edited"),
                "initiatives.pathway.changed": _("Edited"),
                "initiatives.pathway.message": _("Message sent to the admitted organizations"),
                "initiatives.pathwayapplication.progress": _("Progress in a stage updated"),
            }
        )
        registry.personal_data_exports.append(privacy.export_personal_data)
        registry.account_deletion_hooks.append(privacy.forget_person)
        COORDINATOR_PERMISSIONS.extend(
            [
                "initiatives.view_project",
                "initiatives.change_project",
                "initiatives.add_pathway",
                "initiatives.change_pathway",
                "initiatives.view_pathway",
            ]
        )
        from . import home, search  # noqa: F401 - registers its home page parts and its search indexers
