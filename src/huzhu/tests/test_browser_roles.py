"""Every demo role's main path in a real Chromium (issue 22): sign in through the login page (two-factor
enrolment included where the role needs it), walk the pages that role opens every day, and on each page
check a heading, real content from the demo, no error page and no sideways scrolling at 1280 px; then
the worker's phone path at 390 px. A screenshot per step goes to var/screens/<role>_<n>_<step>.png.

The demo is loaded for real (committed) because the live server's thread reads through its own
connection; the crawl's rolled-back module fixture cannot be shared with it. One test walks every role
on one load and reports every role that failed, not only the first.
"""
import io
import re

import pyotp
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from huzhu.claims.models import Claim
from huzhu.conftest import SCREENS, sign_in_on_the_phone
from huzhu.demo.accounts import DEMO_PASSWORD
from huzhu.enrollment.models import Coverage
from huzhu.members.models import Worker
from huzhu.security import services as security_services
from huzhu.security.models import TotpDevice

pytestmark = pytest.mark.browser

DEMO_WORKERS = 300
ERROR_TEXTS = ("Traceback", "Server Error", "服务器错误", "无权访问", "页面不存在", "Page not found")
OVERFLOW = "() => ({page: document.documentElement.scrollWidth, view: window.innerWidth})"

# Each role's main path: (step, where) — a path to open, or `follow:<regex>` to open the first link
# on the current page whose address matches; then what the page must show: a heading containing
# `h1`, `text` it must contain, `rows` for a page whose table must hold at least one demo row (not
# its empty-state line), `documents` for a claim page whose document thumbnails must all load.
# The demo leaves no claim waiting in any review queue, so the claim steps go through paid/approved ones.
CLAIM = r"^/claims/\d+/$"
WALKS = {
    "xiehui": [
        ("home", "/", {"h1": "工作台"}),
        ("approvals", "/claims/", {"h1": "申领"}),
        ("paid", "/claims/?status=paid", {"rows": True}),
        ("claim", "follow:" + CLAIM, {}),
        ("ledger", "/ledger/", {"rows": True}),
        ("reports", "/reports/", {}),
        ("plan_years", "/plans/", {"rows": True}),
        ("plan_year", r"follow:^/plans/[\w-]+/\d+/$", {}),
        ("campaign", "/campaign/", {}),
        ("risk", "/risk/", {}),
        ("post_audit", "/risk/post-audit/", {"h1": "事后抽查", "rows": True}),
        ("service_levels", "/reports/service-levels/", {"h1": "服务时效", "rows": True}),
        ("actuarial", "/actuarial/", {}),
    ],
    "baotou": [
        ("review_queue", "/claims/", {}),
        ("paid", "/claims/?status=paid", {"rows": True}),
        ("claim", "follow:" + CLAIM, {}),
        ("figures", "/reports/", {}),
        ("campaign", "/campaign/", {}),
        ("evaluation", "/campaign/evaluation/", {}),
        ("service_levels", "/reports/service-levels/", {"h1": "服务时效"}),
    ],
    "kundulun": [
        ("claim_queue", "/claims/", {}),
        ("paid", "/claims/?status=paid", {"rows": True}),
        # its documents: the demo's claims carry no document files, so the section is checked, not a scan
        ("claim", "follow:" + CLAIM, {"text": "申领材料", "documents": True}),
        ("workers", "/members/workers/", {"rows": True}),
        ("worker", r"follow:^/members/workers/\d+/$", {}),
        ("follow_up", "/campaign/follow-up/", {}),
        ("complaints", "/complaints/", {"h1": "投诉咨询", "rows": True}),
        ("complaint", r"follow:^/complaints/\d+/$", {}),
    ],
    "danwei": [
        ("home", "/", {"h1": "工作台"}),
        ("units", "/members/units/", {"rows": True}),
        ("unit", r"follow:^/members/units/\d+/$", {}),
        ("enrollments", "/enrollment/", {"rows": True}),
        ("enrollment", r"follow:^/enrollment/\d+/$", {"rows": True}),
        ("roster", "/members/workers/", {"rows": True}),
        ("worker", r"follow:^/members/workers/\d+/$", {}),
        ("claims", "/claims/", {}),
    ],
    "shenji": [
        ("units", "/members/units/", {"rows": True}),
        ("unit", r"follow:^/members/units/\d+/$", {}),
        ("claims", "/claims/?status=paid", {"rows": True}),
        ("claim", "follow:" + CLAIM, {}),
        ("ledger", "/ledger/", {"rows": True}),
        ("payouts", "/payouts/", {"rows": True}),
        ("reports", "/reports/", {}),
    ],
    "zhuanjia": [
        ("home", "/", {"h1": "工作台"}),
        ("expert_queue", "/claims/", {"rows": True}),
        ("claim", "follow:" + CLAIM, {"text": "出具专家意见"}),
    ],
    "zhifu": [
        ("batches", "/payouts/", {"rows": True}),
        ("batch", r"follow:^/payouts/\d+/$", {"rows": True}),
        ("new_batch", "/payouts/new/", {}),
    ],
    "fuhe": [
        ("batches", "/payouts/", {"rows": True}),
        ("batch", r"follow:^/payouts/\d+/$", {"rows": True}),
        ("failed", "/payouts/failed/", {}),
    ],
    "admin": [
        ("home", "/", {"h1": "工作台"}),
        ("admin_site", "/admin/", {}),
        ("users", "/admin/auth/user/", {"rows": True}),
    ],
    "anquan": [
        ("security_admin", "/security/administration/", {"rows": True}),
        ("two_factor", "/security/two-factor/", {}),
    ],
    "shenjiyuan": [
        ("audit_log", "/security/audit-log/", {"rows": True}),
        ("access_log", "/security/access-log/", {}),
    ],
}


