"""Units' contact mobiles encrypted like workers' (issue 22): ciphertext, blind index, masked form.

Same steps as 0008 for workers, whose frozen copies of the ciphertext and index formats this
migration reuses (a released migration never changes): the plain `contact_phone` is read once,
brought to its registered form, encrypted, indexed, masked, and the plain column is dropped.
Reversing decrypts back into `contact_phone`. Batched bulk updates; SQLite and PostgreSQL alike.
"""
import importlib

from django.db import migrations, models

BATCH = 1000
phones = importlib.import_module("huzhu.members.migrations.0008_encrypt_worker_phones")


def forwards(apps, schema_editor):
    unit_model, keys, batch = apps.get_model("members", "MemberUnit"), phones.Keys(), []
    rows = unit_model.objects.exclude(contact_phone="").order_by("pk").values_list("pk", "contact_phone")
    for pk, phone in rows.iterator(chunk_size=5000):
        number = phones.registered_form(phone)
        batch.append(unit_model(pk=pk, contact_phone_encrypted=keys.encrypt(number),
                                contact_phone_index=keys.index(number), contact_phone_masked=phones.mask_mobile(number)))
        if len(batch) >= BATCH:
            unit_model.objects.bulk_update(batch, ["contact_phone_encrypted", "contact_phone_index", "contact_phone_masked"])
            batch = []
    if batch:
        unit_model.objects.bulk_update(batch, ["contact_phone_encrypted", "contact_phone_index", "contact_phone_masked"])


def backwards(apps, schema_editor):
    unit_model, keys, batch = apps.get_model("members", "MemberUnit"), phones.Keys(), []
    rows = unit_model.objects.exclude(contact_phone_encrypted="").order_by("pk").values_list("pk", "contact_phone_encrypted")
    for pk, token in rows.iterator(chunk_size=5000):
        batch.append(unit_model(pk=pk, contact_phone=keys.decrypt(token)))
        if len(batch) >= BATCH:
            unit_model.objects.bulk_update(batch, ["contact_phone"])
            batch = []
    if batch:
        unit_model.objects.bulk_update(batch, ["contact_phone"])


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0010_data_consent"),
    ]

    operations = [
        migrations.AddField(
            model_name="memberunit", name="contact_phone_encrypted",
            field=models.CharField(blank=True, db_default="", default="", max_length=120, verbose_name="联系电话（密文）"),
        ),
        migrations.AddField(
            model_name="memberunit", name="contact_phone_index",
            field=models.CharField(blank=True, db_default="", default="", max_length=32, verbose_name="联系电话索引"),
        ),
        migrations.AddField(
            model_name="memberunit", name="contact_phone_masked",
            field=models.CharField(blank=True, db_default="", default="", max_length=20, verbose_name="联系电话"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="memberunit", name="contact_phone"),
    ]
