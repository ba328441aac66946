"""claims.0004: invoice codes and numbers stored as typed become ASCII; a second use is left and named."""
import importlib

from django.apps import apps

from ..models import Invoice
from .conftest import invoice

migration = importlib.import_module("huzhu.claims.migrations.0004_normalise_invoice_identifiers")
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_an_invoice_stored_in_full_width_digits_becomes_ascii(file_stay):
    claim = file_stay()
    stored = claim.invoices.get()
    code, number = stored.code, stored.number
    Invoice.objects.filter(pk=stored.pk).update(code=code.translate(WIDE), number=number.translate(ARABIC_INDIC))
    migration.normalise_invoices(apps, None)
    stored.refresh_from_db()
    assert (stored.code, stored.number) == (code, number)


def test_an_invoice_held_twice_is_left_unchanged_and_named(file_stay, capsys):
    from datetime import date

    first = file_stay(invoices=[invoice("20000.00")]).invoices.get()
    second = file_stay(admitted=date(2026, 5, 1), discharged=date(2026, 5, 5)).invoices.get()
    Invoice.objects.filter(pk=second.pk).update(code=first.code.translate(WIDE), number=first.number.translate(WIDE))
    migration.normalise_invoices(apps, None)
    second.refresh_from_db()
    assert second.code == first.code.translate(WIDE)
    assert f"also held by claim #{first.claim_id}" in capsys.readouterr().out
