"""Pure ledger calculations: the chart, entry balance, year-close appropriations, budget checks.

No Django here (STYLE.md). Amounts are Decimal yuan with two places; a posting line is signed:
debit positive, credit negative, so a balanced entry sums to zero.
"""
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from huzhu.core.errors import ValidationFailed
from huzhu.core.money import FEN, ZERO, quantize_money
from huzhu.core.translation import gettext_noop

ASSET, LIABILITY, EQUITY, INCOME, EXPENSE = "asset", "liability", "equity", "income", "expense"

BANK = "1002"
SUBSIDY_RECEIVABLE = "1221"
RECOVERY_RECEIVABLE = "1231"  # benefits paid on a settlement the medical-insurance bureau reversed
BENEFITS_PAYABLE = "2201"
# Benefits partner hospitals advanced at discharge (出院即赔), owed back to them: 2202-<定点机构编码> per hospital.
HOSPITAL_ADVANCES = "2202"
WORKING_FUNDS = "2301"  # one sub-account per office and agency point: 2301-<division code>
TOTAL_RESERVE = "3101"
FUND_BALANCE = "3201"
CONTRIBUTIONS = "4101"
SUBSIDY_INCOME = "4102"
BENEFITS_EXPENSE = "5101"
MANAGEMENT_EXPENSES = "5201"

# The standard chart of every plan year (code, name, type). Working-fund sub-accounts are added per
# office and agency point by the service, since they depend on the regions installed.
CHART: tuple[tuple[str, str, str], ...] = (
    (BANK, "银行存款", ASSET),
    (SUBSIDY_RECEIVABLE, "工会补贴应收", ASSET),
    (RECOVERY_RECEIVABLE, "补助金追回应收", ASSET),
    (BENEFITS_PAYABLE, "应付补助金", LIABILITY),
    (TOTAL_RESERVE, "总准备金", EQUITY),
    (FUND_BALANCE, "互助基金结余", EQUITY),
    (CONTRIBUTIONS, "互助金收入", INCOME),
    (SUBSIDY_INCOME, "工会补贴收入", INCOME),
    (BENEFITS_EXPENSE, "补助金支出", EXPENSE),
    (MANAGEMENT_EXPENSES, "管理费用", EXPENSE),
)
CONTRIBUTION_ACCOUNTS = (CONTRIBUTIONS, SUBSIDY_INCOME)

# The default account mapping to the 民间非营利组织会计制度 chart (财会〔2004〕7号, 第二部分 会计科目名称和编号):
# (our code or parent code, external code, external name). First-level codes are the chart's; the six-digit
# detail accounts (明细科目, which the chart leaves to the organisation) keep apart what the chart lumps together.
# A parent code (2202, 2301) covers its per-hospital and per-office sub-accounts. Seeded by migration 0006;
# the association edits it at /ledger/account-mapping/. docs/ledger.md gives the reasons of each line.
DEFAULT_MAPPING: tuple[tuple[str, str, str], ...] = (
    (BANK, "1002", "银行存款"),
    (SUBSIDY_RECEIVABLE, "112201", "其他应收款—工会补贴"),
    (RECOVERY_RECEIVABLE, "112202", "其他应收款—应追回补助金"),
    (BENEFITS_PAYABLE, "220901", "其他应付款—应付补助金"),
    (HOSPITAL_ADVANCES, "220902", "其他应付款—医院垫付补助金"),
    (WORKING_FUNDS, "220903", "其他应付款—工作经费"),
    (TOTAL_RESERVE, "3102", "限定性净资产"),
    (FUND_BALANCE, "3101", "非限定性净资产"),
    (CONTRIBUTIONS, "430101", "提供服务收入—互助金"),
    (SUBSIDY_INCOME, "430102", "提供服务收入—工会补贴互助金"),
    (BENEFITS_EXPENSE, "510101", "业务活动成本—互助补助金"),
    (MANAGEMENT_EXPENSES, "5201", "管理费用"),
)


def parent_code(account_code: str) -> str:
    """The code a sub-account hangs under: 2301-150200 → 2301; a first-level code is its own parent."""
    return account_code.split("-", 1)[0]


