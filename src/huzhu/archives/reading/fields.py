"""A document's text read into claim fields: what kind of paper it is, each field's value and how sure we are.

Pure (no Django): lines of text with a confidence each (1.0 from a text layer, the OCR's score from a photo) in,
`Proposal` out. A field is found by its printed label (票据代码, 医保统筹基金支付, 入院日期…): labels are matched
longest first and never inside a longer one (个人自付 is not found inside 政策范围内个人自付), and the value is what
follows the label up to the next label on the line, or the next line when the label stands alone. A value that does
not have its field's shape (an invoice code of 7 digits) is kept with a lower confidence, for the clerk to look at.
The QR code of a medical e-invoice is read by `qr_fields`. Field names are `huzhu documents read`'s contract.
"""
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlsplit

KINDS = ("invoice", "settlement_sheet", "id_card", "bank_card", "other")
MONEY_FIELDS = ("total_amount", "fund_paid_amount", "serious_illness_amount", "personal_account_amount",
                "cash_amount", "policy_self_pay_amount", "out_of_policy_amount", "self_funded_amount")
DATE_FIELDS = ("issued_on", "admitted_on", "discharged_on")
SHAPE_MISMATCH = Decimal("0.6")  # a value read that does not have its field's shape
LOOKALIKE_CHARACTERS = set("oOlIi")  # in a code read by OCR, each may have been a 0 or a 1
LOOKALIKE_DOUBT = Decimal("0.8")

# field -> the labels it is printed under (医疗收费电子票据, 医疗保障基金结算清单, hospitals' settlement sheets)
LABELS: dict[str, tuple[str, ...]] = {
    "invoice_code": ("票据代码", "发票代码"),
    "invoice_number": ("票据号码", "发票号码"),
    "check_code": ("校验码",),
    "payer_name": ("交款人", "患者姓名", "姓名"),
    "issued_on": ("开票日期",),
    "hospital_name": ("收款单位", "开票单位", "定点医疗机构名称", "医疗机构名称", "定点医药机构名称", "医院名称"),
    "total_amount": ("合计(小写)", "金额合计(小写)", "金额合计", "医疗费总额", "医疗费用总额", "费用总额", "总金额", "合计"),
    "fund_paid_amount": ("医保统筹基金支付", "基本医疗保险统筹基金支付", "统筹基金支付", "统筹支付"),
    "serious_illness_amount": ("大病保险支付", "城乡居民大病保险支付", "职工大额医疗费用补助", "大额医疗费用补助"),
    "personal_account_amount": ("个人账户支付",),
    "cash_amount": ("个人现金支付", "现金支付"),
    "policy_self_pay_amount": ("政策范围内个人自付", "政策内个人自付", "个人自付"),
    "out_of_policy_amount": ("政策范围外个人自付", "政策外个人自付", "政策范围外自付"),
    "self_funded_amount": ("全自费", "自费"),
    "admitted_on": ("入院日期", "入院时间"),
    "discharged_on": ("出院日期", "出院时间"),
    "diagnosis": ("主要诊断", "出院诊断", "诊断"),
}
# Labels printed on the paper that are no field of ours: they end the value before them.
OTHER_LABELS = ("合计(大写)", "金额合计(大写)", "收款人", "复核人", "住院号", "科室", "性别", "年龄", "医保类型",
                "就诊日期", "业务流水号", "门诊号", "床号", "病案号", "结算日期", "备注")

KIND_MARKS = {  # the words that tell the paper
    "invoice": ("票据代码", "医疗收费票据", "电子票据", "发票代码", "医疗门诊收费票据", "医疗住院收费票据"),
    "settlement_sheet": ("结算清单", "结算单", "费用结算", "入院日期", "出院日期"),
    "id_card": ("公民身份号码", "居民身份证", "签发机关"),
    "bank_card": ("银联", "UnionPay", "借记卡", "储蓄卡"),
}

_MONEY = re.compile(r"-?\d+(?:\.\d{1,2})?")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{4})(\d{2})(\d{2})")
_ICD = re.compile(r"[A-Z]\d{2}(?:\.[0-9x]{1,3}(?:x\d{3})?)?")  # J18.900, C56.x00, C50.900x005 (医保版 2.0)
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,40}")
_SHAPES = {"invoice_code": re.compile(r"\d{8}"), "invoice_number": re.compile(r"\d{10}"),
           "check_code": re.compile(r"[0-9A-Za-z]{6}")}
