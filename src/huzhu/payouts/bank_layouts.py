"""Bank file layouts (pure): which columns a bank's payment file has, and how its return file is read.

A layout is data the association keeps per bank (`BankFileTemplate`); this module turns it into
rows and reads return lines back into `rules.ReturnLine`, so a return file in any layout is checked
and applied by the same code (`rules.check_return_lines`, `services.import_return_file`). No Django.
The ID number is never a column: the bank pays an account, not a person's identity.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from huzhu.core.idnumbers import mask_account
from huzhu.core.money import quantize_money

from . import rules

# field code -> the header a new column gets (the association may rename it)
FIELDS: dict[str, str] = {
    "serial": "序号",
    "payee_name": "收款人姓名",
    "account": "收款账号",
    "bank_name": "开户银行",
    "branch_code": "联行号",
    "amount": "金额（元）",
    "amount_fen": "金额（分）",
    "currency": "币种",
    "purpose": "用途",
    "reference": "支付参考号",
    "batch_reference": "批次号",
    "fixed": "固定值",
}
FILE_TYPES = ("csv", "xlsx", "txt")
ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")
DELIMITERS = (",", "|", "\t", ";")
# Written as text in XLSX, so Excel never turns a 19-digit account into 6.2E+18 or drops leading zeros.
TEXT_FIELDS = frozenset({"account", "reference", "batch_reference", "branch_code", "fixed", "payee_name", "bank_name",
                         "purpose", "currency"})
RETURN_KEYS = ("reference", "serial", "account")  # what ties a return line to a payout, in order of preference
MAX_COLUMNS = 30


@dataclass(frozen=True)
class Column:
    """One column of a payment file: a field of the payout (or a fixed value) under a header."""

    field: str
    header: str = ""
    value: str = ""  # the text of a `fixed` column

    def as_json(self) -> dict:
        return {"field": self.field, "header": self.header, "value": self.value}

    @classmethod
    def from_json(cls, item: Mapping) -> "Column":
        return cls(field=str(item.get("field", "")), header=str(item.get("header", "")), value=str(item.get("value", "")))


@dataclass(frozen=True)
class PayeeLine:
    """What a payment file may say of one payout (the clear account: the bank needs it)."""

    serial: int
    payee_name: str
    account: str
    bank_name: str
    amount: Decimal
    reference: str
    purpose: str
    batch_reference: str
    branch_code: str = ""
    currency: str = "CNY"


def cell(column: Column, line: PayeeLine) -> object:
    """The value of one column for one payout: amounts as Decimal yuan (2 places) or int fen."""
    if column.field == "fixed":
        return column.value
    if column.field == "amount":
        return quantize_money(line.amount)
    if column.field == "amount_fen":
        return int(quantize_money(line.amount) * 100)
    return getattr(line, column.field)


def row(columns: Sequence[Column], line: PayeeLine) -> tuple:
    return tuple(cell(column, line) for column in columns)


def headers(columns: Sequence[Column]) -> tuple[str, ...]:
    return tuple(column.header or FIELDS.get(column.field, column.field) for column in columns)


def text_positions(columns: Sequence[Column]) -> tuple[int, ...]:
    return tuple(i for i, column in enumerate(columns) if column.field in TEXT_FIELDS)


def money_positions(columns: Sequence[Column]) -> tuple[int, ...]:
    return tuple(i for i, column in enumerate(columns) if column.field == "amount")


def columns_problem(columns: Sequence[Column]) -> str:
    """A Chinese message when the columns cannot make a payment file the bank can run, else ""."""
    if not columns:
        return "请至少设置一列"
    if len(columns) > MAX_COLUMNS:
        return f"最多 {MAX_COLUMNS} 列"
    for number, column in enumerate(columns, start=1):
        if column.field not in FIELDS:
            return f"第{number}列的字段“{column.field}”不在可选字段中"
        if column.field == "fixed" and not column.value.strip():
            return f"第{number}列是固定值列，请填写固定值"
        if len(column.header) > 40 or len(column.value) > 100:
            return f"第{number}列的表头或固定值过长"
    fields = [column.field for column in columns]
    if "account" not in fields:
        return "银行文件须含“收款账号”列"
    if "payee_name" not in fields:
        return "银行文件须含“收款人姓名”列"
    if "amount" not in fields and "amount_fen" not in fields:
        return "银行文件须含金额列（元或分）"
    return ""


# ---------------------------------------------------------------- the return file in a layout


def _key(text: object) -> str:
    return "".join(str(text if text is not None else "").split()).lower()


def split_values(text: str) -> tuple[str, ...]:
    """'成功, 0000、S' -> ('成功', '0000', 'S'): the words a bank writes for one result."""
    for separator in ("、", "，", ";", "；", "|"):
        text = text.replace(separator, ",")
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class ReturnLayout:
    """Where a bank's return file keeps each value: a header text, or a column number from 1 when it has no header."""

    has_header: bool = True
    reference: str = ""
    serial: str = ""
    account: str = ""
    amount: str = ""
    result: str = ""
    reason: str = ""
    amount_in_fen: bool = False
    success_values: tuple[str, ...] = ()
    failure_values: tuple[str, ...] = ()  # empty: any other non-blank result is a failure

    @property
    def is_mapped(self) -> bool:
        """False: the return file is read by the column names of the generic layout (rules.RETURN_COLUMNS)."""
        return bool(self.result.strip())

    def key_name(self) -> str:
        return next((name for name in RETURN_KEYS if getattr(self, name).strip()), "")

    def problem(self) -> str:
        """A Chinese message when the mapping cannot read a return file, else ""."""
        if not self.is_mapped:
            if any(getattr(self, name).strip() for name in (*RETURN_KEYS, "amount", "reason")):
                return "回盘格式须指定“处理结果”所在列"
            return ""
        if not self.key_name():
            return "回盘格式须指定支付参考号、序号或收款账号中的一列，用于对应每一笔支付"
        if not self.success_values:
            return "请填写表示“成功”的处理结果值"
        if not self.has_header:
            for name in (*RETURN_KEYS, "amount", "result", "reason"):
                value = getattr(self, name).strip()
                if value and not (value.isdigit() and int(value) >= 1):
                    return "回盘文件没有表头时，各列须填写列号（从1起）"
        overlap = {_key(v) for v in self.success_values} & {_key(v) for v in self.failure_values}
        if overlap:
            return f"“{'、'.join(sorted(overlap))}”不能同时表示成功和失败"
        return ""

    def positions(self, header_cells: Iterable[object] | None) -> dict[str, int]:
        """{value: position from 0}; raises ValueError naming the columns the file lacks."""
        names = (*RETURN_KEYS, "amount", "result", "reason")
        wanted = {name: getattr(self, name).strip() for name in names if getattr(self, name).strip()}
        if not self.has_header:
            return {name: int(spec) - 1 for name, spec in wanted.items()}
        found = {_key(cell): position for position, cell in reversed(list(enumerate(header_cells or [])))}
        missing = [spec for spec in wanted.values() if _key(spec) not in found]
        if missing:
            raise ValueError(f"回盘文件缺少列：{'、'.join(missing)}（按所选银行模板的回盘格式读取）")
        return {name: found[_key(spec)] for name, spec in wanted.items()}

    def parse_result(self, text: object) -> str | None:
        word = _key(text)
        if word in {_key(v) for v in self.success_values}:
            return rules.PAID
        if word in {_key(v) for v in self.failure_values}:
            return rules.FAILED
        if not self.failure_values and word:
            return rules.FAILED
        return None


