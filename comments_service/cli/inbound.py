"""Answers by email coming in: ``flask --app comments_service mail fetch|...``."""

import logging
import time
from collections import Counter
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from comments_service.inbox import Outcome, TryLater, receive
from comments_service.services.inbound.imap import (
    FetchReport,
    ImapError,
    ImapSettings,
    fetch_pass,
    parse_imap_url,
)

log = logging.getLogger(__name__)


@click.command("fetch")
@click.option("--loop", is_flag=True, help="Keep reading, a pass every PORCH_IMAP_LOOP_SECONDS.")
@click.option("--passes", type=click.IntRange(min=1), help="With --loop: stop after this many.")
@with_appcontext
def fetch(loop: bool, passes: int | None) -> None:
    """Read replies from the mailbox of PORCH_IMAP_URL (at most 100 a pass) and publish
    their answers; each handled message moves to PORCH_IMAP_DONE_FOLDER."""
    if not logging.getLogger().handlers:  # one line per message, to stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    config = current_app.config
    settings = _fetch_settings(config)
    done = 0
    while True:
        outcomes: Counter[Outcome] = Counter()
        try:
            report = fetch_pass(settings, _receiving(outcomes))
        except ImapError as error:
            if not loop:
                raise click.ClickException(str(error)) from error
            click.echo(str(error), err=True)  # the server may be back for the next pass
        else:
            if not loop or report.received:  # a quiet loop is quiet
                click.echo(_summary(report, outcomes))
        done += 1
        if not loop or (passes and done >= passes):
            return
        time.sleep(config["PORCH_IMAP_LOOP_SECONDS"])


def _fetch_settings(config) -> ImapSettings:
    for name in ("PORCH_IMAP_URL", "PORCH_INBOUND_ADDRESS"):
        if not config[name]:
            raise click.ClickException(f"{name} is empty: set it to read answers by mail.")
    settings = ImapSettings.from_config(config)
    try:
        parse_imap_url(settings.url)
    except ImapError as error:
        raise click.ClickException(str(error)) from error
    return settings


def _receiving(outcomes: Counter) -> Callable[[bytes], bool]:
    """Decide each message; one the database could not take stays in the mailbox."""

    def decide(raw: bytes) -> bool:
        try:
            receipt = receive(raw)
        except TryLater as error:
            log.warning("A message stays in the mailbox for the next pass: %s", error)
            return False
        outcomes[receipt.outcome] += 1
        return True

    return decide


def _summary(report: FetchReport, outcomes: Counter) -> str:
    """``3 received: 2 published, 1 refused; 0 left for the next pass``."""
    counted = ", ".join(f"{outcomes[kind]} {kind}" for kind in Outcome if outcomes[kind])
    received = f"{report.received} received" + (f": {counted}" if counted else "")
    return f"{received}; {report.left} left for the next pass"
