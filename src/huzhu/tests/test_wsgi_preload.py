"""`gunicorn --preload` imports huzhu.wsgi in the master: the views and scipy must load there, with no database."""
import os
import subprocess
import sys
from pathlib import Path

import huzhu

CHECK = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "huzhu.settings"
import huzhu.wsgi
from django.db import connections
print("scipy" in sys.modules, "huzhu.actuarial.views" in sys.modules,
      all(c.connection is None for c in connections.all(initialized_only=True)))
"""


def test_loading_the_wsgi_application_imports_the_views_and_opens_no_database_connection():
    env = {**os.environ, "PYTHONPATH": str(Path(huzhu.__file__).resolve().parent.parent)}  # this checkout
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=True,
                            env=env)
    assert result.stdout.split() == ["True", "True", "True"], result.stderr[-2000:]
