"""Enrollment rules as pure functions: eligibility, participation, dates, certificates, roster rows.

Nothing here touches the database; services gather the facts and store the decisions.
"""
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple, cast

from rapidfuzz import fuzz, process

from huzhu.core.dates import age_on
from huzhu.core.idnumbers import (
    birth_date_of,
    check_digit,
    mask_identifiers_in,
    normalize,
    parse_mobile,
    parse_resident_id,
)
from huzhu.core.money import quantize_money
from huzhu.core.names import PERSON_NAME_MAX, clean_person_name
from huzhu.plans.terms import Eligibility, Participation, PlanYearTerms

GENDER_LABELS = {"M": "男", "F": "女"}
KIND_LABELS = {"employee": "在职职工", "gig": "新就业形态劳动者"}


# --- eligibility --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """What eligibility looks at."""

    gender: str  # "M" / "F"
    birth_on: date
    kind: str = "employee"


def age_reference_on(terms: PlanYearTerms, enrolled_on: date) -> date:
    """The day ages are measured on: the protection start, or the join day for mid-year joins."""
    return max(terms.protection_start_on, enrolled_on)


def ineligibility_reason(person: Person, eligibility: Eligibility, on: date) -> str | None:
    """Why a person may not join the plan on `on`, in Chinese; None when eligible."""
    if person.gender not in eligibility.genders:
        allowed = "、".join(GENDER_LABELS[g] for g in eligibility.genders)
        return f"本项目仅限{allowed}性参加"
    if person.kind not in eligibility.worker_kinds:
        return f"本项目不接受{KIND_LABELS.get(person.kind, person.kind)}参加"
    age = age_on(person.birth_on, on)
    max_age = eligibility.max_age_male if person.gender == "M" else eligibility.max_age_female
    if age < eligibility.min_age:
        return f"{on:%Y-%m-%d}时年龄{age}岁，未满{eligibility.min_age}岁"
    # DOMAIN: max ages are exclusive (statutory retirement age; women's plan "16–60" = below 61)
    if age >= max_age:
        return f"{on:%Y-%m-%d}时年龄{age}岁，已达{max_age}岁上限"
    return None


def is_eligible(person: Person, eligibility: Eligibility, on: date) -> bool:
    return ineligibility_reason(person, eligibility, on) is None


# --- participation (参互率) -----------------------------------------------------------------------

@dataclass(frozen=True)
class Headcounts:
    """A unit's people as the participation rule counts them."""

    staff: int  # every eligible-for-hospitalization employee (declared or on the roster)
    female: int  # female staff
    enrolled: int  # people in this enrollment


@dataclass(frozen=True)
class ParticipationCheck:
    base: int
    required: int
    enrolled: int
    all_required: bool
    min_rate: Decimal

    @property
    def rate(self) -> Decimal:
        return Decimal(self.enrolled) / Decimal(self.base) if self.base else Decimal(1)

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.enrolled)

    @property
    def passes(self) -> bool:
        return self.shortfall == 0 and self.enrolled > 0

    def message(self) -> str:
        """The verdict in Chinese, naming the shortfall."""
        basis = f"{self.enrolled}/{self.base}人，参互率{self.rate * 100:.1f}%"
        if self.enrolled == 0:
            return "尚未选择任何参互人员"
        if self.passes:
            return f"参互率符合要求（{basis}）"
        if self.all_required:
            return f"本单位应参互人数为{self.base}人，须全员参互：当前{self.enrolled}人，还差{self.shortfall}人"
        return (f"参互率{self.rate * 100:.1f}%（{self.enrolled}/{self.base}人）低于要求的"
                f"{self.min_rate * 100:.0f}%：至少须{self.required}人参互，还差{self.shortfall}人")


