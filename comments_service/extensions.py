"""Flask extensions, created unbound and bound to the app in create_app()."""

from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
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
