from django.db import migrations


def load(apps, schema_editor):
    from huzhu.regions.services import install_divisions

    install_divisions(apps.get_model("regions", "Division"), apps.get_model("regions", "Office"),
                      apps.get_model("regions", "AgencyPoint"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
