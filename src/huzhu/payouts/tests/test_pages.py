"""Payout pages: the association works the whole flow, auditors read, everyone else gets 403."""
import csv
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huzhu.audit.models import AuditEvent
from huzhu.claims.models import Claim
from huzhu.conftest import PASSWORD
from huzhu.payouts.models import Payout, PayoutBatch

from .conftest import all_paid, return_csv

B = PayoutBatch.Status


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def approved_three(approve_claim):
    return [approve_claim(), approve_claim(), approve_claim(bank=False)]


def test_the_association_builds_reviews_approves_exports_sends_and_reconciles_on_the_pages(
        client, approved_three, maker, checker):
    login(client, maker)
    preview = client.get(reverse("payouts:batch_new"), {"plan": "hospitalization"}).text
    assert "1,200.00" in preview and "生成批次（2 笔" in preview and "1 件已审批申领的职工没有银行账户" in preview
    response = client.post(reverse("payouts:batch_new"), {"plan": "hospitalization"})
    batch = PayoutBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("payouts:batch_detail", args=[batch.pk])
    page = client.get(response.url).text
    payout = batch.payouts.first()
    assert "1,200.00" in page and payout.bank_account_masked in page
    assert payout.reveal_bank_account() not in page
    assert "须由另一位协会工作人员复核" in page and "复核通过" not in page

    client.post(reverse("payouts:batch_approve", args=[batch.pk]))
    assert PayoutBatch.objects.get(pk=batch.pk).status == B.DRAFT  # the maker cannot approve
    client.logout()
    login(client, checker)
    assert "复核通过（2 笔，1,200.00 元）" in client.get(reverse("payouts:batch_detail", args=[batch.pk])).text
    client.post(reverse("payouts:batch_approve", args=[batch.pk]))
    assert PayoutBatch.objects.get(pk=batch.pk).status == B.APPROVED

    csv_file = client.get(reverse("payouts:bank_file", args=[batch.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(content_of(csv_file).decode("utf-8-sig"))))
    assert rows[0] == ["序号", "收款人姓名", "收款账号", "开户银行", "金额（元）", "支付参考号", "用途"]
    assert rows[1][2] == payout.reveal_bank_account() and rows[1][4] == "600.00" and rows[1][5] == payout.reference
    assert sum(D(row[4]) for row in rows[1:]) == D("1200.00")
    xlsx = client.get(reverse("payouts:bank_file", args=[batch.pk, "xlsx"]))
    sheet = list(load_workbook(io.BytesIO(content_of(xlsx)), read_only=True).active.iter_rows(values_only=True))
    assert sheet[1][2] == payout.reveal_bank_account() and isinstance(sheet[1][2], str)
    assert AuditEvent.objects.filter(action="export_bank_file").count() == 2

    client.post(reverse("payouts:batch_sent", args=[batch.pk]), {"sent_on": timezone.localdate().isoformat()})
    assert PayoutBatch.objects.get(pk=batch.pk).status == B.SENT
    upload = SimpleUploadedFile("回盘.csv", all_paid(batch), content_type="text/csv")
    response = client.post(reverse("payouts:batch_return", args=[batch.pk]), {"file": upload}, follow=True)
    assert "新记已付款 2 笔" in response.text and "本批次已全部对账" in response.text
    assert Claim.objects.filter(status=Claim.Status.PAID).count() == 2


def test_a_refused_return_file_shows_each_bad_line_and_changes_nothing(client, sent_batch, maker):
    login(client, maker)
    bad = return_csv([("HZ99999999-1", "600.00", "成功", ""), ("", "1.00", "成功", "")])
    response = client.post(reverse("payouts:batch_return", args=[sent_batch.pk]),
                           {"file": SimpleUploadedFile("bad.csv", bad)})
    assert response.status_code == 422
    assert "第 2 行" in response.text and "不属于本批次" in response.text and "缺少支付参考号" in response.text
    assert "整份文件均未处理" in response.text
    assert not Payout.objects.filter(status=Payout.Status.PAID).exists()


def test_the_failed_queue_records_a_corrected_account(client, sent_batch, maker):
    from huzhu.payouts import services

    first = sent_batch.payouts.order_by("pk").first()
    lines = [(p.reference, f"{p.amount:.2f}", "失败" if p == first else "成功", "户名不符" if p == first else "")
             for p in sent_batch.payouts.order_by("pk")]
    services.import_return_file(actor=maker, batch=sent_batch, file_name="r.csv", content=return_csv(lines))
    login(client, maker)
    page = client.get(reverse("payouts:failed_queue")).text
    assert first.reference in page and "户名不符" in page
    response = client.post(reverse("payouts:resolve_payout", args=[first.pk]),
                           {"bank_name": "中国银行", "bank_account": "123"}, follow=True)
    assert "银行卡号应为12至19位数字" in response.text
    client.post(reverse("payouts:resolve_payout", args=[first.pk]),
                {"bank_name": "中国银行", "bank_account": "6216610200016587010"})
    assert Payout.objects.get(pk=first.pk).resolved_by == maker


def test_a_missing_account_is_recorded_from_the_queue(client, approve_claim, maker):
    claim = approve_claim(bank=False)
    login(client, maker)
    assert f"#{claim.pk}" in client.get(reverse("payouts:failed_queue")).text
    client.post(reverse("payouts:claim_bank_account", args=[claim.pk]),
                {"bank_name": "中国建设银行", "bank_account": "6217000010012345678"})
    claim.worker.refresh_from_db()
    assert claim.worker.bank_account_masked.endswith("5678")


def test_an_auditor_reads_batches_without_any_action(client, sent_batch, auditor):
    login(client, auditor)
    page = client.get(reverse("payouts:batch_detail", args=[sent_batch.pk])).text
    assert sent_batch.number in page and "导入回盘" not in page and "导出银行文件" not in page
    assert client.get(reverse("payouts:batch_list")).status_code == 200
    assert client.get(reverse("payouts:failed_queue")).status_code == 200
    assert client.get(reverse("payouts:bank_file", args=[sent_batch.pk, "csv"])).status_code == 403
    assert client.get(reverse("payouts:batch_new")).status_code == 403
    assert client.post(reverse("payouts:batch_cancel", args=[sent_batch.pk]), {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("persona", ["county_clerk", "league_reviewer", "unit_contact"])
def test_other_roles_are_refused(client, request, persona, sent_batch):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("payouts:batch_list")).status_code == 403
    assert client.get(reverse("payouts:batch_detail", args=[sent_batch.pk])).status_code == 403
    assert client.get(reverse("payouts:failed_queue")).status_code == 403


def test_the_navigation_shows_payouts_to_the_association_only(client, maker, county_clerk):
    login(client, maker)
    assert reverse("payouts:batch_list") in client.get(reverse("home")).text
    client.logout()
    login(client, county_clerk)
    assert reverse("payouts:batch_list") not in client.get(reverse("home")).text


def test_the_batch_form_lists_only_the_chosen_leagues_counties(client, maker):
    from huzhu.conftest import BAOTOU, CHIFENG, HONGSHAN, KUNDULUN

    login(client, maker)
    everywhere = client.get(reverse("payouts:batch_new")).text
    assert f'value="{KUNDULUN}"' in everywhere and f'value="{HONGSHAN}"' in everywhere
    baotou = client.get(reverse("payouts:batch_new"), {"league": BAOTOU}).text
    county_select = baotou[baotou.index('id="id_county"'):baotou.index("</select>", baotou.index('id="id_county"'))]
    assert f'value="{KUNDULUN}"' in county_select and f'value="{HONGSHAN}"' not in county_select
    assert 'hx-select="#id_county"' in baotou  # choosing a league reloads the list in place
    mixed = client.get(reverse("payouts:batch_new"), {"league": BAOTOU, "county": HONGSHAN}).text
    assert "所选旗县不属于所选盟市" in mixed
    assert "所选旗县不属于所选盟市" not in client.get(reverse("payouts:batch_new"),
                                                      {"league": CHIFENG, "county": HONGSHAN}).text
