"""Accounting vouchers (记账凭证) from the ledger's postings, for the association's accounting package.

One voucher per ledger entry (or, grouped, one per day and kind of entry), numbered from 1 in the period,
its lines on the external accounts of the account mapping (民间非营利组织会计制度), debit and credit apart,
with 辅助核算 (往来单位, 部门, 项目) where the entry has them. The layouts: a generic CSV/XLSX and the
voucher import files of 用友 (U8 总账工具 / T+) and 金蝶 (KIS). No ORM here: the page feeds the postings
(queries.voucher_postings) and a reader of the entries' sources; docs/ledger.md says what each layout assumes.
"""
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice

from huzhu.core.money import ZERO

from . import rules

VOUCHER_WORD = "记"  # 凭证字: 记账凭证 (one kind for every voucher)
GROUPINGS = ("entry", "day_kind")

KIND_LABELS = {
    "contribution_paid": "收到互助金", "subsidy_received": "收到工会补贴", "claim_approved": "核定补助金",
    "claim_recovery": "应追回补助金", "claim_recovery_repaid": "追回补助金到账", "claim_recovery_written_off": "应追回补助金核销",
    "payout_paid": "支付补助金", "payout_failed": "补助金支付退回", "hospital_advance": "医院垫付补助金",
    "hospital_reimbursed": "归还医院垫付款", "reserve_appropriation": "提取总准备金",
    "working_funds_allocation": "分配工作经费", "adjustment": "调整分录",
}


def kind_label(kind: str) -> str:
    """The Chinese name of an entry kind (a reversal names what it reverses)."""
    if kind.startswith("reversal:"):
        return "冲销" + kind_label(kind.removeprefix("reversal:"))
    return KIND_LABELS.get(kind, kind)


@dataclass(frozen=True)
class Posting:
    """One posting as queries.voucher_postings gives it (the order of queries.VOUCHER_FIELDS)."""

    entry_id: int
    posted_on: date
    memo: str
    kind: str
    cause_type: str
    cause_id: str | None
    plan_year: int
    plan_name: str
    account_code: str
    account_name: str
    office_name: str | None
    agency_point_name: str | None
    amount: Decimal


@dataclass(frozen=True)
class Party:
    """What a cause says of who it concerns: the member unit and the league (辅助核算)."""

    unit: str = ""
    league: str = ""


@dataclass(frozen=True)
class VoucherLine:
    external_code: str
    external_name: str
    debit_amount: Decimal
    credit_amount: Decimal
    counterparty: str  # 往来单位: the member unit, or the hospital of a 2202-<code> account
    department: str  # 部门: the office or agency point of a working-funds account, else the league
    project: str  # 项目: the plan year
    account_code: str  # our account


@dataclass(frozen=True)
class Voucher:
    number: int
    posted_on: date
    memo: str
    kind: str
    entry_ids: tuple[int, ...]
    lines: tuple[VoucherLine, ...]

    @property
    def debit_amount(self) -> Decimal:
        return sum((line.debit_amount for line in self.lines), ZERO)

    @property
    def credit_amount(self) -> Decimal:
        return sum((line.credit_amount for line in self.lines), ZERO)

    @property
    def is_balanced(self) -> bool:
        return self.debit_amount == self.credit_amount


def unmapped_accounts(accounts: Iterable[tuple[str, str]], mapping: dict[str, tuple[str, str]]) -> list[str]:
    """'code name' of each account the mapping does not reach (neither its code nor its parent's)."""
    return [f"{code} {name}" for code, name in accounts if rules.mapped_code(code, mapping) is None]


def _line(posting: Posting, mapping: dict[str, tuple[str, str]], party: Party) -> VoucherLine:
    mapped = rules.mapped_code(posting.account_code, mapping)
    if mapped is None:  # the page refuses an unmapped period before it streams (unmapped_accounts)
        raise KeyError(posting.account_code)
    counterparty, department = party.unit, party.league
    if posting.account_code.startswith(f"{rules.HOSPITAL_ADVANCES}-"):
        counterparty = posting.account_name.rpartition("—")[2] or posting.account_code
    if posting.office_name or posting.agency_point_name:
        department = posting.office_name or posting.agency_point_name or ""
    amount = posting.amount
    return VoucherLine(mapped[0], mapped[1], amount if amount > 0 else ZERO, -amount if amount < 0 else ZERO,
                       counterparty, department, f"{posting.plan_name} {posting.plan_year}", posting.account_code)


