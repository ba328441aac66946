from django.db import migrations, models


def index_existing_accounts(apps, schema_editor):
    """Blind-index the bank accounts already stored (decrypted in memory, in batches)."""
    from huzhu.core.crypto import blind_index, decrypt_text

    Worker = apps.get_model("members", "Worker")
    pending = Worker.objects.exclude(bank_account_encrypted="").filter(bank_account_index="").order_by("pk")
    batch = []
    for pk, token in pending.values_list("pk", "bank_account_encrypted").iterator(chunk_size=5000):
        batch.append(Worker(pk=pk, bank_account_index=blind_index(decrypt_text(token))))
        if len(batch) >= 5000:
            Worker.objects.bulk_update(batch, ["bank_account_index"])
            batch = []
    if batch:
        Worker.objects.bulk_update(batch, ["bank_account_index"])


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="worker",
            name="bank_account_index",
            field=models.CharField(blank=True, db_index=True, max_length=32),
        ),
        migrations.RunPython(index_existing_accounts, migrations.RunPython.noop),
    ]