def check_participation(rule: Participation, counts: Headcounts) -> ParticipationCheck:
    """DOMAIN: ≥ min_rate of the base; a small unit (≤ all_required_up_to) must enroll everybody.

    The base is the eligible staff, or the female staff for the women's plan; the small-unit
    size is measured on the unit's whole staff in both cases ("all where ≤ 100 staff").
    """
    base = counts.female if rule.basis == "female" else counts.staff
    all_required = counts.staff <= rule.all_required_up_to
    required = base if all_required else math.ceil(rule.min_rate * base)
    return ParticipationCheck(base=base, required=required, enrolled=counts.enrolled,
                              all_required=all_required, min_rate=rule.min_rate)


# --- money and dates ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ContributionDue:
    headcount: int
    contribution_amount: Decimal  # full fee of all people
    subsidy_amount: Decimal  # paid by the union, not by the unit
    due_amount: Decimal  # what the unit pays

    @classmethod
    def zero(cls) -> "ContributionDue":
        return cls(0, quantize_money(0), quantize_money(0), quantize_money(0))


def contribution_due(terms: PlanYearTerms, headcount: int) -> ContributionDue:
    """Full fee per person (no proration for mid-year joins); the union subsidy shown apart."""
    contribution = quantize_money(terms.contribution_amount * headcount)
    subsidy = quantize_money(terms.subsidy_amount * headcount)
    return ContributionDue(headcount, contribution, subsidy, contribution - subsidy)


def coverage_start(terms: PlanYearTerms, paid_on: date) -> date:
    """DOMAIN: coverage starts the day after payment, never before the protection period starts."""
    return max(terms.protection_start_on, paid_on + timedelta(days=1))


def payment_problem(terms: PlanYearTerms, *, paid_on: date, today: date) -> str | None:
    """Why a payment date cannot be recorded, or None."""
    if paid_on > today:
        return "缴费日期不能晚于今天"
    if paid_on >= terms.protection_end_on:
        return f"缴费日期已在保障期末（{terms.protection_end_on:%Y-%m-%d}）或之后，无法产生保障"
    if paid_on < terms.enrollment_opens_on:
        return f"缴费日期早于本年度参互开放日（{terms.enrollment_opens_on:%Y-%m-%d}）"
    return None


def certificate_number(year: int, county_code: str, sequence: int) -> str:
    """A readable certificate number: HZ2026-150203-0000123."""
    return f"HZ{year}-{county_code}-{sequence:07d}"


def coverage_standing(*, status: str, starts_on: date | None, ends_on: date | None, today: date) -> str:
    """Where a coverage stands today: pending, cancelled, not_started, active or expired.

    The stored status says only whether it was paid; the dates decide the rest (ends_on is the
    last covered day), so last year's paid coverage reads "expired", never "active".
    """
    if status in ("pending", "cancelled"):
        return status
    if starts_on is None or ends_on is None:
        return "pending"
    if today < starts_on:
        return "not_started"
    if today > ends_on:
        return "expired"
    return "active"


