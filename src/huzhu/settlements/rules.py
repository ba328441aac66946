"""The settlement feed's contract: its header, and one row read into facts or a row error. Pure: no Django.

The header names are the contract with the medical-insurance bureau (modelled on the national
医疗保障基金结算清单); a file whose header differs is refused as a whole, naming the columns.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from huzhu.core.identifiers import ascii_form
from huzhu.core.idnumbers import mask_id_number, mask_identifiers_in, parse_resident_id
from huzhu.core.money import quantize_money

HEADER = ("结算流水号", "身份证号", "姓名", "定点机构编码", "定点机构名称", "入院日期", "出院日期", "结算日期",
          "主要诊断编码", "医疗费总额", "统筹基金支付", "大病保险支付", "医疗救助支付", "政策范围内个人自付",
          "政策范围外个人自付", "全自费", "险种", "就医类别", "冲销标志", "原结算流水号")
AMOUNT_COLUMNS = {"医疗费总额": "total_amount", "统筹基金支付": "fund_paid_amount", "大病保险支付": "serious_illness_amount",
                  "医疗救助支付": "medical_aid_amount", "政策范围内个人自付": "policy_self_pay_amount",
                  "政策范围外个人自付": "out_of_policy_amount", "全自费": "self_funded_amount"}
CARE_TYPES = {"住院": "inpatient", "门诊慢特病": "outpatient_chronic"}
SERIAL = re.compile(r"[0-9A-Za-z\-_]{1,40}")
ICD10 = re.compile(r"[A-Z]\d{2}(\.[0-9A-Z]{1,4})?")
# DOMAIN: women's plan diagnoses: malignant neoplasms of breast and female genital organs, carcinoma in situ.
WOMEN_DIAGNOSIS = re.compile(r"(C5[0-8]|D0[5-7])")
_MAX_AMOUNT = Decimal("100000000")


class FeedHeaderProblem(ValueError):
    """The header row is not the contract's."""


def map_feed_header(cells: Iterable[object]) -> dict[str, int]:
    """Column name → position; FeedHeaderProblem naming the missing, unknown and repeated columns."""
    positions: dict[str, int] = {}
    unknown, repeated = [], []
    for i, cell in enumerate(cells):
        label = "".join(str(cell or "").split()).lstrip("\ufeff")
        if not label:
            continue
        if label in positions:
            repeated.append(label)
        elif label in HEADER:
            positions[label] = i
        else:
            unknown.append(label)
    missing = [name for name in HEADER if name not in positions]
    parts = []
    if missing:
        parts.append("缺少列：" + "、".join(missing))
    if unknown:
        parts.append("无法识别的列：" + "、".join(unknown[:10]))
    if repeated:
        parts.append("重复的列：" + "、".join(repeated))
    if parts:
        raise FeedHeaderProblem("结算数据表头与约定不一致（" + "；".join(parts) + "）。表头须为：" + "，".join(HEADER))
    return positions


@dataclass(frozen=True)
class SettlementLine:
    """One valid row of the feed, normalised."""

    row_no: int
    serial: str
    id_number: str
    masked: str
    gender: str
    hospital_code: str
    hospital_name: str
    admitted_on: date
    discharged_on: date | None
    settled_on: date
    diagnosis_code: str
    amounts: dict[str, Decimal]
    insurance_kind: str
    claim_type: str
    is_reversal: bool
    reverses_serial: str


@dataclass(frozen=True)
class RowError:
    """A bad row: where, which field, why (the message never carries a full ID number)."""

    row_no: int
    field: str
    reason: str
    serial: str = ""
    masked: str = ""


