"""sitemap.xml: every public page in both languages, with hreflang alternates and x-default.

The pages of allies, projects, events and pathways come from the search index (public documents
only, so no draft), which keeps `alliance` free of imports from the domains.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from .models import SearchDocument
from .registry import registry

PAGE_KINDS = ["ally", "project", "event", "pathway"]  # sessions and speakers live on their event's page


class _Bilingual(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PortalPages(_Bilingual):
    """The home page, the lists of the main navigation, contacts and privacy."""

    changefreq = "daily"

    def items(self):
        names = [
            "alliance:home",
            *(item.url_name for item in registry.navigation),
            "alliance:contacts",
            "alliance:privacy",
        ]
        found = []
        for name in names:
            try:
                reverse(name)
            except NoReverseMatch:
                continue
            found.append(name)
        return found

    def location(self, name):
        return reverse(name)


class ContentPages(_Bilingual):
    """One page per public ally, project, event and pathway."""

    limit = 20000  # two languages each: 40,000 addresses per sitemap page, under the 50,000 allowed

    def items(self):
        return (
            SearchDocument.objects.filter(is_public=True, kind__in=PAGE_KINDS)
            .only("kind", "url_name", "url_kwargs", "url_suffix", "date")
            .order_by("kind", "pk")
        )

    def location(self, document):
        return document.get_absolute_url()


SITEMAPS = {"pages": PortalPages, "content": ContentPages}
