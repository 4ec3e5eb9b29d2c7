"""Reading replies from a mailbox: a pass against a real Dovecot (tests/imap_support.py),
and ``flask mail fetch`` publishing an author's reply found there."""

from email import policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment
from comments_service.services.inbound.imap import (
    ImapError,
    ImapSettings,
    fetch_pass,
    parse_imap_url,
)

from .browser_support import free_port
from .conftest import settings as service_settings
from .imap_support import Dovecot
from .mail_helpers import outbox_rows, post_comment
from .reply_support import INBOUND, reply_address
from .reply_support import reply as authors_reply

PASSWORD = "pass word/@%!"
DONE = "Porch-done"


@pytest.fixture
def dovecot():
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def account(dovecot):
    return dovecot.add_account("answers", PASSWORD)


class Decider:
    """Records every message handed over; settles it unless its subject is in ``refuse``
    (says no) or ``fail`` (raises)."""

    def __init__(self, refuse=(), fail=()):
        self.refuse, self.fail = set(refuse), set(fail)
        self.handed: list[bytes] = []

    def __call__(self, raw: bytes) -> bool:
        self.handed.append(raw)
        subject = subject_of(raw)
        if subject in self.fail:
            raise RuntimeError(f"cannot decide {subject}")
        return subject not in self.refuse

    def subjects(self) -> list[str]:
        return [subject_of(raw) for raw in self.handed]


