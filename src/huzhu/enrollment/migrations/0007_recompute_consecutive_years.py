"""Bring stored consecutive years in line with the enrollment history (they went stale when an
earlier year's coverage was added after the next year's enrollment existed)."""
from django.db import migrations


def recompute(apps, schema_editor):
    from huzhu.enrollment.services.history import recompute_all_consecutive_years

    PlanYear = apps.get_model("plans", "PlanYear")
    recompute_all_consecutive_years(PlanYear.objects.values_list("pk", "plan_id", "year"))


class Migration(migrations.Migration):

    dependencies = [
        ("enrollment", "0006_import_job_file_hash"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
