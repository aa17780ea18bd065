"""Rate limits for the portal's own forms (guest registration, applications, "send the link again").

Rates are written like allauth's (``"10/h/ip,3/h/key"``: at most 10 an hour
from one client address and 3 an hour for one key, such as an e-mail
address) and configured in ``settings.ALLEANZA_RATE_LIMITS`` by action name.

The client address is the one allauth's rate limits use: `REMOTE_ADDR`, or
the address the trusted proxies put in X-Forwarded-For
(``ALLAUTH_TRUSTED_PROXY_COUNT``) or in ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER``;
IPv6 addresses count per /64 network.

Counters live in the cache, in fixed windows. When the cache is unreachable
the limits **fail open** (the attempt is allowed and the error logged): a
Redis outage must not stop registrations (see alliance/cache.py).

Usage in a view, after the form is valid and before the service is called::

    from alliance.ratelimit import RATE_LIMITED_MESSAGE, allow

    if not allow(request, "events.guest_registration", key=form.cleaned_data["email"]):
        form.add_error(None, RATE_LIMITED_MESSAGE)
        return render(request, template, {"form": form}, status=429)
"""

import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

RATE_LIMITED_MESSAGE = _("Too many attempts from your connection or for this address. Please try again later.")

DEFAULT_RATE_LIMITS = {
    # Guest registration to an event: per client address, and per e-mail address registered.
    "events.guest_registration": "20/h/ip,5/h/key",
    # "Send me the link again" (the service also keeps its own ten-minute interval per registration).
    "events.resend_link": "10/h/ip,3/h/key",
    # Applying to a pathway.
    "initiatives.pathway_application": "20/h/ip,5/h/key",
}

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*/\s*(ip|key|user)\s*$")


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: str


def parse_rates(text: str) -> list[Rate]:
    rates = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = _RATE.match(part)
        if not match:
            raise ImproperlyConfigured(f"Rate limit {part!r}: write it as 'amount/[n]unit/ip|key|user'.")
        amount, count, unit, per = match.groups()
        rates.append(Rate(int(amount), int(count or 1) * _UNITS[unit], per))
    return rates


def rates_for(action: str) -> list[Rate]:
    configured = {**DEFAULT_RATE_LIMITS, **getattr(settings, "ALLEANZA_RATE_LIMITS", {})}
    return parse_rates(configured.get(action, ""))


def client_ip(request) -> str:
    """The client address as allauth resolves it (trusted proxies only), IPv6 per /64."""
    from allauth.core.internal.httpkit import get_client_ip

    try:
        ip = get_client_ip(request)
    except ImproperlyConfigured:
        # X-Forwarded-For shorter than the trusted proxy count: the request did not come through them.
        ip = None
    ip = ip or request.META.get("REMOTE_ADDR") or "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def _subject(request, rate: Rate, key) -> str | None:
    if rate.per == "ip":
        return "ip:" + client_ip(request)
    if rate.per == "user":
        user = getattr(request, "user", None)
        return f"user:{user.pk}" if user is not None and user.is_authenticated else None
    if key is None or key == "":
        return None
    return "key:" + str(key).strip().lower()


def allow(request, action: str, *, key=None, dry_run: bool = False, now: float | None = None) -> bool:
    """Count one attempt of `action`; False when any of its rates is exhausted.

    `key`: what the "key" rates count per (an e-mail address, an object id).
    `dry_run`: only tell whether an attempt would be allowed.
    """
    now = time.time() if now is None else now
    allowed = True
    for rate in rates_for(action):
        subject = _subject(request, rate, key)
        if subject is None:
            continue
        window = int(now // rate.seconds)
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        cache_key = f"rl:{action}:{rate.amount}/{rate.seconds}/{rate.per}:{digest}:{window}"
        try:
            if dry_run:
                count = (cache.get(cache_key) or 0) + 1
            else:
                cache.add(cache_key, 0, timeout=rate.seconds + 1)
                count = cache.incr(cache_key)
        except Exception:  # noqa: BLE001 - fail open: an unreachable cache allows the attempt
            logger.warning("Rate limit %s not checked: cache unavailable", action, exc_info=True)
            continue
        if count > rate.amount:
            allowed = False
    return allowed


def clear(request, action: str, *, key=None, now: float | None = None) -> None:
    """Forget the counts of `action` for this client and key (e.g. after a successful step)."""
    now = time.time() if now is None else now
    for rate in rates_for(action):
        subject = _subject(request, rate, key)
        if subject is None:
            continue
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        try:
            cache.delete(f"rl:{action}:{rate.amount}/{rate.seconds}/{rate.per}:{digest}:{int(now // rate.seconds)}")
        except Exception:  # noqa: BLE001
            logger.warning("Rate limit %s not cleared: cache unavailable", action, exc_info=True)
