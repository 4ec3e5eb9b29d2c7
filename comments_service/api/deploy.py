"""Loading the blog's posts manifest over HTTP, for a build host without the database.

Off unless PORCH_DEPLOY_TOKEN is set; the build sends it as a bearer token. Browsers
cannot send this request from a page: CORS allows the blog only GET and POST.
"""

import hmac

from flask import current_app, request
from flask_babel import gettext

from comments_service.api import bp
from comments_service.api.json_body import json_body
from comments_service.config import comment_paging
from comments_service.errors import ApiError
from comments_service.extensions import db
from comments_service.services.site.manifest import (
    ManifestError,
    accountless_authors,
    manifest_entries,
    sync_posts,
)


@bp.put("/manifest")
def load_posts():
    """Create or update the posts the manifest lists (never delete): `posts sync` over HTTP."""
    _require_deploy_token()
    document = json_body(gettext("Send the posts manifest as JSON."))
    try:
        entries = manifest_entries(document, "The manifest", *comment_paging(current_app.config))
    except ManifestError as error:
        raise ApiError(422, "invalid_manifest", str(error)) from None
    report = sync_posts(entries)
    db.session.commit()
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "not_in_manifest": report.not_in_manifest,
        "warnings": accountless_authors(entries),
    }


def _require_deploy_token() -> None:
    token = current_app.config["PORCH_DEPLOY_TOKEN"]
    if not token:
        raise ApiError(
            404,
            "not_found",
            gettext("Loading posts over HTTP is off: set PORCH_DEPLOY_TOKEN on the service."),
        )
    sent = request.headers.get("Authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        raise ApiError(
            401,
            "unauthorized",
            gettext("Send the service's PORCH_DEPLOY_TOKEN as a Bearer token."),
        )
