"""Shared fixtures: named personas (a county clerk, a league reviewer, ...) and builders."""
import itertools
import logging
import re
from contextlib import contextmanager
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings as hypothesis_settings

from huzhu.core.actors import SystemActor
from huzhu.core.idnumbers import make_credit_code, make_resident_id
from huzhu.core.scopes import Scope
from huzhu.members import services as member_services
from huzhu.regions.models import Role, StaffProfile
from huzhu.regions.queries import scope_of

# No test is timed (STYLE.md): hypothesis' per-example deadline fails on a busy shared machine.
hypothesis_settings.register_profile("huzhu", deadline=None)
hypothesis_settings.load_profile("huzhu")

BAOTOU, KUNDULUN = "150200", "150203"  # 包头市, 昆都仑区
CHIFENG, HONGSHAN = "150400", "150402"  # 赤峰市, 红山区
PASSWORD = "huzhu-test-pass-1"
SYSTEM = Scope("province", role=Role.ADMIN)
_sequence = itertools.count(1)


def make_unit(county_code: str = KUNDULUN, name: str | None = None, **fields):
    """A valid member unit in a county (unique credit code per call)."""
    n = next(_sequence)
    return member_services.register_unit(
        actor=SystemActor(SYSTEM), name=name or f"测试单位{n}", county_code=county_code,
        credit_code=make_credit_code("91", county_code, f"T{n:07d}"),
        eligible_headcount=fields.pop("eligible_headcount", 20), female_headcount=fields.pop("female_headcount", 8),
        **fields,
    )


def make_worker(unit, *, name: str | None = None, gender: str = "M", birth: date = date(1985, 3, 2), **fields):
    """A worker with a valid ID number (region = the unit's county) at `unit`."""
    n = next(_sequence)
    sequence = (n * 2 + (1 if gender == "M" else 0)) % 1000
    id_number = make_resident_id(unit.county_id, birth, sequence)
    return member_services.register_worker(
        actor=SystemActor(SYSTEM), unit=unit, name=name or f"职工{n}", id_number=id_number,
        started_on=fields.pop("started_on", date(2020, 1, 1)), **fields,
    )


def make_staff(username: str, role: str, *, division: str | None = None, unit=None):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    StaffProfile.objects.create(user=user, role=role, division_id=division, unit=unit)
    return user


@pytest.fixture
def home_unit(db):
    return make_unit(KUNDULUN, name="包头钢铁测试公司")


@pytest.fixture
def other_unit(db):
    return make_unit(HONGSHAN, name="赤峰红山测试公司")


@pytest.fixture
def county_clerk(db):
    return make_staff("clerk_kundulun", Role.AGENCY, division=KUNDULUN)


@pytest.fixture
def league_reviewer(db):
    return make_staff("reviewer_baotou", Role.OFFICE, division=BAOTOU)


@pytest.fixture
def association_approver(db):
    return make_staff("approver", Role.ASSOCIATION)


@pytest.fixture
def medical_expert(db):
    return make_staff("expert", Role.EXPERT)


@pytest.fixture
def auditor(db):
    return make_staff("auditor", Role.AUDITOR)


@pytest.fixture
def unit_contact(db, home_unit):
    return make_staff("contact_home", Role.UNIT, unit=home_unit)


@pytest.fixture
def scope_for():
    return scope_of


# --- Browser tests: Playwright driving Debian's chromium -------------------------------------
CHROMIUM = "/usr/bin/chromium"
# var/screens, or the var folder HUZHU_VAR_DIR names (a suite run beside another can be given its own).
SCREENS = __import__("pathlib").Path(__import__("os").environ.get(
    "HUZHU_VAR_DIR", __import__("pathlib").Path(__file__).resolve().parents[2] / "var")) / "screens"
_browser_skips: list[str] = []


@pytest.fixture
def browser_page(live_server):
    """A fresh Chromium page against the live test server; skipped loudly without chromium."""
    import os
    import shutil

    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _browser_skips.append("chromium")
        pytest.skip("浏览器测试已跳过：未安装 Debian chromium（apt-get install chromium）")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
        page.base_url = live_server.url
        try:
            yield page
        finally:
            browser.close()


def pytest_terminal_summary(terminalreporter):
    if _browser_skips:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED: /usr/bin/chromium is missing", red=True, bold=True)


@pytest.fixture(scope="session", autouse=True)
def _quick_hashes_and_commits():
    """Two production costs that no test is about but every test paid: Argon2 takes about 0.2 s
    a password (each staff user a test creates, each login), and PostgreSQL waits for the disk
    at each commit. The suite hashes with Django's MD5 test hasher
    (security/tests/test_password_hashing.py checks that production hashes with Argon2) and lets PostgreSQL commit without waiting for
    the WAL flush: commits stay atomic and visible to other sessions; only a crash of the
    server could lose the last ones, which a test database does not mind."""
    from django.conf import settings
    from django.test.utils import override_settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        database.setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _close_connections_after_each_request():
    """Live-server threads must not keep PostgreSQL sessions open past the test database's teardown."""
    from django.db import connections

    for alias in connections.settings:
        connections.settings[alias]["CONN_MAX_AGE"] = 0  # read by connections that threads open later
    for conn in connections.all():
        conn.settings_dict["CONN_MAX_AGE"] = 0
    yield


def is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool((marker is not None and marker.kwargs.get("transaction"))
                or names & {"live_server", "transactional_db", "browser_page"})


def install_migrated_rows() -> None:
    from huzhu.plans.models import Plan, PlanYear, TermsVersion
    from huzhu.regions.models import AgencyPoint, Division, Office
    from huzhu.regions.services import install_divisions

    if not Division.objects.exists():
        install_divisions(Division, Office, AgencyPoint)
    if not Plan.objects.exists():
        default_plan_years_migration().install_default_plan_years(Plan, PlanYear, TermsVersion)
    _install_other_migrated_rows()


