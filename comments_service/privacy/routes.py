"""Thin views for readers' data requests. GET only shows; erasing takes a posted button.

The form answers the same page, known address or not, so nobody learns from it
whose address is on file; the mailed link is the proof that the reader holds it.
"""

import hmac
import json
import time

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm

from comments_service.api.routes import from_our_pages
from comments_service.extensions import csrf, db, limiter
from comments_service.models import utcnow
from comments_service.privacy import bp
from comments_service.privacy.forms import DataRequestForm
from comments_service.services.privacy import people
from comments_service.services.privacy import requests as privacy
from comments_service.services.privacy.requests import PrivacyLinks
from comments_service.services.tokens import BadLink, ExpiredLink
from comments_service.words.times import duration

EXPIRED = lazy_gettext(
    "This link has expired: links work for %(valid_for)s. Nothing was changed. Ask again "
    "on the blog's privacy page and we will send you a fresh one."
)
# Every valid request is answered no sooner than this: a known address costs a stored
# message (a few milliseconds), an unknown one nothing, and the page must not tell.
ANSWER_FLOOR_SECONDS = 0.25
TOO_MANY = lazy_gettext(
    "Many requests have come from your connection; please try again in an hour."
)
# Said of every address alike, known or not: the count is of requests, not of mail sent.
TOO_MANY_FOR_ADDRESS = lazy_gettext(
    "Many requests have been made for this address; please try again later."
)
BROKEN = lazy_gettext(
    "This link is not complete, was changed, or its data is already erased, so nothing was "
    "changed. Open it again from the email, or copy the whole link (it is long) into your browser."
)


def _links() -> PrivacyLinks:
    return PrivacyLinks.for_app(current_app)


def privacy_rate_limit() -> str:
    return current_app.config["PORCH_PRIVACY_RATE_LIMIT"]


def privacy_address_rate_limit() -> str:
    return current_app.config["PORCH_PRIVACY_ADDRESS_RATE_LIMIT"]


def address_asked_about() -> str:
    """The per-address counter's key: the address in any case, as a keyed hash, so the
    rate-limit store (Redis) never holds an address and cannot be searched for one."""
    address = request.form.get("email", "").strip().casefold()
    secret = current_app.config["SECRET_KEY"].encode()
    return "privacy-address:" + hmac.new(secret, address.encode(), "sha256").hexdigest()[:32]


def request_was_taken(response) -> bool:
    """Only requests the page took count against an address, known or not alike: one
    refused (from another site, or a wrong form) sent nothing."""
    return response.status_code == 303


@bp.get("/request")
def request_page():
    return render_template("privacy/request.html", form=DataRequestForm(formdata=None))


@bp.post("/request")
@csrf.exempt
@limiter.limit(privacy_rate_limit, error_message=TOO_MANY)
@limiter.limit(
    privacy_address_rate_limit,
    key_func=address_asked_about,
    deduct_when=request_was_taken,
    error_message=TOO_MANY_FOR_ADDRESS,
)
def request_link():
    """Mail a link to a known address; answer every address alike, and as fast."""
    started = time.monotonic()
    if not from_our_pages():
        abort(403, gettext("Requests about your data can only be sent from the blog's own pages."))
    form = DataRequestForm()
    if not form.validate():
        return render_template("privacy/request.html", form=form), 422
    privacy.request_link(form.email.data, form.wish.data, _links(), utcnow())
    db.session.commit()
    time.sleep(max(0.0, started + ANSWER_FLOOR_SECONDS - time.monotonic()))
    return redirect(url_for(".requested", wish=form.wish.data), 303)


@bp.get("/requested")
def requested():
    wish = request.args.get("wish", "export")
    valid_for = _links().valid_for
    return render_template("privacy/requested.html", forget=wish == "forget", valid_for=valid_for)


def _address(wish: str, token: str) -> str:
    return privacy.address_in_link(wish, token, _links(), utcnow())


def _link_problem(error: BadLink):
    if isinstance(error, ExpiredLink):
        return render_template(
            "readers/link_problem.html",
            message=str(EXPIRED) % {"valid_for": duration(_links().valid_for)},
        ), 410
    return render_template("readers/link_problem.html", message=str(BROKEN)), 400


@bp.get("/export/<token>")
def export_page(token: str):
    try:
        _address("export", token)
    except BadLink as error:
        return _link_problem(error)
    return render_template("privacy/export.html", token=token)


@bp.get("/export/<token>/data.json")
def export_download(token: str):
    try:
        email = _address("export", token)
    except BadLink as error:
        return _link_problem(error)
    document = people.export_person(email, utcnow())
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-data.json"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/forget/<token>")
def forget_page(token: str):
    try:
        email = _address("forget", token)
    except BadLink as error:
        return _link_problem(error)
    erasure = people.plan_erasure(email)
    return render_template("privacy/forget.html", erasure=erasure, form=FlaskForm())


@bp.post("/forget/<token>")
def forget(token: str):
    """Erase everything about the address; the CSRF token shows the page's button was used."""
    try:
        email = _address("forget", token)
    except BadLink as error:
        return _link_problem(error)
    people.apply_erasure(people.plan_erasure(email), utcnow())
    db.session.commit()
    return render_template("privacy/forgotten.html")
