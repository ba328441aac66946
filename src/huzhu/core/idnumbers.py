"""Identity numbers: resident ID (GB 11643), unified social credit code (GB 32100), phones.

python-stdnum does the checksums; this module adds what DATA.md says it misses: an age check,
the KeyError on unknown region codes, the letter-first credit codes and the embedded
organisation code's own check digit.
"""
import re
from dataclasses import dataclass
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from .dates import age_on
from .identifiers import ascii_form, normalise_credit_code, normalise_id_number, normalise_phone

ID_MIN_AGE = 0
ID_MAX_AGE = 120


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    gender: str  # "M" or "F"
    region_code: str
    region_warning: str | None = None

    @property
    def league_code(self) -> str:
        return self.number[:4] + "00"

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def normalize(text: str) -> str:
    """Any Unicode digits to ASCII, full-width to half-width; spaces and dashes removed; upper case.

    For look-ups and searches (never refuses); what is stored goes through core.identifiers.
    """
    return ascii_form(text)


_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{14,}[0-9Xx]?(?![0-9A-Za-z])")


def mask_identifiers_in(text: str) -> str:
    """Any run of 15 or more digits in free text (an ID number, a bank card) masked like an ID number.

    Messages about a bad cell quote the cell; a stray quote in a CSV makes one cell of many rows,
    so an error message must never carry the full numbers it swallowed.
    """
    return _LONG_NUMBER.sub(lambda found: mask_id_number(found[0]), text)


def mask_id_number(number: str) -> str:
    """1501**********1234: first four and last four characters shown."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_mobile(number: str) -> str:
    """138****0001: the first three and last four digits of a mobile number shown (lists, messages)."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_account(number: str) -> str:
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def parse_resident_id(text: str, *, today: date, check_region: bool = True) -> ResidentId:
    """Validate a resident ID number; raises ValueError with a Chinese reason.

    `today` is the caller's business day (`timezone.localdate()`): a pure module cannot know the time zone.
    `check_region=False` skips the region-in-birth-year warning (slow; bulk imports do not show it).
    """
    number = normalise_id_number(text)
    if not number:
        raise ValueError("身份证号不能为空")
    if len(number) != 18 or not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValueError(f"身份证号应为18位（末位可为X），实际为{len(number)}位")
    check_digit(number)
    birth = birth_date_of(number[6:14], today)
    warning = _region_warning(number) if check_region else None
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, gender=gender, region_code=number[:6],
                      region_warning=warning)


def check_digit(number: str) -> None:
    """Raise ValueError unless the 18th character is the GB 11643 check digit of the first 17."""
    if ric.calc_check_digit(number) != number[-1]:
        raise ValueError("身份证号校验位不正确")


def birth_date_of(digits: str, today: date) -> date:
    """The birth date in an ID number's YYYYMMDD part; ValueError when impossible or implausible."""
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise ValueError("身份证号中的出生日期不存在") from exc
    if birth > today:
        raise ValueError("身份证号中的出生日期晚于今天")
    if age_on(birth, today) > ID_MAX_AGE:
        raise ValueError("身份证号中的出生日期不合理（超过120岁）")
    return birth


def _region_warning(number: str) -> str | None:
    """Region rule: warn, do not reject (renamed regions make genuine numbers fail it)."""
    try:
        ric.validate(number)
    except KeyError:
        return f"地区码{number[:6]}不在国家行政区划代码表中，请核对"
    except stdnum_errors.ValidationError:
        return f"地区码{number[:6]}在出生年份不存在，请核对"
    return None


_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_digit(body: str) -> str:
    """GB 11714 check digit of an 8-character organisation code body."""
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


def parse_credit_code(text: str) -> str:
    """Validate a unified social credit code (GB 32100 and the embedded GB 11714 code)."""
    code = normalise_credit_code(text)
    if len(code) != 18:
        raise ValueError(f"统一社会信用代码应为18位，实际为{len(code)}位")
    if not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}", code):
        raise ValueError("统一社会信用代码含有不允许的字符")
    # stdnum checks the 18th character; its compact/format rejects letter-first codes, so call
    # the check-digit function directly (DATA.md).
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValueError("统一社会信用代码校验位不正确")
    org = code[8:17]
    if org_code_check_digit(org[:8]) != org[8]:
        raise ValueError("统一社会信用代码中的组织机构代码校验位不正确")
    return code


def national_mobile(text: str) -> str:
    """A typed phone as registered, without a `+86` / `0086` country code (never refuses: for look-ups)."""
    number = normalize(text)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix):]
    return number


def parse_mobile(text: str) -> str:
    """A mainland mobile number in its stored form (11 ASCII digits); ValueError names what is wrong."""
    number = normalise_phone(text)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix):]
    if not re.fullmatch(r"1[3-9][0-9]{9}", number):
        raise ValueError("手机号应为11位、以1开头的中国大陆手机号")
    return number


def make_resident_id(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid number: region, YYYYMMDD, 3-digit sequence (odd male), check digit."""
    body = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a check-digit slot


def make_credit_code(prefix: str, region_code: str, org_body: str) -> str:
    """Build a valid credit code from its 2-char prefix, 6-digit region and 8-char org body."""
    org = org_body + org_code_check_digit(org_body)
    body = f"{prefix}{region_code}{org}"
    return body + uscc.calc_check_digit(body)
