"""三员分立: the system, security and audit administrators are distinct roles and none does another's work.

Each administrator reaches only her own pages; business pages, the API and the other two
administrators' pages and services are refused to her; no everyday account is a superuser.
"""
from io import StringIO

import pytest
from django.core.management import call_command

from huzhu.audit.models import AuditEvent
from huzhu.conftest import PASSWORD, make_staff, make_worker
from huzhu.core.errors import PermissionDenied
from huzhu.demo.accounts import DEMO_ACCOUNTS
from huzhu.regions.models import Role, StaffProfile
from huzhu.regions.queries import scope_of
from huzhu.regions.services import create_staff_account, save_staff_profile
from huzhu.security import services, throttling
from huzhu.security.models import ApiToken, TotpDevice

pytestmark = pytest.mark.django_db


def administrator(username: str, role: str):
    return create_staff_account(actor=None, username=username, password=PASSWORD, role=role)


@pytest.fixture
def system_admin(db):
    return administrator("xitong", Role.ADMIN)


@pytest.fixture
def security_admin(db):
    return administrator("anquan_test", Role.SECURITY_ADMIN)


@pytest.fixture
def audit_admin(db):
    return administrator("shenji_test", Role.AUDIT_ADMIN)


@pytest.fixture
def administrators(system_admin, security_admin, audit_admin):
    return {Role.ADMIN: system_admin, Role.SECURITY_ADMIN: security_admin, Role.AUDIT_ADMIN: audit_admin}


OWN_PAGES = {Role.ADMIN: "/admin/", Role.SECURITY_ADMIN: "/security/administration/",
             Role.AUDIT_ADMIN: "/security/audit-log/"}


def test_the_three_administrators_are_distinct_roles_with_no_region(administrators):
    assert len({scope_of(user).role for user in administrators.values()}) == 3
    for user in administrators.values():
        assert scope_of(user).level == "none"  # every business query filtered by it is empty
        assert not user.is_superuser


def test_only_the_system_administrator_reaches_the_admin_site(client, administrators):
    assert administrators[Role.ADMIN].is_staff
    assert not administrators[Role.SECURITY_ADMIN].is_staff and not administrators[Role.AUDIT_ADMIN].is_staff
    client.force_login(administrators[Role.ADMIN])
    index = client.get("/admin/")
    assert index.status_code == 200
    apps = {app["app_label"] for app in index.context["app_list"]}
    assert apps == {"auth", "regions"}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_each_administrator_opens_her_own_page(client, administrators, role):
    client.force_login(administrators[role])
    assert client.get(OWN_PAGES[role]).status_code == 200


# (administrator, the other's page she must not open, the status she gets)
FORBIDDEN_PAGES = [
    (Role.ADMIN, "/security/administration/", 404),
    (Role.ADMIN, "/security/audit-log/", 404),
    (Role.ADMIN, "/security/access-log/", 404),
    (Role.ADMIN, "/security/audit-log/export/?format=csv", 404),
    (Role.SECURITY_ADMIN, "/admin/", 403),
    (Role.SECURITY_ADMIN, "/security/audit-log/", 404),
    (Role.SECURITY_ADMIN, "/security/access-log/", 404),
    (Role.SECURITY_ADMIN, "/security/access-log/export/?format=xlsx", 404),
    (Role.AUDIT_ADMIN, "/admin/", 403),
    (Role.AUDIT_ADMIN, "/security/administration/", 404),
]


@pytest.mark.parametrize(("role", "path", "status"), FORBIDDEN_PAGES, ids=[f"{r}-{p}" for r, p, _s in FORBIDDEN_PAGES])
def test_no_administrator_opens_another_administrators_page(client, administrators, role, path, status):
    client.force_login(administrators[role])
    assert client.get(path).status_code == status


