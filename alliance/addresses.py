"""Many addresses of one URL pattern on one page or file, without resolving the patterns for each."""

import re

from django.urls import reverse

_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_MARKER = "slug-marker"


def slug_urls(url_name):
    """A function slug → the address of `url_name` for that slug, in the active language: one `reverse`
    for all of them, the slug put in its place (a slug `reverse` would quote goes through `reverse`)."""
    head, tail = reverse(url_name, kwargs={"slug": _MARKER}).rsplit(_MARKER, 1)

    def url(slug: str) -> str:
        if _PLAIN_SLUG.fullmatch(slug):
            return f"{head}{slug}{tail}"
        return reverse(url_name, kwargs={"slug": slug})

    return url
