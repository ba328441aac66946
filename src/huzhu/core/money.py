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


def display_yuan(value: Decimal | int | str | None, *, whole: bool = False, empty: str = "—") -> str:
    """Money as people read it, the one display form: 1234567.8 -> '1,234,567.80'; `empty` for None or ''.

    Rounded half-up to the fen like every amount; `whole=True` drops a zero fen part ('10,000', the form terms are
    written in). Never through float (a float is refused as everywhere in this module); see `format_yuan` for the
    wire format of the API and the exports.
    """
    if value is None or value == "":
        return empty
    amount = quantize_money(value)
    if whole and amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def display_fen(value: int | str | None, *, empty: str = "—") -> str:
    """Integer fen shown as yuan: 123456 -> '1,234.56'."""
    if value is None or value == "":
        return empty
    return display_yuan(from_fen(int(value)))


def to_fen(value: Decimal) -> int:
    return int(quantize_money(value) * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(FEN)
