"""The bank-file layouts Huzhu ships with (issue 25): the generic one of before, and three banks' common layouts.

The banks' layouts are those of their corporate e-banking batch payroll (批量代发) uploads as commonly
configured; a branch that differs is a copy edited on /payouts/bank-templates/. Installing is idempotent:
a template already there (by its builtin code) is left as the association edited it.
"""
from django.db import migrations


def column(field, header, value=""):
    return {"field": field, "header": header, "value": value}


SHIPPED = [
    {
        # Today's layout, byte for byte: nothing changes for users of the generic file.
        "builtin": "generic", "name": "通用（本系统格式）", "bank": "任一银行",
        "file_type": "csv", "encoding": "utf-8-sig", "delimiter": ",", "has_header": True,
        "columns": [column("serial", "序号"), column("payee_name", "收款人姓名"), column("account", "收款账号"),
                    column("bank_name", "开户银行"), column("amount", "金额（元）"), column("reference", "支付参考号"),
                    column("purpose", "用途")],
        # no mapping: the return file is read by the generic column names (支付参考号、金额、处理结果、银行说明)
    },
    {
        "builtin": "icbc_payroll", "name": "工商银行 批量代发（XLSX）", "bank": "中国工商银行",
        "file_type": "xlsx", "encoding": "utf-8-sig", "delimiter": ",", "has_header": True, "sheet_name": "代发明细",
        "columns": [column("serial", "序号"), column("account", "收款账号"), column("payee_name", "收款户名"),
                    column("amount", "金额"), column("fixed", "币种", "人民币"), column("bank_name", "收款银行"),
                    column("purpose", "用途"), column("reference", "业务参考号")],
        "return_has_header": True, "return_serial_column": "序号", "return_amount_column": "金额",
        "return_result_column": "处理状态", "return_reason_column": "失败原因",
        "return_success_values": "成功,处理成功,交易成功", "return_failure_values": "失败,处理失败,交易失败",
    },
    {
        "builtin": "ccb_payroll", "name": "建设银行 代发代扣（CSV GB18030）", "bank": "中国建设银行",
        "file_type": "csv", "encoding": "gb18030", "delimiter": ",", "has_header": True,
        "columns": [column("serial", "序号"), column("account", "收款账号"), column("payee_name", "收款人名称"),
                    column("amount", "金额"), column("bank_name", "收款行名称"), column("branch_code", "收款行联行号"),
                    column("purpose", "摘要"), column("reference", "客户方流水号")],
        "return_has_header": True, "return_reference_column": "客户方流水号", "return_amount_column": "金额",
        "return_result_column": "交易状态", "return_reason_column": "备注",
        "return_success_values": "交易成功,成功", "return_failure_values": "交易失败,失败",
    },
    {
        "builtin": "abc_payroll", "name": "农业银行 批量代发（TXT 竖线分隔）", "bank": "中国农业银行",
        "file_type": "txt", "encoding": "gb18030", "delimiter": "|", "has_header": False,
        "columns": [column("account", "账号"), column("payee_name", "户名"), column("amount_fen", "金额（分）"),
                    column("currency", "币种"), column("purpose", "附言"), column("reference", "业务编号")],
        # the return file: 账号|户名|金额（分）|业务编号|结果码|说明, no header; 0000 is success, any other code fails
        "return_has_header": False, "return_reference_column": "4", "return_amount_column": "3",
        "return_amount_in_fen": True, "return_result_column": "5", "return_reason_column": "6",
        "return_success_values": "0000", "return_failure_values": "",
    },
]


def install_shipped_templates(BankFileTemplate):
    """Create each shipped template missing by its builtin code (the tests call this after a flush too)."""
    for values in SHIPPED:
        if not BankFileTemplate.objects.filter(builtin=values["builtin"]).exists():
            BankFileTemplate.objects.create(**values)


def forwards(apps, schema_editor):
    install_shipped_templates(apps.get_model("payouts", "BankFileTemplate"))


class Migration(migrations.Migration):

    dependencies = [("payouts", "0004_bank_file_template")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
