"""Keep a blog built on one host fresh from a comment service on another.

The service lists every post whose thread changed with its comments version
(``GET /api/changes``, public and read-only). The built pages say which version
they carry, so that list is the only cursor needed: a page whose post says more is
behind, its thread is fetched (``GET /api/posts/<slug>/comments``, which gives the
version too) and re-baked. A watcher that stops and starts again, or two that run
at once, lose nothing and undo nothing: pages only move to newer versions.
"""

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

from . import rebake

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10


class ServiceError(RuntimeError):
    """The comment service could not be asked; the next pass tries again."""


class Service:
    """The two read-only API calls a re-baker needs."""

    def __init__(self, url: str):
        self.url = url
        self._etag = None
        self._versions: dict[str, int] = {}

    def versions(self) -> dict[str, int]:
        """slug -> comments version of every changed post (a 304 reuses the last answer)."""
        headers = {"If-None-Match": self._etag} if self._etag else {}
        answer = self._get("/api/changes", headers)
        if answer is not None:
            body, self._etag = answer
            self._versions = {post["slug"]: post["version"] for post in body["posts"]}
        return self._versions

    def thread(self, slug: str) -> dict:
        body, _ = self._get(f"/api/posts/{urllib.parse.quote(slug)}/comments")
        return body

    def load_posts(self, manifest: dict, token: str) -> dict:
        """Hand the build's posts manifest to the service (``PUT /api/manifest``)."""
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body, _ = self._get("/api/manifest", headers, json.dumps(manifest).encode(), "PUT")
        return body

    def _get(self, path: str, headers: dict | None = None, data=None, method="GET"):
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Accept": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.load(response), response.headers.get("ETag")
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return None
            raise ServiceError(
                f"{request.full_url} answered {error.code}: {_said(error)}"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ServiceError(f"cannot read {request.full_url}: {error}") from None


def _said(error: urllib.error.HTTPError) -> str:
    """The service's own message (its JSON errors carry one, saying what to do), else
    the body as it came."""
    body = error.read()
    try:
        return json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        return repr(body)


def rebake_pass(rebaker: rebake.Rebaker, baked: dict[str, int], service: Service) -> list[str]:
    """Re-bake every page behind the service's versions; return those written."""
    behind = [
        slug
        for slug, version in service.versions().items()
        if slug in baked and version > baked[slug]
    ]
    written = []
    for slug in behind:
        thread = service.thread(slug)
        if rebaker.rebake(slug, thread):
            written.append(slug)
        baked[slug] = thread["version"]  # the page carries this version, or a newer one
    return written


def keep_fresh(
    settings_file, service_url, *, output=None, interval=2.0, passes=None, after_changes=None
):
    """Re-bake the site built with ``settings_file`` (into ``output``, if given) as the
    service's threads change, ``passes`` times (None: for ever).

    ``after_changes(slugs)`` runs after a pass that re-baked pages, e.g. to publish them.
    A pass that cannot reach the service, or finds no build yet, is logged and tried
    again after ``interval``; so is ``after_changes`` when it fails (an upload that
    could not reach the static host), with these pages and any re-baked meanwhile:
    once a page is re-baked here it is no longer behind, so nothing else would hand
    it on again.
    """
    service, rebaker, baked, done = Service(service_url), None, {}, 0
    waiting: dict[str, int] = {}  # re-baked pages after_changes has not taken yet
    while passes is None or done < passes:
        try:
            current = rebaker.reloaded() if rebaker else rebake.load(settings_file, output)
            if current is not rebaker:  # a full build wrote new pages
                rebaker, baked = current, current.baked_versions()
            waiting.update({slug: baked[slug] for slug in rebake_pass(rebaker, baked, service)})
        except (ServiceError, FileNotFoundError) as error:
            logger.warning("Porch: re-bake pass skipped: %s", error)
        if waiting and after_changes:
            _hand_on(after_changes, waiting)
        done += 1
        if passes is None or done < passes:
            time.sleep(interval)


def _hand_on(after_changes, waiting: dict[str, int]) -> None:
    """Give the re-baked pages to ``after_changes``; keep them for the next pass if it fails."""
    try:
        after_changes(dict(waiting))
    except Exception as error:  # noqa: BLE001 - an upload's failure must not stop the watcher
        logger.warning("Porch: publishing re-baked pages failed, tried again next pass: %s", error)
    else:
        waiting.clear()
