"""flask staff add|set-password|deactivate|reactivate|list: staff accounts."""

import sys
from contextlib import contextmanager

import click
from flask.cli import AppGroup
from flask_babel import gettext
from sqlalchemy import select

from comments_service.cli.common import echo_columns, staff_or_fail
from comments_service.extensions import db
from comments_service.models import Role, Staff
from comments_service.services.accounts import staff as accounts
from comments_service.words.characters import for_terminal

staff_cli = AppGroup("staff", help="Staff accounts (authors and admins).")


@staff_cli.command("add")
@click.argument("name")
@click.option("--email", required=True, help="Sign-in address; never shown publicly.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.AUTHOR.value)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_staff(name: str, email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account. NAME must match the Pelican author name exactly."""
    with _staff_errors():
        staff = accounts.add_staff(name, email, Role(role), _new_password(password_stdin))
    db.session.commit()
    added = gettext(
        "Added %(role)s %(name)s <%(email)s>.", role=role, name=staff.name, email=staff.email
    )
    click.echo(for_terminal(added))


@staff_cli.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(name: str, password_stdin: bool) -> None:
    """Give a staff account a new password; its open sessions end."""
    staff = staff_or_fail(name)
    with _staff_errors():
        accounts.set_password(staff, _new_password(password_stdin))
    db.session.commit()
    click.echo(for_terminal(gettext("New password set for %(name)s.", name=staff.name)))


@staff_cli.command("deactivate")
@click.argument("name")
def deactivate(name: str) -> None:
    """Stop an account from signing in and end its sessions; its answers stay published."""
    staff = staff_or_fail(name)
    accounts.deactivate(staff)
    db.session.commit()
    click.echo(for_terminal(gettext("%(name)s can no longer sign in.", name=staff.name)))


@staff_cli.command("reactivate")
@click.argument("name")
def reactivate(name: str) -> None:
    """Let a deactivated account sign in again."""
    staff = staff_or_fail(name)
    accounts.reactivate(staff)
    db.session.commit()
    click.echo(for_terminal(gettext("%(name)s can sign in again.", name=staff.name)))


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt(
        gettext("Password"),
        hide_input=True,
        confirmation_prompt=gettext("Repeat for confirmation"),
    )


@contextmanager
def _staff_errors():
    try:
        yield
    except accounts.StaffError as error:
        raise click.ClickException(str(error)) from None


@staff_cli.command("list")
def list_staff() -> None:
    """List staff accounts."""
    for staff in db.session.scalars(select(Staff).order_by(Staff.name)):
        role = staff.role.value
        if not staff.active:
            role = gettext("%(role)s (inactive)", role=role)
        echo_columns(staff.name, staff.email, role)
