"""Demo data: pay the demo's approved claims through one reconciled batch (an optional step of `huzhu demo`)."""
from django.utils import timezone

from huzhu.core.demo_accounts import DEMO_PASSWORD
from huzhu.core.scopes import PROVINCE
from huzhu.regions.models import Role
from huzhu.regions.services import create_staff_account

from . import bank_files, queries, rules, services
from .models import Payout

FAIL_EVERY = 8  # one line in 8 comes back failed, so the failed-payout queue has something to show


def pay_demo_claims(*, maker=None, checker=None, fail_every: int = FAIL_EVERY, approved_to=None) -> str:
    """Build, check, send and reconcile one batch of the approved unpaid claims; a summary in Chinese.

    `approved_to` (inclusive) leaves the claims approved after it waiting, so a demo user has some
    to put in a batch of their own. Safe to re-run: claims already in a batch are not taken again.
    Without approved claims it does nothing.
    """
    filters = rules.BatchFilters(approved_to=approved_to)
    if not queries.claims_ready_for_payout(PROVINCE, filters).exists():
        return "演示数据中没有待支付的已审批申领，未生成支付批次。"
    maker = maker or create_staff_account(actor=None, username="zhifu", password=DEMO_PASSWORD,
                                          role=Role.ASSOCIATION, full_name="协会支付制单员")
    checker = checker or create_staff_account(actor=None, username="fuhe", password=DEMO_PASSWORD,
                                              role=Role.ASSOCIATION, full_name="协会支付复核员")
    batch = services.build_batch(actor=maker, scope=PROVINCE, filters=filters)
    services.approve_batch(actor=checker, batch=batch)
    services.record_bank_file_export(actor=maker, batch=batch, file_format="xlsx")
    services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())
    references = Payout.objects.filter(batch=batch).order_by("pk").values_list("reference", "amount")
    lines = [(reference, f"{amount:.2f}", "失败", "账户已销户") if fail_every and n % fail_every == fail_every - 1
             else (reference, f"{amount:.2f}", "成功", "") for n, (reference, amount) in enumerate(references)]
    content = b"".join(bank_files.csv_chunks(rules.RETURN_FILE_HEADERS, lines))
    report = services.import_return_file(actor=maker, batch=batch, file_name="演示回盘.csv", content=content)
    return (f"支付批次 {batch.number}：{batch.payout_count} 笔 {batch.total_amount} 元，"
            f"已付款 {report.paid} 笔，银行退回 {report.failed} 笔（见“支付失败待处理”）。")
