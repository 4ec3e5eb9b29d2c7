"""Re-baking on the blog's own host (PORCH_REBAKE_OUTPUT): after each request that
changed a thread, and in ``flask rebake [--loop]``.

A failed re-bake never fails the request that stored a comment: it is logged, and
the next ``flask rebake`` pass finds the page still behind and bakes it.
"""

import logging
import time
from functools import cache
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

from comments_service.extensions import db
from comments_service.services.comments.freshness import changed_posts
from comments_service.services.site.rebake import rebake_behind, rebake_posts

if TYPE_CHECKING:
    from porch_pelican.rebake import Rebaker

logger = logging.getLogger(__name__)
CACHE_KEY = "porch_rebaker"


@cache
def _pelican_rebake():
    """The plugin's re-baker, imported only on a host that re-bakes.

    Importing Pelican sets its own logger class for every logger made afterwards, and
    that class drops a warning identical to an earlier one: the service's logs must
    keep every "Akismet failed" or "SMTP refused", so the class is put back at once.
    """
    logger_class = logging.getLoggerClass()
    from porch_pelican import rebake

    logging.setLoggerClass(logger_class)
    return rebake


def site_rebaker(app) -> "Rebaker | None":
    """The re-baker for this host's built blog; None when none is set or none is built yet."""
    output = app.config["PORCH_REBAKE_OUTPUT"]
    if not output:
        return None
    cached = app.extensions.get(CACHE_KEY)
    try:
        settings = app.config["PORCH_REBAKE_SETTINGS"]
        rebaker = cached.reloaded() if cached else _pelican_rebake().load(settings, output)
    except FileNotFoundError as error:
        logger.warning("Re-bake: no built blog or settings file there yet (%s)", error)
        return None
    app.extensions[CACHE_KEY] = rebaker
    return rebaker


def rebake_changed_pages(response):
    """Before answering, bake the threads this request changed into their pages."""
    if current_app.config["PORCH_REBAKE_OUTPUT"]:  # before asking the session: most
        rebake_session_changes(current_app)  # requests never open one
    return response


def rebake_session_changes(app) -> None:
    """Bake the threads this session's committed work changed (a request, a received mail)."""
    if not app.config["PORCH_REBAKE_OUTPUT"]:
        return
    post_ids = changed_posts(db.session)
    if not post_ids:
        return
    try:
        rebaker = site_rebaker(app)
        if rebaker is not None:
            rebake_posts(rebaker, post_ids)
    except Exception:  # noqa: BLE001 - the change is stored; the rebake loop catches up
        logger.exception("Re-bake after this change failed; `flask rebake` will retry")
    finally:
        db.session.rollback()  # end the read; nothing was written


@click.command("rebake")
@click.option("--loop", is_flag=True, help="Keep re-baking pages as their threads change.")
@click.option("--passes", type=click.IntRange(min=1), help="With --loop: stop after this many.")
@with_appcontext
def rebake_command(loop: bool, passes: int | None) -> None:
    """Re-bake every article page in PORCH_REBAKE_OUTPUT whose comments are behind."""
    if not current_app.config["PORCH_REBAKE_OUTPUT"]:
        raise click.ClickException("Set PORCH_REBAKE_OUTPUT to the built blog (e.g. output).")
    rebaker, baked, done = None, {}, 0
    while True:
        current = site_rebaker(current_app)
        if current is None and not loop:
            raise click.ClickException("No built blog there yet: build it first (invoke build).")
        if current is not None and current is not rebaker:
            rebaker, baked = current, current.baked_versions()  # a full build happened
        if rebaker is not None:
            for slug, version in rebake_behind(rebaker, baked).items():
                click.echo(f"Re-baked {slug} (comments version {version}).")
        db.session.rollback()  # end the read, so the next pass sees new commits
        done += 1
        if not loop or (passes and done >= passes):
            return
        time.sleep(current_app.config["PORCH_REBAKE_LOOP_SECONDS"])
