"""What caches in front of the service (a CDN, a browser) may keep.

Only answers that say so are public: the threads (api/reading.py) and static files.
Everything else, the staff pages and feeds above all, is ``private, no-store``.
"""

from flask.sessions import SecureCookieSessionInterface


def keep_private_by_default(response):
    """Anything that did not choose its own Cache-Control is kept by no cache."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without ``Vary: Cookie`` on public answers.

    Flask-Login looks into the session after every request, and Flask then adds
    ``Vary: Cookie``: a CDN would keep one copy of a thread per reader, or none.
    A public answer is the same for every cookie, and never sets one.
    """

    def open_session(self, app, request):
        """No cookie, nothing to verify: most requests (readers) carry none."""
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if "public" in response.headers.get("Cache-Control", "") and not session.modified:
            response.vary = [name for name in response.vary if name.lower() != "cookie"]
