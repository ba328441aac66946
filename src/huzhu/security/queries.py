"""Reads of the security app: the access log and who may reach personal data (三员 pages)."""
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from huzhu.core.dates import within_days
from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of

from . import throttling
from .models import PersonalDataAccess, TotpDevice
from .permissions import can_open_document, can_reveal_personal_data


def access_records(*, from_on=None, to_on=None, actor: str = "", kind: str = ""):
    """Personal-data access records newest first, within a day range, by actor label and kind."""
    records = within_days(PersonalDataAccess.objects.all(), "at", from_on=from_on, to_on=to_on)
    if actor:
        records = records.filter(actor_label=actor)
    if kind:
        records = records.filter(kind=kind)
    return records.order_by("-at", "-id")


@dataclass(frozen=True)
class StaffAccess:
    """One staff account as the security administrator reviews it: role, scope, what it may open."""

    user_id: int
    username: str
    role: str
    role_label: str
    division: str
    is_active: bool
    may_reveal: bool
    may_open_health_documents: bool
    has_totp: bool
    locked: bool
    last_login_at: object


def staff_access_review() -> list[StaffAccess]:
    """Every staff account with what its role lets it see of workers' personal data (access review)."""
    users = (get_user_model().objects.filter(staff__isnull=False)
             .select_related("staff", "staff__division").order_by("staff__role", "username"))
    with_totp = set(TotpDevice.objects.filter(confirmed_at__isnull=False).values_list("user_id", flat=True))
    labels = dict(Role.choices)
    rows = []
    for user in users:
        scope = scope_of(user)
        rows.append(StaffAccess(
            user_id=user.pk, username=user.username, role=user.staff.role,
            role_label=str(labels.get(user.staff.role, user.staff.role)),
            division=user.staff.division.name if user.staff.division else "",
            is_active=user.is_active, may_reveal=can_reveal_personal_data(scope),
            may_open_health_documents=can_open_document(scope, "invoice"), has_totp=user.pk in with_totp,
            locked=throttling.is_login_locked(user.username, None), last_login_at=user.last_login))
    return rows
