"""Ledger pages: who may see what, the close confirm step, and the XLSX exports."""
from decimal import Decimal as D
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from huzhu.conftest import PASSWORD
from huzhu.ledger import queries, services
from huzhu.ledger.models import Account
from huzhu.regions.models import Office

from .conftest import DAY


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def booked_year(plan_year):
    services.post_contribution_paid(actor=None, plan_year=plan_year, enrollment_id=1, paid_amount=D("9000.00"),
                                    subsidy_amount=D("1000.00"), posted_on=DAY)
    services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=1, benefit_amount=D("3900.00"),
                                 posted_on=DAY)
    return plan_year


def workbook_rows(response):
    content = b"".join(response.streaming_content)
    return list(load_workbook(BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def test_the_association_sees_the_trial_balance_with_fund_figures(client, association_approver, booked_year):
    login(client, association_approver)
    page = client.get(reverse("ledger:trial_balance"), {"year": booked_year.pk}).text
    assert "互助金收入" in page and "借贷平衡" in page and "39.00%" in page
    assert "<script>" not in page


def test_the_trial_balance_exports_to_xlsx_with_chinese_headers(client, auditor, booked_year):
    login(client, auditor)
    response = client.get(reverse("ledger:trial_balance"), {"year": booked_year.pk, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(response)
    assert rows[0][:3] == ("科目代码", "科目名称", "类别")
    assert rows[-1][1] == "合计" and D(str(rows[-1][3])) == D(str(rows[-1][4])) == D("13900")


def test_an_account_statement_page_and_export_show_the_running_balance(client, auditor, booked_year):
    bank = Account.objects.get(plan_year=booked_year, code="1002")
    login(client, auditor)
    assert "9,000.00" in client.get(reverse("ledger:account_statement", args=[bank.pk])).text
    rows = workbook_rows(client.get(reverse("ledger:account_statement", args=[bank.pk]), {"export": "xlsx"}))
    assert rows[0][0] == "记账日期" and rows[1][-2:] == ("借", 9000)


def test_an_office_cannot_open_the_bank_account_of_the_fund(client, league_reviewer, booked_year):
    bank = Account.objects.get(plan_year=booked_year, code="1002")
    login(client, league_reviewer)
    assert client.get(reverse("ledger:account_statement", args=[bank.pk])).status_code == 404
    page = client.get(reverse("ledger:trial_balance"), {"year": booked_year.pk}).text
    assert "互助基金结余" not in page


def test_a_unit_contact_may_not_open_the_ledger(client, unit_contact, booked_year):
    login(client, unit_contact)
    assert client.get(reverse("ledger:trial_balance")).status_code == 403


def test_the_association_sets_a_budget_and_sees_budget_vs_actual(client, association_approver, booked_year):
    office = Office.objects.get(league_id="150200")
    login(client, association_approver)
    response = client.post(reverse("ledger:budget"), {"year": booked_year.pk, "holder": f"office:{office.pk}",
                                                      "amount": "500.00"}, follow=True)
    assert office.name in response.text and "500.00" in response.text
    rows = workbook_rows(client.get(reverse("ledger:budget"), {"year": booked_year.pk, "export": "xlsx"}))
    assert rows[0][:4] == ("单位", "层级", "科目代码", "预算金额") and rows[1][0] == office.name


def test_an_auditor_may_not_set_budgets_or_close_the_year(client, auditor, booked_year):
    login(client, auditor)
    assert client.post(reverse("ledger:budget"), {"year": booked_year.pk, "holder": "office:1",
                                                  "amount": "1"}).status_code == 403
    assert client.get(reverse("ledger:close_year"), {"year": booked_year.pk}).status_code == 403


def test_closing_the_year_needs_the_confirm_step(client, association_approver, booked_year, after_the_period):
    login(client, association_approver)
    preview = client.get(reverse("ledger:close_year"), {"year": booked_year.pk}).text
    assert "500.00" in preview and "确认结账" in preview
    unconfirmed = client.post(reverse("ledger:close_year"), {"year": booked_year.pk}, follow=True)
    assert "请勾选确认" in unconfirmed.text and queries.year_close_of(booked_year) is None
    confirmed = client.post(reverse("ledger:close_year"), {"year": booked_year.pk, "confirm": "yes"}, follow=True)
    assert "已结账" in confirmed.text
    assert queries.year_close_of(booked_year).reserve_amount == D("500.00")


def test_before_the_period_ends_the_close_page_says_so_and_the_close_is_refused(client, association_approver,
                                                                               booked_year):
    with time_machine.travel("2026-12-20 10:00 +0800", tick=False):
        login(client, association_approver)
        preview = client.get(reverse("ledger:close_year"), {"year": booked_year.pk}).text
        assert "保障期到 2026-12-31 才结束" in preview
        refused = client.post(reverse("ledger:close_year"), {"year": booked_year.pk, "confirm": "yes"}, follow=True)
    assert "保障期结束后才能结账" in refused.text and queries.year_close_of(booked_year) is None


def test_the_trial_balance_and_the_statement_show_prior_year_adjustments_apart(client, association_approver,
                                                                               booked_year, after_the_period):
    services.close_plan_year(actor=association_approver, plan_year=booked_year)
    services.post_claim_approved(actor=None, plan_year=booked_year, claim_id=2, benefit_amount=D("456.78"),
                                 posted_on=DAY.replace(year=2027))
    login(client, association_approver)
    page = client.get(reverse("ledger:trial_balance"), {"year": booked_year.pk}).text
    section = page[page.index('id="prior-year"'):]
    assert "往年调整（结账后记账）" in section and "456.78" in section and "3,900.00" not in section
    assert "其中：往年调整补助金支出" in page
    expense = Account.objects.get(plan_year=booked_year, code="5101")
    statement = client.get(reverse("ledger:account_statement", args=[expense.pk])).text
    assert statement.count("往年调整") == 1
    rows = workbook_rows(client.get(reverse("ledger:account_statement", args=[expense.pk]), {"export": "xlsx"}))
    assert [row[4] for row in rows[1:]] == [None, "往年调整"]


def test_the_trial_balance_shows_unearned_contributions_at_the_reporting_date(client, association_approver,
                                                                            booked_year, home_unit):
    from datetime import date

    from huzhu.conftest import make_worker
    from huzhu.enrollment.services import enroll_and_pay

    enroll_and_pay(actor=None, check_participation=False, plan_year=booked_year, batches=[(home_unit, [make_worker(home_unit).pk])],
                   paid_on=date(2025, 11, 15))
    login(client, association_approver)
    page = client.get(reverse("ledger:trial_balance"), {"year": booked_year.pk, "on": "2026-06-30"}).text
    expected = (booked_year.terms.contribution_amount * 184 / 365).quantize(D("0.01"))
    assert "未到期互助金（截至 2026-06-30）" in page and f'data-unearned="{expected}"' in page
