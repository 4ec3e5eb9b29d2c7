import secrets
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from sqlalchemy import func, select

from ..extensions import db, limiter, login_manager
from ..models import Staff
from ..services.passwords import hash_password, needs_rehash, verify_password
from . import bp
from .forms import LoginForm

UNKNOWN_ACCOUNT_HASH = hash_password(secrets.token_hex(16))

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see what is waiting for you."


@login_manager.user_loader
def load_staff(session_id: str) -> Staff | None:
    staff_id, _, fingerprint = session_id.partition(":")
    staff = db.session.get(Staff, int(staff_id)) if staff_id.isdigit() else None
    if staff is None or staff.password_fingerprint != fingerprint:
        return None
    return staff


def login_rate_limit() -> str:
    return current_app.config["PORCH_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        staff = _authenticate(form.email.data, form.password.data)
        if staff is not None:
            login_user(staff, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")), code=303)
        flash("That email and password do not match an active account.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


def _authenticate(email: str, password: str) -> Staff | None:
    staff = db.session.scalar(select(Staff).where(func.lower(Staff.email) == email.lower()))
    if staff is None:
        verify_password(UNKNOWN_ACCOUNT_HASH, password)  # same time as a known address
        return None
    if not staff.active or not verify_password(staff.password_hash, password):
        return None
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
        db.session.commit()
    return staff


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and "\\" not in target
        if local and target.startswith("/"):
            return target
    return url_for("moderation.queue")
