"""Bank files in each bank's layout: column order, headers, encoding, amounts as numbers; edited and copied
templates (audited); return files in a template's layout reconcile through the same code as the generic one."""
import csv
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huzhu.audit.models import AuditEvent
from huzhu.claims.models import Claim
from huzhu.conftest import PASSWORD
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.core.scopes import PROVINCE
from huzhu.payouts import bank_files, bank_layouts, queries, services
from huzhu.payouts.models import BankFileTemplate, Payout, PayoutBatch, ReturnImport
from huzhu.payouts.services.bank_templates import TemplateValues

from .conftest import send

P = Payout.Status


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def download(client, batch, template) -> tuple[bytes, str]:
    response = client.get(reverse("payouts:bank_file_in_layout", args=[batch.pk, template.pk]))
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else b"".join(response)
    return body, response["Content-Type"]


def payouts(batch):
    return list(Payout.objects.filter(batch=batch).order_by("pk"))


def test_the_generic_template_is_todays_csv_byte_for_byte(client, maker, approved_batch, shipped_templates):
    login(client, maker)
    old = client.get(reverse("payouts:bank_file", args=[approved_batch.pk, "csv"]))
    body, content_type = download(client, approved_batch, shipped_templates["generic"])
    assert body == b"".join(old.streaming_content) and content_type.startswith("text/csv")


def test_icbc_xlsx_has_its_columns_in_order_amounts_as_number_cells_and_accounts_as_text(
        client, maker, approved_batch, shipped_templates):
    login(client, maker)
    body, content_type = download(client, approved_batch, shipped_templates["icbc_payroll"])
    assert content_type == bank_files.XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    sheet = workbook.active
    assert sheet.title == "代发明细"
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == ["序号", "收款账号", "收款户名", "金额", "币种", "收款银行", "用途", "业务参考号"]
    lines = payouts(approved_batch)
    for cells, payout in zip(rows[1:], lines, strict=True):
        serial, account, name, amount, currency, bank, purpose, reference = cells
        assert serial.value == lines.index(payout) + 1 and serial.data_type == "n"
        assert (account.value, account.data_type) == (payout.reveal_bank_account(), "s")
        assert name.value == payout.payee_name and currency.value == "人民币" and bank.value == payout.bank_name
        assert amount.data_type == "n" and amount.number_format == "0.00" and D(str(amount.value)) == payout.amount
        assert reference.value == payout.reference and purpose.value == f"职工互助保障补助金 申领#{payout.claim_id}"
    assert sum(D(str(row[3].value)) for row in rows[1:]) == approved_batch.total_amount


def test_ccb_csv_is_gb18030_with_its_headers_and_plain_number_amounts(client, maker, approved_batch, shipped_templates):
    login(client, maker)
    body, content_type = download(client, approved_batch, shipped_templates["ccb_payroll"])
    assert content_type == "text/csv; charset=gb18030"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # really GB18030, not UTF-8 under another name
    rows = list(csv.reader(io.StringIO(body.decode("gb18030"))))
    assert rows[0] == ["序号", "收款账号", "收款人名称", "金额", "收款行名称", "收款行联行号", "摘要", "客户方流水号"]
    lines = payouts(approved_batch)
    assert [row[1] for row in rows[1:]] == [p.reveal_bank_account() for p in lines]
    assert [row[2] for row in rows[1:]] == [p.payee_name for p in lines]
    assert [row[3] for row in rows[1:]] == [f"{p.amount:.2f}" for p in lines]  # numbers, no separators or ￥
    assert [row[7] for row in rows[1:]] == [p.reference for p in lines]
    assert sum(D(row[3]) for row in rows[1:]) == approved_batch.total_amount


def test_abc_txt_is_pipe_delimited_without_a_header_and_in_fen(client, maker, approved_batch, shipped_templates):
    login(client, maker)
    body, content_type = download(client, approved_batch, shipped_templates["abc_payroll"])
    assert content_type == "text/plain; charset=gb18030"
    lines = body.decode("gb18030").splitlines()
    expected = [f"{p.reveal_bank_account()}|{p.payee_name}|{int(p.amount * 100)}|CNY|职工互助保障补助金 申领#{p.claim_id}|"
                f"{p.reference}" for p in payouts(approved_batch)]
    assert lines == expected
    assert sum(int(line.split("|")[2]) for line in lines) == int(approved_batch.total_amount * 100)


def test_every_download_is_audited_with_its_layout_and_pages_never_show_the_clear_account(
        client, maker, approved_batch, shipped_templates):
    login(client, maker)
    for template in shipped_templates.values():
        download(client, approved_batch, template)
    events = AuditEvent.objects.filter(action="export_bank_file").order_by("pk")
    assert [e.after["layout"] for e in events] == [t.name for t in shipped_templates.values()]
    account = payouts(approved_batch)[0].reveal_bank_account()
    assert all(account not in str(e.after) for e in events)
    page = client.get(reverse("payouts:batch_detail", args=[approved_batch.pk])).text
    assert account not in page and "工商银行 批量代发（XLSX）" in page and "pain.001" in page