def masked_person_name(name: str) -> str:
    """王* / 巴** : the first character only, for pages anyone may open."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


# --- renewal (续互) ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RenewalDiff:
    kept: tuple[int, ...]  # covered last year, still employed, still eligible
    joined: tuple[int, ...]  # on the roster now, eligible, not covered last year here
    left: tuple[int, ...]  # covered last year, no longer employed here
    changed: tuple[tuple[int, str], ...]  # still employed but cannot renew, with the reason

    @property
    def to_enroll(self) -> tuple[int, ...]:
        return self.kept + self.joined


def renewal_diff(*, last_year: Iterable[int], roster: Iterable[int], blocked: Mapping[int, str]) -> RenewalDiff:
    """Compare last year's covered workers with today's roster; `blocked` = roster ids that cannot enroll."""
    last, now = set(last_year), set(roster)
    kept = sorted(w for w in last & now if w not in blocked)
    joined = sorted(w for w in now - last if w not in blocked)
    changed = sorted((w, blocked[w]) for w in last & now if w in blocked)
    return RenewalDiff(tuple(kept), tuple(joined), tuple(sorted(last - now)), tuple(changed))


# --- roster rows --------------------------------------------------------------------------------

REQUIRED_COLUMNS = ("姓名", "身份证号")
CONSENT_COLUMN = "同意医保数据比对"  # optional: consent to medical-insurance data matching (免申即享)
OPTIONAL_COLUMNS = ("手机号", "人员类别", "入职日期", "民族", "备注", CONSENT_COLUMN)
TEMPLATE_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
COLUMN_ALIASES = {"身份证号码": "身份证号", "公民身份号码": "身份证号", "手机": "手机号", "联系电话": "手机号",
                  "手机号码": "手机号", "职工姓名": "姓名", "医保数据比对": CONSENT_COLUMN,
                  "同意医保数据比对授权": CONSENT_COLUMN}
# The consent column's answers ("Y" consents, "N" does not), after NFKC and upper-casing: 是/否, 1/0, Y/N.
CONSENT_WORDS = {"是": "Y", "否": "N", "1": "Y", "0": "N", "Y": "Y", "N": "N", "YES": "Y", "NO": "N",
                 "同意": "Y", "不同意": "N", "√": "Y", "×": "N"}
KIND_WORDS = {"在职职工": "employee", "职工": "employee", "在职": "employee", "employee": "employee",
              "新就业形态劳动者": "gig", "新就业形态": "gig", "灵活就业": "gig", "gig": "gig"}
EXCEL_EPOCH = date(1899, 12, 30)


class HeaderProblem(ValueError):
    """The header row does not match the template."""


def map_header(cells: Iterable[object]) -> dict[str, int]:
    """Column name → position; raises HeaderProblem naming missing and unknown columns."""
    positions: dict[str, int] = {}
    unknown = []
    for i, cell in enumerate(cells):
        label = re.sub(r"[\s*＊]", "", normalize_text(cell))
        label = COLUMN_ALIASES.get(label, label)
        if not label:
            continue
        if label in TEMPLATE_COLUMNS:
            if label in positions:
                raise HeaderProblem(f"表头中“{label}”列出现了两次")
            positions[label] = i
        else:
            unknown.append(label)
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("缺少必需列：" + "、".join(missing))
        if unknown:
            parts.append("无法识别的列：" + "、".join(unknown[:5]))
        raise HeaderProblem("表头与模板不一致（" + "；".join(parts) + "）。请下载模板，按模板列名填写")
    return positions


def normalize_text(value: object) -> str:
    """A cell as text: full-width to half-width (NFKC), inner and outer spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_cell_date(value: object) -> date:
    """A date from text (2020-01-01, 2020/1/1, 2020年1月1日, 20200101), a datetime, or an Excel serial."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial day numbers (1900 date system)
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(f"日期数值{value}不是有效的Excel日期")
    text = normalize_text(value)
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    match = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?", text)
             or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    if not match:
        raise ValueError(f"日期“{text}”无法识别，请写成2020-01-01")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"日期“{text}”不存在") from exc


@dataclass(frozen=True)
class RowContext:
    """What a roster row is checked against (all facts, no queries)."""

    terms: PlanYearTerms
    enrolled_on: date
    today: date
    default_kind: str = "employee"


class RosterRow(NamedTuple):
    """A valid roster row (a named tuple: a million of them are built per large import)."""

    row_no: int
    name: str
    id_number: str
    masked: str
    gender: str
    birth_on: date
    phone: str = ""
    kind: str = "employee"
    started_on: date | None = None
    ethnicity: str = ""
    data_consent: str = ""  # "Y" / "N" from the consent column; "" when the column or the cell is empty


@dataclass(frozen=True)
class RowError:
    row_no: int
    field: str
    reason: str
    name: str = ""
    masked: str = ""

    def __post_init__(self):
        # What the error quotes from the file is shown on pages and in the error report: no full numbers.
        object.__setattr__(self, "reason", mask_identifiers_in(self.reason))
        object.__setattr__(self, "name", mask_identifiers_in(self.name))

    def message(self) -> str:
        return f"第{self.row_no}行 {self.field}：{self.reason}"


def _mask_raw(text: str) -> str:
    compact = normalize(text)
    return compact[:4] + "*" * max(0, len(compact) - 8) + compact[-4:] if len(compact) >= 8 else compact


def validate_row(row_no: int, cells: Mapping[str, object], context: RowContext) -> RosterRow | RowError:
    """Check one roster row; a bad row's error names its first problem's field and gives every problem."""
    return RowValidator(context)(row_no, cells)


_MOBILE_SECOND_DIGITS = frozenset("3456789")
_CACHE_LIMIT = 100_000  # distinct cell values remembered per validator (dates, birth dates)
_CACHEABLE_CELLS = (str, int, date, datetime)  # not bool: True == 1 would share int 1's entry


class RowValidator:
    """`validate_row` for many rows under one context: what repeats is computed once.

    Clean cells (plain ASCII ID numbers, phones and dates, as most files have) take a short path;
    anything else goes through the general normalising parsers, so results never differ.
    Birth dates, start dates and eligibility verdicts are cached (a roster has far fewer distinct
    dates than rows).
    """

    def __init__(self, context: RowContext):
        self.context = context
        self._today = context.today
        self._on = age_reference_on(context.terms, context.enrolled_on)
        self._eligibility = context.terms.eligibility
        self._births: dict[str, date | str] = {}
        self._started: dict[object, date | str] = {}
        self._verdicts: dict[tuple[date, str, str], str | None] = {}

    def __call__(self, row_no: int, cells: Mapping[str, object]) -> RosterRow | RowError:
        problems: list[tuple[str, str]] = []  # (column, reason): every problem of the row, in column order
        formulas = set()
        for column, value in cells.items():
            # after the spaces are stripped, as every later step sees the cell: "\t=1+1" is a formula too
            if (isinstance(value, str) and value and (value[0] == "=" or value[0].isspace() or not value[0].isascii())
                    and (text := normalize_text(value)).startswith("=") and len(text) > 1):
                problems.append((column, f"单元格是公式（{text[:30]}），请复制后“选择性粘贴为数值”"))
                formulas.add(column)
        name = "".join(normalize_text(cells.get("姓名")).split()) if "姓名" not in formulas else ""
        raw_id = cells.get("身份证号")
        shown_name = ""  # the name the error quotes: only one that passed the name checks (or its first characters)
        if "姓名" in formulas:
            pass
        elif not name:
            problems.append(("姓名", "不能为空"))
        elif len(name) > PERSON_NAME_MAX:
            problems.append(("姓名", f"超过{PERSON_NAME_MAX}个字"))
            shown_name = name[:PERSON_NAME_MAX]
        else:
            try:
                name = shown_name = clean_person_name(name)  # the rule every door applies (members.services)
            except ValueError as exc:
                problems.append(("姓名", str(exc)))
        number = birth = None
        masked = _mask_raw(normalize_text(raw_id)) if "身份证号" not in formulas else ""
        if "身份证号" in formulas:
            pass
        elif isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
            problems.append(("身份证号", "被Excel存成了数字（末几位会丢失），请把该列设为文本后重新填写"))
            masked = ""
        else:
            try:
                number, birth = self._resident_id(raw_id)
            except ValueError as exc:
                problems.append(("身份证号", str(exc)))
            else:
                masked = number[:4] + "**********" + number[14:]
        gender = "M" if number and number[16] in "13579" else "F"
        phone = cells.get("手机号")
        if "手机号" not in formulas and not (
                isinstance(phone, str) and len(phone) == 11 and phone.isascii() and phone.isdigit()
                and phone[0] == "1" and phone[1] in _MOBILE_SECOND_DIGITS):
            phone = normalize_text(phone)
            if phone:
                try:
                    phone = parse_mobile(phone)
                except ValueError as exc:
                    problems.append(("手机号", str(exc)))
        kind_cell = cells.get("人员类别")
        kind = KIND_WORDS.get(kind_cell) if isinstance(kind_cell, str) else None
        if kind is None and "人员类别" not in formulas:
            kind_text = "".join(normalize_text(kind_cell).split())
            kind = KIND_WORDS.get(kind_text) if kind_text else self.context.default_kind
            if kind is None:
                problems.append(("人员类别", f"“{kind_text}”无法识别，应为“在职职工”或“新就业形态劳动者”"))
        started_on = None
        started_cell = cells.get("入职日期")
        if started_cell is not None and started_cell != "" and "入职日期" not in formulas:
            started = self._start_date(started_cell)
            if isinstance(started, str):
                problems.append(("入职日期", started))
            elif started > self._today:
                problems.append(("入职日期", "不能晚于今天"))
            elif birth is not None and started < birth:
                problems.append(("入职日期", "早于出生日期"))
            else:
                started_on = started
        consent = ""
        consent_cell = cells.get(CONSENT_COLUMN)
        if consent_cell not in (None, "") and CONSENT_COLUMN not in formulas:
            consent_text = "".join(normalize_text(consent_cell).split()).upper()
            consent = CONSENT_WORDS.get(consent_text, "") if consent_text else ""
            if consent_text and not consent:
                problems.append((CONSENT_COLUMN, f"“{consent_text[:20]}”无法识别，应填“是”或“否”（也可填1/0、Y/N）"))
        if birth is not None and kind is not None:
            verdict_key = (birth, gender, kind)
            try:
                reason = self._verdicts[verdict_key]
            except KeyError:
                reason = ineligibility_reason(Person(gender=gender, birth_on=birth, kind=kind), self._eligibility,
                                              self._on)
                self._verdicts[verdict_key] = reason
            if reason:
                field = "身份证号" if kind in self._eligibility.worker_kinds else "人员类别"
                problems.append((field, f"不符合参互条件：{reason}"))
        if problems:
            # The first problem names the row's field; the others follow in its reason, each with its column.
            (field, reason), rest = problems[0], problems[1:]
            return RowError(row_no, field, "；".join([reason, *(f"{f}：{r}" for f, r in rest)]),
                            name=shown_name, masked=masked)
        ethnicity = cells.get("民族")
        # No problem was found, so every field read above holds its value.
        return RosterRow(row_no, name, cast(str, number), masked, gender, cast(date, birth), cast(str, phone),
                         cast(str, kind), started_on, normalize_text(ethnicity)[:10], consent)

    def _resident_id(self, raw: object) -> tuple[str, date]:
        """The normalised number and birth date; ValueError with the reason (see parse_resident_id)."""
        if (isinstance(raw, str) and len(raw) == 18 and raw.isascii() and raw[:17].isdigit()
                and (raw[17].isdigit() or raw[17] in "Xx")):
            number = raw.upper()
            check_digit(number)
            digits = number[6:14]
            birth = self._births.get(digits)
            if birth is None:
                try:
                    birth = birth_date_of(digits, self._today)
                except ValueError as exc:
                    birth = str(exc)
                self._remember(self._births, digits, birth)
            if isinstance(birth, str):
                raise ValueError(birth)
            return number, birth
        rid = parse_resident_id(normalize_text(raw), today=self._today, check_region=False)
        return rid.number, rid.birth_date

    def _start_date(self, cell: object) -> date | str:
        """The start date of a cell, or the reason it is not one."""
        cacheable = type(cell) in _CACHEABLE_CELLS
        if cacheable and cell in self._started:
            return self._started[cell]
        try:
            found: date | str = parse_cell_date(cell)
        except ValueError as exc:
            found = str(exc)
        if cacheable:
            self._remember(self._started, cell, found)
        return found

    @staticmethod
    def _remember(cache: dict, key, value) -> None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = value


# --- bank statement credits (对公转账) matched to enrollments -----------------------------------

# The payment reference printed on a submitted enrollment's payment notice, for the payer's remark
# (付款附言): "HZ", the enrollment's number in 7 digits, one check digit (a typo rarely names another).
_REFERENCE = re.compile(r"HZ[\s\-]*(\d{7})(\d)")
NAME_SIMILAR = 80  # payer name at least this similar (0-100) to the unit's: the same payer (one wrong character in six: 83)
NAME_PLAUSIBLE = 50  # below: an equal amount alone is no candidate
MAX_CANDIDATES = 5
# Legal-form suffixes banks and units write differently; dropped before names are compared.
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "责任公司", "公司")


def payment_reference(enrollment_id: int) -> str:
    """The reference a unit writes in its transfer's remark: HZ0000123 plus a check digit (mod 10, weights 3/1)."""
    digits = f"{enrollment_id:07d}"
    check = (10 - sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits)) % 10) % 10
    return f"HZ{digits}{check}"


