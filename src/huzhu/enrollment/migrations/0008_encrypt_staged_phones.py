"""Staged roster rows hold the phone encrypted, blind-indexed and masked, as workers do (issue 17, hole 6).

Rows staged before this migration (imports not yet committed or purged) are encrypted in place with
the frozen helpers of members.0008 (a released migration file never changes).
"""
import importlib

from django.db import migrations, models

frozen = importlib.import_module("huzhu.members.migrations.0008_encrypt_worker_phones")


def forwards(apps, schema_editor):
    frozen.encrypt_phones(apps.get_model("enrollment", "ImportRow"), frozen.Keys())


def backwards(apps, schema_editor):
    frozen.decrypt_phones(apps.get_model("enrollment", "ImportRow"), frozen.Keys())


class Migration(migrations.Migration):

    dependencies = [
        ("enrollment", "0007_recompute_consecutive_years"),
        ("members", "0008_encrypt_worker_phones"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrow",
            name="phone_encrypted",
            field=models.CharField(blank=True, db_default="", default="", max_length=120),
        ),
        migrations.AddField(
            model_name="importrow",
            name="phone_index",
            field=models.CharField(blank=True, db_default="", default="", max_length=32),
        ),
        migrations.AddField(
            model_name="importrow",
            name="phone_masked",
            field=models.CharField(blank=True, db_default="", default="", max_length=11),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="importrow",
            name="phone",
        ),
    ]
