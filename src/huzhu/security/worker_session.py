"""The worker's web door: who is signed in on this browser, after the one-time SMS code.

The pages for a worker (`/me/`, her claims, her coverage) read the worker from here and nowhere
else; ID number and phone alone never open them (a unit contact knows both). The session lasts
as long as an API worker token and ends earlier after the same idle time.
"""
import time
from functools import wraps

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SESSION_KEY = "security.worker"


def sign_in(request, worker) -> None:
    """Bind the browser's session to a worker who has just proved the code (a fresh session key)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"w": worker.pk, "at": time.time()}


def sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)


def signed_in_worker_id(request) -> int | None:
    """The signed-in worker's id, or None; an idle session past the time limit is ended here."""
    entry = request.session.get(SESSION_KEY)
    if not entry:
        return None
    now = time.time()
    if now - entry.get("at", 0) > settings.HUZHU_WORKER_TOKEN_SECONDS:
        sign_out(request)
        return None
    if now - entry["at"] > 60:  # refresh the idle clock at most once a minute (a session write)
        request.session[SESSION_KEY] = {"w": entry["w"], "at": now}
    return entry["w"]


def sign_in_url(next_path: str) -> str:
    return f"{reverse('me:sign_in')}?{urlencode({'next': next_path})}"


def worker_required(view):
    """A worker page: without a signed-in worker, go to the sign-in page and come back after."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        worker_id = signed_in_worker_id(request)
        if worker_id is None:
            return redirect(sign_in_url(request.get_full_path()))
        request.worker_id = worker_id
        return view(request, *args, **kwargs)

    return wrapper