def reply(subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Ana Lima <ana@porch.test>"
    message["To"] = "answers+token@blog.example.com"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@porch.test>"
    message.set_content(f"The answer of {subject}.")
    return message.as_bytes(policy=policy.SMTP)


def subject_of(raw: bytes) -> str:
    for line in raw.split(b"\r\n"):
        if line.startswith(b"Subject: "):
            return line.removeprefix(b"Subject: ").decode()
    raise AssertionError(f"no subject in {raw!r}")


def put(account, *subjects: str, flags=()) -> None:
    with account.mailbox() as mailbox:
        for subject in subjects:
            mailbox.append(reply(subject), "INBOX", flag_set=flags)


def subjects_in(account, folder: str) -> list[str]:
    with account.mailbox() as mailbox:
        if not mailbox.folder.exists(folder):
            return []
        mailbox.folder.set(folder)
        return [message.subject for message in mailbox.fetch(mark_seen=False)]


def settings(account, **options) -> ImapSettings:
    return ImapSettings(url=account.url(), done_folder=DONE, **options)


def test_settled_messages_go_to_the_done_folder_it_makes_and_come_back_no_more(account):
    put(account, "one", "two")
    decide = Decider()

    first = fetch_pass(settings(account), decide)
    second = fetch_pass(settings(account), decide)

    assert (first.received, first.done, first.left) == (2, 2, 0)
    assert (second.received, second.done, second.left) == (0, 0, 0)
    assert decide.handed == [reply("one"), reply("two")]  # the bytes the server holds
    assert subjects_in(account, "INBOX") == []
    assert subjects_in(account, DONE) == ["one", "two"]


def test_a_message_not_settled_stays_unseen_and_is_handed_over_on_the_next_pass(account):
    put(account, "refused", "broken", "fine")
    decide = Decider(refuse={"refused"}, fail={"broken"})

    first = fetch_pass(settings(account), decide)
    second = fetch_pass(settings(account), decide)

    assert (first.received, first.done, first.left) == (3, 1, 2)
    assert (second.received, second.done, second.left) == (2, 0, 2)
    assert decide.subjects() == ["refused", "broken", "fine", "refused", "broken"]
    assert subjects_in(account, DONE) == ["fine"]
    with account.mailbox() as mailbox:
        mailbox.folder.set("INBOX")
        assert [m.flags for m in mailbox.fetch(mark_seen=False)] == [(), ()]


def test_a_pass_hands_over_at_most_its_batch_oldest_first(account):
    put(account, "1", "2", "3", "4", "5")
    decide = Decider()

    passes = [fetch_pass(settings(account, batch_size=2), decide).received for _ in range(4)]

    assert passes == [2, 2, 1, 0]
    assert decide.subjects() == ["1", "2", "3", "4", "5"]


def test_a_message_someone_read_already_is_handed_over_too(account):
    put(account, "opened in a mail program", flags=[r"\Seen"])

    report = fetch_pass(settings(account), Decider())

    assert report.done == 1
    assert subjects_in(account, DONE) == ["opened in a mail program"]


def test_a_message_another_host_moved_away_meanwhile_counts_as_done(account):
    """Two hosts fetching at once: the other one settled and moved the message first."""
    put(account, "both")

    def decide_while_the_other_host_moves_it(raw: bytes) -> bool:
        with account.mailbox() as other_host:
            other_host.folder.set("INBOX")
            other_host.move(other_host.uids("ALL"), DONE)
        return True

    report = fetch_pass(settings(account), decide_while_the_other_host_moves_it)

    assert (report.received, report.done, report.left) == (1, 1, 0)
    assert subjects_in(account, DONE) == ["both"]
    assert subjects_in(account, "INBOX") == []


def test_a_settled_message_that_cannot_be_moved_stays_for_the_next_pass(account, caplog):
    """Its next decision is a duplicate, which moves it then."""
    put(account, "stuck")

    def decide_while_someone_deletes_the_done_folder(raw: bytes) -> bool:
        with account.mailbox() as someone:
            someone.folder.delete(DONE)
        return True

    report = fetch_pass(settings(account), decide_while_someone_deletes_the_done_folder)

    assert (report.received, report.done, report.left) == (1, 0, 1)
    assert subjects_in(account, "INBOX") == ["stuck"]
    assert "moving it failed: [TRYCREATE]" in caplog.text


def test_the_folder_of_the_url_is_read(account):
    with account.mailbox() as mailbox:
        mailbox.folder.create("Answers")
        mailbox.append(reply("filed"), "Answers")
    put(account, "in the inbox")
    decide = Decider()

    fetch_pass(ImapSettings(url=account.url("Answers"), done_folder=DONE), decide)

    assert decide.subjects() == ["filed"]
    assert subjects_in(account, "INBOX") == ["in the inbox"]


def test_a_wrong_password_is_a_clear_error_that_never_shows_a_password(account):
    """(Dovecot slows down every sign-in from an address after a failed one: nothing
    signs in after it here.)"""
    put(account, "waiting")
    decide = Decider()

    with pytest.raises(ImapError) as refused:
        fetch_pass(ImapSettings(url=account.url(password="wrong-secret")), decide)

    assert "answers@127.0.0.1" in str(refused.value)
    assert "Authentication failed" in str(refused.value)
    assert "wrong-secret" not in str(refused.value)
    assert decide.handed == []


def test_a_password_beyond_ascii_signs_in(dovecot):
    account = dovecot.add_account("jorg", "Pässwört ünd €")
    put(account, "from afar")

    report = fetch_pass(settings(account), Decider())

    assert report.done == 1


def test_a_missing_folder_is_a_clear_error(account):
    with pytest.raises(ImapError, match="Mailbox doesn't exist: Nowhere"):
        fetch_pass(ImapSettings(url=account.url("Nowhere")), Decider())


def test_a_server_not_listening_is_a_clear_error():
    port = free_port()

    with pytest.raises(ImapError, match=f"answers@127.0.0.1:{port}/INBOX failed: .*refused"):
        fetch_pass(ImapSettings(url=f"imap://answers:secret@127.0.0.1:{port}"), Decider())


def test_imaps_checks_the_certificate_and_reads_the_mailbox(account):
    put(account, "over tls")
    url = account.url(tls=True)
    decide = Decider()

    with pytest.raises(ImapError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch_pass(ImapSettings(url=url), decide)  # the system's CAs know no test CA
    report = fetch_pass(ImapSettings(url=url, ssl_context=account.tls_context()), decide)

    assert report.done == 1
    assert decide.subjects() == ["over tls"]


def test_starttls_upgrades_the_plain_port(account):
    put(account, "after starttls")

    report = fetch_pass(
        ImapSettings(url=account.url() + "?starttls", ssl_context=account.tls_context()),
        Decider(),
    )

    assert report.done == 1


def test_an_imaps_url_is_read_with_its_defaults_and_percent_decoding():
    address = parse_imap_url("imaps://porch%40example.com:p%40ss%3Aword@IMAP.example.com")

    assert (address.scheme, address.starttls, address.port) == ("imaps", False, 993)
    assert (address.host, address.folder) == ("imap.example.com", "INBOX")
    assert (address.user, address.password) == ("porch@example.com", "p@ss:word")
    assert "p@ss" not in str(address) + repr(address)


def test_a_plain_url_with_starttls_and_a_folder():
    address = parse_imap_url("imap://porch:secret@mail.example.com/Porch%20replies?starttls")

    assert (address.starttls, address.port, address.folder) == (True, 143, "Porch replies")


@pytest.mark.parametrize(
    "url, complaint",
    [
        ("https://porch:secret@mail.example.com/", "must start with imaps:// or imap://"),
        ("mail.example.com", "must start with imaps:// or imap://"),
        ("imaps://porch:secret@/INBOX", "names no host"),
        ("imaps://mail.example.com/INBOX", "needs a user and a password"),
        ("imaps://porch@mail.example.com/INBOX", "needs a user and a password"),
        ("imaps://porch:secret@mail.example.com:99999/", "port is not a number"),
        ("imaps://porch:secret@mail.example.com:imap/", "port is not a number"),
        ("imap://porch:secret@mail.example.com/?tls=yes", "only option after '\\?'"),
        ("imaps://porch:secret@mail.example.com/?starttls", "is TLS already"),
    ],
)
def test_a_bad_url_is_named_without_its_password(url, complaint):
    with pytest.raises(ImapError, match=complaint) as bad:
        parse_imap_url(url)

    assert "secret" not in str(bad.value)


ANSWER = "Yes: it is sealed against rain, and the battery lasts a night."


@pytest.fixture
def fetching_app(app_with, account, make_post):
    """The service with a reply address on its mails, reading the account's mailbox."""
    app = app_with(
        PORCH_INBOUND_ADDRESS=INBOUND, PORCH_IMAP_URL=account.url(), PORCH_IMAP_LOOP_SECONDS=0
    )
    make_post("hello", title="Hello")
    return app


def fetch(app, *options: str):
    return app.test_cli_runner().invoke(args=["mail", "fetch", *options])


def answers_to(app, comment_id: int) -> list[str]:
    with app.app_context():
        query = select(Comment.body_markdown).where(Comment.parent_id == comment_id)
        return list(db.session.scalars(query))


def test_fetch_publishes_the_reply_in_the_mailbox_once(fetching_app, account, make_staff):
    ana = make_staff("Ana Lima")
    question = post_comment(fetching_app.test_client(), body="Does the lantern work in the rain?")
    to = reply_address(fetching_app, ana.email)
    with account.mailbox() as mailbox:
        mailbox.append(authors_reply(ana.email, to, ANSWER), "INBOX")
        mailbox.append(authors_reply("mallory@example.net", to, "Buy pills"), "INBOX")

    first = fetch(fetching_app)
    mails = len(outbox_rows(fetching_app))
    second = fetch(fetching_app)

    assert first.exit_code == 0, first.output
    assert first.output == "2 received: 1 published, 1 refused; 0 left for the next pass\n"
    assert answers_to(fetching_app, question) == [ANSWER]
    assert subjects_in(account, "INBOX") == []
    assert len(subjects_in(account, DONE)) == 2
    assert second.output == "0 received; 0 left for the next pass\n"
    assert answers_to(fetching_app, question) == [ANSWER]
    assert len(outbox_rows(fetching_app)) == mails


def test_a_message_fetched_again_is_a_duplicate_and_moves_on(fetching_app, account, make_staff):
    """Another host published it but had not moved it yet: nothing is published twice."""
    ana = make_staff("Ana Lima")
    question = post_comment(fetching_app.test_client(), body="Does the lantern work in the rain?")
    raw = authors_reply(ana.email, reply_address(fetching_app, ana.email), ANSWER)
    with account.mailbox() as mailbox:
        mailbox.append(raw, "INBOX")
        mailbox.append(raw, "INBOX")

    result = fetch(fetching_app)

    assert result.output == "2 received: 1 published, 1 duplicate; 0 left for the next pass\n"
    assert answers_to(fetching_app, question) == [ANSWER]
    assert len(subjects_in(account, DONE)) == 2


def test_a_reply_the_database_cannot_take_stays_for_the_next_pass(
    fetching_app, account, make_staff
):
    ana = make_staff("Ana Lima")
    question = post_comment(fetching_app.test_client(), body="Does the lantern work in the rain?")
    to = reply_address(fetching_app, ana.email)
    with account.mailbox() as mailbox:
        mailbox.append(authors_reply(ana.email, to, ANSWER), "INBOX")
    nothing_listening = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/porch"
    database_away = create_app(
        service_settings(
            nothing_listening, PORCH_INBOUND_ADDRESS=INBOUND, PORCH_IMAP_URL=account.url()
        )
    )

    away = fetch(database_away)
    back = fetch(fetching_app)

    assert away.exit_code == 0, away.output
    assert away.output == "1 received; 1 left for the next pass\n"
    assert back.output == "1 received: 1 published; 0 left for the next pass\n"
    assert answers_to(fetching_app, question) == [ANSWER]


def test_a_quiet_loop_is_quiet(fetching_app, account, make_staff):
    ana = make_staff("Ana Lima")
    post_comment(fetching_app.test_client(), body="Does the lantern work in the rain?")
    to = reply_address(fetching_app, ana.email)
    with account.mailbox() as mailbox:
        mailbox.append(authors_reply(ana.email, to, ANSWER), "INBOX")

    result = fetch(fetching_app, "--loop", "--passes", "3")

    assert result.exit_code == 0, result.output
    assert result.output == "1 received: 1 published; 0 left for the next pass\n"


def test_a_loop_goes_on_while_the_server_is_away(app_with):
    port = free_port()
    app = app_with(
        PORCH_INBOUND_ADDRESS=INBOUND,
        PORCH_IMAP_URL=f"imap://answers:secret@127.0.0.1:{port}/INBOX",
        PORCH_IMAP_LOOP_SECONDS=0,
    )

    result = fetch(app, "--loop", "--passes", "2")

    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.count(f"Reading imap://answers@127.0.0.1:{port}/INBOX failed") == 2


def test_fetch_without_a_mailbox_names_the_setting(app_with):
    result = fetch(app_with(PORCH_INBOUND_ADDRESS=INBOUND))

    assert result.exit_code == 1
    assert "PORCH_IMAP_URL is empty" in result.output


def test_fetch_with_a_wrong_password_says_so_and_shows_no_password(app_with, account):
    app = app_with(
        PORCH_INBOUND_ADDRESS=INBOUND, PORCH_IMAP_URL=account.url(password="wrong-secret")
    )

    result = fetch(app)

    assert result.exit_code == 1
    assert "Authentication failed" in result.output
    assert "wrong-secret" not in result.output
