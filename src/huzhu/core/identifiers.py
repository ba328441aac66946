"""Identifiers as typed at any door, brought to the one ASCII form they are stored and looked up in.

A number written with full-width, Arabic-Indic, Devanagari or Mongolian digits is the same number:
NFKC folds the compatibility forms (full-width, circled, superscript), every other Unicode decimal
digit (category Nd) is mapped to its ASCII digit, spaces, dashes and invisible format characters
are dropped and letters upper-cased. What is still not ASCII after that is refused, naming the
field, so two spellings of one identifier can never be stored as two records.

One function per kind of identifier; every service that takes one calls it, and so does every
look-up by value (blind indexes are keyed on the normalised form). Pure: no Django.
"""
import unicodedata

from .translation import gettext_noop

_DROPPED = frozenset(" \t\r\n\v\f-_")
# ASCII text is its own NFKC form and holds no format character and no non-ASCII digit: only the
# drop applies, in one translate (a feed calls ascii_form on most cells of a million rows).
_ASCII_DROPPED = {code: None for code in range(128) if chr(code) in _DROPPED or chr(code).isspace()}


def ascii_form(text: object) -> str:
    """NFKC, Unicode digits to ASCII, spaces/dashes/format characters dropped, upper case; never refuses.

    For look-ups and searches, which must find what the normalisers stored but may not refuse input.
    """
    raw = "" if text is None else str(text)
    if raw.isascii():
        return raw.translate(_ASCII_DROPPED).upper()
    folded = unicodedata.normalize("NFKC", raw)
    chars = []
    for ch in folded:
        if ch in _DROPPED or ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        digit = unicodedata.decimal(ch, None)
        chars.append(str(digit) if digit is not None else ch)
    return "".join(chars).upper()


def serial_form(text: object) -> str:
    """A reference another system issued (a 结算流水号): NFKC, Unicode digits to ASCII, spaces and format characters
    dropped; case, dashes and underscores kept, since they are part of the other system's key."""
    folded = unicodedata.normalize("NFKC", "" if text is None else str(text))
    chars = []
    for ch in folded:
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        digit = unicodedata.decimal(ch, None)
        chars.append(str(digit) if digit is not None else ch)
    return "".join(chars)


def normalise_identifier(text: object, *, label: str) -> str:
    """`ascii_form`, refusing (ValueError naming `label`) anything that is still not ASCII."""
    value = ascii_form(text)
    stray = next((ch for ch in value if not ch.isascii() or not ch.isprintable()), None)
    if stray is not None:
        raise ValueError(gettext_noop("%(label)s含有无法识别的字符“%(char)s”，请只填写数字和字母")
                         % {"label": label, "char": stray})
    return value


def normalise_id_number(text: object) -> str:
    """A resident ID number in its stored form (checksum and dates are core.idnumbers' job)."""
    return normalise_identifier(text, label="身份证号")


def normalise_credit_code(text: object) -> str:
    """A unified social credit code in its stored form."""
    return normalise_identifier(text, label="统一社会信用代码")


def normalise_phone(text: object) -> str:
    """A phone number in its stored form: ASCII digits (a leading +86 is core.idnumbers.parse_mobile's)."""
    return normalise_identifier(text, label="手机号")


def normalise_bank_account(text: object) -> str:
    """A bank card number in its stored form (digits only is checked by the caller)."""
    return normalise_identifier(text, label="银行卡号")


def normalise_invoice_code(text: object) -> str:
    return normalise_identifier(text, label="票据代码")


def normalise_invoice_number(text: object) -> str:
    return normalise_identifier(text, label="票据号码")


def normalise_check_code(text: object) -> str:
    return normalise_identifier(text, label="校验码")
