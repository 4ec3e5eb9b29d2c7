"""Away periods: colleagues cover for a staff member from their first to their last day away."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, Role, Staff, utcnow
from comments_service.queries.care import flagged_by_comment, flagged_staff, owns, unanswered_for
from comments_service.queries.states import unanswered
from comments_service.services.mail.notifications import queue_overdue_reminders
from comments_service.services.moderation import assignment

from .conftest import context_of, csrf_token, service_urls
from .mail_helpers import outbox_rows, post_comment

FIRST, LAST = date(2026, 12, 21), date(2026, 12, 24)


def away(app, staff, first=FIRST, last=LAST) -> None:
    with context_of(app):
        person = db.session.get(Staff, staff.id)
        person.away_from, person.away_until = first, last
        db.session.commit()


def at(day: date, clock: time = time(12)) -> datetime:
    return datetime.combine(day, clock, tzinfo=UTC)


def flagged_names(comment, now) -> list[str]:
    return [staff.name for staff in flagged_staff(db.session.get(Comment, comment.id), now)]


@pytest.mark.usefixtures("ctx")
def test_away_period_starts_on_its_first_day_and_ends_after_its_last(
    app, make_post, make_staff, make_comment
):
    ana = make_staff("Ana Lima")
    make_staff("Root", role=Role.ADMIN)
    comment = make_comment(make_post())
    away(app, ana)
    just_before = at(FIRST, time(0)) - timedelta(microseconds=1)
    assert flagged_names(comment, just_before) == ["Ana Lima"]
    assert flagged_names(comment, at(FIRST, time(0))) == ["Root"]
    assert flagged_names(comment, at(LAST, time(23, 59, 59))) == ["Root"]
    assert flagged_names(comment, at(LAST + timedelta(days=1), time(0))) == ["Ana Lima"]


@pytest.mark.usefixtures("ctx")
def test_while_an_author_is_away_their_comments_are_flagged_for_present_co_authors(
    app, make_post, make_staff, make_comment
):
    ana = make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_staff("Root", role=Role.ADMIN)
    comment = make_comment(make_post(authors=("Ana Lima", "Ben Okafor")))
    away(app, ana)
    assert flagged_names(comment, at(FIRST)) == ["Ben Okafor"]


@pytest.mark.usefixtures("ctx")
def test_when_no_co_author_is_present_the_admins_look_after_the_comment(
    app, make_post, make_staff, make_comment
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    make_staff("Root", role=Role.ADMIN)
    comment = make_comment(make_post(authors=("Ana Lima", "Ben Okafor")))
    away(app, ana)
    away(app, ben, FIRST + timedelta(days=1), LAST)
    assert flagged_names(comment, at(FIRST)) == ["Ben Okafor"]
    assert flagged_names(comment, at(FIRST + timedelta(days=1))) == ["Root"]


@pytest.mark.usefixtures("ctx")
def test_an_admin_away_is_passed_over_while_another_admin_is_present(
    app, make_post, make_staff, make_comment
):
    root, sam = make_staff("Root", role=Role.ADMIN), make_staff("Sam Admin", role=Role.ADMIN)
    comment = make_comment(make_post(authors=("No Account",)))
    away(app, root)
    assert flagged_names(comment, at(FIRST)) == ["Sam Admin"]
    away(app, sam)
    assert flagged_names(comment, at(FIRST)) == ["Root", "Sam Admin"]


@pytest.mark.usefixtures("ctx")
def test_the_away_persons_own_queue_still_shows_their_comments(
    app, make_post, make_staff, make_comment
):
    ana = make_staff("Ana Lima")
    comment = make_comment(make_post())
    away(app, ana)
    assert [c.id for c in db.session.scalars(unanswered_for(ana, at(FIRST)))] == [comment.id]


@pytest.mark.usefixtures("ctx")
def test_a_comment_handed_to_someone_away_is_flagged_for_the_posts_present_authors(
    app, make_post, make_staff, make_comment
):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    comment = make_comment(make_post())
    assignment.reassign(
        db.session.get(Comment, comment.id),
        db.session.get(Staff, ana.id),
        db.session.get(Staff, ben.id),
        urls=service_urls(),
        now=utcnow(),
    )
    db.session.commit()
    away(app, ben, utcnow().date(), utcnow().date())
    now = utcnow()
    assert flagged_names(comment, now) == ["Ana Lima"]
    queues = {
        s.name: [c.id for c in db.session.scalars(unanswered_for(s, now))] for s in (ana, ben)
    }
    assert queues == {"Ana Lima": [comment.id], "Ben Okafor": [comment.id]}


def test_new_comment_emails_go_to_whoever_covers_for_the_away_author(app, make_post, make_staff):
    ana = make_staff("Ana Lima")
    make_staff("Ben Okafor")
    make_post("hello", authors=("Ana Lima", "Ben Okafor"))
    today = utcnow().date()
    away(app, ana, today, today + timedelta(days=7))
    post_comment(app.test_client())
    assert [row.recipient for row in outbox_rows(app)] == ["ben@porch.test"]


def test_overdue_reminders_go_to_the_admins_while_the_only_author_is_away(
    app, make_post, make_staff, make_comment
):
    ana = make_staff("Ana Lima")
    make_staff("Root", role=Role.ADMIN)
    make_comment(make_post(), minutes_ago=30 * 60)
    now = utcnow()
    away(app, ana, now.date(), now.date())
    with app.app_context():
        queued = queue_overdue_reminders(
            urls=service_urls(),
            now=now,
            answer_within=timedelta(hours=24),
            escalate_after=timedelta(hours=72),
        )
        db.session.commit()
    assert queued == 1
    assert [row.recipient for row in outbox_rows(app)] == ["root@porch.test"]


# The settings page


def settings_token(client) -> str:
    page = client.get("/auth/settings").get_data(as_text=True)
    return csrf_token(page.split('id="away-title"')[1])


def set_away(client, token=None, **dates):
    data = {"away_from": "", "away_until": "", **dates}
    if token is not False:
        data["csrf_token"] = token or settings_token(client)
    return client.post("/auth/settings/away", data=data)


def stored_period(app, staff) -> tuple:
    with app.app_context():
        person = db.session.get(Staff, staff.id)
        return person.away_from, person.away_until


def test_settings_page_sets_an_away_period_and_clears_it(app, client, make_staff, login):
    ana = make_staff("Ana Lima")
    login(ana)
    first, last = utcnow().date(), utcnow().date() + timedelta(days=3)
    response = set_away(client, away_from=first.isoformat(), away_until=last.isoformat())
    assert response.status_code == 303
    assert stored_period(app, ana) == (first, last)
    page = client.get("/auth/settings").get_data(as_text=True)
    first_day, last_day = (f"{day.day} {day:%B %Y}" for day in (first, last))  # "7 December 2026"
    assert f"You are away from {first_day} to {last_day}, both days included." in page
    assert f'value="{first.isoformat()}"' in page
    assert set_away(client).status_code == 303
    assert stored_period(app, ana) == (None, None)
    assert "Welcome back" in client.get("/auth/settings").get_data(as_text=True)


@pytest.mark.parametrize(
    "dates, message",
    [
        ({"away_from": "2099-01-10", "away_until": "2099-01-09"}, "comes before the first"),
        ({"away_from": "2099-01-10"}, "Give both the first and the last day away"),
        ({"away_until": "2099-01-10"}, "Give both the first and the last day away"),
        ({"away_from": "2020-01-01", "away_until": "2020-01-05"}, "already past"),
        ({"away_from": "next monday", "away_until": "2099-01-10"}, "Not a valid date"),
    ],
)
def test_settings_page_refuses_impossible_away_periods_with_a_message(
    app, client, make_staff, login, dates, message
):
    ana = make_staff("Ana Lima")
    login(ana)
    set_away(client, away_from="2099-02-01", away_until="2099-02-03")
    response = set_away(client, **dates)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert stored_period(app, ana) == (date(2099, 2, 1), date(2099, 2, 3))


def test_away_form_without_csrf_token_changes_nothing(app, client, make_staff, login):
    ana = make_staff("Ana Lima")
    login(ana)
    response = set_away(client, token=False, away_from="2099-01-01", away_until="2099-01-02")
    assert response.status_code == 400
    assert stored_period(app, ana) == (None, None)


AWAY_CASES = [(), ("Ana Lima",), ("Ben Okafor",), ("Cai Wen",), ("Ana Lima", "Ben Okafor")]


@pytest.mark.parametrize("away_names", AWAY_CASES)
@pytest.mark.usefixtures("ctx")
def test_an_authors_queue_is_what_is_theirs_or_flagged_for_them(
    app, make_post, make_staff, make_comment, away_names
):
    people = {name: make_staff(name) for name in ("Ana Lima", "Ben Okafor", "Cai Wen")}
    make_staff("Root", role=Role.ADMIN)
    shared = make_post("shared", authors=("Ana Lima", "Ben Okafor"))
    bens = make_post("bens", authors=("Ben Okafor",))
    for post, handed_to in [
        (shared, None),
        (make_post("anas"), None),
        (bens, None),
        (shared, "Cai Wen"),
        (bens, "Ana Lima"),
    ]:
        make_comment(post, assigned_to_id=people[handed_to].id if handed_to else None)
    now = at(FIRST)
    for name in away_names:
        away(app, people[name])
    waiting = db.session.scalars(unanswered()).all()
    flagged_for = flagged_by_comment([c.id for c in waiting], now)
    for staff in db.session.scalars(select(Staff).where(Staff.role == Role.AUTHOR)):
        owned = set(
            db.session.scalars(
                select(Comment.id).join(Staff, owns(Staff)).where(Staff.id == staff.id)
            )
        )
        by_the_rule = [
            c.id
            for c in waiting
            if c.id in owned or staff.id in {s.id for s in flagged_for.get(c.id, [])}
        ]
        queue = [c.id for c in db.session.scalars(unanswered_for(staff, now))]
        assert queue == by_the_rule, (staff.name, away_names)
