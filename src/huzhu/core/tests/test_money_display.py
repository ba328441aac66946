"""The one money display: every page's `yuan` filter is core.money.display_yuan."""
import pathlib
import re
from decimal import Decimal

import pytest
from django.template import Context, Template

from huzhu.core.money import display_fen, display_yuan

SRC = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, shown", [
    (Decimal("1234567.8"), "1,234,567.80"), (Decimal("0"), "0.00"), (Decimal("-1234.5"), "-1,234.50"),
    (Decimal("0.005"), "0.01"), ("15000.00", "15,000.00"), (12, "12.00"), (None, "—"), ("", "—"),
])
def test_an_amount_is_shown_with_separators_and_two_places_rounded_half_up(value, shown):
    assert display_yuan(value) == shown


def test_whole_yuan_drop_the_fen_only_when_asked():
    assert display_yuan(Decimal("10000"), whole=True) == "10,000"
    assert display_yuan(Decimal("12.5"), whole=True) == "12.50"


def test_fen_are_shown_as_yuan_without_float():
    assert display_fen(123456) == "1,234.56"
    assert display_fen(10**17 + 1) == "1,000,000,000,000,000.01"


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        display_yuan(0.1)


@pytest.mark.parametrize("library", ["money", "ledger_format", "reports_format", "actuarial_format"])
def test_every_yuan_filter_renders_the_same(library):
    page = Template("{% load " + library + " %}{{ a|yuan }}|{{ b|yuan }}|{{ c|yuan }}")
    assert page.render(Context({"a": Decimal("1234.5"), "b": None, "c": 0.125})) == "1,234.50|—|0.13"


def test_no_module_formats_money_with_its_own_format_string():
    """Display goes through display_yuan, the wire through format_yuan; charts and the CLI's ratios are not money."""
    pattern = re.compile(r"_amount[^}]*:,?\.2f\}|_fen\'?\]? / 100:,\.2f")
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if "tests" not in p.parts and pattern.search(p.read_text())]
    assert offenders == []
