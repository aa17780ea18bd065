from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The network read by other programs: a read-only JSON API with its OpenAPI schema, Atom and
    iCal feeds, and open-data downloads. Public content only, anonymous, cookie-free."""

    name = "api"
    verbose_name = _("Open data and API")

    def ready(self):
        from alliance.registry import AllySection, NavItem, registry

        from . import network, presence

        registry.ally_sections.append(AllySection(title=_("Works with"), items=network.works_with))
        registry.navigation.append(NavItem(label=_("Network"), url_name="api:network"))
        checks.register(map_shapes_check)
        presence.shapes_or_none()  # the regions' outlines, read once at start-up


def map_shapes_check(app_configs=None, **kwargs):
    """The network page's map needs the boundaries installed from npm (`make install`)."""
    from . import presence

    try:
        presence.shapes()
    except presence.ShapesMissing as exc:
        return [checks.Warning(str(exc), hint="The network page shows only the table until then.", id="api.W001")]
    return []
