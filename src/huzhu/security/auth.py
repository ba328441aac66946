"""Authentication for the JSON API. Routers use these; nothing else authenticates API calls.

- `staff_auth`: a staff or unit-contact API token (`Authorization: Bearer hzs_…`) or the browser
  session. `request.user` is the staff user either way, so `scope_of(request.user)` applies.
- `worker_auth`: a worker's short-lived signed token (`Authorization: Bearer hzw_…`) from
  `POST /api/v1/auth/worker/token`; `request.auth` is the `members.Worker`.
"""
from ninja.security import HttpBearer, SessionAuth

from . import services


class StaffTokenAuth(HttpBearer):
    """Bearer staff token; sets request.user to the token's user."""

    def authenticate(self, request, token: str):
        if not token.startswith(services.STAFF_TOKEN_PREFIX):
            return None  # not ours: let the next method (or the 401 handler) answer
        user = services.user_for_api_token(token)
        request.user = user
        request._api_token_auth = True  # tells the session middlewares this call has no session
        return user


class WorkerTokenAuth(HttpBearer):
    """Bearer worker token; request.auth is the Worker. Staff users are never workers here."""

    def authenticate(self, request, token: str):
        if not token.startswith(services.WORKER_TOKEN_PREFIX):
            return None
        return services.worker_for_token(token)


class StaffSessionAuth(SessionAuth):
    """The browser session, CSRF-checked; a caller with no session is unauthenticated (401), not a CSRF 403."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        services.ensure_business_role(request.user)
        return super().__call__(request)


staff_auth = [StaffTokenAuth(), StaffSessionAuth()]
worker_auth = WorkerTokenAuth()
