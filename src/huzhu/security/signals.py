"""Sign-in auditing and failure counting, hooked on Django's own auth signals.

These are the only doors every sign-in passes (login page, TOTP step, admin), so the counting
and the audit rows live here rather than in each view.
"""
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from huzhu.audit.services import record_event

from . import throttling


@receiver(user_login_failed, dispatch_uid="huzhu.security.login_failed")
def count_and_audit_login_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "") or ""
    ip = throttling.client_ip(request)
    already_locked = throttling.is_login_locked(username, ip)
    locked_now = False if already_locked else throttling.register_login_failure(username, ip)
    record_event(actor=None, action="login.failed", object_type="user", object_id=username[:40],
                 after={"ip": ip, "locked": already_locked or locked_now})


@receiver(user_logged_in, dispatch_uid="huzhu.security.logged_in")
def audit_login_success(sender, request, user, **kwargs):
    throttling.clear_login_failures(user.get_username())
    record_event(actor=user, action="login.succeeded", object_type="user", object_id=user.pk,
                 after={"ip": throttling.client_ip(request)})
