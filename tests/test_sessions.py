"""Staff sessions live on the server: signing out, a new password or deactivation ends them.

Cookies are copied aside and replayed in a fresh client, as someone who copied them
from a shared computer would.
"""

import time
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select

from comments_service.extensions import db
from comments_service.models import Staff, StaffSession
from comments_service.services.accounts import staff as accounts

from .conftest import PASSWORD, csrf_token, stored

SESSION_COOKIE = "session"
REMEMBER_COOKIE = "remember_token"


def sign_in(client, staff, remember=False):
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    data = {"email": staff.email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def sign_out(client):
    token = csrf_token(client.get("/moderation/").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 303


def cookie(client, name):
    return client.get_cookie(name).value


def opens_moderation(app, **cookies) -> bool:
    """Whether a fresh client holding only these cookies gets the moderation page."""
    fresh = app.test_client()
    for name, value in cookies.items():
        fresh.set_cookie(name, value)
    response = fresh.get("/moderation/")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/auth/login")
    return response.status_code == 200


def sessions_of(app, staff) -> list[StaffSession]:
    with app.app_context():
        return db.session.scalars(
            select(StaffSession).where(StaffSession.staff_id == staff.id)
        ).all()


def test_a_session_cookie_copied_before_sign_out_opens_nothing_after(app, client, make_staff):
    sign_in(client, make_staff("Ana Lima"))
    copied = cookie(client, SESSION_COOKIE)
    assert opens_moderation(app, session=copied)
    sign_out(client)
    assert not opens_moderation(app, session=copied)


def test_a_remember_me_cookie_copied_before_sign_out_opens_nothing_after(app, client, make_staff):
    sign_in(client, make_staff("Ana Lima"), remember=True)
    copied = cookie(client, REMEMBER_COOKIE)
    assert opens_moderation(app, remember_token=copied)
    sign_out(client)
    assert not opens_moderation(app, remember_token=copied)


def test_every_sign_in_gets_its_own_remember_token(app, make_staff):
    ana = make_staff("Ana Lima")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, ana, remember=True)
    sign_in(phone, ana, remember=True)
    assert cookie(laptop, REMEMBER_COOKIE) != cookie(phone, REMEMBER_COOKIE)
    sign_out(laptop)
    assert opens_moderation(app, remember_token=cookie(phone, REMEMBER_COOKIE))


def test_a_new_password_signs_the_account_out_on_every_device(app, make_staff):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    laptop, phone, bens = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, ana)
    sign_in(phone, ana, remember=True)
    sign_in(bens, ben)
    remembered = cookie(phone, REMEMBER_COOKIE)
    result = app.test_cli_runner().invoke(
        args=["staff", "set-password", "Ana Lima", "--password-stdin"], input="a brand new secret\n"
    )
    assert result.exit_code == 0, result.output
    assert laptop.get("/moderation/").status_code == 302
    assert phone.get("/moderation/").status_code == 302
    assert not opens_moderation(app, remember_token=remembered)
    assert bens.get("/moderation/").status_code == 200
    assert sessions_of(app, ana) == []


def test_a_new_password_set_through_the_service_ends_the_sessions(app, client, make_staff):
    ana = make_staff("Ana Lima")
    sign_in(client, ana, remember=True)
    with app.app_context():
        accounts.set_password(db.session.get(Staff, ana.id), "a brand new secret")
        db.session.commit()
    assert client.get("/moderation/").status_code == 302
    assert sessions_of(app, ana) == []


def test_deactivation_ends_every_session_for_good(app, make_staff):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    laptop, phone, bens = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, ana)
    sign_in(phone, ana, remember=True)
    sign_in(bens, ben)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["staff", "deactivate", "Ana Lima"]).exit_code == 0
    assert sessions_of(app, ana) == []
    # Reactivating lets Ana sign in again, but brings none of the old sessions back.
    assert runner.invoke(args=["staff", "reactivate", "Ana Lima"]).exit_code == 0
    assert laptop.get("/moderation/").status_code == 302
    assert phone.get("/moderation/").status_code == 302
    assert bens.get("/moderation/").status_code == 200


def test_a_session_lasts_session_hours_on_the_server(app_with, make_staff):
    app = app_with(PORCH_SESSION_HOURS=2)
    client = app.test_client()
    ana = make_staff("Ana Lima")
    sign_in(client, ana)
    (session,) = sessions_of(app, ana)
    assert abs(session.expires_at - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=1)
    with app.app_context():
        db.session.get(StaffSession, session.token_hash).expires_at = datetime.now(UTC)
        db.session.commit()
    assert client.get("/moderation/").status_code == 302


