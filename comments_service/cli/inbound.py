"""Staff replies to Porch's mails coming in: ``flask mail receive`` and ``flask mail fetch``.

Both ways in hand the raw message to ``inbox.receive``, which decides what it is and
publishes an answer at most once; this module only carries messages to it.
"""

import asyncio
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence

import click
from aiosmtpd.controller import Controller
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from comments_service.inbox import Outcome, Receipt, TryLater, is_reply_address, receive
from comments_service.services.inbound.imap import (
    FetchReport,
    ImapError,
    ImapSettings,
    fetch_pass,
    parse_imap_url,
)

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------
# `flask mail receive`: an SMTP server the company's mail server forwards replies to.
# ---------------------------------------------------------------------------------------

RECIPIENT_OK = "250 2.1.5 OK"
NO_SUCH_RECIPIENT = "550 5.1.1 No such recipient: this server takes replies to Porch's mail only"
RECEIVED = "250 2.0.0 Message received"
TRY_AGAIN_LATER = "451 4.3.0 Cannot take the message now, please try again later"


class ReplyHandler:
    """aiosmtpd's handler: takes only reply addresses, and gives each message to
    ``receive`` in a worker thread, so a slow database holds up no other session.

    A message that was decided is accepted, even when it is refused: a bounce would go to
    the envelope sender, who may never have sent it. Only a message that could not be
    decided is answered 451, so the sending server keeps it and tries again.
    """

    def __init__(self, app: Flask):
        self._app = app

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._app.app_context():
            if not is_reply_address(address):
                return NO_SUCH_RECIPIENT
        envelope.rcpt_tos.append(address)
        return RECIPIENT_OK

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        recipients = tuple(envelope.rcpt_tos)
        sender = envelope.mail_from or "<>"  # a bounce's envelope has no sender
        loop = asyncio.get_running_loop()
        try:
            receipt = await loop.run_in_executor(None, self._receive, raw, recipients)
        except TryLater as error:
            log.warning("Mail from %s not taken, to be sent again: %s", sender, error)
            return TRY_AGAIN_LATER
        except Exception:
            log.exception("Mail from %s not taken, to be sent again", sender)
            return TRY_AGAIN_LATER
        log.info("Mail from %s taken by SMTP: %s", sender, _said(receipt))
        return RECEIVED

    def _receive(self, raw: bytes, recipients: Sequence[str]) -> Receipt:
        with self._app.app_context():
            return receive(raw, recipients)


def _said(receipt: Receipt) -> str:
    """What became of a message, for the log: "published (answer #12)", "refused: why"."""
    said = receipt.outcome.value
    if receipt.reason:
        said += f": {receipt.reason}"
    if receipt.answer_id is not None:
        said += f" (answer #{receipt.answer_id})"
    return said


def start_receiver(app: Flask, host: str, port: int) -> Controller:
    """The SMTP server for replies, listening on host:port in a thread of its own; stop it
    with ``.stop()``. Messages over PORCH_INBOUND_MAX_BYTES are refused with 552 (SIZE is
    advertised, so a sender can tell before sending)."""
    controller = Controller(
        ReplyHandler(app),
        hostname=host,
        port=port,
        data_size_limit=app.config["PORCH_INBOUND_MAX_BYTES"],
        ready_timeout=5,
    )
    controller.start()
    return controller


@click.command("receive")
@with_appcontext
def receive_replies() -> None:
    """Take staff replies by SMTP on PORCH_INBOUND_HOST:PORCH_INBOUND_PORT until stopped."""
    config = current_app.config
    address = config["PORCH_INBOUND_ADDRESS"]
    if not address:
        raise click.ClickException(
            gettext("PORCH_INBOUND_ADDRESS is empty: there is no reply address.")
        )
    _show_log()
    host, port = config["PORCH_INBOUND_HOST"], config["PORCH_INBOUND_PORT"]
    try:
        controller = start_receiver(current_app._get_current_object(), host, port)
    except OSError as error:
        raise click.ClickException(
            gettext("Cannot listen on %(host)s:%(port)s: %(why)s", host=host, port=port, why=error)
        ) from None
    local, _, domain = address.partition("@")
    click.echo(
        gettext(
            "Taking replies to %(local)s+…@%(domain)s on %(host)s:%(port)s; Ctrl-C stops.",
            local=local,
            domain=domain,
            host=host,
            port=port,
        )
    )
    try:
        _wait_until_stopped()
    finally:
        controller.stop()


def _show_log() -> None:
    """One line per message on stderr: every module's logger reports to the app's, whose
    handler Flask sets up; let it show INFO too."""
    current_app.logger.setLevel(logging.INFO)


def _wait_until_stopped() -> None:
    """Block until Ctrl-C or SIGTERM (what `make run` and service managers send)."""
    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------------------------------
# `flask mail fetch`: a mailbox read over IMAP, for companies that can only give one.
# ---------------------------------------------------------------------------------------


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
            raise click.ClickException(
                gettext("%(setting)s is empty: set it to read answers by mail.", setting=name)
            )
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
    if counted:
        return gettext(
            "%(count)s received: %(outcomes)s; %(left)s left for the next pass",
            count=report.received,
            outcomes=counted,
            left=report.left,
        )
    return gettext(
        "%(count)s received; %(left)s left for the next pass",
        count=report.received,
        left=report.left,
    )
