"""The blog's and the service's addresses: one name each, normalised once at start-up.

Everything that builds a link or compares an origin takes PORCH_BLOG_URL and
PORCH_PUBLIC_URL as given here, without a trailing slash, with the scheme and host in
lower case and no default port, so browsers' ``Origin`` headers compare equal.
"""

from urllib.parse import urlsplit, urlunsplit

# The names these settings had before. Set in the environment, they stop the service:
# quietly ignored, they would leave the blog posting to the wrong address.
RENAMED = {"PORCH_SERVICE_URL": "PORCH_PUBLIC_URL", "PORCH_SITE_URL": "PORCH_BLOG_URL"}
DEFAULT_PORTS = {"http": 80, "https": 443}


def refuse_renamed(environ) -> None:
    """Stop when an old name is set, naming the one to set instead."""
    old = [name for name in RENAMED if name in environ]
    if old:
        advice = "; ".join(f"{name} is no longer read: set {RENAMED[name]}" for name in old)
        raise ValueError(f"{advice} (docs/configuration.md).")


def normalised_url(name: str, raw: str) -> str:
    """``scheme://host[:port][/path]``, or a clear error naming the setting."""
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(
            f"{name} must be an http:// or https:// address such as"
            f" https://blog.example.com, not {raw!r}"
        )
    if parts.query or parts.fragment or parts.username is not None:
        raise ValueError(f"{name} must name no user, query or fragment, not {raw!r}")
    scheme = parts.scheme.lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))