def references_in(remark: str) -> list[int]:
    """Enrollment numbers named by well-formed payment references in a remark (full-width, spaces, case tolerated)."""
    text = unicodedata.normalize("NFKC", remark or "").upper()
    found = []
    for digits, _check in _REFERENCE.findall(text):
        number = int(digits)
        if number and payment_reference(number) == f"HZ{digits}{_check}":
            found.append(number)
    return list(dict.fromkeys(found))


def normalize_payer_name(name: str) -> str:
    """A unit or payer name as compared: half-width, no spaces or brackets, legal-form suffixes dropped."""
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"[\s()（）\[\]【】·,，.。\-_]", "", text)
    for form in _LEGAL_FORMS:
        text = text.replace(form, "")
    return text


def name_similarity(payer: str, unit: str) -> int:
    """0-100: how alike a payer name and a unit name read after normalising (rapidfuzz, the better of whole and part)."""
    a, b = normalize_payer_name(payer), normalize_payer_name(unit)
    if not a or not b:
        return 0
    if a == b:
        return 100
    score = fuzz.ratio(a, b)
    if min(len(a), len(b)) >= 4:  # a short name inside a long one ("包头钢铁" in "包头钢铁集团"): nearly the same
        score = max(score, fuzz.partial_ratio(a, b) * 0.95)
    return int(round(score))


