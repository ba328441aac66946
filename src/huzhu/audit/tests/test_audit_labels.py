"""The audit log reads in Chinese: a label per action, before/after as label: value, numbers masked."""
import pytest

from huzhu.audit.labels import ACTION_LABELS, action_label, readable_fields
from huzhu.audit.services import record_event
from huzhu.conftest import PASSWORD
from huzhu.regions.models import Role
from huzhu.regions.services import create_staff_account


@pytest.mark.parametrize(("code", "label"), [
    ("create_claim", "受理申领"), ("claim_pass_first", "初审通过"), ("login.failed", "登录失败"),
    ("approve_payout_batch", "复核支付批次"), ("claim_escalate", "申领：escalate"),
    ("frobnicate_payout_batch", "支付批次：frobnicate"), ("something_new", "something_new"),
], ids=["listed", "claim-move", "security", "batch-move", "unknown-claim-move", "unknown-batch-move", "unknown"])
def test_each_action_code_reads_as_its_label_or_falls_back_to_its_parts(code, label):
    assert action_label(code) == label


def test_every_listed_label_is_chinese_text_not_the_code():
    assert all(label and label != code and any("\u4e00" <= ch <= "\u9fff" for ch in label)
               for code, label in ACTION_LABELS.items())


def test_before_and_after_read_as_labelled_values_with_personal_numbers_masked():
    rows = dict(readable_fields({
        "worker": 12, "type": "inpatient", "invoices": ["1501-000001", "1501-000002"],
        "phone": "13800138000", "id_number": "150203198503021234", "bank_account": "6222020200112233445",
        "note": "联系 13912345678，卡号 6222020200112233445", "nested": {"contact_phone": "04715551234"},
        "complete": True, "missing": None}))
    assert rows["职工"] == "12" and rows["类型"] == "inpatient" and rows["票据"] == "1501-000001、1501-000002"
    assert rows["手机号"] == "138****8000"
    assert rows["身份证号"] == "1502**********1234"
    assert rows["银行账号"] == "6222***********3445"
    assert "13912345678" not in rows["说明"] and "139****5678" in rows["说明"]
    assert "6222020200112233445" not in rows["说明"]
    assert rows["nested"] == "联系电话：047****1234"
    assert rows["complete"] == "是" and rows["missing"] == "—"
    assert readable_fields(None) == [] and readable_fields({}) == []


@pytest.mark.django_db
def test_the_audit_log_page_shows_labels_and_readable_fields_not_codes_and_dicts(client, county_clerk):
    admin = create_staff_account(actor=None, username="shenji_labels", password=PASSWORD, role=Role.AUDIT_ADMIN)
    record_event(actor=county_clerk, action="create_claim", object_type="Claim", object_id=7,
                 before={"status": "draft"}, after={"worker": 3, "channel": "desk", "phone": "13800138000"})
    client.force_login(admin)
    page = client.get("/security/audit-log/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "受理申领" in html and "受理渠道" in html and "138****8000" in html
    assert "13800138000" not in html and "{&#x27;worker&#x27;" not in html and "{'worker'" not in html
    assert ("create_claim", "受理申领") in page.context["action_choices"]
