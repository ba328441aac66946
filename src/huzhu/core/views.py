"""Project-wide pages (health check, the role-fitted home page) and the POST-view helper every app uses."""
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render

from . import replica, todo
from .errors import DomainError, NotFound


def healthz(request):
    """Liveness and database check for load balancers: 200 ok, 503 with the failing part; with a read replica, its
    state and replay lag in seconds (a replica down is reported, the primary still answers 200)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not ok"
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    body: dict[str, object] = {"status": "ok", "database": "ok"}
    if replica.replica_configured():  # the reports read there: its state is shown, the app stays up without it
        try:
            body.update(replica="ok", replica_lag_seconds=round(replica.replica_lag_seconds() or 0.0, 3))
        except Exception:  # noqa: BLE001 - a replica that does not answer is reported, not raised
            body.update(replica="error", replica_lag_seconds=None)
    return JsonResponse(body)


@login_required
def home(request):
    """The 工作台: the role's to-do counts (core.todo readers the apps register), then its pages."""
    return render(request, "core/home.html", {"todos": todo.todos_for(request.user)})


def act_and_redirect(request, action: Callable[[], Any], *, to: str | Callable[[Any], str],
                     done: str | Callable[[Any], str] | None = None, back: str | None = None,
                     failed: Callable[[DomainError], str] | None = None) -> HttpResponseRedirect:
    """Run a POST view's service call; a refusal becomes an error message, success `done`; then redirect.

    `to` (a URL or a view name without arguments, or built from what `action` returned) is where
    success goes, and a refusal too unless `back` says otherwise (a built `to` needs `back`). `done` is a message or built from
    the result; `failed` words the refusal (default: its message). A record the service found
    outside the actor's scope is the 404 page, as on every door.
    """
    try:
        result = action()
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, failed(error) if failed else error.message)
        return redirect(back or to)
    if done is not None:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(to(result) if callable(to) else to)