def _entries(postings: Iterable[Sequence]) -> Iterator[list[Posting]]:
    """The postings stream cut into entries (it comes in entry order)."""
    current: list[Posting] = []
    for row in postings:
        posting = row if isinstance(row, Posting) else Posting(*row)
        if current and current[0].entry_id != posting.entry_id:
            yield current
            current = []
        current.append(posting)
    if current:
        yield current


def _days(entries: Iterator[list[Posting]]) -> Iterator[list[list[Posting]]]:
    day: list[list[Posting]] = []
    for entry in entries:
        if day and day[0][0].posted_on != entry[0].posted_on:
            yield day
            day = []
        day.append(entry)
    if day:
        yield day


PartyReader = Callable[[list[tuple[int, str, str | None]]], dict[int, Party]]


def _parties(day: list[list[Posting]], reader: PartyReader | None, chunk: int = 1000) -> dict[int, Party]:
    if reader is None:
        return {}
    causes = [(entry[0].entry_id, entry[0].cause_type, entry[0].cause_id) for entry in day]
    found: dict[int, Party] = {}
    iterator = iter(causes)
    while part := list(islice(iterator, chunk)):
        found.update(reader(part))
    return found


def build_vouchers(postings: Iterable[Sequence], mapping: dict[str, tuple[str, str]], *, grouping: str = "entry",
                   party_reader: PartyReader | None = None) -> Iterator[Voucher]:
    """The period's vouchers in date order, numbered from 1; one day's entries in memory at a time."""
    if grouping not in GROUPINGS:
        raise ValueError(grouping)
    number = 0
    for day in _days(_entries(postings)):
        parties = _parties(day, party_reader)
        groups: dict[str, list[list[Posting]]] = {}
        for entry in day:
            key = entry[0].kind if grouping == "day_kind" else str(entry[0].entry_id)
            groups.setdefault(key, []).append(entry)
        for entries in groups.values():
            number += 1
            yield _voucher(number, entries, mapping, parties, grouped=grouping == "day_kind")


def _voucher(number: int, entries: list[list[Posting]], mapping, parties: dict[int, Party], *, grouped: bool) -> Voucher:
    first = entries[0][0]
    lines = [_line(posting, mapping, parties.get(posting.entry_id, Party())) for entry in entries for posting in entry]
    if grouped:
        # Debits and credits stay apart per account, so the voucher's movements are the ledger's.
        summed: dict[tuple, list[Decimal]] = {}
        for line in lines:
            key = (line.external_code, line.external_name, line.debit_amount > 0, line.counterparty, line.department,
                   line.project, line.account_code)
            totals = summed.setdefault(key, [ZERO, ZERO])
            totals[0] += line.debit_amount
            totals[1] += line.credit_amount
        lines = [VoucherLine(key[0], key[1], debit, credit, *key[3:]) for key, (debit, credit) in summed.items()]
        memo = f"{first.posted_on.isoformat()} {kind_label(first.kind)} {len(entries)} 笔"
    else:
        memo = first.memo
    # Debit lines first, as a voucher is written.
    lines.sort(key=lambda line: line.debit_amount == 0)
    return Voucher(number, first.posted_on, memo, first.kind, tuple(entry[0].entry_id for entry in entries), tuple(lines))


@dataclass
class VoucherTotals:
    """Debits and credits per external account of the vouchers written, and how many vouchers balanced."""

    by_code: dict[str, list] = field(default_factory=dict)
    vouchers: int = 0
    unbalanced: list[int] = field(default_factory=list)

    def add(self, voucher: Voucher) -> Voucher:
        self.vouchers += 1
        if not voucher.is_balanced:
            self.unbalanced.append(voucher.number)
        for line in voucher.lines:
            totals = self.by_code.setdefault(line.external_code, [line.external_name, ZERO, ZERO])
            totals[1] += line.debit_amount
            totals[2] += line.credit_amount
        return voucher

    def counted(self, vouchers: Iterable[Voucher]) -> Iterator[Voucher]:
        for voucher in vouchers:
            yield self.add(voucher)