def _install_other_migrated_rows() -> None:
    """The account mapping to the accounting chart and the shipped bank-file templates, as their migrations put them."""
    import importlib

    from django.apps import apps

    from huzhu.ledger.models import AccountMapping
    from huzhu.payouts.models import BankFileTemplate

    if not AccountMapping.objects.exists():
        importlib.import_module("huzhu.ledger.migrations.0006_default_account_mapping").seed(apps, None)
    if not BankFileTemplate.objects.exclude(builtin="").exists():
        importlib.import_module("huzhu.payouts.migrations.0005_install_shipped_bank_file_templates"
                                ).install_shipped_templates(BankFileTemplate)


@pytest.fixture(autouse=True)
def _migrated_rows_after_flush(request):
    """A transactional test flushes every table at its end, the rows that data migrations install
    included (divisions, the default plan years, the account mapping, the bank-file templates): put them back before the next transactional test
    (plain tests roll back and keep them)."""
    if is_transactional(request.node):
        request.getfixturevalue("transactional_db")
        install_migrated_rows()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """...and after it, once its flush is done: a plain test may come next. In one process
    pytest-django runs every plain test before the first transactional one, but a parallel worker
    (pytest-xdist) runs file after file, and a file's plain tests would find no divisions."""
    yield
    if nextitem is not None and is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            install_migrated_rows()


def default_plan_years_migration():
    """The data migration that installs the default plan years (a module name starting with a digit)."""
    import importlib

    return importlib.import_module("huzhu.plans.migrations.0002_install_default_plan_years")


@pytest.fixture
def without_default_plans(db):
    """The database as it was before the default plan years' migration: no plans at all (for tests
    of publishing a plan year's first terms). The test's rollback brings the rows back."""
    from huzhu.plans.models import Plan, PlanYear, TermsVersion

    PlanYear.objects.update(current_version=None)
    TermsVersion.objects.all().delete()
    PlanYear.objects.all().delete()
    Plan.objects.all().delete()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the run, end sessions that threads or worker processes left on the PostgreSQL test
    database, so that it can be dropped cleanly."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _chinese_after_each_test():
    """A test that switched a thread to English must not leave the next test in English: services
    translate their messages with the active language, and tests assert on the Chinese."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _jobs_inline(settings):
    """Background jobs run inline and in order in tests (core/jobs.py); a test may turn threads on."""
    settings.HUZHU_JOBS_IN_THREADS = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and lockouts live in the cache: no test inherits another's counters."""
    from django.core.cache import cache

    from huzhu.claims.review_clock import forget_entered_days

    cache.clear()
    forget_entered_days()  # the review clock's entered holidays are read per process
    yield
    cache.clear()
    forget_entered_days()


@contextmanager
def texted_codes():
    """The sign-in codes the log SMS backend 'texts' while the block runs (a list, filled as sent)."""
    codes: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record):
            found = re.search(r"验证码为 (\d{6})", record.getMessage())
            if found:
                codes.append(found[1])

    handler, sms_log = Capture(), logging.getLogger("huzhu.sms")
    sms_log.addHandler(handler)
    try:
        yield codes
    finally:
        sms_log.removeHandler(handler)


def sign_in_as_worker(client, worker) -> None:
    """Through the web door as the worker does: ID number and phone, then the code texted to her."""
    identity = {"id_number": worker.reveal_id_number(), "phone": worker.reveal_phone()}
    with texted_codes() as codes:
        client.post("/me/sign-in/", identity)
    assert codes, "no sign-in code was texted"
    assert client.post("/me/sign-in/", {**identity, "code": codes[-1]}).status_code == 302


def sign_in_on_the_phone(page, worker, *, lands_on: str = "/me/") -> None:
    """In the browser, on the sign-in page the worker was sent to: ID number, phone, the texted code."""
    page.fill("input[name=id_number]", worker.reveal_id_number())
    page.fill("input[name=phone]", worker.reveal_phone())
    with texted_codes() as codes:
        page.click("button.primary")
        page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", codes[-1])
    page.click("button.primary")
    page.wait_for_url(f"**{lands_on}")


@contextmanager
def module_settings(tmp_path_factory, **overrides):
    """For rows a test file builds once (a module-scoped fixture, before the per-test fixtures run): jobs inline
    and audit checkpoints in a file of its own, as `_jobs_inline` and `_audit_checkpoints_per_test` give a test;
    and the file's own `overrides`, kept while its tests run."""
    from django.test import override_settings

    path = tmp_path_factory.mktemp("module") / "audit-checkpoints.jsonl"
    with override_settings(HUZHU_JOBS_IN_THREADS=False, HUZHU_AUDIT_CHECKPOINT_PATH=str(path), **overrides):
        yield


def built_once_for_the_file(django_db_blocker, tmp_path_factory, build, **overrides):
    """The body of a module-scoped fixture: `build()`'s rows are committed once for a test file, each test runs in
    its own transaction on top of them (rolled back after it), and after the file the tables are emptied and the
    migrations' rows put back, as after a transactional test. Only for files without transactional tests."""
    from django.core.management import call_command

    with module_settings(tmp_path_factory, **overrides):
        with django_db_blocker.unblock():
            rows = build()
        try:
            yield rows
        finally:
            with django_db_blocker.unblock():
                # As pytest-django flushes after a transactional test: the sequences go on (ids are not reused).
                call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
                install_migrated_rows()


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path):
    """Each test's database starts a new audit chain: its checkpoints go to its own file, not var/archive."""
    settings.HUZHU_AUDIT_CHECKPOINT_PATH = str(tmp_path / "audit-checkpoints.jsonl")
    yield
