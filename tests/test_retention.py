"""A comment's address and user agent are kept whole for PORCH_ADDRESS_RETENTION_DAYS, then
the address is cut to its network and the user agent goes."""

from datetime import UTC, datetime, timedelta

import pytest

from comments_service.extensions import db
from comments_service.models import Comment
from comments_service.services.privacy.retention import network_of, prune_addresses

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
UA = "Mozilla/5.0 (X11; Linux x86_64)"


@pytest.mark.parametrize(
    "address, network",
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("203.0.113.0", "203.0.113.0/24"),
        ("2001:db8:abcd:12:34::1", "2001:db8:abcd::/48"),
        ("2001:db8:abcd::", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("fe80::1%eth0", "fe80::/48"),
        ("not an address", None),
        ("", None),
    ],
)
def test_an_address_is_cut_to_its_network(address, network):
    assert network_of(address) == network


def stored_context(app, comment_id) -> tuple:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        return comment.remote_addr, comment.user_agent, comment.referrer


def test_only_comments_older_than_the_cutoff_are_pruned(app, make_post, make_comment):
    post = make_post("hello")
    cutoff = NOW - timedelta(days=30)
    old = make_comment(
        post,
        created_at=cutoff - timedelta(seconds=1),
        remote_addr="203.0.113.77",
        user_agent=UA,
        referrer="http://blog.test/2026/05/hello/",
    )
    old_v6 = make_comment(
        post, created_at=cutoff - timedelta(days=9), remote_addr="2001:db8:1:2::9"
    )
    recent = make_comment(post, created_at=cutoff, remote_addr="198.51.100.9", user_agent=UA)
    with app.app_context():
        assert prune_addresses(cutoff) == 2
        db.session.commit()
    assert stored_context(app, old.id) == (
        "203.0.113.0/24",
        None,
        "http://blog.test/2026/05/hello/",
    )
    assert stored_context(app, old_v6.id)[:2] == ("2001:db8:1::/48", None)
    assert stored_context(app, recent.id)[:2] == ("198.51.100.9", UA)


def test_pruning_again_changes_nothing_more(app, make_post, make_comment):
    post = make_post("hello")
    comment = make_comment(post, created_at=NOW - timedelta(days=40), remote_addr="203.0.113.77")
    make_comment(post, created_at=NOW - timedelta(days=40))  # nothing stored to prune
    with app.app_context():
        assert prune_addresses(NOW) == 1
        db.session.commit()
        assert prune_addresses(NOW) == 0
    assert stored_context(app, comment.id)[:2] == ("203.0.113.0/24", None)


def test_a_user_agent_alone_is_dropped_too(app, make_post, make_comment):
    post = make_post("hello")
    comment = make_comment(post, created_at=NOW - timedelta(days=40), user_agent=UA)
    with app.app_context():
        assert prune_addresses(NOW) == 1
        db.session.commit()
    assert stored_context(app, comment.id)[:2] == (None, None)


def test_the_command_uses_the_retention_setting(app_with, make_post, make_comment):
    app = app_with(PORCH_ADDRESS_RETENTION_DAYS=2)
    post = make_post("hello")
    three_days = make_comment(post, minutes_ago=3 * 24 * 60, remote_addr="203.0.113.77")
    one_day = make_comment(post, minutes_ago=24 * 60, remote_addr="203.0.113.78")
    result = app.test_cli_runner().invoke(args=["people", "prune-addresses"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "1 comments kept their address's network only, and no user agent.\n"
        "0 received messages that published nothing forgot their sender.\n"
    )
    assert stored_context(app, three_days.id)[0] == "203.0.113.0/24"
    assert stored_context(app, one_day.id)[0] == "203.0.113.78"


def test_the_worker_prunes_addresses(app_with, make_post, make_comment):
    app = app_with(PORCH_MAIL_LOOP_SECONDS=0)
    post = make_post("hello")
    old = make_comment(post, minutes_ago=31 * 24 * 60, remote_addr="203.0.113.77", user_agent=UA)
    result = app.test_cli_runner().invoke(
        args=["worker", "--job", "prune-addresses", "--passes", "1"]
    )
    assert result.exit_code == 0, result.output
    assert stored_context(app, old.id)[:2] == ("203.0.113.0/24", None)
