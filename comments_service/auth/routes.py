from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..enums import Notify
from ..extensions import db, limiter, login_manager
from ..models import Staff, utcnow
from ..services import staff as accounts
from . import bp
from .forms import LoginForm, NotifyForm

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see what is waiting for you."


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
        flash("That email and password do not match an active account.", "error")
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
    flash("You are signed out.", "info")
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
            return render_template("auth/settings.html", form=form), 422
        current_user.notify = Notify(form.notify.data)
        db.session.commit()
        flash("Your email settings are saved.", "success")
        return redirect(url_for("auth.settings"), code=303)
    return render_template("auth/settings.html", form=form)
