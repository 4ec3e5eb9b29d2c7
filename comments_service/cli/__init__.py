"""Operator commands, one module per noun: ``flask --app comments_service NOUN ...``.

``staff``, ``posts``, ``comments`` (with the listening commands), ``mail``, ``import``,
``people``, ``blocklist``, ``stats``, ``report``, ``rebake`` and ``worker``.
"""

from comments_service.cli import listening  # noqa: F401  (adds its commands to ``comments``)
from comments_service.cli.blocklist import blocklist_cli
from comments_service.cli.comments import comments_cli
from comments_service.cli.imports import import_cli
from comments_service.cli.mail import mail_cli
from comments_service.cli.people import people_cli
from comments_service.cli.posts import posts_cli
from comments_service.cli.report import report
from comments_service.cli.staff import staff_cli
from comments_service.cli.stats import stats
from comments_service.cli.worker import worker
from comments_service.rebaking import rebake_command

COMMANDS = (
    staff_cli,
    posts_cli,
    comments_cli,
    mail_cli,
    import_cli,
    people_cli,
    blocklist_cli,
    stats,
    report,
    rebake_command,
    worker,
)


def register(app) -> None:
    """Add every operator command to the app's ``flask`` command line."""
    for command in COMMANDS:
        app.cli.add_command(command)