class _Bad(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


def _text(cells: dict[str, object], name: str) -> str:
    value = cells.get(name)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u3000", " ").split())


def _code(cells: dict[str, object], name: str) -> str:
    return ascii_form(_text(cells, name))


def _date(cells: dict[str, object], name: str, *, required: bool = True) -> date | None:
    value = cells.get(name)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = ascii_form(_text(cells, name)).replace("/", "-").replace(".", "-")
    if not text:
        if required:
            raise _Bad(name, "不能为空")
        return None
    # The one pattern that can match: with a separator (from "/" or "."), or eight digits (ascii_form dropped "-").
    pattern, head = ("%Y-%m-%d", text[:10]) if "-" in text else ("%Y%m%d", text[:8])
    try:
        return datetime.strptime(head, pattern).date()
    except ValueError:
        raise _Bad(name, f"“{text[:20]}”不是日期（应写成2026-03-01）") from None


def _amount(cells: dict[str, object], name: str) -> Decimal:
    value = cells.get(name)
    text = ascii_form(str(value) if isinstance(value, (int, float, Decimal)) else _text(cells, name)).replace(",", "")
    if not text:
        return Decimal("0.00")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _Bad(name, f"“{text[:20]}”不是金额") from None
    if not amount.is_finite() or amount < 0 or amount >= _MAX_AMOUNT:
        raise _Bad(name, f"金额“{text[:20]}”超出范围（应为0到1亿元）")
    return quantize_money(amount)


def read_row(row_no: int, cells: dict[str, object], *, today: date) -> SettlementLine | RowError:
    """Check one row of the feed: the facts it states, or the first problem with it."""
    serial = _code(cells, "结算流水号")
    masked = ""
    try:
        if not serial:
            raise _Bad("结算流水号", "不能为空")
        if not SERIAL.fullmatch(serial):
            raise _Bad("结算流水号", "只能由字母、数字组成，最长40位")
        try:
            person = parse_resident_id(_text(cells, "身份证号"), today=today, check_region=False)
        except ValueError as exc:
            raise _Bad("身份证号", str(exc)) from None
        masked = mask_id_number(person.number)
        flag = _code(cells, "冲销标志") or "0"
        if flag not in ("0", "1"):
            raise _Bad("冲销标志", "只能填0（正常结算）或1（冲销）")
        reverses = _code(cells, "原结算流水号")
        if flag == "1" and not reverses:
            raise _Bad("原结算流水号", "冲销行须填写被冲销的原结算流水号")
        care = _text(cells, "就医类别")
        if care not in CARE_TYPES:
            raise _Bad("就医类别", f"“{care[:20]}”无法识别，应为“住院”或“门诊慢特病”")
        admitted_on = _date(cells, "入院日期")
        discharged_on = _date(cells, "出院日期", required=care == "住院")
        settled_on = _date(cells, "结算日期")
        assert admitted_on is not None and settled_on is not None
        if discharged_on and discharged_on < admitted_on:
            raise _Bad("出院日期", "早于入院日期")
        if settled_on > today:
            raise _Bad("结算日期", "晚于今天")
        diagnosis = _code(cells, "主要诊断编码")
        if diagnosis and not ICD10.fullmatch(diagnosis):
            raise _Bad("主要诊断编码", f"“{diagnosis[:20]}”不是ICD-10编码")
        amounts = {field: _amount(cells, name) for name, field in AMOUNT_COLUMNS.items()}
        hospital_name = _text(cells, "定点机构名称")
        if not hospital_name and flag == "0":
            raise _Bad("定点机构名称", "不能为空")
    except _Bad as bad:
        return RowError(row_no, bad.field, mask_identifiers_in(bad.reason), serial=serial[:40], masked=masked)
    return SettlementLine(
        row_no=row_no, serial=serial, id_number=person.number, masked=masked, gender=person.gender,
        hospital_code=_code(cells, "定点机构编码")[:30], hospital_name=hospital_name[:100], admitted_on=admitted_on,
        discharged_on=discharged_on, settled_on=settled_on, diagnosis_code=diagnosis[:10], amounts=amounts,
        insurance_kind=_text(cells, "险种")[:20], claim_type=CARE_TYPES[care], is_reversal=flag == "1",
        reverses_serial=reverses[:40])


def is_women_diagnosis(diagnosis_code: str) -> bool:
    """DOMAIN: C50–C58 or D05–D07 as the main diagnosis opens the women's plan."""
    return bool(WOMEN_DIAGNOSIS.match(diagnosis_code or ""))


def mask_message(text: str) -> str:
    """A message with any run of 15 or more digits masked (messages quote cells)."""
    return mask_identifiers_in(text)
