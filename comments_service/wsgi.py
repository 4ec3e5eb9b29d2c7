"""WSGI entry point: ``gunicorn comments_service.wsgi:app``."""

from comments_service import create_app

app = create_app()
