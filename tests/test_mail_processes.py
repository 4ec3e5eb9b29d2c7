"""Mail the way an operator runs it: the service and `flask mail send` as separate
processes on one database, a real SMTP server, and Chromium following the email's link.
"""

import subprocess
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .browser_support import (
    BIN,
    COMMAND_TIMEOUT,
    ROOT,
    TIMEOUT_MS,
    ServiceProcess,
    clean_environment,
    free_port,
    post_comment,
)
from .conftest import BLOG_URL, PASSWORD
from .smtp_support import SmtpServer

ARTIFACTS = ROOT / "test-artifacts"
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def service(database_url, smtp, tmp_path):
    env = clean_environment(
        DATABASE_URL=database_url,
        SECRET_KEY="mail-processes-secret",
        BLOG_URL=BLOG_URL,
        SESSION_COOKIE_SECURE="false",
        COMMENT_RATE_LIMIT="1000 per minute",
        **{key.removeprefix("PORCH_"): str(value) for key, value in smtp.settings().items()},
    )
    env.pop("PORCH_PUBLIC_URL")  # the service process sets its own
    process = ServiceProcess(free_port(), env, tmp_path / "service.log")
    process.env = {**env, "PORCH_PUBLIC_URL": process.url}
    yield process.start()
    process.stop()


def mail_send(env: dict, *args: str) -> subprocess.Popen:
    command = [str(BIN / "flask"), "--app", "comments_service", "mail", "send", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_two_sender_processes_deliver_each_comment_email_once(service, smtp, make_post, make_staff):
    make_staff("Ana Lima")
    make_post("hello")
    for number in range(24):
        post_comment(service.url, "hello", BLOG_URL, author_name=f"Reader {number}", body="Hi")
    env = {**service.env, "PORCH_MAIL_BATCH_SIZE": "2", "PORCH_MAIL_LOOP_SECONDS": "0"}
    senders = [mail_send(env, "--loop", "--passes", "20") for _ in range(2)]
    outputs = [sender.communicate(timeout=COMMAND_TIMEOUT)[0] for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0], outputs
    ids = smtp.sink.message_ids()
    assert len(ids) == 24 and len(set(ids)) == 24
    subjects = sorted(item.message["Subject"] for item in smtp.sink.received)
    assert subjects == sorted(f"New comment: Reader {n} on “Hello”" for n in range(24))


def test_without_smtp_host_the_command_writes_each_message_to_the_log(
    service, make_post, make_staff
):
    make_staff("Ana Lima")
    make_post("hello")
    post_comment(service.url, "hello", BLOG_URL, author_name="Jo Reader", body="Anyone there?")
    sender = mail_send({**service.env, "PORCH_SMTP_HOST": ""})
    output = sender.communicate(timeout=COMMAND_TIMEOUT)[0]
    assert sender.returncode == 0, output
    assert "message 1 kept in the outbox" in output
    assert "To: ana@porch.test\nSubject: New comment: Jo Reader on “Hello”" in output
    assert "Anyone there?" in output and "0 sent, 0 failed, 1 logged." in output


@pytest.mark.browser
def test_author_follows_the_email_link_to_the_comment_and_sets_a_digest(
    service, smtp, make_post, make_staff, page
):
    ana = make_staff("Ana Lima")
    make_post("hello", title="Hello Porch")
    asked = post_comment(
        service.url, "hello", BLOG_URL, author_name="Jo Reader", body="Where is the *export*?"
    )
    sender = mail_send(service.env)
    assert sender.communicate(timeout=COMMAND_TIMEOUT)[0].strip() == "1 sent, 0 failed, 0 logged."
    (received,) = smtp.sink.received
    html = received.message.get_body(("html",)).get_content()
    link = f"{service.url}/moderation/#comment-{asked['id']}"
    assert f'href="{link}"' in html
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_content(html)
    page.screenshot(path=ARTIFACTS / "mail-comment-email.png", full_page=True)

    page.goto(link)
    # Signed out: the sign-in page first (the browser keeps the fragment through redirects).
    expect(page).to_have_url(
        f"{service.url}/auth/login?next=%2Fmoderation%2F#comment-{asked['id']}"
    )
    page.get_by_label("Email").fill(ana.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(link)
    comment = page.locator(f"#comment-{asked['id']}")
    expect(comment).to_contain_text("Where is the export?")
    expect(comment).to_be_in_viewport()
    page.screenshot(path=ARTIFACTS / "mail-link-moderation.png", full_page=True)

    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("One email a day listing the new comments").check()
    page.get_by_role("region", name="Email settings").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your email settings are saved.")
    expect(page.get_by_label("One email a day listing the new comments")).to_be_checked()
    assert urlsplit(page.url).path == "/auth/settings"
    page.screenshot(path=ARTIFACTS / "mail-settings.png", full_page=True)