def mapped_code(account_code: str, mapping: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The external (code, name) of one of our accounts: its own mapping, else its parent's; None if unmapped."""
    return mapping.get(account_code) or mapping.get(parent_code(account_code))
CREDIT_NORMAL = {LIABILITY, EQUITY, INCOME}


@dataclass(frozen=True)
class Line:
    """One posting of an entry: an account code and a signed amount (debit +, credit -)."""

    account_code: str
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    """Working funds allocated at year close to one office's or agency point's account."""

    account_code: str
    amount: Decimal


@dataclass(frozen=True)
class EntryDraft:
    """An entry before it is stored: its cause (posted at most once), date, memo and lines."""

    cause_type: str
    cause_id: str | None
    kind: str
    posted_on: date
    memo: str
    lines: tuple[Line, ...]


def working_funds_code(division_code: str) -> str:
    """The working-funds sub-account of an office (league code) or agency point (county code)."""
    return f"{WORKING_FUNDS}-{division_code}"


def is_working_funds_code(account_code: str) -> bool:
    return account_code.startswith(f"{WORKING_FUNDS}-")


def check_balanced(lines: Sequence[Line]) -> None:
    """Refuse an entry that does not balance, has fewer than two lines, or a zero or sub-fen line."""
    if len(lines) < 2:
        raise ValidationFailed("too_few_lines", gettext_noop("一笔分录至少要有两行（借方和贷方）"), field="lines",
                               params={})
    for number, line in enumerate(lines, start=1):
        if isinstance(line.amount, float):
            raise TypeError("money must never be a float")
        if line.amount == 0:
            raise ValidationFailed("zero_line", gettext_noop("第 %(n)s 行金额为零"), field="lines", row=number,
                                   params={"n": number})
        if line.amount != line.amount.quantize(FEN):
            raise ValidationFailed("sub_fen_line", gettext_noop("第 %(n)s 行金额超过两位小数"), field="lines",
                                   row=number, params={"n": number})
    total = sum((line.amount for line in lines), ZERO)
    if total != 0:
        raise ValidationFailed("unbalanced", gettext_noop("借贷不平衡：差额 %(difference)s"), field="lines",
                               params={"difference": total})


def debit_total(lines: Iterable[Line]) -> Decimal:
    """The entry's size: the sum of its debit lines."""
    return sum((line.amount for line in lines if line.amount > 0), ZERO)


def transfer(debit_code: str, credit_code: str, amount: Decimal) -> tuple[Line, ...]:
    """Two lines moving `amount` from `credit_code` to `debit_code`."""
    amount = quantize_money(amount)
    if amount <= 0:
        raise ValidationFailed("amount_not_positive", gettext_noop("金额必须大于零"), field="amount", params={})
    return (Line(debit_code, amount), Line(credit_code, -amount))


def reversed_lines(lines: Iterable[Line]) -> tuple[Line, ...]:
    """The lines of a reversing entry: the same accounts, opposite signs."""
    return tuple(Line(line.account_code, -line.amount) for line in lines)


def same_lines(left: Iterable[Line], right: Iterable[Line]) -> bool:
    """Whether two entries move the same amounts on the same accounts (order does not matter)."""
    def key(lines):
        return sorted((line.account_code, line.amount) for line in lines)
    return key(left) == key(right)


def reserve_appropriation(contributions_amount: Decimal, reserve_rate: Decimal) -> Decimal:
    """DOMAIN: reserve_rate (5%) of the year's contributions goes to the total reserve at close."""
    return quantize_money(max(contributions_amount, ZERO) * reserve_rate)


def period_has_ended(protection_end_on: date, today: date) -> bool:
    """DOMAIN: a plan year's books close only after its protection period has ended."""
    return today > protection_end_on


def prior_year_reason(plan_year_label: str, closed_on: date) -> str:
    """The stored reason of a posting to a closed year (a late claim approved, paid or returned)."""
    return f"往年调整：{plan_year_label} 已于 {closed_on.isoformat()} 结账，结账后发生的业务记入该年度基金"


def working_funds_cap(contributions_amount: Decimal, working_funds_rate: Decimal) -> Decimal:
    """DOMAIN: working funds are at most working_funds_rate (8%) of the year's contributions."""
    return quantize_money(max(contributions_amount, ZERO) * working_funds_rate)


def check_allocations(allocations: Sequence[Allocation], cap: Decimal) -> Decimal:
    """Refuse negative, duplicate or over-cap allocations; return their total."""
    seen: set[str] = set()
    for number, allocation in enumerate(allocations, start=1):
        if allocation.amount < 0 or allocation.amount != allocation.amount.quantize(FEN):
            raise ValidationFailed("bad_allocation", gettext_noop("第 %(n)s 项工作经费金额不正确"),
                                   field="allocations", row=number, params={"n": number})
        if allocation.account_code in seen:
            raise ValidationFailed("duplicate_allocation", gettext_noop("第 %(n)s 项工作经费重复分配"),
                                   field="allocations", row=number, params={"n": number})
        if not is_working_funds_code(allocation.account_code):
            raise ValidationFailed("not_working_funds", gettext_noop("第 %(n)s 项不是工作经费科目"),
                                   field="allocations", row=number, params={"n": number})
        seen.add(allocation.account_code)
    total = sum((allocation.amount for allocation in allocations), ZERO)
    if total > cap:
        raise ValidationFailed("working_funds_over_cap",
                               gettext_noop("工作经费合计 %(total)s 超过上限 %(cap)s（互助金收入的规定比例）"),
                               field="allocations", params={"total": total, "cap": cap})
    return total


def loss_ratio(benefits_amount: Decimal, contributions_amount: Decimal) -> Decimal | None:
    """Benefits expense over contributions, to four places; None before any contribution."""
    if contributions_amount <= 0:
        return None
    return (benefits_amount / contributions_amount).quantize(Decimal("0.0001"))


def natural_balance(account_type: str, signed_balance: Decimal) -> Decimal:
    """A balance in the account's own direction: credits count up on liability, equity and income."""
    return -signed_balance if account_type in CREDIT_NORMAL else signed_balance


def contribution_paid_draft(enrollment_id, paid: Decimal, subsidy: Decimal, posted_on: date) -> EntryDraft:
    """An enrollment's paid contribution: bank and subsidy receivable against contribution income."""
    lines: list[Line] = []
    if paid:
        lines += [Line(BANK, paid), Line(CONTRIBUTIONS, -paid)]
    if subsidy:  # DOMAIN: the union subsidises part of the contribution; booked as receivable
        lines += [Line(SUBSIDY_RECEIVABLE, subsidy), Line(SUBSIDY_INCOME, -subsidy)]
    return EntryDraft("enrollment", str(enrollment_id), "contribution_paid", posted_on,
                      f"团体参互 #{enrollment_id} 缴纳互助金 {paid}，工会补贴 {subsidy}", tuple(lines))


def claim_approved_draft(claim_id, benefit: Decimal, posted_on: date) -> EntryDraft:
    """An approved claim's benefit: benefits expense against benefits payable."""
    return EntryDraft("claim", str(claim_id), "claim_approved", posted_on, f"申领 #{claim_id} 审批通过，补助金 {benefit}",
                      transfer(BENEFITS_EXPENSE, BENEFITS_PAYABLE, benefit))


def claim_recovery_draft(claim_id, amount: Decimal, posted_on: date, *, memo: str = "") -> EntryDraft:
    """A paid benefit whose settlement was reversed (or, with its `memo`, found overpaid by the post-audit): the
    fund is owed it back (recovery receivable against benefits expense, which the benefit had been charged to)."""
    return EntryDraft("claim", str(claim_id), "claim_recovery", posted_on,
                      memo or f"申领 #{claim_id} 医保结算冲销，应追回补助金 {amount}",
                      transfer(RECOVERY_RECEIVABLE, BENEFITS_EXPENSE, amount))


def recovery_closed_draft(claim_id, amount: Decimal, posted_on: date, *, written_off: bool) -> EntryDraft:
    """A recovery closed: the worker paid the benefit back (bank against the receivable), or the association wrote it
    off as not recoverable (benefits expense, charged again, against the receivable)."""
    if written_off:
        return EntryDraft("claim", str(claim_id), "claim_recovery_written_off", posted_on,
                          f"申领 #{claim_id} 应追回补助金 {amount} 核销", transfer(BENEFITS_EXPENSE, RECOVERY_RECEIVABLE, amount))
    return EntryDraft("claim", str(claim_id), "claim_recovery_repaid", posted_on,
                      f"申领 #{claim_id} 追回补助金 {amount} 已到账", transfer(BANK, RECOVERY_RECEIVABLE, amount))


def payout_paid_draft(payout_id, amount: Decimal, posted_on: date) -> EntryDraft:
    """The bank paid a payout: benefits payable against bank."""
    return EntryDraft("payout", str(payout_id), "payout_paid", posted_on, f"支付 #{payout_id} 已付款 {amount}",
                      transfer(BENEFITS_PAYABLE, BANK, amount))


def hospital_advances_code(hospital_code: str) -> str:
    """The sub-account of what the fund owes one partner hospital for the benefits it advanced."""
    return f"{HOSPITAL_ADVANCES}-{hospital_code}"


def hospital_advance_draft(discharge_id, hospital_code: str, amount: Decimal, posted_on: date) -> EntryDraft:
    """A hospital took a benefit off the patient's bill: the benefit is paid, the fund owes the hospital instead."""
    return EntryDraft("discharge", str(discharge_id), "hospital_advance", posted_on,
                      f"出院直接结算 #{discharge_id}（{hospital_code}）医院垫付补助金 {amount}",
                      transfer(BENEFITS_PAYABLE, hospital_advances_code(hospital_code), amount))


def hospital_reimbursed_draft(batch_id, plan_year_id, hospital_code: str, amount: Decimal, posted_on: date) -> EntryDraft:
    """The association repaid a hospital's batch (its part in one plan year): the hospital's payable against bank."""
    return EntryDraft("hospital_batch", f"{batch_id}-{plan_year_id}", "hospital_reimbursed", posted_on,
                      f"医院垫付结算批次 #{batch_id}（{hospital_code}）付款 {amount}",
                      transfer(hospital_advances_code(hospital_code), BANK, amount))


def unearned_fraction(*, starts_on: date, ends_on: date, on: date) -> Decimal:
    """The share of a coverage not yet run at the end of `on`: its remaining days over its days (1/365 method)."""
    days = (ends_on - starts_on).days + 1
    if days <= 0:
        return ZERO
    # DOMAIN: the reporting day itself has run; a coverage not yet started is wholly unearned
    remaining = min(max((ends_on - max(on, starts_on - timedelta(days=1))).days, 0), days)
    return Decimal(remaining) / Decimal(days)


def unearned_amount(groups: Iterable[tuple[Decimal, date, date]], *, on: date) -> Decimal:
    """Unearned contributions at the end of `on` of (contributions, first day, last day) groups, to the fen."""
    total = sum((amount * unearned_fraction(starts_on=starts_on, ends_on=ends_on, on=on)
                 for amount, starts_on, ends_on in groups), ZERO)
    return quantize_money(total)


MAX_VOUCHER_DAYS = 366
_ACCOUNT_CODE = re.compile(r"[0-9]{4}(-[0-9A-Za-z]{1,15})?")
_EXTERNAL_CODE = re.compile(r"[0-9][0-9.]{0,39}")


def voucher_period(*, month: str = "", starts_on: date | None = None, ends_on: date | None = None) -> tuple[date, date]:
    """[first day, day after the last) of a voucher export: a month `YYYY-MM`, or a range of at most a year."""
    if month:
        match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", month.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValidationFailed("bad_period", gettext_noop("月份应写作 YYYY-MM，如 2026-03"), field="month",
                                   params={})
        first = date(int(match[1]), int(match[2]), 1)
        return first, (first + timedelta(days=32)).replace(day=1)
    if starts_on is None or ends_on is None:
        raise ValidationFailed("bad_period", gettext_noop("请选择月份，或填写起止日期"), field="month", params={})
    if ends_on < starts_on or (ends_on - starts_on).days >= MAX_VOUCHER_DAYS:
        raise ValidationFailed("bad_period", gettext_noop("截止日期不能早于起始日期，期间最长一年"), field="to",
                               params={})
    return starts_on, ends_on + timedelta(days=1)


def check_mapping_line(account_code: str, external_code: str, external_name: str) -> tuple[str, str, str]:
    """A mapping line as stored (trimmed), or the field that is wrong."""
    account_code, external_code, external_name = account_code.strip(), external_code.strip(), external_name.strip()
    if not _ACCOUNT_CODE.fullmatch(account_code):
        raise ValidationFailed("bad_account_code", gettext_noop("本系统科目代码“%(code)s”不正确（四位数字，或如 2301-150200）"),
                               field="account_code", params={"code": account_code})
    if not _EXTERNAL_CODE.fullmatch(external_code):
        raise ValidationFailed("bad_external_code", gettext_noop("会计科目编码“%(code)s”不正确（数字，可含小数点分级）"),
                               field="external_code", params={"code": external_code})
    if not external_name or len(external_name) > 100:
        raise ValidationFailed("external_name_required", gettext_noop("请填写会计科目名称（不超过100字）"),
                               field="external_name", params={})
    return account_code, external_code, external_name
