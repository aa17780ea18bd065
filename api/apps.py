from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The network read by other programs: a read-only JSON API with its OpenAPI schema, Atom and
    iCal feeds, and open-data downloads. Public content only, anonymous, cookie-free."""

    name = "api"
    verbose_name = _("Open data and API")

    def ready(self):
        from alliance.registry import AllySection, NavItem, registry

        from . import network

        registry.ally_sections.append(AllySection(title=_("Works with"), items=network.works_with))
        registry.navigation.append(NavItem(label=_("Network"), url_name="api:network"))