class CreditOutcome:
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    UNMATCHED = "unmatched"
    OVERPAID = "overpaid"
    UNDERPAID = "underpaid"


@dataclass(frozen=True)
class Credit:
    """One incoming transfer of a bank statement, as the matcher sees it."""

    amount: Decimal
    payer_name: str
    remark: str


@dataclass(frozen=True)
class AwaitingPayment:
    """A submitted enrollment waiting for its payment."""

    enrollment_id: int
    unit_name: str
    due_amount: Decimal


@dataclass(frozen=True)
class Candidate:
    enrollment_id: int
    score: int  # 0-100
    reason: str  # Chinese msgid: 附言编号 / 金额相符 / 户名相似


@dataclass(frozen=True)
class CreditMatch:
    """What a credit is: its outcome, the one enrollment it pays (matched, over-, underpaid), the difference
    paid − due (stated, never applied) and the candidates a person chooses among."""

    outcome: str
    enrollment_id: int | None = None
    difference_amount: Decimal = Decimal("0.00")
    candidates: tuple[Candidate, ...] = ()


def _by_amount(credit: Credit, enrollment: AwaitingPayment, candidates: tuple[Candidate, ...]) -> CreditMatch:
    difference = quantize_money(credit.amount - enrollment.due_amount)
    outcome = (CreditOutcome.MATCHED if difference == 0
               else CreditOutcome.OVERPAID if difference > 0 else CreditOutcome.UNDERPAID)
    return CreditMatch(outcome, enrollment.enrollment_id, difference, candidates)


