"""Absolute addresses on the service for what leaves a request: mails, feeds, the report.

They are built from the app's own URL map bound to PORCH_PUBLIC_URL, so a link in a
mail is the route its view serves (a moved route moves its links with it), with the
service's path prefix and scheme, and never a path written out by hand.
"""

from urllib.parse import urlsplit

from werkzeug.routing import Map

EXTENSION = "porch.service_urls"


class ServiceUrls:
    """Builds absolute URLs from endpoint names; safe to share between threads."""

    def __init__(self, url_map: Map, public_url: str):
        parts = urlsplit(public_url)
        self._adapter = url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )

    def __call__(self, endpoint: str, anchor: str | None = None, **values) -> str:
        url = self._adapter.build(endpoint, values, force_external=True)
        return f"{url}#{anchor}" if anchor else url

    @classmethod
    def of(cls, app) -> "ServiceUrls":
        """The app's builder, made at its first use (once every blueprint is registered)."""
        if EXTENSION not in app.extensions:
            app.extensions[EXTENSION] = cls(app.url_map, app.config["PORCH_PUBLIC_URL"])
        return app.extensions[EXTENSION]
