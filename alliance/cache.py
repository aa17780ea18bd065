"""A Redis cache that never fails a request: when Redis is away it answers like an empty cache.

Decision (issue 11): everything the portal keeps in the cache can be lost —
allauth's rate limits, the guest-registration limits of `alliance.ratelimit`,
"send the link again at most every ten minutes", the anonymous page cache.
During an outage they **fail open**: reads miss, writes are dropped, and
`add()` answers True ("stored"), so that allauth's lock around a rate limit is
taken and the attempt counts as allowed instead of answering 500 or 429 to
everyone. Sign-in keeps its other defences (the password, allauth's
per-account throttling once Redis is back); the window is the outage.

Every swallowed error is logged (at most once a minute per process).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_LOG_EVERY_SECONDS = 60
_last_logged = 0.0


def _outage(operation: str, exc: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning("Cache unavailable (%s: %s); answering as an empty cache", operation, exc)


class FailOpenRedisCache(RedisCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except (RedisError, OSError) as exc:
            _outage("add", exc)
            return True

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except (RedisError, OSError) as exc:
            _outage("get", exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except (RedisError, OSError) as exc:
            _outage("set", exc)
            return None

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except (RedisError, OSError) as exc:
            _outage("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except (RedisError, OSError) as exc:
            _outage("delete", exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except (RedisError, OSError) as exc:
            _outage("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except (RedisError, OSError) as exc:
            _outage("has_key", exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except (RedisError, OSError) as exc:
            _outage("incr", exc)
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except (RedisError, OSError) as exc:
            _outage("set_many", exc)
            return []

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except (RedisError, OSError) as exc:
            _outage("delete_many", exc)
            return None

    def clear(self):
        try:
            return super().clear()
        except (RedisError, OSError) as exc:
            _outage("clear", exc)
            return False
