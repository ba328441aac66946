import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhu.settings")
application = get_wsgi_application()
# Import every view (and what they import, scipy among it) now rather than at the first request:
# under `gunicorn --preload` that happens once in the master before it forks the workers.
get_resolver().check()