def test_keep_me_signed_in_lasts_remember_days_and_then_ends(app_with, make_staff):
    app = app_with(PORCH_REMEMBER_DAYS=3)
    client = app.test_client()
    ana = make_staff("Ana Lima")
    sign_in(client, ana, remember=True)
    remembered = cookie(client, REMEMBER_COOKIE)
    (session,) = sessions_of(app, ana)
    assert abs(session.expires_at - (datetime.now(UTC) + timedelta(days=3))) < timedelta(minutes=1)
    with app.app_context():
        db.session.get(StaffSession, session.token_hash).expires_at = datetime.now(UTC)
        db.session.commit()
    assert not opens_moderation(app, remember_token=remembered)


def test_a_session_token_is_refused_once_its_lifetime_has_passed(app, make_staff):
    ana = make_staff("Ana Lima")
    with app.app_context():
        token = accounts.start_session(db.session.get(Staff, ana.id), timedelta(hours=1))
        db.session.commit()
        now = datetime.now(UTC)
        assert accounts.staff_for_session(token, now).id == ana.id
        assert accounts.staff_for_session(token, now + timedelta(hours=1, seconds=1)) is None
        assert accounts.staff_for_session("a guessed token", now) is None


def test_only_a_hash_of_the_session_token_is_stored(app, make_staff):
    ana = make_staff("Ana Lima")
    with app.app_context():
        token = accounts.start_session(db.session.get(Staff, ana.id), timedelta(hours=1))
        db.session.commit()
    (session,) = sessions_of(app, ana)
    assert token not in session.token_hash


def test_expired_sessions_are_swept_out_at_the_next_sign_in(app, client, make_staff):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    with app.app_context():
        accounts.start_session(db.session.get(Staff, ana.id), timedelta(0))
        db.session.commit()
    sign_in(client, ben)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 1
    assert [s.staff_id for s in sessions_of(app, ben)] == [ben.id]


def test_the_worker_purges_expired_sessions_and_keeps_live_ones(app, make_staff):
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    with app.app_context():
        accounts.start_session(db.session.get(Staff, ben.id), timedelta(hours=1))
        accounts.start_session(db.session.get(Staff, ana.id), timedelta(0))
        db.session.commit()
    assert len(sessions_of(app, ana)) == 1
    result = app.test_cli_runner().invoke(
        args=["worker", "--job", "purge-sessions", "--passes", "1"]
    )
    assert result.exit_code == 0, result.output
    assert sessions_of(app, ana) == []
    assert [s.staff_id for s in sessions_of(app, ben)] == [ben.id]


# Cheaper than the default (~60 ms here) yet far above a database round trip, so a
# skipped password check shows without any absolute time limit.
MEASURABLE_HASHER = PasswordHasher(time_cost=4, memory_cost=16384, parallelism=1)


def fastest_seconds(attempts: dict, rounds: int = 5) -> dict:
    """The fastest of several interleaved runs of each attempt.

    Other work on the machine only ever adds time, so the fastest run is the
    closest to the work an attempt really does; interleaving spreads any load
    over every attempt alike.
    """
    fastest = dict.fromkeys(attempts, float("inf"))
    for _ in range(rounds):
        for label, attempt in attempts.items():
            start = time.perf_counter()
            attempt()
            fastest[label] = min(fastest[label], time.perf_counter() - start)
    return fastest


def test_a_deactivated_account_is_refused_as_slowly_as_a_wrong_password(app):
    """Otherwise the time of a failed sign-in tells which accounts are deactivated.

    Skipping the hash check made a refusal some 20 times faster; a quarter is the bar.
    """
    password_hash = MEASURABLE_HASHER.hash(PASSWORD)
    for name, active in [("Ana Lima", True), ("Ben Okafor", False)]:
        email = f"{name.split()[0].lower()}@porch.test"
        stored(app, Staff(name=name, email=email, password_hash=password_hash, active=active))
    with app.app_context():
        times = fastest_seconds(
            {
                "wrong password": lambda: accounts.authenticate("ana@porch.test", "nope"),
                "deactivated": lambda: accounts.authenticate("ben@porch.test", "nope"),
                "deactivated, right password": lambda: accounts.authenticate(
                    "ben@porch.test", PASSWORD
                ),
            }
        )
        assert accounts.authenticate("ben@porch.test", PASSWORD) is None
    assert times["deactivated"] > times["wrong password"] / 4
    assert times["deactivated, right password"] > times["wrong password"] / 4