def test_an_edited_template_writes_the_new_order_headers_fixed_values_and_encoding(
        client, maker, approved_batch, shipped_templates):
    template = shipped_templates["ccb_payroll"]
    columns = (bank_layouts.Column("reference", "流水号"), bank_layouts.Column("amount_fen", "金额分"),
               bank_layouts.Column("account"), bank_layouts.Column("payee_name", "姓名"),
               bank_layouts.Column("fixed", "业务类型", "补助金"), bank_layouts.Column("batch_reference"))
    services.save_bank_file_template(actor=maker, template=template, values=TemplateValues.of(
        template, columns=columns, encoding="utf-8", delimiter=";"))
    login(client, maker)
    body, _type = download(client, approved_batch, BankFileTemplate.objects.get(pk=template.pk))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter=";"))
    assert rows[0] == ["流水号", "金额分", "收款账号", "姓名", "业务类型", "批次号"]
    first = payouts(approved_batch)[0]
    assert rows[1] == [first.reference, str(int(first.amount * 100)), first.reveal_bank_account(), first.payee_name,
                       "补助金", approved_batch.number]
    change = AuditEvent.objects.get(action="change_bank_file_template", object_id=str(template.pk))
    assert set(change.after) == {"columns", "encoding", "delimiter"} and change.before["encoding"] == "gb18030"


@pytest.mark.parametrize("changes, message", [
    ({"columns": (bank_layouts.Column("payee_name"), bank_layouts.Column("amount"))}, "收款账号"),
    ({"columns": (bank_layouts.Column("account"), bank_layouts.Column("payee_name"))}, "金额列"),
    ({"columns": (bank_layouts.Column("account"), bank_layouts.Column("payee_name"), bank_layouts.Column("amount"),
                  bank_layouts.Column("fixed", "类型"))}, "固定值"),
    ({"columns": (bank_layouts.Column("id_number"),)}, "不在可选字段"),
    ({"return_result_column": "状态", "return_success_values": ""}, "成功"),
    ({"return_has_header": False, "return_result_column": "状态", "return_reference_column": "1",
      "return_success_values": "0"}, "列号"),
    ({"delimiter": "#"}, "分隔符"),
], ids=["no-account", "no-amount", "empty-fixed", "id-number-never", "no-success-value", "no-header-needs-numbers",
        "odd-delimiter"])
def test_a_template_the_bank_could_not_use_is_refused_with_the_reason(maker, shipped_templates, changes, message):
    template = shipped_templates["icbc_payroll"]
    values = TemplateValues.of(template, **changes)
    if "delimiter" in changes:
        values = TemplateValues.of(template, file_type="csv", **changes)
    with pytest.raises(ValidationFailed, match=message):
        services.save_bank_file_template(actor=maker, template=template, values=values)
    assert not AuditEvent.objects.filter(action="change_bank_file_template").exists()


def test_a_copy_gets_a_new_name_is_audited_and_a_taken_name_is_refused(maker, shipped_templates):
    template = shipped_templates["abc_payroll"]
    copy = services.copy_bank_file_template(actor=maker, template=template)
    again = services.copy_bank_file_template(actor=maker, template=template)
    assert (copy.name, again.name) == (f"{template.name} 副本", f"{template.name} 副本2")
    assert copy.builtin == "" and copy.columns == template.columns and copy.return_layout() == template.return_layout()
    assert AuditEvent.objects.filter(action="copy_bank_file_template").count() == 2
    assert AuditEvent.objects.filter(action="create_bank_file_template").count() == 2
    with pytest.raises(Conflict, match="已有名为"):
        services.save_bank_file_template(actor=maker, template=copy, values=TemplateValues.of(copy, name=template.name))


