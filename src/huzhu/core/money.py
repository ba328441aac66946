"""Money is Decimal yuan with two places; one rounding function for the whole project."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def quantize_money(value: Decimal | int | str) -> Decimal:
    """Round half-up to the fen (DOMAIN: every rate step is rounded half-up to the fen)."""
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def parse_money(text: str | int | Decimal) -> Decimal:
    """Parse a yuan amount from text; raises ValueError with a Chinese message."""
    if isinstance(text, float):
        raise TypeError("money must never be a float")
    try:
        value = Decimal(str(text).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"金额格式不正确：{text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"金额格式不正确：{text!r}")
    if value != value.quantize(FEN, rounding=ROUND_HALF_UP):
        raise ValueError(f"金额最多两位小数：{text!r}")
    return value.quantize(FEN)


def format_yuan(value: Decimal) -> str:
    """The wire format: a string in yuan with two decimals."""
    return f"{quantize_money(value):.2f}"


def to_fen(value: Decimal) -> int:
    return int(quantize_money(value) * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(FEN)
