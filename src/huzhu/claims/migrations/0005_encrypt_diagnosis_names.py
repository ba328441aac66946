"""Claims' diagnosis names (free text) stored encrypted; the ICD-10 code stays plain (docs/security.md).

Existing names are encrypted in place with the frozen helpers of members.0008 (a released migration
file never changes), then the plain column is dropped. Reversing decrypts them back.
"""
import importlib

from django.db import migrations, models

frozen = importlib.import_module("huzhu.members.migrations.0008_encrypt_worker_phones")


def forwards(apps, schema_editor):
    Claim, keys, batch = apps.get_model("claims", "Claim"), frozen.Keys(), []
    rows = Claim.objects.exclude(diagnosis_name="").order_by("pk").values_list("pk", "diagnosis_name")
    for pk, name in rows.iterator(chunk_size=5000):
        batch.append(Claim(pk=pk, diagnosis_name_encrypted=keys.encrypt(name.strip())))
        if len(batch) >= frozen.BATCH:
            Claim.objects.bulk_update(batch, ["diagnosis_name_encrypted"])
            batch = []
    if batch:
        Claim.objects.bulk_update(batch, ["diagnosis_name_encrypted"])


def backwards(apps, schema_editor):
    Claim, keys, batch = apps.get_model("claims", "Claim"), frozen.Keys(), []
    rows = Claim.objects.exclude(diagnosis_name_encrypted="").order_by("pk").values_list("pk", "diagnosis_name_encrypted")
    for pk, token in rows.iterator(chunk_size=5000):
        batch.append(Claim(pk=pk, diagnosis_name=keys.decrypt(token)[:100]))
        if len(batch) >= frozen.BATCH:
            Claim.objects.bulk_update(batch, ["diagnosis_name"])
            batch = []
    if batch:
        Claim.objects.bulk_update(batch, ["diagnosis_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0004_normalise_invoice_identifiers"),
        ("members", "0008_encrypt_worker_phones"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="diagnosis_name_encrypted",
            field=models.CharField(blank=True, db_default="", default="", max_length=600),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="claim",
            name="diagnosis_name",
        ),
    ]