_RUNS = {"invoice_code": re.compile(r"\d{6,12}"), "invoice_number": re.compile(r"\d{6,12}"),
         "check_code": re.compile(r"[0-9A-Za-z]{4,8}")}


@dataclass(frozen=True)
class Line:
    text: str
    confidence: float = 1.0


@dataclass
class Proposal:
    """What a document says: its kind, the fields read (strings: money with two decimals, dates YYYY-MM-DD) and the
    confidence of each (0 to 1)."""

    kind: str = "other"
    fields: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)

    def offer(self, name: str, value: str, confidence: float) -> None:
        """Keep the value unless one already read is surer."""
        if value and confidence > self.confidence.get(name, -1):
            self.fields[name], self.confidence[name] = value, round(confidence, 3)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "fields": dict(sorted(self.fields.items())),
                "confidence": dict(sorted(self.confidence.items()))}


def normalise(text: str) -> str:
    """Full-width forms folded (：→:, （→(, ０→0, ￥→¥), whitespace dropped: OCR and text layers space words apart at
    random, and no field of ours needs a space."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _label_pattern() -> re.Pattern:
    labels = {normalise(label) for labels in LABELS.values() for label in labels} | {normalise(x) for x in OTHER_LABELS}
    return re.compile("|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True)))


_LABEL = _label_pattern()
_FIELD_OF = {normalise(label): name for name, labels in LABELS.items() for label in labels}


def label_count(lines: Sequence[Line]) -> int:
    """How many of our labels are followed by a value, on their line or the next (a page read in order)."""
    return len(read_fields(lines).fields)


def kind_of(lines: Sequence[Line]) -> str:
    text = "".join(normalise(line.text) for line in lines)
    scores = {kind: sum(text.count(normalise(mark)) for mark in marks) for kind, marks in KIND_MARKS.items()}
    if scores["invoice"] and scores["invoice"] >= scores["settlement_sheet"]:
        return "invoice"
    best = max(scores, key=lambda kind: scores[kind])
    if scores[best]:
        return best
    if re.search(r"(?<!\d)\d{16,19}(?!\d)", text):  # a card number alone
        return "bank_card"
    return "other"


_LOOKALIKE = {"1": "I", "l": "I", "0": "O", "5": "S", "8": "B", "2": "Z"}  # an ICD-10 code never starts with a digit


def _letter_first(text: str) -> str:
    """A code OCR read as 163.900: its first character was the letter I (codes are a letter and two digits)."""
    found = re.match(r"([0-9l])(\d{2}\.\d)", text)
    return _LOOKALIKE.get(found.group(1), found.group(1)) + text[1:] if found else text


def _value(name: str, raw: str) -> tuple[str, Decimal] | None:
    """The field's value in the contract's form, and how well it has the field's shape (1 or SHAPE_MISMATCH)."""
    text = raw.lstrip(":：").replace("¥", "").replace("元", "")
    if not text:
        return None
    if name in MONEY_FIELDS:
        found = _MONEY.search(text.replace(",", ""))
        if not found:
            return None
        try:
            return f"{Decimal(found.group()).quantize(Decimal('0.01'))}", Decimal(1)
        except InvalidOperation:
            return None
    if name in DATE_FIELDS:
        found = _DATE.search(text)
        if not found:
            return None
        y, m, d = (int(g) for g in (found.groups()[:3] if found.group(1) else found.groups()[3:]))
        try:
            return date(y, m, d).isoformat(), Decimal(1)
        except ValueError:
            return None
    if name in _SHAPES:
        run = _RUNS[name].search(text)
        if not run:
            return None
        return run.group(), Decimal(1) if _SHAPES[name].fullmatch(run.group()) else SHAPE_MISMATCH
    if name == "diagnosis":
        text = _letter_first(text)
        code = _ICD.match(text)
        name = text[code.end():] if code else text
        words = re.search(r"[0-9A-Za-z]*[\u4e00-\u9fff][\u4e00-\u9fff0-9A-Za-z·()]*", name)  # 2型糖尿病 keeps its 2
        value = " ".join(part.group() for part in (code, words) if part)
        return (value, Decimal(1)) if value else None
    words = _NAME.search(text)  # payer and hospital: the name as printed
    return (words.group(), Decimal(1)) if words else None


