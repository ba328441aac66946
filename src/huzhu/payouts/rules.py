"""Pure payout rules: references, the bank file's columns, reading and checking a bank return file.

No Django here (STYLE.md). A return file is checked as a whole against the batch's payouts before
anything is applied: every problem is reported with its line, and one problem rejects the file.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from huzhu.core.money import parse_money

PAID, FAILED = "paid", "failed"

BANK_FILE_HEADERS = ("序号", "收款人姓名", "收款账号", "开户银行", "金额（元）", "支付参考号", "用途")
RETURN_FILE_HEADERS = ("支付参考号", "金额（元）", "处理结果", "银行说明")

# Column names a bank's return file may use, mapped to ours (compared without spaces, case-insensitive).
RETURN_COLUMNS = {
    "reference": ("支付参考号", "参考号", "业务参考号", "reference", "ref"),
    "amount": ("金额（元）", "金额(元)", "金额", "amount"),
    "result": ("处理结果", "结果", "交易状态", "状态", "result", "status"),
    "reason": ("银行说明", "失败原因", "原因", "说明", "备注", "reason", "message"),
}
REQUIRED_RETURN_COLUMNS = ("reference", "result")
RESULT_WORDS = {
    PAID: ("paid", "success", "succeeded", "ok", "成功", "已支付", "支付成功", "交易成功", "已付款"),
    FAILED: ("failed", "fail", "failure", "returned", "失败", "支付失败", "交易失败", "退回", "退票", "已退回"),
}
RESULT_LABELS = {PAID: "已付款", FAILED: "支付失败"}


def payout_reference(claim_id: int, attempt: int) -> str:
    """The payout's unique reference on the bank file: claim number and attempt (HZ00000123-1)."""
    return f"HZ{claim_id:08d}-{attempt}"


def _key(text: object) -> str:
    return "".join(str(text or "").split()).lower()


def map_return_header(cells: Iterable[object]) -> dict[str, int]:
    """{our column: position} from a return file's header row; raises ValueError naming what is missing."""
    aliases = {_key(alias): name for name, names in RETURN_COLUMNS.items() for alias in names}
    found: dict[str, int] = {}
    for position, cell in enumerate(cells):
        name = aliases.get(_key(cell))
        if name and name not in found:
            found[name] = position
    missing = [RETURN_COLUMNS[name][0] for name in REQUIRED_RETURN_COLUMNS if name not in found]
    if missing:
        raise ValueError(f"回盘文件缺少列：{'、'.join(missing)}（第1行应为表头：{'、'.join(RETURN_FILE_HEADERS)}）")
    return found


def parse_result(text: object) -> str | None:
    """paid, failed, or None when the bank's word is not one we know."""
    word = _key(text)
    for result, words in RESULT_WORDS.items():
        if word in {_key(w) for w in words}:
            return result
    return None


@dataclass(frozen=True)
class ReturnLine:
    """One line of the bank's return file, as read."""

    row: int
    reference: str
    result: str | None
    amount: Decimal | None
    reason: str
    raw_result: str = ""
    amount_problem: str = ""


def read_return_line(row: int, header: Mapping[str, int], cells: list[object]) -> ReturnLine:
    """Pick our columns out of one data row; problems are kept on the line for `check_return_lines`."""
    def cell(name: str) -> object:
        position = header.get(name)
        return cells[position] if position is not None and position < len(cells) else None

    raw_amount, amount, amount_problem = cell("amount"), None, ""
    if raw_amount not in (None, ""):
        try:
            amount = parse_money(str(raw_amount))
        except (ValueError, TypeError):
            amount_problem = f"金额“{raw_amount}”格式不正确"
    raw_result = str(cell("result") or "").strip()
    return ReturnLine(row=row, reference=str(cell("reference") or "").strip(), result=parse_result(raw_result),
                      amount=amount, reason=str(cell("reason") or "").strip()[:200], raw_result=raw_result,
                      amount_problem=amount_problem)


@dataclass(frozen=True)
class PayoutFacts:
    """What the return file is checked against: one payout of the batch."""

    payout_id: int
    reference: str
    amount: Decimal
    status: str  # sent, paid, failed, ...


