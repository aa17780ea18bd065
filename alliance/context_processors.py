from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.urls.base import translate_url
from django.utils.functional import SimpleLazyObject

from .permissions import is_coordinator
from .registry import registry


def _navigation():
    items = []
    for item in registry.navigation:
        try:
            items.append({"label": item.label, "url": reverse(item.url_name)})
        except NoReverseMatch:
            continue
    return items


def _translated_paths(request) -> dict:
    """This page's path in every language, worked out once per request (the language
    switch and the hreflang links both need it)."""
    paths = getattr(request, "_translated_paths", None)
    if paths is None:
        path = request.get_full_path()
        paths = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
        request._translated_paths = paths
    return paths


def _language_links(request):
    """The same page in every language: plain links, so switching needs no form or cookie."""
    paths = _translated_paths(request)
    return [
        {"code": code, "name": name, "url": paths[code], "current": code == request.LANGUAGE_CODE}
        for code, name in settings.LANGUAGES
    ]


def _hreflang_links(request):
    """Absolute addresses of this page in every language, and x-default (the default language's)."""
    paths = _translated_paths(request)
    links = [{"code": code, "url": request.build_absolute_uri(paths[code])} for code, _name in settings.LANGUAGES]
    default = next((link["url"] for link in links if link["code"] == settings.LANGUAGE_CODE), None)
    if default:
        links.append({"code": "x-default", "url": default})
    return links


def portal(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_contact_email": settings.SITE_CONTACT_EMAIL,
        "main_navigation": SimpleLazyObject(_navigation),
        "language_links": SimpleLazyObject(lambda: _language_links(request)),
        "hreflang_links": SimpleLazyObject(lambda: _hreflang_links(request)),
        "user_is_coordinator": SimpleLazyObject(lambda: is_coordinator(request.user)),
    }
