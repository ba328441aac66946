"""Huzhu 互助 — trade-union employee mutual-aid protection."""
from .celery import app as celery_app

__all__ = ["celery_app"]
