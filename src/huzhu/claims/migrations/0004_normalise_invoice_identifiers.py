"""Stored invoice codes, numbers and check codes to their ASCII form (issue 16, item 7).

Before core.identifiers, `１５０２０１２６` (full-width) or Arabic-Indic digits passed the invoice
pattern and were stored as typed, so one invoice could be held by two claims. This rewrites each
part as claims.rules.parse_invoice now stores it. When the normalised (code, number) is already
held by another live invoice, the row is a second use of one invoice: it is left as it is and named
on the console (which claim must give it back is for a reviewer, not a migration).

The normaliser is a copy of core.identifiers (a migration must not follow app code that may change).
"""
import unicodedata

from django.db import migrations


def ascii_form(text):
    """NFKC, Unicode digits to ASCII, spaces/dashes/format characters dropped, upper case."""
    chars = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if ch in " \t\r\n\v\f-_" or ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        digit = unicodedata.decimal(ch, None)
        chars.append(str(digit) if digit is not None else ch)
    return "".join(chars).upper()


def normalise_invoices(apps, schema_editor):
    """Every stored invoice's code, number and check code in ASCII."""
    Invoice = apps.get_model("claims", "Invoice")
    rows = Invoice.objects.order_by("pk").values_list("pk", "claim_id", "code", "number", "check_code", "released_at")
    for pk, claim_id, code, number, check_code, released_at in rows.iterator(chunk_size=5000):
        fixed = tuple(ascii_form(part) for part in (code, number, check_code))
        if fixed == (code, number, check_code) or not all(part.isascii() for part in fixed):
            continue
        if released_at is None:
            holder = (Invoice.objects.filter(code=fixed[0], number=fixed[1], released_at__isnull=True)
                      .exclude(pk=pk).values_list("claim_id", flat=True).first())
            if holder is not None:
                print(f"\n  claims.0004: invoice {fixed[0]}-{fixed[1]} of claim #{claim_id} is also held by"
                      f" claim #{holder}; left unchanged for a reviewer")
                continue
        Invoice.objects.filter(pk=pk).update(code=fixed[0], number=fixed[1], check_code=fixed[2])


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0003_official_days"),
    ]

    operations = [
        migrations.RunPython(normalise_invoices, migrations.RunPython.noop),
    ]
