"""Payout fixtures: approved claims of workers with bank cards, a maker and a checker, return files."""
import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from huzhu.claims import services as claim_services
from huzhu.claims.tests.conftest import TODAY, cover, scans, stay_fields
from huzhu.conftest import HONGSHAN, make_staff, make_unit, make_worker
from huzhu.ledger import services as ledger
from huzhu.plans.queries import plan_year
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role

from .. import bank_files, rules, services
from ..models import Payout

_accounts = itertools.count(1)


@pytest.fixture(autouse=True)
def archive_in_tmp(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    return settings.ARCHIVE_ROOT


@pytest.fixture
def plans(db):
    return install_default_plans()


@pytest.fixture
def hospitalization_2026(plans):
    return plan_year("hospitalization", 2026)


@pytest.fixture
def maker(association_approver):
    return association_approver


@pytest.fixture
def checker(db):
    return make_staff("checker", Role.ASSOCIATION)


_funds = itertools.count(1)


def card_number() -> str:
    return f"62220202{next(_accounts):011d}"


def covered_worker(unit, *, bank: bool = True, **fields):
    extra = {"bank_name": "中国工商银行包头分行", "bank_account": card_number()} if bank else {}
    person = make_worker(unit, **extra, **fields)
    cover(person)
    return person


@pytest.fixture
def approve_claim(plans, home_unit, county_clerk):
    """File a small stay for a new worker (with a bank card unless bank=False): approved straight through."""
    def make(self_pay: str = "1000.00", *, unit=None, bank: bool = True, clerk=None):
        person = covered_worker(unit or home_unit, bank=bank)
        # a distinct fund share per claim: identical hospital + date + amount is the risk module's
        # near-duplicate invoice pattern, which rightly stops straight-through processing
        fund = f"{12000 + next(_funds)}.00"
        claim = claim_services.file_claim(actor=clerk or county_clerk, worker=person, documents=scans(), today=TODAY,
                                          **stay_fields(self_pay, fund=fund))
        assert claim.status == "approved", (claim.status, list(claim.risk_findings.values_list("code", "message"))
                                            if hasattr(claim, "risk_findings") else None)
        return claim
    return make


@pytest.fixture
def other_county_clerk(db):
    return make_staff("clerk_hongshan", Role.AGENCY, division=HONGSHAN)


@pytest.fixture
def other_county_unit(db):
    return make_unit(HONGSHAN, name="赤峰测试公司")


def everything() -> rules.BatchFilters:
    return rules.BatchFilters()


@pytest.fixture
def sent_batch(approve_claim, maker, checker):
    """A batch of three approved claims (600.00 each), approved and sent to the bank."""

    claims = [approve_claim() for _ in range(3)]
    batch = services.build_batch(actor=maker, filters=everything())
    services.approve_batch(actor=checker, batch=batch)
    services.record_bank_file_export(actor=maker, batch=batch, file_format="csv")
    services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())
    batch.claims = claims
    return batch


def return_csv(lines) -> bytes:
    """A return file from (reference, amount, result, reason) tuples."""
    return b"".join(bank_files.csv_chunks(rules.RETURN_FILE_HEADERS, lines))


def all_paid(batch) -> bytes:
    return return_csv(bank_files.return_template_rows(batch))


def lines_of(batch, *, failed: set[str] = frozenset(), reason: str = "户名与账号不符"):
    """Every payout of the batch as a return line: paid, or failed for the references in `failed`."""
    return [(p.reference, f"{p.amount:.2f}", "失败" if p.reference in failed else "成功",
             reason if p.reference in failed else "")
            for p in Payout.objects.filter(batch=batch).order_by("pk")]


def contribute(plan_year_row, amount: str = "100000.00", enrollment_id: int = 1) -> None:
    ledger.post_contribution_paid(actor=None, plan_year=plan_year_row, enrollment_id=enrollment_id,
                                  paid_amount=Decimal(amount), subsidy_amount=Decimal("0"), posted_on=date(2026, 1, 5))



@pytest.fixture
def shipped_templates(db):
    """The bank-file templates migrate installs (put back after a transactional test's flush), by builtin code."""
    import importlib

    from ..models import BankFileTemplate

    migration = importlib.import_module("huzhu.payouts.migrations.0005_install_shipped_bank_file_templates")
    migration.install_shipped_templates(BankFileTemplate)
    return {t.builtin: t for t in BankFileTemplate.objects.exclude(builtin="")}


@pytest.fixture
def approved_batch(approve_claim, maker, checker):
    """Three approved claims of different benefits (small stays of 1,000, 2,000 and 5,000 self-pay), approved."""
    claims = [approve_claim(), approve_claim("2000.00"), approve_claim("5000.00")]
    batch = services.build_batch(actor=maker, filters=everything())
    services.approve_batch(actor=checker, batch=batch)
    batch.claims = claims
    return batch


def send(batch, maker) -> None:
    """Export (audited) and send an approved batch."""
    if batch.exported_at is None:
        services.record_bank_file_export(actor=maker, batch=batch, file_format="csv")
    services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())
