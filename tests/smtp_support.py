"""A real SMTP server for mail tests: aiosmtpd on 127.0.0.1 that can also refuse or stall.

It speaks SMTP as a mail relay would; the sender under test cannot tell it from one.
"""

import asyncio
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .browser_support import free_port


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


class Sink:
    """Keeps every message it accepts. ``refuse_rcpt``/``refuse_data`` answer with that
    SMTP reply instead; ``stall_seconds`` makes DATA wait that long, then refuse."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse_rcpt: str | None = None
        self.refuse_data: str | None = None
        self.stall_seconds = 0.0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
            return "451 4.4.2 Too slow, try again"
        if self.refuse_data:
            return self.refuse_data
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def accept_everything(self) -> None:
        self.refuse_rcpt = self.refuse_data = None
        self.stall_seconds = 0.0

    def message_ids(self) -> list[str]:
        with self._lock:
            return [item.message["Message-ID"] for item in self.received]


class SmtpServer:
    """The sink listening on 127.0.0.1; ``start()`` and ``stop()`` as often as needed."""

    def __init__(self):
        self.sink = Sink()
        self.port = free_port()
        self._controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self._controller = Controller(
            self.sink, hostname="127.0.0.1", port=self.port, ready_timeout=5
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self, **extra) -> dict:
        """Porch settings that send to this server."""
        return {
            "PORCH_SMTP_HOST": "127.0.0.1",
            "PORCH_SMTP_PORT": self.port,
            "PORCH_SMTP_SECURITY": "none",
            "PORCH_SMTP_TIMEOUT_SECONDS": 2,
            "PORCH_MAIL_FROM": "Porch <porch@blog.test>",
            "PORCH_PUBLIC_URL": "http://service.test",
            **extra,
        }