@dataclass(frozen=True)
class KeyedLine:
    """A return line before it is tied to a payout: the key the bank echoed (reference, serial or account)."""

    line: rules.ReturnLine
    key_name: str
    key: str


def read_line(layout: ReturnLayout, row_no: int, positions: Mapping[str, int], cells: Sequence[object]) -> KeyedLine:
    """One data row of a return file in the layout; problems stay on the line for `rules.check_return_lines`."""
    def value(name: str) -> object:
        position = positions.get(name)
        return cells[position] if position is not None and position < len(cells) else None

    raw_amount, amount, amount_problem = value("amount"), None, ""
    if raw_amount not in (None, ""):
        amount, amount_problem = parse_amount(raw_amount, in_fen=layout.amount_in_fen)
    raw_result = str(value("result") if value("result") is not None else "").strip()
    result = layout.parse_result(raw_result)
    reason = str(value("reason") or "").strip()
    if result == rules.FAILED and not reason:
        reason = f"银行返回“{raw_result}”"  # a bank that only sends a code still says why, in its own words
    key_name = layout.key_name()
    key = _text(value(key_name))
    if key_name == "account":
        key = "".join(key.split())
    line = rules.ReturnLine(row=row_no, reference=key if key_name == "reference" else "", result=result,
                            amount=amount, reason=reason[:200], raw_result=raw_result, amount_problem=amount_problem)
    return KeyedLine(line=line, key_name=key_name, key=key)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a serial the bank's spreadsheet turned into 3.0
    return str(value if value is not None else "").strip()


def parse_amount(raw: object, *, in_fen: bool) -> tuple[Decimal | None, str]:
    text = _text(raw).replace(",", "")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None, f"金额“{raw}”格式不正确"
    if in_fen:
        if value != value.to_integral_value():
            return None, f"金额“{raw}”应为整数（分）"
        return quantize_money(value / 100), ""
    if value != value.quantize(Decimal("0.01")):
        return None, f"金额“{raw}”超过两位小数"
    return quantize_money(value), ""


def tie_to_payouts(lines: Iterable[KeyedLine], *, by_serial: Mapping[str, str],
                   by_account: Mapping[str, Sequence[tuple[str, Decimal]]]) -> tuple[list[rules.ReturnLine], list[rules.LineProblem]]:
    """Each line with the reference of its payout, found by serial or account (and amount where an account pays twice)."""
    tied: list[rules.ReturnLine] = []
    problems: list[rules.LineProblem] = []
    for keyed in lines:
        line = keyed.line
        if keyed.key_name == "reference":
            tied.append(line)
            continue
        if not keyed.key:
            problems.append(rules.LineProblem(line.row, "", "缺少用于对应支付的" + ("序号" if keyed.key_name == "serial" else "收款账号")))
            continue
        if keyed.key_name == "serial":
            reference = by_serial.get(keyed.key.lstrip("0") or "0")
            if reference is None:
                problems.append(rules.LineProblem(line.row, "", f"序号 {keyed.key} 不属于本批次"))
                continue
        else:
            candidates = list(by_account.get(keyed.key, ()))
            if line.amount is not None and len(candidates) > 1:
                candidates = [c for c in candidates if c[1] == line.amount]
            if not candidates:
                problems.append(rules.LineProblem(line.row, "", f"收款账号 {mask_account(keyed.key)} 不属于本批次"))
                continue
            if len(candidates) > 1:
                problems.append(rules.LineProblem(line.row, "", f"收款账号 {mask_account(keyed.key)} 在本批次有 {len(candidates)} 笔"
                                                  "相同金额的支付，无法区分，请改用含序号或支付参考号的回盘格式"))
                continue
            reference = candidates[0][0]
        tied.append(rules.ReturnLine(row=line.row, reference=reference, result=line.result, amount=line.amount,
                                     reason=line.reason, raw_result=line.raw_result, amount_problem=line.amount_problem))
    return tied, problems
