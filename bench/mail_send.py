"""How fast the outbox drains to a local SMTP server, with one sender and with two.

Queues N messages in a throwaway database (SQLite, or the PostgreSQL database named
by --database-url, whose tables it empties), then times sender passes delivering
them to an aiosmtpd server on 127.0.0.1, and checks each arrived exactly once.

    .venv/bin/python bench/mail_send.py [--messages 500] [--senders 1 2] [--database-url URL]
"""

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import delete

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comments_service import create_app  # noqa: E402
from comments_service.extensions import db  # noqa: E402
from comments_service.models import Digest, OutboxMessage, utcnow  # noqa: E402
from comments_service.services.mail.outbox import Mail, enqueue  # noqa: E402
from comments_service.services.mail.sender import SenderSettings, send_due  # noqa: E402
from tests.smtp_support import SmtpServer  # noqa: E402


def build(database_url: str, smtp: SmtpServer):
    app = create_app(
        {"PORCH_DATABASE_URL": database_url, "PORCH_SECRET_KEY": "bench"}
        | smtp.settings(PORCH_MAIL_BATCH_SIZE=50)
    )
    with app.app_context():
        upgrade()
    return app


def queue(app, count: int) -> None:
    with app.app_context():
        db.session.execute(delete(Digest))
        db.session.execute(delete(OutboxMessage))
        for number in range(count):
            body = f"Message {number}"
            enqueue(Mail(f"staff{number}@bench.test", body, body, f"<p>{body}</p>", {}), utcnow())
        db.session.commit()


def drain(app) -> None:
    """Passes until nothing is left (bounded)."""
    settings = SenderSettings.for_app(app)
    with app.app_context():
        for _ in range(10_000):
            if send_due(settings).sent == 0:
                return


def run(app, smtp: SmtpServer, messages: int, senders: int) -> float:
    queue(app, messages)
    smtp.sink.received.clear()
    threads = [threading.Thread(target=drain, args=(app,)) for _ in range(senders)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ids = smtp.sink.message_ids()
    assert len(ids) == len(set(ids)) == messages, (len(ids), len(set(ids)))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--senders", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    smtp = SmtpServer().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            app = build(url, smtp)
            print(f"{url.split(':')[0]}, {args.messages} messages")
            for senders in args.senders:
                elapsed = run(app, smtp, args.messages, senders)
                rate = args.messages / elapsed
                print(f"  {senders} sender(s): {elapsed:.2f} s, {rate:.0f} messages/s, each once")
            with app.app_context():
                db.engine.dispose()
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
