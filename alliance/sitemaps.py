"""The sitemap: an index (/sitemap.xml) of section sitemaps, one per kind of page, each paginated
(`?p=2`…), every page in both languages with hreflang alternates and x-default.

The pages of allies, projects, events and pathways come from the search index (public documents
only, so no draft), which keeps `alliance` free of imports from the domains.

Django's i18n sitemaps build an (item, language) pair for every item of the section before taking
one page of them, and reverse each item's address four times per language (its own, then once per
alternate and for x-default). Here a page is one sliced query (no count), and each item's
address is reversed once per language: a page's queries do not grow with the data, and its work in
Python is bounded by `limit`.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape

from .models import SearchDocument
from .registry import registry

X_DEFAULT = escape("x-default")


class _Bilingual(Sitemap):
    """`limit` counts items per page; each item is one <url> per language."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = None

    @property
    def paginator(self):
        # The index counts the pages of a section in the database (Django's counts the pairs).
        return Paginator(self.items(), self.limit)

    def page_items(self, page):
        """The items of page `page` (1, 2…), with one query and no count: Paginator's pages, orphans=0."""
        try:
            number = int(page)
        except (TypeError, ValueError):
            raise PageNotAnInteger(page) from None
        if number < 1:
            raise EmptyPage(page)
        start = (number - 1) * self.limit
        items = list(self.page_query(self.items(), start, start + self.limit))
        if not items and number > 1:
            raise EmptyPage(page)
        return items

    def page_query(self, items, start, stop):
        return items[start:stop]

    def get_urls(self, page=1, site=None, protocol=None):
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        items = self.page_items(page)
        languages = self.languages or [code for code, _name in settings.LANGUAGES]
        # Each address is reversed and escaped once, then printed up to four times by the template.
        per_language = []
        for language in languages:
            with translation.override(language):
                per_language.append([escape(base + self.location(item)) for item in items])
        codes = [escape(language) for language in languages]
        # The default language has no prefix (prefix_default_language=False): its address is x-default.
        default = languages.index(settings.LANGUAGE_CODE) if settings.LANGUAGE_CODE in languages else None
        urls = []
        for locations in zip(*per_language, strict=True):
            alternates = [
                {"lang_code": code, "location": location} for code, location in zip(codes, locations, strict=True)
            ]
            if default is not None:
                alternates.append({"lang_code": X_DEFAULT, "location": locations[default]})
            urls += [
                {"location": location, "changefreq": self.changefreq, "alternates": alternates}
                for location in locations
            ]
        return urls


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
    """One page per public document of a kind: an ally, a project, an event or a pathway."""

    # 500 addresses, 177 KB: at 10,000 allies a full page costs some 20 ms of Python and a few of
    # its query, on any page (the target is 100 ms at the 95th percentile, cold).
    limit = 250

    def __init__(self, kind):
        self.kind = kind

    def items(self):
        return (
            SearchDocument.objects.filter(is_public=True, kind=self.kind)
            .only("url_name", "url_kwargs", "url_suffix")
            .order_by("pk")
        )

    def page_query(self, items, start, stop):
        # The slice's ids come from searchdoc_sitemap_idx alone, then only its rows are read: the
        # section's other rows are neither read nor sorted, whatever the page.
        return items.filter(pk__in=items.values("pk")[start:stop])

    def location(self, document):
        return document.get_absolute_url()


# Sessions and speakers live on their event's page, places are searches: no section of their own.
SITEMAPS = {
    "pages": PortalPages,
    "allies": ContentPages("ally"),
    "projects": ContentPages("project"),
    "events": ContentPages("event"),
    "pathways": ContentPages("pathway"),
}
