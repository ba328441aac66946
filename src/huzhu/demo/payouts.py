"""Demo data: every paid demo claim is paid through a payout batch (steps of `huzhu demo`).

`pay_demo_history` pays the older approvals month by month: each batch built by `zhifu` and
checked by `fuhe` through the payouts services, then recorded as sent and reconciled a few days
after its month, dated as then (`payouts.services.record_past_settlement`). `pay_demo_claims` puts the recent approvals in one batch that
goes through every service today, with one line in eight returned by the bank.
"""
import calendar
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from huzhu.core.scopes import PROVINCE
from huzhu.demo.accounts import DEMO_PASSWORD
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger import services as ledger
from huzhu.payouts import bank_files, queries, rules, services
from huzhu.payouts.models import PayoutBatch
from huzhu.plans.models import PlanYear
from huzhu.regions.models import Role
from huzhu.regions.services import create_staff_account

FAIL_EVERY = 8  # one line in 8 comes back failed, so the failed-payout queue has something to show
SENT_AFTER = timedelta(days=3)  # a month's batch goes to the bank a few days after the month ends
PAID_AFTER = timedelta(days=2)  # and the bank's return file comes back two days later


def _makers(maker, checker):
    maker = maker or create_staff_account(actor=None, username="zhifu", password=DEMO_PASSWORD,
                                          role=Role.ASSOCIATION, full_name="协会支付制单员")
    checker = checker or create_staff_account(actor=None, username="fuhe", password=DEMO_PASSWORD,
                                              role=Role.ASSOCIATION, full_name="协会支付复核员")
    return maker, checker


def _return_file(batch: PayoutBatch, fail_every: int) -> bytes:
    references = queries.payouts_of(batch).values_list("reference", "amount")
    lines = [(reference, f"{amount:.2f}", "失败", "账户已销户") if fail_every and n % fail_every == fail_every - 1
             else (reference, f"{amount:.2f}", "成功", "") for n, (reference, amount) in enumerate(references)]
    return b"".join(bank_files.csv_chunks(rules.RETURN_FILE_HEADERS, lines))


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@transaction.atomic  # one commit for the whole history: the demo's speed
def pay_demo_history(*, paid_before: date, maker=None, checker=None) -> int:
    """Pay the claims approved before `paid_before` in one batch a month, all paid; returns the batches.

    Each month's approvals go to the bank SENT_AFTER the month ends (never after `paid_before`)
    and are reconciled PAID_AFTER that; safe to re-run (claims already in a batch are not taken).
    """
    cutoff = paid_before - timedelta(days=1)
    ready = queries.claims_ready_for_payout(PROVINCE, rules.BatchFilters(approved_to=cutoff))
    months = sorted({timezone.localtime(at).date().replace(day=1) for at in ready.values_list("approved_at", flat=True)})
    if not months:
        return 0
    maker, checker = _makers(maker, checker)
    for month in months:
        approved_to = min(_month_end(month), cutoff)
        sent_on = min(approved_to + SENT_AFTER, paid_before)
        paid_on = min(sent_on + PAID_AFTER, paid_before)
        batch = services.build_batch(actor=maker, filters=rules.BatchFilters(approved_to=approved_to))
        services.approve_batch(actor=checker, batch=batch)  # four eyes: fuhe checks zhifu's batch
        services.record_bank_file_export(actor=maker, batch=batch, file_format="xlsx")
        services.record_past_settlement(actor=maker, batch=batch, file_name="演示回盘.csv",
                                        made=_moment(min(approved_to + timedelta(days=1), sent_on), 9),
                                        sent=_moment(sent_on, 10), paid=_moment(paid_on, 15))
    return len(months)


def pay_demo_claims(*, maker=None, checker=None, fail_every: int = FAIL_EVERY, approved_to=None) -> str:
    """Build, check, send and reconcile one batch of the approved unpaid claims; a summary in Chinese.

    `approved_to` (inclusive) leaves the claims approved after it waiting, so a demo user has some
    to put in a batch of their own. Safe to re-run: claims already in a batch are not taken again.
    Without approved claims it does nothing.
    """
    filters = rules.BatchFilters(approved_to=approved_to)
    if not queries.claims_ready_for_payout(PROVINCE, filters).exists():
        return "演示数据中没有待支付的已审批申领，未生成支付批次。"
    maker, checker = _makers(maker, checker)
    batch = services.build_batch(actor=maker, filters=filters)
    services.approve_batch(actor=checker, batch=batch)
    services.record_bank_file_export(actor=maker, batch=batch, file_format="xlsx")
    services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())
    report = services.import_return_file(actor=maker, batch=batch, file_name="演示回盘.csv",
                                         content=_return_file(batch, fail_every))
    return (f"支付批次 {batch.number}：{batch.payout_count} 笔 {batch.total_amount} 元，"
            f"已付款 {report.paid} 笔，银行退回 {report.failed} 笔（见“支付失败待处理”）。")


def close_demo_years(*, years: list[int], today: date, actor=None) -> list[str]:
    """After the demo's payouts: close every plan year of `years` whose period has ended (the real year
    close, reserve included); the names of those closed."""
    closed = []
    for plan_year in (PlanYear.objects.filter(year__in=years, current_version__isnull=False)
                      .select_related("plan", "current_version").order_by("year", "plan_id")):
        if ledger_rules.period_has_ended(plan_year.terms.protection_end_on, today):
            ledger.close_plan_year(actor=actor, plan_year=plan_year, posted_on=today)
            closed.append(str(plan_year))
    return closed