def test_the_association_edits_a_template_on_its_page_and_others_may_not(
        client, maker, county_clerk, shipped_templates):
    template = shipped_templates["icbc_payroll"]
    login(client, maker)
    page = client.get(reverse("payouts:bank_templates")).text
    assert all(t.name in page for t in shipped_templates.values())
    form = client.get(reverse("payouts:bank_template_edit", args=[template.pk]))
    assert form.status_code == 200 and "业务参考号" in form.text
    data = {name: getattr(template, name) for name in (
        "name", "bank", "file_type", "encoding", "delimiter", "sheet_name", "return_reference_column",
        "return_serial_column", "return_account_column", "return_amount_column", "return_result_column",
        "return_reason_column", "return_success_values", "return_failure_values")}
    data.update({"has_header": "on", "is_active": "on", "return_has_header": "on", "columns-TOTAL_FORMS": "4",
                 "columns-INITIAL_FORMS": "0"})
    for index, (position, field, header) in enumerate(
            [(2, "amount", "金额"), (1, "account", "账号"), (3, "payee_name", "户名"), ("", "", "")]):
        data.update({f"columns-{index}-position": position, f"columns-{index}-field": field,
                     f"columns-{index}-header": header, f"columns-{index}-value": ""})
    response = client.post(reverse("payouts:bank_template_edit", args=[template.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    template.refresh_from_db()
    assert [c["field"] for c in template.columns] == ["account", "amount", "payee_name"]
    assert template.updated_by == maker
    client.logout()
    login(client, county_clerk)
    assert client.get(reverse("payouts:bank_templates")).status_code == 403
    assert client.post(reverse("payouts:bank_template_copy", args=[template.pk])).status_code == 403


# ---------------------------------------------------------------- return files in a template's layout


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_icbc_return_by_serial_pays_and_fails_through_the_same_checks(maker, approved_batch, shipped_templates):
    send(approved_batch, maker)
    lines = payouts(approved_batch)
    content = xlsx([["序号", "账号", "户名", "金额", "处理状态", "失败原因"],
                    *[[n, p.bank_account_masked, p.payee_name, float(p.amount), "处理失败" if n == 2 else "处理成功",
                       "户名不符" if n == 2 else None] for n, p in enumerate(lines, start=1)]])
    report = services.import_return_file(actor=maker, batch=approved_batch, file_name="icbc回盘.xlsx", content=content,
                                         template=shipped_templates["icbc_payroll"])
    assert report.applied and (report.paid, report.failed, report.reconciled) == (2, 1, True)
    failed = Payout.objects.get(pk=lines[1].pk)
    assert (failed.status, failed.bank_reason) == (P.FAILED, "户名不符")
    assert list(queries.failed_payouts_to_resolve(PROVINCE)) == [failed]
    assert ReturnImport.objects.get().layout == "工商银行 批量代发（XLSX）"


def test_an_abc_txt_return_in_fen_without_a_header_reconciles(maker, approved_batch, shipped_templates):
    send(approved_batch, maker)
    text = "".join(f"{p.reveal_bank_account()}|{p.payee_name}|{int(p.amount * 100)}|{p.reference}|"
                   f"{'E102' if n == 0 else '0000'}|{'账户已冻结' if n == 0 else ''}\r\n"
                   for n, p in enumerate(payouts(approved_batch)))
    report = services.import_return_file(actor=maker, batch=approved_batch, file_name="abc.txt",
                                         content=text.encode("gb18030"), template=shipped_templates["abc_payroll"])
    assert report.applied and (report.paid, report.failed) == (2, 1)
    assert Payout.objects.get(pk=payouts(approved_batch)[0].pk).bank_reason == "账户已冻结"


def test_a_return_keyed_by_account_in_an_edited_layout_reconciles_and_names_bad_lines_masked(
        maker, approved_batch, shipped_templates):
    template = services.copy_bank_file_template(actor=maker, template=shipped_templates["ccb_payroll"])
    services.save_bank_file_template(actor=maker, template=template, values=TemplateValues.of(
        template, return_reference_column="", return_account_column="账号", return_amount_column="金额",
        return_result_column="状态", return_reason_column="", return_success_values="S",
        return_failure_values=""))
    template.refresh_from_db()
    send(approved_batch, maker)
    lines = payouts(approved_batch)
    wrong = "6222020299999999999"
    bad = "账号,金额,状态\n" + "".join(f"{p.reveal_bank_account()},{p.amount:.2f},S\n" for p in lines[:2]) + f"{wrong},1.00,S\n"
    report = services.import_return_file(actor=maker, batch=approved_batch, file_name="r.csv",
                                         content=bad.encode("gb18030"), template=template)
    assert not report.applied and [(p.row, p.message) for p in report.problems] == [
        (4, f"收款账号 {wrong[:4]}{'*' * (len(wrong) - 8)}{wrong[-4:]} 不属于本批次")]
    assert wrong not in str(report.problems) and not Claim.objects.filter(status="paid").exists()
    good = "账号,金额,状态\n" + "".join(f"{p.reveal_bank_account()},{p.amount:.2f},{'F01' if p == lines[2] else 'S'}\n"
                                      for p in lines)
    report = services.import_return_file(actor=maker, batch=approved_batch, file_name="r.csv",
                                         content=good.encode("gb18030"), template=template)
    assert report.applied and (report.paid, report.failed) == (2, 1)
    assert Payout.objects.get(pk=lines[2].pk).bank_reason == "银行返回“F01”"
    assert PayoutBatch.objects.get(pk=approved_batch.pk).status == PayoutBatch.Status.RECONCILED


def test_a_return_file_uploaded_on_the_page_with_its_template(client, maker, approved_batch, shipped_templates):
    send(approved_batch, maker)
    login(client, maker)
    template = shipped_templates["ccb_payroll"]
    text = "客户方流水号,金额,交易状态,备注\n" + "".join(f"{p.reference},{p.amount:.2f},交易成功,\n"
                                                for p in payouts(approved_batch))
    upload = SimpleUploadedFile("ccb.csv", text.encode("gb18030"), content_type="text/csv")
    response = client.post(reverse("payouts:batch_return", args=[approved_batch.pk]),
                           {"file": upload, "template": str(template.pk)}, follow=True)
    assert "新记已付款 3 笔" in response.text and "本批次已全部对账" in response.text
