"""The contribution receipt as a finance e-receipt: payer, credit code, amount in figures and words, receipt
number, payee and the configured seal, read back from the PDF's text."""
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from stdnum import luhn

from huzhu.conftest import PASSWORD, make_staff, make_worker
from huzhu.enrollment import receipts
from huzhu.enrollment.services import enroll_and_pay
from huzhu.ledger.tests.conftest import plan_year  # noqa: F401 (fixture)
from huzhu.regions.models import Role


# What 《正确填写票据和结算凭证的基本规定》 writes: 整 after 元; a zero inside written once as 零; where the
# 元 digit is 0 and 角 is not, 零 may be left out (cn2an leaves it out: ¥107000.53 → 壹拾万柒仟元伍角叁分).
@pytest.mark.parametrize(("amount", "words"), [
    pytest.param("1000.05", "人民币壹仟元零伍分", id="zeros-before-the-fen"),
    pytest.param("10.00", "人民币壹拾元整", id="ten-yuan-writes-its-one"),
    pytest.param("0.50", "人民币伍角", id="jiao-only"),
    pytest.param("100010.00", "人民币壹拾万零壹拾元整", id="zeros-inside-the-wan"),
    pytest.param("1234.56", "人民币壹仟贰佰叁拾肆元伍角陆分", id="every-digit"),
    pytest.param("1409.50", "人民币壹仟肆佰零玖元伍角", id="the-rules-own-1409.50"),
    pytest.param("6007.14", "人民币陆仟零柒元壹角肆分", id="the-rules-own-6007.14"),
    pytest.param("325.04", "人民币叁佰贰拾伍元零肆分", id="the-rules-own-325.04"),
    pytest.param("107000.53", "人民币壹拾万柒仟元伍角叁分", id="the-rules-own-107000.53"),
])
def test_the_amount_in_words_is_written_as_the_payment_rules_write_it(amount, words):
    assert receipts.amount_in_words(D(amount)) == words


def test_the_amount_in_words_refuses_floats_and_rounds_to_the_fen():
    with pytest.raises(TypeError):
        receipts.amount_in_words(10.5)
    assert receipts.amount_in_words(D("0.005")) == "人民币壹分"


@pytest.fixture
def paid(plan_year, home_unit):  # noqa: F811
    result = enroll_and_pay(actor=None, check_participation=False, plan_year=plan_year,
                            batches=[(home_unit, [make_worker(home_unit).pk for _ in range(2)])],
                            paid_on=date(2026, 3, 2), bank_reference="ICBC-0302-01")
    return result.enrollments[0]


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(" ", "")


def test_the_receipt_number_is_the_year_the_row_and_a_check_digit(paid):
    number = receipts.receipt_number(paid)
    assert number == f"2026{paid.pk:010d}{number[-1]}" and luhn.is_valid(number)
    assert receipts.receipt_number(paid) == number


def test_the_unsealed_receipt_carries_the_e_receipt_fields_and_says_it_has_no_seal(client, paid, home_unit, settings):
    settings.HUZHU_ASSOCIATION_NAME = "内蒙古自治区职工互助保障协会"
    settings.HUZHU_RECEIPT_SEAL_IMAGE = ""
    contact = make_staff("contact_receipt", Role.UNIT, unit=home_unit)
    assert client.login(username=contact.username, password=PASSWORD)
    response = client.get(reverse("enrollment:receipt", args=[paid.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for field in (home_unit.name, home_unit.credit_code, receipts.receipt_number(paid), "内蒙古自治区职工互助保障协会",
                  receipts.amount_in_words(paid.paid_amount), f"¥{paid.paid_amount:,.2f}", "ICBC-0302-01",
                  "本回执未加盖电子印章"):
        assert field in text, field
    assert not any(page.images for page in PdfReader(io.BytesIO(response.content)).pages)


def test_a_configured_seal_is_printed_on_the_receipt(paid, settings, tmp_path):
    seal = tmp_path / "seal.png"
    Image.new("RGBA", (120, 120), (200, 0, 0, 180)).save(seal)
    settings.HUZHU_RECEIPT_SEAL_IMAGE = str(seal)
    content = receipts.render_receipt(paid)
    assert "本回执未加盖电子印章" not in pdf_text(content)
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages) == 1


def test_a_seal_path_that_is_not_a_png_is_ignored(settings, tmp_path):
    fake = tmp_path / "seal.png"
    fake.write_bytes(b"GIF89a not a png")
    settings.HUZHU_RECEIPT_SEAL_IMAGE = str(fake)
    assert receipts.seal_data_uri() == ""
    settings.HUZHU_RECEIPT_SEAL_IMAGE = str(tmp_path / "missing.png")
    assert receipts.seal_data_uri() == ""
