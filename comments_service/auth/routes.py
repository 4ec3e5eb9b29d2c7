from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, refresh
from flask_login import current_user, login_required, login_user, logout_user

from comments_service.auth import bp
from comments_service.auth.forms import AwayForm, FeedForm, LanguageForm, LoginForm, NotifyForm
from comments_service.enums import Notify
from comments_service.extensions import db, limiter, login_manager
from comments_service.models import Staff, utcnow
from comments_service.services.accounts import staff as accounts
from comments_service.words.times import day_label

login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Please sign in to see what is waiting for you.")
# Flashed as a str in the page's language: a lazy string cannot be kept in the session.
login_manager.localize_callback = str


@login_manager.user_loader
def load_staff(token: str) -> Staff | None:
    return accounts.staff_for_session(token, utcnow())


def login_rate_limit() -> str:
    return current_app.config["PORCH_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        staff = accounts.authenticate(form.email.data, form.password.data)
        if staff is not None:
            _sign_in(staff, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")), code=303)
        flash(gettext("That email and password do not match an active account."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


def _sign_in(staff: Staff, remember: bool) -> None:
    config = current_app.config
    lifetime = (
        timedelta(days=config["PORCH_REMEMBER_DAYS"])
        if remember
        else timedelta(hours=config["PORCH_SESSION_HOURS"])
    )
    accounts.start_session(staff, lifetime)
    db.session.commit()
    login_user(staff, remember=remember, duration=lifetime)


@bp.post("/logout")
@login_required
def logout():
    accounts.end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"), code=303)


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that is a plain path on this site.

    Browsers read a Location header generously: they drop tabs and newlines, take a
    backslash for a slash and ``//host`` for another site, and Werkzeug folds
    ``////host`` into ``//host``. So only a path with one leading slash and no
    backslash, whitespace or control character is followed; a line break would
    also make the redirect itself fail.
    """
    if target and _is_plain_path(target):
        return target
    return url_for("moderation.queue")


def _is_plain_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    return all(char.isprintable() and not char.isspace() for char in target)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Each staff member chooses how they hear about their readers: each, digest, or off."""
    form = NotifyForm(notify=current_user.notify.value)
    if request.method == "POST":
        if not form.validate():
            return _settings_page(422, notify_form=form)
        current_user.notify = Notify(form.notify.data)
        db.session.commit()
        flash(gettext("Your email settings are saved."), "success")
        return redirect(url_for("auth.settings"), code=303)
    return _settings_page(notify_form=form)


@bp.post("/settings/away")
@login_required
def away():
    """Set an away period, or clear it to come back: colleagues cover meanwhile."""
    form = AwayForm()
    if form.validate():
        try:
            accounts.set_away(
                current_user, form.away_from.data, form.away_until.data, utcnow().date()
            )
        except accounts.StaffError as error:
            form.away_until.errors.append(str(error))
        else:
            db.session.commit()
            flash(_away_saved(current_user), "success")
            return redirect(url_for("auth.settings"), code=303)
    return _settings_page(422, away_form=form)


def _away_saved(staff: Staff) -> str:
    if staff.away_from is None:
        return gettext("Welcome back: new comments on your posts come to you again.")
    first, last = day_label(staff.away_from), day_label(staff.away_until)
    return gettext(
        "You are away from %(first)s to %(last)s, both days included.", first=first, last=last
    )


@bp.post("/settings/feed")
@login_required
def new_feed():
    """Make a new private feed address; the old one stops working at once.

    The address is shown on this response only: just a hash of its secret is kept.
    """
    form = FeedForm()
    if not form.validate():
        return _settings_page(400, feed_form=form)
    token = accounts.new_feed_address(current_user)
    db.session.commit()
    flash(gettext("Your new feed address is below; the old one no longer works."), "success")
    # PORCH_PUBLIC_URL already ends with any path prefix the proxy serves the service under.
    path = url_for("feeds.waiting", token=token).removeprefix(request.script_root)
    feed_url = current_app.config["PORCH_PUBLIC_URL"] + path
    return _settings_page(feed_url=feed_url)


@bp.post("/settings/feed/off")
@login_required
def end_feed():
    """Turn the private feed off: its address answers 404 from now on."""
    form = FeedForm()
    if not form.validate():
        return _settings_page(400, feed_form=form)
    accounts.end_feed(current_user)
    db.session.commit()
    flash(gettext("Your feed is off; its address no longer works."), "success")
    return redirect(url_for("auth.settings"), code=303)


@bp.post("/settings/language")
@login_required
def choose_language():
    """The language of the staff member's pages and mails; empty: the blog's."""
    form = LanguageForm()
    if not form.validate():
        return _settings_page(422, language_form=form)
    current_user.language = form.language.data or None
    db.session.commit()
    refresh()  # the message below, and every page from now on, in the language chosen
    flash(gettext("Your language is saved."), "success")
    return redirect(url_for("auth.settings"), code=303)


def _settings_page(status: int = 200, **shown):
    """The settings page with its forms; a refused one keeps what was typed."""
    me = current_user
    shown.setdefault("language_form", LanguageForm(formdata=None, language=me.language or ""))
    shown.setdefault("notify_form", NotifyForm(formdata=None, notify=me.notify.value))
    shown.setdefault(
        "away_form", AwayForm(formdata=None, away_from=me.away_from, away_until=me.away_until)
    )
    shown.setdefault("feed_form", FeedForm(formdata=None))
    shown.setdefault("feed_url", None)
    return render_template("auth/settings.html", **shown), status
