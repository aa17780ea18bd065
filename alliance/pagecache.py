"""Whole-page cache for anonymous readers of the public pages.

A visitor without a session who reads a public page (``PAGE_CACHE_VIEWS``)
gets the stored copy of the whole response, keyed by path and query (the
language is in the path). Nothing is stored when the response sets a cookie,
uses a CSRF token, is private, or comes from a signed-in person; a request
that carries a session or messages cookie is never answered from the cache.

Invalidation: every SQL statement that writes to a table of public content
(allies, events, registrations — seats left —, projects, pathways, taxonomy)
bumps one version number, at once and again when the transaction commits (a
reader between the two could otherwise store the old content under the new
version). The stored pages of older versions are simply never asked for
again and expire. Statements are seen through a database execute wrapper, so
``QuerySet.update()`` and bulk writes count too, not only ``save()``.

Responses carry an ``ETag`` and ``Cache-Control: public, max-age=0,
must-revalidate``: a proxy in front may keep them and revalidate with
``If-None-Match``, answered here with 304. Stored pages are also kept
gzip-compressed and sent so to clients that accept it: safe here, since a
stored page never carries a secret token (no CSRF token, no session).

The version lives in the cache: with several processes the cache must be
shared (Redis, ``REDIS_URL``); ``PAGE_CACHE_ENABLED`` is off by default
otherwise, except for the single-process demo.
"""

import gzip
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.db.backends.signals import connection_created
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

VERSION_KEY = "pagecache:version"
WRITE_RE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
CONTENT_PREFIXES = ("members_", "events_", "initiatives_", "alliance_")
# Written often and never shown on a public page.
NOT_CONTENT = {
    "members_user",
    "members_user_groups",
    "members_user_user_permissions",
    "members_invitation",
    "alliance_outgoingemail",
    "alliance_logentry",
    "events_reminder",
}
HEADERS_KEPT = (
    "Content-Type",
    "Content-Language",
    "Content-Disposition",
    "Vary",
    "Link",
    "Content-Security-Policy",
    "X-Robots-Tag",
)


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_ENABLED", False)


def current_version() -> int:
    return cache.get(VERSION_KEY) or 0


def bump() -> None:
    """Make every stored page old. Never fails a write because the cache is away."""
    try:
        if not cache.add(VERSION_KEY, 1, timeout=None):
            cache.incr(VERSION_KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not break the write that caused it
        pass


def touches_content(sql: str) -> bool:
    match = WRITE_RE.match(sql)
    if match is None:
        return False
    table = match.group(1).lower()
    return table.startswith(CONTENT_PREFIXES) and table not in NOT_CONTENT


def _execute_wrapper(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled() and isinstance(sql, str) and touches_content(sql):
        bump()
        connection = context["connection"]
        if connection.in_atomic_block:
            outermost = connection.atomic_blocks[0] if connection.atomic_blocks else None
            if outermost is not None and getattr(connection, "_pagecache_block", None) is not outermost:
                connection._pagecache_block = outermost
                connection.on_commit(bump)
    return result


def install(connection, **kwargs) -> None:
    if _execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_execute_wrapper)


def connect_signals() -> None:
    from django.db import connections

    connection_created.connect(install, dispatch_uid="alliance.pagecache")
    for connection in connections.all(initialized_only=True):
        install(connection)


def _cookie_free(request) -> bool:
    names = {settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGES_COOKIE_NAME", "messages")}
    return not any(name in request.COOKIES for name in names)


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def _storable(request, response) -> bool:
    user = getattr(request, "user", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
        and (user is None or not user.is_authenticated)
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        and _view_name(request) in settings.PAGE_CACHE_VIEWS
    )


def _etag(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/rss", "application/atom")


def _compressed(headers, content: bytes):
    content_type = dict(headers).get("Content-Type", "")
    if len(content) < 1000 or not content_type.startswith(COMPRESSIBLE):
        return None
    return gzip.compress(content, compresslevel=6, mtime=0)


def _entries(status, headers, content) -> tuple:
    """What is stored of a page: the copy for clients that take gzip, and the copy for the others (one and
    the same when the page is not compressed). Kept apart, so that a request reads only the copy it sends:
    browsers and calendar programs all take gzip, and a 1 MB feed is then about a tenth of that to read."""
    etag = _etag(content)
    compressed = _compressed(headers, content)
    plain = (status, headers, content, etag, compressed is not None)
    if compressed is None:
        return plain, plain
    return (status, [*headers, ("Content-Encoding", "gzip")], compressed, etag[:-1] + '-gzip"', True), plain


def _takes_gzip(request) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")


def _answer(request, status, headers, content, etag, varies, state):
    if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
    response["ETag"] = etag
    if varies:
        response["Vary"] = ", ".join(filter(None, [response.get("Vary", ""), "Accept-Encoding"]))
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    response["X-Page-Cache"] = state
    return response


class AnonymousPageCacheMiddleware:
    """Put it right after WhiteNoise: before sessions, so that a hit does no per-visitor work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (enabled() and request.method in ("GET", "HEAD") and _cookie_free(request)):
            return self.get_response(request)
        key = None
        try:
            key = f"pagecache:{current_version()}:{request.get_host()}:{request.get_full_path()}"
            stored = cache.get(f"{key}:gzip" if _takes_gzip(request) else key)
        except Exception:  # noqa: BLE001 - without the cache the page is simply rendered
            stored = None
        if stored is not None:
            return _answer(request, *stored, state="hit")
        response = self.get_response(request)
        if key is not None and _storable(request, response):
            content = response.content
            headers = [(name, response[name]) for name in HEADERS_KEPT if name in response]
            for_gzip, plain = _entries(response.status_code, headers, content)
            try:
                cache.set_many({f"{key}:gzip": for_gzip, key: plain}, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception:  # noqa: BLE001
                return response
            return _answer(request, *(for_gzip if _takes_gzip(request) else plain), state="miss")
        return response