def sign_in(page, username: str) -> None:
    """The login page; a role that needs two-factor enrols its authenticator from the page's secret."""
    page.context.clear_cookies()
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/security/two-factor/" in page.url:
        page.screenshot(path=str(SCREENS / f"{username}_0_two_factor.png"), full_page=True)
        device = TotpDevice.objects.get(user__username=username)
        secret = security_services.totp_secret_of(device)
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("form button.primary")
        page.wait_for_selector("text=两步验证已")
    elif "/security/login/code/" in page.url:
        device = TotpDevice.objects.get(user__username=username)
        page.fill("input[name=code]", pyotp.TOTP(security_services.totp_secret_of(device)).now())
        page.click("button[type=submit]")
        page.wait_for_load_state()
    assert "/login" not in page.url, f"{username} is still at {page.url}"


def link_on(page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = [h for h in hrefs if re.search(pattern, h.split("?")[0])]
    assert found, f"no link matching {pattern} on {page.url}"
    return found[0]


def check_page(page, where: str, expect: dict, *, width: int) -> None:
    text = page.inner_text("body")
    for bad in ERROR_TEXTS:
        assert bad not in text, f"{where}: the page says {bad!r}"
    heading = page.locator("h1").first.inner_text().strip()
    assert heading, f"{where}: no heading"
    assert expect.get("h1", "") in heading, f"{where}: heading {heading!r}"
    assert expect.get("text", "") in text, f"{where}: no {expect['text']!r} on the page"
    if expect.get("rows"):
        assert page.locator("main table tbody tr:not(:has(td[colspan]))").count() > 0, f"{where}: no row in the table"
    if expect.get("documents"):
        thumbnails = page.eval_on_selector_all("main .docs img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
        assert all(thumbnails), f"{where}: a document thumbnail does not load: {thumbnails}"
    size = page.evaluate(OVERFLOW)
    assert size["page"] <= size["view"] == width, f"{where}: the page scrolls sideways at {width} px: {size}"


def walk(page, role: str, steps) -> None:
    sign_in(page, role)
    for n, (step, where, expect) in enumerate(steps, start=1):
        url = link_on(page, where.removeprefix("follow:")) if where.startswith("follow:") else where
        response = page.goto(page.base_url + url)
        assert response.status < 400, f"{role} {step}: {url} answered {response.status}"
        page.wait_for_load_state("networkidle")
        check_page(page, f"{role} {step} ({url})", expect, width=1280)
        page.screenshot(path=str(SCREENS / f"{role}_{n}_{step}.png"), full_page=True)


def a_covered_worker_with_claims() -> tuple[Worker, Coverage, bool]:
    """A worker with a claim, and the certificate she shows: of a coverage in force today if she has
    one (the demo's years are fixed: past 2027 none is), else her latest."""
    today = timezone.localdate()
    paid = Coverage.objects.filter(status=Coverage.Status.ACTIVE).exclude(certificate_no="")
    in_force = paid.filter(starts_on__lte=today, ends_on__gte=today)
    claims = Claim.objects.exclude(worker__phone_encrypted="").order_by("pk")
    claim = claims.filter(worker__in=in_force.values("worker")).first() or claims.filter(
        worker__in=paid.values("worker")).first()
    coverage = (in_force.filter(worker_id=claim.worker_id).first()
                or paid.filter(worker_id=claim.worker_id).order_by("-ends_on").first())
    return Worker.objects.get(pk=claim.worker_id), coverage, coverage.starts_on <= today <= coverage.ends_on


def walk_the_phone(page) -> None:
    worker, coverage, in_force = a_covered_worker_with_claims()
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/me/")
    page.wait_for_url("**/me/sign-in/**")
    check_page(page, "worker sign-in", {}, width=390)
    page.screenshot(path=str(SCREENS / "worker_1_sign_in_390.png"), full_page=True)
    sign_in_on_the_phone(page, worker)
    check_page(page, "worker home", {}, width=390)
    assert coverage.certificate_no in page.inner_text("#coverages"), "her coverage is not on her home page"
    if in_force:
        assert "有效" in page.inner_text("#coverages"), "her coverage in force is not shown as valid"
    assert page.locator("#claims a[href^='/claims/mine/']").count() > 0, "no claim on the worker's home"
    page.screenshot(path=str(SCREENS / "worker_2_home_390.png"), full_page=True)
    steps = [
        ("coverages", "/enrollment/my-coverage/", {}),
        ("certificate", f"/enrollment/my-coverage/{coverage.pk}/certificate/", {"text": coverage.certificate_no}),
        ("claims", "/claims/mine/", {}),
        ("claim", r"follow:^/claims/mine/\d+/$", {}),
        ("complaints", "/me/complaints/", {"h1": "我的投诉咨询"}),
        ("complaint_new", "/me/complaints/new/", {"h1": "我要咨询或投诉"}),
    ]
    for n, (step, where, expect) in enumerate(steps, start=3):
        url = link_on(page, where.removeprefix("follow:")) if where.startswith("follow:") else where
        response = page.goto(page.base_url + url)
        assert response.status < 400, f"worker {step}: {url} answered {response.status}"
        check_page(page, f"worker {step} ({url})", expect, width=390)
        if step == "certificate":
            assert page.locator(".qr svg").count() == 1, "the certificate has no QR code"
            if in_force:
                assert "有效" in page.inner_text("main"), "the certificate of the year in force is not shown as valid"
        page.screenshot(path=str(SCREENS / f"worker_{n}_{step}_390.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_every_demo_role_walks_its_main_path_and_the_worker_her_phone_path(browser_page, settings):
    # As in production: the association and the three administrators must use two-factor.
    settings.HUZHU_2FA_REQUIRED_ROLES = ["association", "admin", "security_admin", "audit_admin"]
    # The demo as the crawl loads it (its years are 2024-2026, the campaign's 2027); the walk itself
    # runs on the real clock, which the browser's cookies and the authenticator codes follow.
    with time_machine.travel("2026-11-29 10:00 +0800", tick=True):
        call_command("demo", workers=DEMO_WORKERS, seed=1, stdout=io.StringIO())
    page = browser_page
    failures = {}
    for role, steps in WALKS.items():
        page.set_viewport_size({"width": 1280, "height": 860})
        try:
            walk(page, role, steps)
        except Exception as exc:  # every role is walked; the test reports them all
            failures[role] = f"{type(exc).__name__}: {exc}"
            page.screenshot(path=str(SCREENS / f"{role}_failed.png"), full_page=True)
    try:
        walk_the_phone(page)
    except Exception as exc:
        failures["worker"] = f"{type(exc).__name__}: {exc}"
        page.screenshot(path=str(SCREENS / "worker_failed.png"), full_page=True)
    assert not failures, "\n".join(f"{role}: {why}" for role, why in failures.items())
