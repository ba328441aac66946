"""Repaying a hospital: batch, statement, disputes, payment and a returned transfer, with the ledger at each step."""
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest

from huzhu.conftest import PASSWORD, make_staff
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.hospitals import services
from huzhu.hospitals.models import DischargeSettlement, ReimbursementBatch
from huzhu.ledger.models import Posting
from huzhu.regions.models import Role

from .conftest import post, stay, today

pytestmark = pytest.mark.django_db
B = ReimbursementBatch.Status


def balance(code: str) -> Decimal:
    return sum(Posting.objects.filter(account__code=code).values_list("amount", flat=True), Decimal("0"))


@pytest.fixture
def settled(his, covered, home_unit):
    """Three stays of three workers, settled at discharge two days ago."""
    from huzhu.claims.tests.conftest import cover
    from huzhu.conftest import make_worker

    workers = [covered]
    for _n in range(2):
        worker = make_worker(home_unit)
        cover(worker, year=(today() - timedelta(days=15)).year)
        cover(worker, year=today().year) if today().year != (today() - timedelta(days=15)).year else None
        workers.append(worker)
    answers = [post(his, stay(w, serial=f"R{i}", days_ago=2)).json() for i, w in enumerate(workers)]
    assert [a["status"] for a in answers] == ["settled"] * 3, answers
    return answers


def statement(rows, header=("结算流水号", "互助补助金")) -> bytes:
    return ("\n".join([",".join(header), *(f"{serial},{amount}" for serial, amount in rows)]) + "\n").encode()


def test_a_batch_reconciled_and_paid_moves_the_hospitals_payable_to_the_bank(settled, hospital):
    owed = sum(Decimal(a["benefit"]) for a in settled)
    assert balance(f"2202-{hospital.code}") == -owed
    batch = services.build_batch(actor=SYSTEM_ACTOR, hospital=hospital, through=today() - timedelta(days=1))
    assert (batch.count, batch.amount) == (3, owed)
    rows = [(a["serial"], a["benefit"]) for a in settled]
    batch = services.import_statement(actor=SYSTEM_ACTOR, batch=batch, file_name="对账单.csv", content=statement(rows))
    assert (batch.status, batch.agreed_count, batch.agreed_amount) == (B.RECONCILED, 3, owed)
    services.mark_batch_paid(actor=SYSTEM_ACTOR, batch=batch, paid_on=today())
    assert balance(f"2202-{hospital.code}") == 0 and balance("1002") == -owed
    assert DischargeSettlement.objects.filter(reimbursed_on=today()).count() == 3
    # a stay in a paid batch is in no new batch
    with pytest.raises(Conflict) as caught:
        services.build_batch(actor=SYSTEM_ACTOR, hospital=hospital, through=today() - timedelta(days=1))
    assert caught.value.code == "nothing_to_reimburse"


def test_a_statement_line_with_another_amount_is_disputed_and_leaves_the_batch(settled, hospital):
    batch = services.build_batch(actor=SYSTEM_ACTOR, hospital=hospital, through=today() - timedelta(days=1))
    first, second, third = settled
    rows = [(first["serial"], first["benefit"]), (second["serial"], "1.00"), ("NOT-OURS", "50.00")]  # third missing
    batch = services.import_statement(actor=SYSTEM_ACTOR, batch=batch, file_name="s.csv", content=statement(rows))
    assert (batch.count, batch.agreed_count) == (1, 1)
    assert batch.statement_extra == [{"row": 4, "serial": "NOT-OURS", "amount": "50.00"}]
    disputed = DischargeSettlement.objects.filter(reconciliation="disputed").order_by("serial")
    assert [d.serial for d in disputed] == [second["serial"], third["serial"]]
    assert "金额不符" in disputed[0].dispute_reason and disputed[0].statement_amount == Decimal("1.00")
    assert disputed[1].dispute_reason == "医院对账单中没有此笔"
    services.mark_batch_paid(actor=SYSTEM_ACTOR, batch=batch, paid_on=today())
    assert balance(f"2202-{hospital.code}") == -(Decimal(second["benefit"]) + Decimal(third["benefit"]))
    # resolved, the two are in the next batch
    for line in disputed:
        services.resolve_dispute(actor=SYSTEM_ACTOR, discharge=line, note="已与医院核实，按系统金额")
    nxt = services.build_batch(actor=SYSTEM_ACTOR, hospital=hospital, through=today() - timedelta(days=1))
    assert nxt.count == 2