BUSINESS_PAGES = ["/members/workers/", "/members/units/", "/claims/", "/enrollment/", "/reports/",
                  "/ledger/", "/payouts/", "/risk/", "/plans/"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
@pytest.mark.parametrize("path", BUSINESS_PAGES)
def test_no_administrator_opens_a_business_page(client, administrators, role, path):
    client.force_login(administrators[role])
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_no_administrator_reveals_a_full_number(administrators, role, home_unit):
    worker = make_worker(home_unit)
    with pytest.raises(PermissionDenied):
        services.reveal_personal_data(actor=administrators[role], worker=worker, field="id_number", reason="核对")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_no_administrator_gets_or_uses_an_api_token(client, administrators, role):
    user = administrators[role]
    with pytest.raises(PermissionDenied):
        services.create_api_token(actor=user, user=user, name="接口")
    # A token issued before the account became an administrator is refused too.
    ApiToken.objects.create(user=user, name="旧令牌", token_hash=services.hash_token("hzs_old-token"), prefix="hzs_old")
    response = client.get("/api/v1/members/workers", headers={"Authorization": "Bearer hzs_old-token"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDIT_ADMIN])
def test_only_the_security_administrator_unlocks_accounts_and_resets_two_factor(administrators, role,
                                                                              county_clerk):
    with pytest.raises(PermissionDenied):
        services.unlock_account(actor=administrators[role], user=county_clerk)
    with pytest.raises(PermissionDenied):
        services.reset_two_factor(actor=administrators[role], user=county_clerk)


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_only_the_system_administrator_assigns_roles(administrators, role, county_clerk):
    profile = county_clerk.staff
    profile.role = Role.ASSOCIATION
    with pytest.raises(PermissionDenied):
        save_staff_profile(actor=administrators[role], profile=profile)
    assert StaffProfile.objects.get(pk=profile.pk).role == Role.AGENCY


def test_the_security_administrator_unlocks_a_locked_account_audited(client, security_admin, county_clerk):
    for _attempt in range(5):
        throttling.register_login_failure(county_clerk.username, None)
    assert throttling.is_login_locked(county_clerk.username, None)
    client.force_login(security_admin)
    assert client.post(f"/security/administration/{county_clerk.pk}/unlock/").status_code == 302
    assert not throttling.is_login_locked(county_clerk.username, None)
    event = AuditEvent.objects.get(action="account.unlocked")
    assert (event.actor, event.object_id, event.after["was_locked"]) == (security_admin, str(county_clerk.pk), True)


def test_the_security_administrator_resets_two_factor_but_never_her_own(client, security_admin, county_clerk):
    TotpDevice.objects.create(user=county_clerk, secret_encrypted="x", confirmed_at="2026-01-01T00:00Z")
    client.force_login(security_admin)
    client.post(f"/security/administration/{county_clerk.pk}/reset-totp/")
    assert not TotpDevice.objects.filter(user=county_clerk).exists()
    assert AuditEvent.objects.filter(action="totp.reset", object_id=str(county_clerk.pk)).exists()
    TotpDevice.objects.create(user=security_admin, secret_encrypted="x", confirmed_at="2026-01-01T00:00Z")
    with pytest.raises(PermissionDenied):
        services.reset_two_factor(actor=security_admin, user=security_admin)
    assert TotpDevice.objects.filter(user=security_admin).exists()


def test_the_security_administrator_reviews_who_may_reach_personal_data(client, security_admin, county_clerk,
                                                                      auditor):
    client.force_login(security_admin)
    page = client.get("/security/administration/")
    rows = {row.username: row for row in page.context["staff"]}
    assert rows[county_clerk.username].may_reveal and rows[county_clerk.username].may_open_health_documents
    assert not rows[auditor.username].may_reveal and rows[auditor.username].may_open_health_documents
    assert not rows[security_admin.username].may_reveal


@pytest.mark.parametrize("role", [Role.ASSOCIATION, Role.AUDITOR, Role.AGENCY])
def test_business_roles_see_none_of_the_administrators_pages(client, role):
    user = make_staff(f"business_{role}", role, division="150203" if role == Role.AGENCY else None)
    client.force_login(user)
    for path in ("/security/administration/", "/security/audit-log/", "/security/access-log/"):
        assert client.get(path).status_code == 404, path
    assert client.get("/admin/").status_code == 302  # not staff: the admin site sends her to sign in


# --- the admin site: the system administrator's part -------------------------------------------

def test_the_system_administrator_sees_no_business_security_or_audit_table_in_the_admin(client, system_admin):
    client.force_login(system_admin)
    for path in ("/admin/members/worker/", "/admin/claims/claim/", "/admin/security/totpdevice/",
                 "/admin/security/apitoken/"):
        assert client.get(path).status_code == 403, path
    for path in ("/admin/audit/auditevent/", "/admin/security/personaldataaccess/"):
        assert client.get(path).status_code == 404, path  # registered for nobody
    assert client.get("/admin/regions/staffprofile/").status_code == 200


def test_the_system_administrator_changes_a_role_and_it_is_audited(client, system_admin, county_clerk):
    client.force_login(system_admin)
    profile = county_clerk.staff
    response = client.post(f"/admin/regions/staffprofile/{profile.pk}/change/",
                           {"user": county_clerk.pk, "role": Role.OFFICE, "division": "150200", "unit": ""})
    assert response.status_code == 302
    assert StaffProfile.objects.get(pk=profile.pk).role == Role.OFFICE
    event = AuditEvent.objects.get(action="permission.changed")
    assert event.actor == system_admin
    assert (event.before["role"], event.after["role"]) == (Role.AGENCY, Role.OFFICE)
    assert AuditEvent.objects.filter(action="admin.changed", object_type="regions.StaffProfile").exists()


def test_the_system_administrator_may_not_appoint_a_security_or_audit_administrator(client, system_admin,
                                                                                  county_clerk):
    client.force_login(system_admin)
    response = client.post(f"/admin/regions/staffprofile/{county_clerk.staff.pk}/change/",
                           {"user": county_clerk.pk, "role": Role.AUDIT_ADMIN, "division": "", "unit": ""})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert StaffProfile.objects.get(pk=county_clerk.staff.pk).role == Role.AGENCY
    with pytest.raises(PermissionDenied):
        save_staff_profile(actor=system_admin, profile=StaffProfile(user=county_clerk, role=Role.SECURITY_ADMIN))


def test_the_system_administrator_may_not_change_her_own_role(system_admin):
    profile = system_admin.staff
    profile.role = Role.AUDIT_ADMIN
    with pytest.raises(PermissionDenied):
        save_staff_profile(actor=system_admin, profile=profile)


def test_the_system_administrator_cannot_reach_the_other_administrators_accounts(client, administrators):
    client.force_login(administrators[Role.ADMIN])
    listed = {user.username for user in client.get("/admin/auth/user/").context["cl"].result_list}
    assert administrators[Role.ADMIN].username in listed
    assert not listed & {administrators[Role.SECURITY_ADMIN].username, administrators[Role.AUDIT_ADMIN].username}
    # Otherwise she could set their password and sign in as them.
    assert client.get(f"/admin/auth/user/{administrators[Role.AUDIT_ADMIN].pk}/password/").status_code in (302, 404)


# --- the demo and the superuser ------------------------------------------------------------------

def test_the_demo_admin_is_the_system_administrator_not_a_superuser(client):
    for username, role, division, label in DEMO_ACCOUNTS:
        create_staff_account(actor=None, username=username, password=PASSWORD, role=role, full_name=label,
                             division_code=division)
    admin = StaffProfile.objects.get(user__username="admin")
    assert admin.role == Role.ADMIN and admin.user.is_staff and not admin.user.is_superuser
    assert StaffProfile.objects.get(user__username="anquan").role == Role.SECURITY_ADMIN
    assert StaffProfile.objects.get(user__username="shenjiyuan").role == Role.AUDIT_ADMIN
    assert not StaffProfile.objects.filter(user__is_superuser=True).exists()


def test_demo_logins_prints_the_security_and_audit_administrators():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "anquan" in out.getvalue() and "安全管理员" in out.getvalue()
    assert "shenjiyuan" in out.getvalue() and "安全审计员" in out.getvalue()


def test_the_security_and_audit_administrators_are_appointed_from_the_command_line(monkeypatch):
    monkeypatch.setenv("HUZHU_NEW_STAFF_PASSWORD", "Qiang-Mima-2026!")
    call_command("create-staff", "shenji2", "--role", "audit_admin", stdout=StringIO())
    assert StaffProfile.objects.get(user__username="shenji2").role == Role.AUDIT_ADMIN
    assert AuditEvent.objects.filter(action="create_staff_account", after__role="audit_admin").exists()
