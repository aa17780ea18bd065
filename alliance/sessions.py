"""Database sessions that remember when they expire, for the idle timeout.

A session lasts SESSION_COOKIE_AGE (8 hours by default) from its last save.
`alliance.middleware.SessionIdleMiddleware` saves an active session again once
it is more than SESSION_REFRESH_SECONDS old, so that it ends after 8 hours
without a request rather than 8 hours after sign-in, at the cost of one write
every few minutes per active person instead of one per request
(SESSION_SAVE_EVERY_REQUEST).
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    stored_expiry = None

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self.stored_expiry = session.expire_date if session is not None else None
        return session