def test_a_returned_transfer_reverses_the_payment_and_frees_the_lines(settled, hospital):
    batch = services.build_batch(actor=SYSTEM_ACTOR, hospital=hospital, through=today() - timedelta(days=1))
    batch = services.import_statement(actor=SYSTEM_ACTOR, batch=batch, file_name="s.csv",
                                      content=statement([(a["serial"], a["benefit"]) for a in settled]))
    services.mark_batch_paid(actor=SYSTEM_ACTOR, batch=batch, paid_on=today())
    services.mark_batch_failed(actor=SYSTEM_ACTOR, batch=batch, reason="账户已销户")
    owed = sum(Decimal(a["benefit"]) for a in settled)
    assert balance(f"2202-{hospital.code}") == -owed and balance("1002") == 0
    assert services.build_batch(actor=SYSTEM_ACTOR, hospital=hospital, through=today() - timedelta(days=1)).count == 3


def test_a_bad_statement_names_the_row_and_changes_nothing(settled, hospital):
    batch = services.build_batch(actor=SYSTEM_ACTOR, hospital=hospital, through=today() - timedelta(days=1))
    with pytest.raises(ValidationFailed) as caught:
        services.import_statement(actor=SYSTEM_ACTOR, batch=batch, file_name="s.csv",
                                  content=statement([(settled[0]["serial"], "十元")]))
    assert "第 2 行" in caught.value.message
    with pytest.raises(ValidationFailed) as caught:
        services.import_statement(actor=SYSTEM_ACTOR, batch=batch, file_name="s.csv", content=statement([], header=("流水号",)))
    assert "结算流水号" in caught.value.message
    batch.refresh_from_db()
    assert batch.status == B.OPEN and not DischargeSettlement.objects.filter(reconciliation="disputed").exists()


def test_the_pages_walk_an_association_clerk_through_registry_tokens_and_a_batch(client, settled, hospital, tmp_path):
    make_staff("xiehui_test", Role.ASSOCIATION)
    client.login(username="xiehui_test", password=PASSWORD)
    assert "包头市中心医院" in client.get("/hospitals/").content.decode()
    page = client.post(f"/hospitals/{hospital.pk}/tokens/", {"name": "HIS 测试环境"})
    assert page.status_code == 200 and "hzh_" in page.content.decode()
    page = client.get(f"/hospitals/{hospital.pk}/").content.decode()
    assert "只显示这一次" not in page and settled[0]["serial"] in page
    response = client.post(f"/hospitals/{hospital.pk}/batches/", {"through": (today() - timedelta(days=1)).isoformat()})
    batch = ReimbursementBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hospitals/batches/{batch.pk}/"
    lines = openpyxl.load_workbook(__import__("io").BytesIO(client.get(f"/hospitals/batches/{batch.pk}/lines.xlsx").content))
    sheet = lines.active
    rows = [(r[0], str(r[1])) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(s for s, _a in rows) == sorted(a["serial"] for a in settled)
    # the hospital sends back the same lines as an XLSX statement
    book = openpyxl.Workbook()
    book.active.append(["结算流水号", "互助补助金"])
    for serial, amount in rows:
        book.active.append([serial, amount])
    path = tmp_path / "statement.xlsx"
    book.save(path)
    with path.open("rb") as upload:
        assert client.post(f"/hospitals/batches/{batch.pk}/statement/", {"file": upload}).status_code == 302
    assert client.post(f"/hospitals/batches/{batch.pk}/paid/", {"paid_on": "２０" + today().isoformat()[2:]}).status_code == 302
    batch.refresh_from_db()
    assert batch.status == B.PAID and batch.paid_on == today()
    assert client.get("/hospitals/disputes/").status_code == 200


def test_other_roles_cannot_reach_the_registry(client, hospital):
    make_staff("clerk_x", Role.AGENCY, division="150203")
    client.login(username="clerk_x", password=PASSWORD)
    assert client.get("/hospitals/").status_code == 403
    assert client.post(f"/hospitals/{hospital.pk}/tokens/", {"name": "x"}).status_code == 403
    make_staff("auditor_x", Role.AUDITOR)
    client.login(username="auditor_x", password=PASSWORD)
    assert client.get("/hospitals/").status_code == 200
    assert client.post(f"/hospitals/{hospital.pk}/tokens/", {"name": "x"}).status_code == 403
