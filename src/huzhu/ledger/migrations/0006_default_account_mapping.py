"""Seed the default account mapping to the 民间非营利组织会计制度 chart (ledger.rules.DEFAULT_MAPPING).

The rows are copied here, not imported, so this migration keeps meaning what it meant when it ran; an
association that already edited a line keeps its edit (get_or_create).
"""
from django.db import migrations

DEFAULT_MAPPING = (
    ("1002", "1002", "银行存款"),
    ("1221", "112201", "其他应收款—工会补贴"),
    ("1231", "112202", "其他应收款—应追回补助金"),
    ("2201", "220901", "其他应付款—应付补助金"),
    ("2202", "220902", "其他应付款—医院垫付补助金"),
    ("2301", "220903", "其他应付款—工作经费"),
    ("3101", "3102", "限定性净资产"),
    ("3201", "3101", "非限定性净资产"),
    ("4101", "430101", "提供服务收入—互助金"),
    ("4102", "430102", "提供服务收入—工会补贴互助金"),
    ("5101", "510101", "业务活动成本—互助补助金"),
    ("5201", "5201", "管理费用"),
)


def seed(apps, schema_editor):
    mapping = apps.get_model("ledger", "AccountMapping")
    for account_code, external_code, external_name in DEFAULT_MAPPING:
        mapping.objects.get_or_create(account_code=account_code,
                                      defaults={"external_code": external_code, "external_name": external_name})


def unseed(apps, schema_editor):
    mapping = apps.get_model("ledger", "AccountMapping")
    for account_code, external_code, _name in DEFAULT_MAPPING:
        mapping.objects.filter(account_code=account_code, external_code=external_code).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_account_mapping")]
    operations = [migrations.RunPython(seed, unseed)]
