"""From enrollment to the bank: a unit enrolls and pays, a worker claims at the desk, the claim is reviewed
and approved, paid through a bank batch and its return file, and the fund's books tell the whole story."""
import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import timezone

from huzhu.audit.chain import verify_chain
from huzhu.claims import services as claims
from huzhu.claims.models import Claim
from huzhu.claims.tests.conftest import scans, stay_fields
from huzhu.conftest import KUNDULUN, make_staff, make_unit, make_worker
from huzhu.core.scopes import PROVINCE
from huzhu.enrollment import services as enrollment
from huzhu.enrollment.models import Enrollment
from huzhu.ledger import queries as ledger_queries
from huzhu.ledger import rules as ledger_rules
from huzhu.payouts import bank_files, rules, services
from huzhu.payouts.models import Payout, PayoutBatch
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role

ENROLL_ON, PAID_ON, CLAIM_ON = date(2025, 11, 1), date(2025, 11, 20), date(2026, 6, 1)


@pytest.fixture(autouse=True)
def archive_in_tmp(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "0.00"  # this claim goes through every review level


def test_a_worker_is_enrolled_claims_and_is_paid_through_the_bank_with_balanced_books(
        db, county_clerk, league_reviewer, association_approver):
    plan_year = next(py for py in install_default_plans(years=(2026,)) if py.plan_id == "hospitalization")

    # A unit of ten (≤ 10 eligible: all must join) enrolls at the county desk and pays 90 a head.
    unit = make_unit(KUNDULUN, name="包头稀土测试公司", eligible_headcount=10, female_headcount=0)
    workers = [make_worker(unit, bank_name="中国工商银行包头分行", bank_account=f"62220202001234{n:05d}")
               for n in range(10)]
    draft = enrollment.start_enrollment(actor=county_clerk, unit=unit, plan_year=plan_year,
                                        today=ENROLL_ON)
    enrollment.add_workers(actor=county_clerk, enrollment=draft,
                           worker_ids=[w.pk for w in workers], today=ENROLL_ON)
    submitted = enrollment.submit_enrollment(actor=county_clerk, enrollment=draft)
    assert submitted.due_amount == D("900.00")
    enrollment.record_payment(actor=county_clerk, enrollment=submitted, amount="900.00",
                              paid_on=PAID_ON, bank_reference="ICBC-20251120-01", today=PAID_ON)
    assert Enrollment.objects.get(pk=draft.pk).status == Enrollment.Status.PAID

    # The worker brings the papers to the desk (first review there), the league and the association pass it.
    worker = workers[0]
    claim = claims.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=CLAIM_ON,
                              **stay_fields("1000.00"))
    assert claim.status == Claim.Status.SECOND_REVIEW
    claims.pass_review(actor=league_reviewer, claim=claim, comment="复审同意")
    claims.pass_review(actor=association_approver, claim=claim, comment="同意")
    claim.refresh_from_db()
    assert (claim.status, claim.benefit_amount) == (Claim.Status.APPROVED, D("600.00"))

    # The association builds a batch (maker), a colleague checks it, the bank file goes out.
    checker = make_staff("checker", Role.ASSOCIATION)
    batch = services.build_batch(actor=association_approver,
                                 filters=rules.BatchFilters(plan="hospitalization", league="150200"))
    services.approve_batch(actor=checker, batch=batch)
    services.record_bank_file_export(actor=association_approver, batch=batch, file_format="csv")
    bank_file = b"".join(bank_files.csv_chunks(rules.BANK_FILE_HEADERS, bank_files.bank_file_rows(batch)))
    rows = list(csv.DictReader(io.StringIO(bank_file.decode("utf-8-sig"))))
    assert len(rows) == 1
    line = rows[0]
    assert (line["收款人姓名"], line["收款账号"], line["金额（元）"]) == (worker.name, "6222020200123400000", "600.00")
    services.mark_batch_sent(actor=association_approver, batch=batch, sent_on=timezone.localdate())

    # The bank's return file says paid; the claim is paid.
    return_file = b"".join(bank_files.csv_chunks(rules.RETURN_FILE_HEADERS,
                                                 [(line["支付参考号"], line["金额（元）"], "成功", "")]))
    report = services.import_return_file(actor=association_approver, batch=batch, file_name="回盘.csv",
                                         content=return_file)
    assert report.applied and report.paid == 1 and report.reconciled
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PAID
    assert Payout.objects.get().status == Payout.Status.PAID
    assert PayoutBatch.objects.get().status == PayoutBatch.Status.RECONCILED

    # The books: balanced, and the fund's figures are what happened.
    assert ledger_queries.trial_balance(PROVINCE, plan_year).is_balanced
    fund = ledger_queries.fund_position(plan_year)
    assert fund.contributions_amount == D("900.00") and fund.subsidy_amount == D("100.00")
    assert fund.benefits_amount == D("600.00") and fund.payable_amount == D("0.00")
    assert fund.bank_amount == D("900.00") - D(line["金额（元）"])  # contributions received less the bank file paid
    assert fund.subsidy_receivable_amount == D("100.00")
    assert fund.fund_balance_amount == D("400.00")
    assert fund.loss_ratio == D("0.6000")
    bank = next(r for r in ledger_queries.trial_balance(PROVINCE, plan_year).rows
                if r.account.code == ledger_rules.BANK)
    assert bank.balance_amount == D("300.00")

    # Everyone's steps are in the audit chain, and the chain is intact.
    report = verify_chain()
    assert report.ok, report.problem
    assert report.events > 10
