"""Alembic environment: migrate the database of the Flask app that runs the command."""

from alembic import context
from flask import current_app

from comments_service.models import made_on

database = current_app.extensions["migrate"].db
config = context.config
config.set_main_option(
    "sqlalchemy.url",
    database.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)
options = {
    "target_metadata": database.metadata,
    # SQLite alters tables by copying them; batch mode makes later migrations portable.
    "render_as_batch": True,
    "compare_type": True,
    "include_object": made_on(database.engine.dialect.name),
    **current_app.extensions["migrate"].configure_args,
}


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with database.engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