class AwaitingPool:
    """The enrollments awaiting payment, indexed once for many credits (by number, by amount, names normalised).

    `take` removes an enrollment a credit was matched to, so a second credit of the same file does not claim it too.
    """

    def __init__(self, awaiting: Iterable[AwaitingPayment]):
        self.by_id = {a.enrollment_id: a for a in awaiting}
        self._ids = list(self.by_id)
        self._names = [normalize_payer_name(self.by_id[pk].unit_name) for pk in self._ids]
        self._taken: set[int] = set()

    def take(self, enrollment_id: int | None) -> None:
        if enrollment_id is not None:
            self._taken.add(enrollment_id)

    def get(self, enrollment_id: int) -> AwaitingPayment | None:
        return None if enrollment_id in self._taken else self.by_id.get(enrollment_id)

    def scored(self, payer_name: str, amount: Decimal) -> list[tuple[bool, int, AwaitingPayment]]:
        """(same amount, name score, enrollment) of every plausible candidate, best first (rapidfuzz in C, cut early)."""
        query = normalize_payer_name(payer_name)
        if not query:
            return []
        scores: dict[int, float] = {}
        for scorer, weight in ((fuzz.ratio, 1.0), (fuzz.partial_ratio, 0.95)):
            if weight < 1 and len(query) < 4:
                continue
            for _name, score, index in process.extract(query, self._names, scorer=scorer, limit=None,
                                                       score_cutoff=NAME_PLAUSIBLE / weight):
                if weight < 1 and len(self._names[index]) < 4:
                    continue
                scores[index] = max(scores.get(index, 0), score * weight)
        rows = []
        for index, score in scores.items():
            enrollment = self.by_id[self._ids[index]]
            if enrollment.enrollment_id in self._taken:
                continue
            rounded = 100 if self._names[index] == query else int(round(score))
            same_amount = enrollment.due_amount == amount
            if rounded >= NAME_SIMILAR or (same_amount and rounded >= NAME_PLAUSIBLE):
                rows.append((same_amount, rounded, enrollment))
        rows.sort(key=lambda row: (-row[0], -row[1], row[2].enrollment_id))
        return rows


