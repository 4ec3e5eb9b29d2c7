"""WSGI entry point: ``gunicorn comments_service.wsgi:app``."""

from . import create_app

app = create_app()
