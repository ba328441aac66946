from django.db import migrations


def reindex_changed_accounts(apps, schema_editor):
    """change_bank_account kept the old account's blind index: recompute every index from its account."""
    from huzhu.core.crypto import blind_index, decrypt_text

    Worker = apps.get_model("members", "Worker")
    accounts = Worker.objects.exclude(bank_account_encrypted="").order_by("pk")
    batch = []
    for pk, token, index in accounts.values_list("pk", "bank_account_encrypted", "bank_account_index").iterator(
            chunk_size=5000):
        fresh = blind_index(decrypt_text(token))
        if fresh != index:
            batch.append(Worker(pk=pk, bank_account_index=fresh))
        if len(batch) >= 1000:
            Worker.objects.bulk_update(batch, ["bank_account_index"])
            batch = []
    if batch:
        Worker.objects.bulk_update(batch, ["bank_account_index"])


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0004_bank_account_index_db_default"),
    ]

    operations = [
        migrations.RunPython(reindex_changed_accounts, migrations.RunPython.noop),
    ]
