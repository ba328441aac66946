"""The model backend behind a lockout: a locked username or address cannot even try a password."""
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import throttling


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses while the username or client address is locked out.

    Failures are counted by the `user_login_failed` receiver (security/signals.py), so every
    door that calls `authenticate()` (login page, admin, tests) shares one counter.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and throttling.is_login_locked(username, throttling.client_ip(request)):
            raise PermissionDenied("locked")  # authenticate() stops here and reports a failure
        return super().authenticate(request, username=username, password=password, **kwargs)
