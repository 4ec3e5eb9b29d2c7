"""Flask extensions, created unbound and bound to the app in create_app()."""

import threading
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

from flask_babel import Babel
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable, so Alembic can alter them."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


@event.listens_for(Engine, "connect")
def _write_ahead_on_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite in WAL mode: readers and the writer do not wait for each other.

    The mode is kept in the database file (its -wal and -shm files lie next to it);
    asking on each new connection switches a file made before.
    """
    if type(dbapi_connection).__module__ == "sqlite3":
        dbapi_connection.execute("PRAGMA journal_mode=WAL")


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
cors = CORS()
babel = Babel()


_WRITER_TURNS = "porch_sqlite_writer_turns"


@contextmanager
def one_writer_at_a_time(app):
    """On SQLite, this process's writers take turns before asking for the file's lock.

    SQLite keeps no queue: a writer that finds the lock taken sleeps and tries again,
    and with many threads some miss the free lock for seconds. Taking turns here
    leaves one writer per process trying. Waits as long as for the database itself,
    then is a busy database (503). PostgreSQL locks rows, not the database: no turns.
    """
    if not app.config["PORCH_DATABASE_URL"].startswith("sqlite"):
        yield
        return
    turns = app.extensions.setdefault(_WRITER_TURNS, threading.Lock())
    if not turns.acquire(timeout=app.config["PORCH_DATABASE_TIMEOUT_SECONDS"]):
        raise PoolTimeout("other writers of this process held the SQLite file too long")
    try:
        yield
    finally:
        turns.release()


Read = TypeVar("Read")


def once_more_if_dropped(read: Callable[[], Read], session=None) -> Read:
    """Make a read, and once more if its pooled connection turned out dropped.

    Pooled connections are not tested before use (no ``pool_pre_ping``: a round trip on
    every checkout). A connection the database dropped since it was pooled (a restart, a
    failover) fails its first statement instead; SQLAlchemy then invalidates it and every
    connection pooled before it, so the second try connects afresh. Only for a request's
    first read: nothing before it is lost, and it changes nothing if it ran. A database
    still away fails the second try too: a 503 (errors.py). A read through the ORM gives
    its ``session``, rolled back before the second try.
    """
    try:
        return read()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        if session is not None:
            session.rollback()
        return read()


class DriverRead:
    """A one-row read made on a pooled driver (DBAPI) connection, without SQLAlchemy's
    Connection, transaction and Result around it: for the statement every thread read
    runs first, 14 µs on SQLite instead of 64 (about a tenth of a replayed read).

    Its errors are raised as a Connection raises them: a ``DBAPIError`` whose
    ``connection_invalidated`` says the connection was dropped, in which case the pool
    is renewed (the connections pooled with it are gone too). So ``once_more_if_dropped``
    and the 503 answer take them alike. While anything listens to the engine's statements
    (tracing, the tests' statement counts), it reads through a Connection, so they see it.
    """

    def __init__(self, engine: Engine, statement):
        compiled = statement.compile(dialect=engine.dialect)
        self.engine, self.statement, self.sql = engine, statement, compiled.string
        self.order = compiled.positiontup if compiled.positional else None
        self.errors = engine.dialect.loaded_dbapi.Error

    def one_or_none(self, **params) -> tuple | None:
        if self._observed():
            with self.engine.connect() as connection:
                return connection.execute(self.statement, params).one_or_none()
        if self.order is not None:
            params = tuple(params[name] for name in self.order)
        try:
            connection = self.engine.raw_connection()
        except self.errors as error:
            raise self._raised(error, params, None, None) from error
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, params)
            return cursor.fetchone()
        except self.errors as error:
            raise self._raised(error, params, connection, cursor) from error
        finally:
            if cursor is not None:
                cursor.close()
            connection.close()  # back to the pool, rolled back

    def _observed(self) -> bool:
        dispatch = self.engine.dispatch
        return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)

    def _raised(self, error, params, connection, cursor) -> DBAPIError:
        dialect = self.engine.dialect
        dropped = connection is not None and dialect.is_disconnect(error, connection, cursor)
        if dropped:
            connection.invalidate(error)
            self.engine.dispose(close=False)
        return DBAPIError.instance(
            self.sql, params, error, self.errors, connection_invalidated=dropped, dialect=dialect
        )