@dataclass(frozen=True)
class ReconciliationRow:
    external_code: str
    external_name: str
    account_codes: tuple[str, ...]
    voucher_debit_amount: Decimal
    voucher_credit_amount: Decimal
    ledger_debit_amount: Decimal
    ledger_credit_amount: Decimal

    @property
    def difference_amount(self) -> Decimal:
        return ((self.voucher_debit_amount - self.ledger_debit_amount)
                - (self.voucher_credit_amount - self.ledger_credit_amount))

    @property
    def matches(self) -> bool:
        return (self.voucher_debit_amount == self.ledger_debit_amount
                and self.voucher_credit_amount == self.ledger_credit_amount)


def reconcile(totals: VoucherTotals, movements: dict[str, tuple[Decimal, Decimal]],
              mapping: dict[str, tuple[str, str]]) -> list[ReconciliationRow]:
    """Per external account: the vouchers' debits and credits against the trial balance's movements of the period."""
    ledger: dict[str, list] = {}
    for code, (debit, credit) in movements.items():
        external = rules.mapped_code(code, mapping) or ("", "未对照")
        row = ledger.setdefault(external[0], [external[1], set(), ZERO, ZERO])
        row[1].add(code if code in mapping else rules.parent_code(code))  # sub-accounts show as their parent
        row[2] += debit
        row[3] += credit
    rows = []
    for code in sorted(set(ledger) | set(totals.by_code)):
        name, accounts, debit, credit = ledger.get(code, ["", set(), ZERO, ZERO])
        voucher_name, voucher_debit, voucher_credit = totals.by_code.get(code, [name, ZERO, ZERO])
        rows.append(ReconciliationRow(code, voucher_name or name, tuple(sorted(accounts)), voucher_debit, voucher_credit,
                                      debit, credit))
    return rows


# ---------------------------------------------------------------- layouts

GENERIC_HEADERS = ("凭证日期", "凭证字", "凭证号", "行号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额",
                   "往来单位", "部门", "项目", "本系统科目", "记账分录号", "业务类型")
# 用友 U8 总账工具「凭证引入」: the required fields in their order (制单日期+凭证类别字+凭证号 mark one voucher);
# 金额 one side non-zero, the other 0. T+ maps an Excel import by these same names.
UFIDA_HEADERS = ("制单日期", "凭证类别字", "凭证号", "附单据数", "摘要", "科目编码", "借方金额", "贷方金额")
# 金蝶 KIS「引入凭证」Excel template.
KINGDEE_HEADERS = ("日期", "凭证字", "凭证号", "附单据数", "摘要", "科目代码", "科目名称", "借方金额", "贷方金额",
                   "币别", "汇率", "数量", "单价", "制单人", "审核人", "过账人")
RECONCILIATION_HEADERS = ("会计科目编码", "会计科目名称", "本系统科目", "凭证借方合计", "凭证贷方合计",
                          "试算平衡表借方发生额", "试算平衡表贷方发生额", "差额", "核对结果")


def generic_rows(vouchers: Iterable[Voucher]) -> Iterator[tuple]:
    for voucher in vouchers:
        entries = ",".join(str(pk) for pk in voucher.entry_ids)
        for number, line in enumerate(voucher.lines, start=1):
            yield (voucher.posted_on, VOUCHER_WORD, voucher.number, number, voucher.memo, line.external_code,
                   line.external_name, line.debit_amount, line.credit_amount, line.counterparty, line.department,
                   line.project, line.account_code, entries, kind_label(voucher.kind))


def ufida_rows(vouchers: Iterable[Voucher]) -> Iterator[tuple]:
    for voucher in vouchers:
        for line in voucher.lines:
            # 摘要 is 60 characters at most in U8
            yield (voucher.posted_on, VOUCHER_WORD, voucher.number, 0, voucher.memo[:60], line.external_code,
                   line.debit_amount, line.credit_amount)


def kingdee_rows(vouchers: Iterable[Voucher], *, prepared_by: str) -> Iterator[tuple]:
    for voucher in vouchers:
        for line in voucher.lines:
            yield (voucher.posted_on, VOUCHER_WORD, voucher.number, 0, voucher.memo, line.external_code,
                   line.external_name, line.debit_amount, line.credit_amount, "RMB", 1, None, None, prepared_by, "", "")


def reconciliation_rows(rows: Iterable[ReconciliationRow]) -> Iterator[tuple]:
    for row in rows:
        yield (row.external_code, row.external_name, "、".join(row.account_codes), row.voucher_debit_amount,
               row.voucher_credit_amount, row.ledger_debit_amount, row.ledger_credit_amount, row.difference_amount,
               "一致" if row.matches else "不一致")
