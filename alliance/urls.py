from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from api import urls as api_urls

from . import media, outbox_views, views
from .sitemaps import SITEMAPS

portal_patterns = [
    path("", views.home, name="home"),
    path(_("search/"), views.search, name="search"),
    path(_("coordination/"), views.coordination, name="coordination"),
    path("privacy/", views.page, {"template": "alliance/privacy.html"}, name="privacy"),
    path(_("contacts/"), views.page, {"template": "alliance/contacts.html"}, name="contacts"),
    path(_("coordination/e-mails/"), outbox_views.failed_emails, name="failed_emails"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("api/", include((api_urls.api_patterns, "api_v1"))),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {
            "sitemaps": SITEMAPS,
            "template_name": "alliance/sitemap_index.xml",
            "sitemap_url_name": "sitemap_section",
        },
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "alliance/sitemap.xml"},
        name="sitemap_section",
    ),
    *i18n_patterns(
        path("", include((portal_patterns, "alliance"))),
        path("", include((api_urls.page_patterns, "api"))),
        path("", include("members.urls")),
        path("", include("events.urls")),
        path("", include("initiatives.urls")),
        path(_("accounts/"), include("allauth.urls")),
        prefix_default_language=False,
    ),
]

if settings.SERVE_MEDIA:
    # With nosniff, a sandboxing CSP and attachment for documents (alliance/media.py; the proxy's
    # equivalent is in its docstring).
    urlpatterns += [path("media/<path:path>", media.serve_media)]
