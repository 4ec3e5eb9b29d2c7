"""Two service hosts sharing only the database and Redis, as behind a load balancer.

Each host is its own process (or its own app, where nothing but the database is
shared), with its own instance folder. With TEST_DATABASE_URL both share one
PostgreSQL database in the several-hosts configuration; on SQLite they share one
database file, which exercises the same claims and locks between processes.
"""

import itertools
import threading
import time

import pytest
import redis
from sqlalchemy import func, select
from werkzeug.serving import make_server

from comments_service import create_app
from comments_service.cli.worker import queue_daily
from comments_service.enums import Notify
from comments_service.extensions import db
from comments_service.models import Digest, OutboxMessage, Staff, utcnow
from porch_pelican.remote import keep_fresh

from .browser_support import (
    COMMAND_TIMEOUT,
    ServiceProcess,
    clean_environment,
    free_port,
)
from .conftest import BLOG_URL
from .mail_helpers import queue_mail
from .server_support import request
from .site_support import ROOT
from .smtp_support import SmtpServer
from .test_mail_processes import mail_send
from .test_rebake import SLUG, Site, page_of, post_comment
from .test_sessions import REMEMBER_COOKIE, SESSION_COOKIE, opens_moderation, sign_in, sign_out

REDIS_URL = "redis://127.0.0.1:6379/9"
SECRET = "shared-by-both-hosts"


def shared_settings(database_url: str) -> dict:
    """What both hosts are given; PostgreSQL runs them in the several-hosts configuration."""
    several = database_url.startswith("postgresql")
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "BLOG_URL": BLOG_URL,
        "SESSION_COOKIE_SECURE": "false",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "SEVERAL_HOSTS": str(several).lower(),
    }


@pytest.fixture
def counters():
    """Redis database 9, empty before and after."""
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    yield store
    store.flushdb()
    store.close()


@pytest.fixture
def two_apps(app_with, database_url, tmp_path):
    """Two apps on one database, each with its own instance folder."""
    several = database_url.startswith("postgresql")
    return [
        app_with(PORCH_RATELIMIT_STORAGE_URI=REDIS_URL, PORCH_SEVERAL_HOSTS=several)
        for _ in range(2)
    ]


def test_a_comment_rate_limit_holds_across_both_hosts(database_url, counters, make_post, tmp_path):
    make_post("hello")
    env = clean_environment(**shared_settings(database_url), COMMENT_RATE_LIMIT="3 per hour")
    hosts = []
    try:
        for n in range(2):
            host_env = {**env, "PORCH_INSTANCE_PATH": str(tmp_path / f"host{n}")}
            hosts.append(ServiceProcess(free_port(), host_env, tmp_path / f"host{n}.log").start())
        answers = [
            request(
                f"{hosts[n % 2].url}/api/posts/hello/comments",
                {"author_name": "Jo", "body": f"Question {n}"},
                {"Origin": BLOG_URL},
            )[0]
            for n in range(6)
        ]
    finally:
        for host in hosts:
            host.stop()
    assert answers == [201, 201, 201, 429, 429, 429]
    assert counters.dbsize() > 0  # counted in Redis, not in either process


def test_signing_out_on_one_host_ends_the_session_on_the_other(two_apps, make_staff):
    first, second = two_apps
    ana = make_staff("Ana Lima")
    laptop = first.test_client()
    sign_in(laptop, ana, remember=True)
    session, remember = (
        laptop.get_cookie(name).value for name in (SESSION_COOKIE, REMEMBER_COOKIE)
    )
    assert opens_moderation(second, session=session)
    assert opens_moderation(second, remember_token=remember)
    sign_out(laptop)
    assert not opens_moderation(second, session=session)
    assert not opens_moderation(second, remember_token=remember)
    assert not opens_moderation(first, session=session)


def test_a_new_password_set_on_one_host_ends_sessions_on_the_other(two_apps, make_staff):
    first, second = two_apps
    ana = make_staff("Ana Lima")
    phone = second.test_client()
    sign_in(phone, ana)
    copied = phone.get_cookie(SESSION_COOKIE).value
    assert opens_moderation(second, session=copied)
    runner = first.test_cli_runner()
    changed = runner.invoke(
        args=["staff", "set-password", "Ana Lima", "--password-stdin"],
        input="a brand new password\n",
    )
    assert changed.exit_code == 0, changed.output
    assert not opens_moderation(second, session=copied)