def match_credit(credit: Credit, awaiting: "AwaitingPool | Iterable[AwaitingPayment]") -> CreditMatch:
    """Match one credit to the enrollments awaiting payment.

    1. A payment reference in the remark naming an awaiting enrollment decides it: matched when the
       amount equals the due, else over- or underpaid by the difference.
    2. Otherwise the amount and the payer's name: one enrollment due exactly this amount whose unit's
       name is similar (>= NAME_SIMILAR) is a match; several are ambiguous; a single similar name with
       another amount is over- or underpaid; an equal amount with a plausible name is a candidate.
    Candidates carry their score; nothing is guessed among several.
    """
    pool = awaiting if isinstance(awaiting, AwaitingPool) else AwaitingPool(awaiting)
    for number in references_in(credit.remark):
        if (enrollment := pool.get(number)) is not None:
            return _by_amount(credit, enrollment, (Candidate(number, 100, "付款附言中的缴费编号"),))
    scored = pool.scored(credit.payer_name, credit.amount)
    candidates = tuple(Candidate(e.enrollment_id, score, "金额相符，户名相似" if same else "户名相似，金额不符")
                       for same, score, e in scored[:MAX_CANDIDATES])
    strong = [e for same, score, e in scored if same and score >= NAME_SIMILAR]
    if len(strong) == 1:
        return CreditMatch(CreditOutcome.MATCHED, strong[0].enrollment_id, Decimal("0.00"), candidates)
    if not strong and len(scored) == 1 and scored[0][1] >= NAME_SIMILAR:
        return _by_amount(credit, scored[0][2], candidates)
    if candidates:
        return CreditMatch(CreditOutcome.AMBIGUOUS, None, Decimal("0.00"), candidates)
    return CreditMatch(CreditOutcome.UNMATCHED)
