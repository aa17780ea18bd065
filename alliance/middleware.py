"""Guards on every request and response.

`RejectNulBytesMiddleware`: a NUL byte (raw or percent-encoded) anywhere in
the path or the query string is answered 400 before a view, a form or the
database sees it (PostgreSQL refuses NUL in text and would answer 500).

`PrivateResponseMiddleware`: a page answered to a signed-in person, or marked
personal by its view, must not be stored by a browser or a proxy
(`Cache-Control: no-store, private`). Anonymous public pages are left as they
are: cacheable, and without a cookie.

`SessionIdleMiddleware`: the idle timeout of sessions (see alliance/sessions.py).

`OutboxBatchMiddleware`: the e-mails a request queues leave as one batch at its end
(one task per OUTBOX_BATCH_SIZE rows), also when they were queued outside a transaction.
"""

from datetime import timedelta
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.cache import patch_cache_control

NUL_MARKERS = ("\x00", "%00")


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.META.get("PATH_INFO", "")
        query = request.META.get("QUERY_STRING", "")
        if has_nul(path) or has_nul(query):
            return HttpResponseBadRequest(b"Bad request", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def has_nul(value: str) -> bool:
    if "\x00" in value:
        return True
    if "%" in value:
        # Decode twice: "%2500" reaches some views as "%00" after one more unquote.
        once = unquote_to_bytes(value)
        return b"\x00" in once or b"\x00" in unquote_to_bytes(once.decode("latin-1"))
    return False


def mark_private(response):
    """Mark a response as personal data: never stored by a browser cache or a proxy."""
    patch_cache_control(response, no_store=True, private=True, max_age=0)
    return response


class PrivateResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "personal_data", False) or self.signed_in(request, response):
            mark_private(response)
        return response

    @staticmethod
    def signed_in(request, response) -> bool:
        # Without a session cookie, in or out, the reader is anonymous: `request.user` is not
        # even looked at, so that an anonymous page gets no "Vary: Cookie" from this check.
        name = settings.SESSION_COOKIE_NAME
        if name not in request.COOKIES and name not in response.cookies:
            return False
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated


class SessionIdleMiddleware:
    """Renew a session that is in use once it is SESSION_REFRESH_SECONDS old (placed after
    SessionMiddleware, so that the renewed session is saved and its cookie sent again)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        stored_expiry = getattr(session, "stored_expiry", None)
        if stored_expiry is not None and not session.modified:
            age = timedelta(seconds=settings.SESSION_COOKIE_AGE) - (stored_expiry - timezone.now())
            if age >= timedelta(seconds=settings.SESSION_REFRESH_SECONDS):
                session.modified = True
        return response


class OutboxBatchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .emails import batch

        with batch():
            return self.get_response(request)