def test_two_mail_senders_on_two_hosts_send_each_message_once(app, database_url, tmp_path):
    smtp = SmtpServer().start()
    try:
        queue_mail(app, 30)
        env = clean_environment(
            **shared_settings(database_url),
            **{k.removeprefix("PORCH_"): str(v) for k, v in smtp.settings().items()},
            MAIL_BATCH_SIZE="3",
            MAIL_LOOP_SECONDS="0",
            MAIL_DIGEST_HOUR="24",  # no digests in this test: only the queued messages
        )
        senders = [
            mail_send(
                {**env, "PORCH_INSTANCE_PATH": str(tmp_path / f"host{n}")},
                "--loop",
                "--passes",
                "15",
            )
            for n in range(2)
        ]
        outputs = [sender.communicate(timeout=COMMAND_TIMEOUT)[0] for sender in senders]
    finally:
        smtp.stop()
    assert [sender.returncode for sender in senders] == [0, 0], outputs
    subjects = sorted(item.message["Subject"] for item in smtp.sink.received)
    assert subjects == sorted(f"Message {n}" for n in range(30))
    with app.app_context():
        sent = db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_not(None)))
    assert sent == 30


def test_two_digest_runs_at_the_same_moment_queue_each_digest_once(
    two_apps, make_staff, make_post, make_comment
):
    """The first run has queued but not committed when the second starts: the second
    passes the "already sent today" check too, and must give way, not fail or repeat."""
    first, second = two_apps
    ana = make_staff("Ana Lima")
    make_comment(make_post("hello"), name="Jo Reader", minutes_ago=5)
    with first.app_context():
        db.session.get(Staff, ana.id).notify = Notify.DIGEST
        db.session.commit()
    results = []
    other = threading.Thread(
        target=lambda: results.append(second.test_cli_runner().invoke(args=["mail", "digest"]))
    )
    with first.app_context():
        assert queue_daily(first, utcnow()) == (1, 0)  # queued, not committed
        other.start()
        time.sleep(1)  # the other run reads "nothing sent today", then waits on our rows
        db.session.commit()
    other.join(timeout=COMMAND_TIMEOUT)
    (result,) = results
    assert result.exit_code == 0, result.output
    assert "0 digests and 0 reminders queued" in result.output
    with first.app_context():
        digests = db.session.scalar(select(func.count()).select_from(Digest))
        messages = db.session.scalars(select(OutboxMessage.subject)).all()
    assert digests == 1
    assert messages == ["1 new reader comment on your posts"]


def test_the_several_hosts_configuration_refuses_what_one_host_keeps_to_itself(tmp_path):
    one_box = {
        "PORCH_DATABASE_URL": f"sqlite:///{tmp_path / 'porch.sqlite3'}",
        "PORCH_SEVERAL_HOSTS": True,
        "PORCH_REBAKE_OUTPUT": str(tmp_path / "output"),
    }
    with pytest.raises(ValueError) as refused:
        create_app(one_box)
    assert str(refused.value) == (
        "PORCH_SEVERAL_HOSTS is on, but PORCH_DATABASE_URL needs a PostgreSQL URL shared by all;"
        " PORCH_RATELIMIT_STORAGE_URI needs a redis:// URL shared by all, or each host would"
        " count alone; PORCH_SECRET_KEY needs one key shared by all, or sign-ins break between"
        " hosts; PORCH_REBAKE_OUTPUT needs empty: the build host's `invoke rebake --watch`"
        " re-bakes the blog."
    )


def test_the_several_hosts_configuration_starts_with_shared_parts_only(monkeypatch, tmp_path):
    monkeypatch.setenv("PORCH_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "PORCH_DATABASE_URL": "postgresql+psycopg://porch@db.internal/porch",
            "PORCH_RATELIMIT_STORAGE_URI": REDIS_URL,
            "PORCH_SECRET_KEY": SECRET,
            "PORCH_SEVERAL_HOSTS": True,
        }
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.fixture
def balancer(app, app_with):
    """Two hosts behind one address that hands each request to the next host in turn."""
    hosts = itertools.cycle([app, app_with()])

    def balanced(environ, start_response):
        return next(hosts)(environ, start_response)

    server = make_server("127.0.0.1", 0, balanced, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_the_build_hosts_watcher_rebakes_from_either_host_and_retries_a_failed_upload(
    app, client, balancer, tmp_path
):
    """Each pass of the watcher asks /api/changes and the thread of whichever host the
    balancer picks; an upload that fails is tried again, as no page is behind any more."""
    site = Site(app, tmp_path)
    post_comment(client, SLUG, body="Asked on *host one*")
    uploads = []

    def upload(versions):
        uploads.append(versions)
        if len(uploads) == 1:
            raise OSError("the static host did not answer")

    settings = str(ROOT / "pelicanconf.py")
    keep_fresh(
        settings, balancer, output=str(site.output), passes=3, interval=0, after_changes=upload
    )
    assert uploads == [{SLUG: 1}, {SLUG: 1}]
    assert "Asked on <em>host one</em>" in page_of(site.output)