def read_fields(lines: Iterable[Line]) -> Proposal:
    """The kind and the labelled fields of a document's lines."""
    lines = [Line(normalise(line.text), float(line.confidence)) for line in lines if line.text.strip()]
    proposal = Proposal(kind=kind_of(lines))
    for index, line in enumerate(lines):
        marks = list(_LABEL.finditer(line.text))
        for n, mark in enumerate(marks):
            name = _FIELD_OF.get(mark.group())
            if name is None:
                continue
            end = marks[n + 1].start() if n + 1 < len(marks) else len(line.text)
            raw, confidence = line.text[mark.end():end], line.confidence
            if not raw.lstrip(":：") and n + 1 == len(marks) and index + 1 < len(lines) \
                    and not _LABEL.search(lines[index + 1].text):
                raw, confidence = lines[index + 1].text, min(confidence, lines[index + 1].confidence)  # below it
            value = _value(name, raw)
            if value is not None:
                sure = Decimal(str(confidence)) * value[1]
                if name in _SHAPES and confidence < 1 and set(value[0]) & LOOKALIKE_CHARACTERS:
                    sure *= LOOKALIKE_DOUBT  # OCR's o or 0, l or 1: the clerk should look
                proposal.offer(name, value[0], float(sure))
    return proposal


# The QR code of a medical e-invoice: the verification URL with its parameters, or the fields separated by commas.
_QR_KEYS = {
    "invoice_code": ("billbatchcode", "billcode", "invoicecode", "pjdm", "code"),
    "invoice_number": ("billno", "billnum", "invoicenumber", "invoiceno", "pjhm", "number", "no"),
    "check_code": ("random", "checkcode", "jym", "check"),
    "total_amount": ("total", "totalamt", "amount", "amt", "je", "money"),
    "issued_on": ("ivcdate", "issuedate", "kprq", "date"),
}


def qr_fields(payload: str) -> Proposal:
    """Fields of an e-invoice's QR code (confidence 1: the code carries its own error correction)."""
    proposal = Proposal()
    text = unicodedata.normalize("NFKC", payload).strip()
    if not text:
        return proposal
    proposal.kind = "invoice"
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.query:
        params = {key.lower(): value for key, value in parse_qsl(parts.query)}
        for name, keys in _QR_KEYS.items():
            raw = next((params[key] for key in keys if params.get(key)), None)
            value = _value(name, raw) if raw else None
            if value is not None:
                proposal.offer(name, value[0], float(value[1]))
        return proposal
    tokens = [token.strip() for token in re.split(r"[,，|;；]", text) if token.strip()]
    for token in tokens:  # by shape, first of each: 8 digits code, 10 digits number, 6 characters check, money, date
        if re.fullmatch(r"\d{8}", token) and "invoice_code" not in proposal.fields:
            proposal.offer("invoice_code", token, 1.0)
        elif re.fullmatch(r"\d{10}", token) and "invoice_number" not in proposal.fields:
            proposal.offer("invoice_number", token, 1.0)
        elif re.fullmatch(r"\d+\.\d{2}", token) and "total_amount" not in proposal.fields:
            proposal.offer("total_amount", token, 1.0)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{8}", token) and "issued_on" not in proposal.fields:
            value = _value("issued_on", token)
            if value:
                proposal.offer("issued_on", value[0], 1.0)
        elif re.fullmatch(r"[0-9A-Za-z]{6}", token) and "check_code" not in proposal.fields:
            proposal.offer("check_code", token, 1.0)
    return proposal


def merged(*proposals: Proposal) -> Proposal:
    """Sources best first: a field comes from the first that read it (a text layer, then the QR code, then OCR);
    the kind from the first that knows it."""
    result = Proposal(kind=next((p.kind for p in proposals if p.kind != "other"), "other"))
    for proposal in proposals:
        for name, value in proposal.fields.items():
            if name not in result.fields:
                result.fields[name], result.confidence[name] = value, proposal.confidence[name]
    return result