@dataclass(frozen=True)
class LineProblem:
    row: int
    reference: str
    message: str


@dataclass(frozen=True)
class LineDecision:
    row: int
    payout_id: int
    reference: str
    result: str
    reason: str


@dataclass
class ReturnCheck:
    """The outcome of checking a whole file: decisions to apply, lines already applied, problems."""

    decisions: list[LineDecision] = field(default_factory=list)
    unchanged: list[LineDecision] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)


def check_return_lines(lines: Iterable[ReturnLine], payouts: Mapping[str, PayoutFacts], *,
                       open_status: str = "sent") -> ReturnCheck:
    """Match each line to a payout of the batch; a line already applied the same way is unchanged.

    Refused per line, in Chinese: empty or unknown reference, a reference twice in the file, an
    unknown result word, an amount that is unreadable or differs from the payout, a payout already
    settled the other way, a payout not sent to the bank.
    """
    check = ReturnCheck()
    seen: dict[str, int] = {}
    for line in lines:
        def refuse(message: str, line: ReturnLine = line) -> None:
            check.problems.append(LineProblem(line.row, line.reference, message))

        if not line.reference:
            refuse("缺少支付参考号")
            continue
        if line.reference in seen:
            refuse(f"支付参考号 {line.reference} 在文件中重复出现（第{seen[line.reference]}行已有）")
            continue
        seen[line.reference] = line.row
        payout = payouts.get(line.reference)
        if payout is None:
            refuse(f"支付参考号 {line.reference} 不属于本批次")
            continue
        if line.result is None:
            refuse(f"处理结果“{line.raw_result}”无法识别，应为“成功”或“失败”")
            continue
        if line.amount_problem:
            refuse(line.amount_problem)
            continue
        if line.amount is not None and line.amount != payout.amount:
            refuse(f"金额不符：回盘 {line.amount:.2f} 元，本批次应付 {payout.amount:.2f} 元")
            continue
        if line.result == FAILED and not line.reason:
            refuse("支付失败须注明银行说明（失败原因）")
            continue
        decision = LineDecision(line.row, payout.payout_id, line.reference, line.result, line.reason)
        if payout.status == line.result:
            check.unchanged.append(decision)
        elif payout.status in (PAID, FAILED):
            refuse(f"该笔已记为“{RESULT_LABELS[payout.status]}”，与回盘的“{RESULT_LABELS[line.result]}”不符")
        elif payout.status != open_status:
            refuse("该笔支付尚未送银行，不能对账")
        else:
            check.decisions.append(decision)
    return check


@dataclass(frozen=True)
class BatchFilters:
    """Which approved claims a new batch takes: plan, league or county, approval dates (inclusive)."""

    plan: str = ""
    league: str = ""
    county: str = ""
    approved_from: date | None = None
    approved_to: date | None = None

    def as_json(self) -> dict:
        return {"plan": self.plan, "league": self.league, "county": self.county,
                "approved_from": self.approved_from.isoformat() if self.approved_from else "",
                "approved_to": self.approved_to.isoformat() if self.approved_to else ""}

    def problem(self) -> str:
        """A Chinese message when the filters contradict themselves, else ""."""
        if self.approved_from and self.approved_to and self.approved_from > self.approved_to:
            return "审批日期“起”不能晚于“止”"
        return ""


def filters_label(filters: BatchFilters, names: Mapping[str, str]) -> str:
    """The filters in words for the batch list: 住院医疗 · 包头市 · 审批 2026-05-01 至 2026-05-31."""
    parts = [names.get(filters.plan, filters.plan) if filters.plan else "全部项目"]
    region = filters.county or filters.league
    parts.append(names.get(region, region) if region else "全区")
    if filters.approved_from or filters.approved_to:
        start = filters.approved_from.isoformat() if filters.approved_from else "…"
        end = filters.approved_to.isoformat() if filters.approved_to else "…"
        parts.append(f"审批 {start} 至 {end}")
    return " · ".join(parts)
