"""A demo bank statement to upload (var/demo/bank-statement-icbc.csv): units of the open campaign year awaiting
payment, and what their 对公转账 look like on the association's ICBC account export.

Four units' enrollments are submitted for the campaign year (awaiting payment); the statement then carries
- a credit with the payment reference in its remark (matched by the reference),
- a credit of the exact amount from the unit's name written the bank's way (matched by amount and name),
- a credit short of the amount due (underpaid, the difference stated),
- a credit from a payer no enrollment knows (unmatched, for the queue),
- a debit (a bank fee, ignored and counted).
A small demo has fewer units free to enroll: the statement then carries the cases it can. Idempotent: a second run
finds the enrollments submitted and rewrites the file.
"""
import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from huzhu.campaign import queries as campaign_queries
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.errors import DomainError
from huzhu.core.money import format_yuan
from huzhu.enrollment import queries as enrollment_queries
from huzhu.enrollment import rules as enrollment_rules
from huzhu.enrollment.services import add_workers, start_enrollment, submit_enrollment
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear

HEADER = ["交易日期", "交易流水号", "借方发生额", "贷方发生额", "余额", "对方单位名称", "对方账号", "摘要"]
UNITS = 4


def statement_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "bank-statement-icbc.csv"


def _eligible_workers(unit: MemberUnit, plan_year: PlanYear, today: date) -> list[int]:
    terms = plan_year.terms
    ref = enrollment_rules.age_reference_on(terms, today)
    return [pk for pk, gender, birth_on, kind in Worker.objects.filter(unit=unit).values_list("pk", "gender", "birth_on", "kind")
            if enrollment_rules.is_eligible(enrollment_rules.Person(gender, birth_on, kind), terms.eligibility, ref)]


def _awaiting(plan_year: PlanYear, today: date) -> list:
    """The campaign year's submitted enrollments, made for units that have none when there are too few."""
    submitted = list(enrollment_queries.enrollments_of_year(plan_year, status="submitted")[:UNITS])
    drafts = list(enrollment_queries.enrollments_of_year(plan_year, status="draft"))
    enrolled = {e.unit_id for status in ("submitted", "paid") for e in enrollment_queries.enrollments_of_year(
        plan_year, status=status)}
    units = MemberUnit.objects.exclude(pk__in=enrolled).order_by("-eligible_headcount", "pk")
    for unit in units:
        if len(submitted) >= UNITS:
            break
        workers = _eligible_workers(unit, plan_year, today)
        if not workers:
            continue
        draft = next((d for d in drafts if d.unit_id == unit.pk), None) or start_enrollment(
            actor=SYSTEM_ACTOR, unit=unit, plan_year=plan_year, is_renewal=True, today=today)
        try:
            add_workers(actor=SYSTEM_ACTOR, enrollment=draft, worker_ids=workers, today=today)
            submitted.append(submit_enrollment(actor=SYSTEM_ACTOR, enrollment=draft))
        except DomainError:  # a unit below the participation threshold stays a draft
            continue
    return submitted


def write_demo_statement(*, today: date, plan_code: str = "hospitalization") -> tuple[Path, int]:
    """Submit the units' enrollments and write the statement; (path, credits) — (path, 0) without a campaign year."""
    path = statement_path()
    plan_year = campaign_queries.plan_year_for(plan_code, None, today=today)  # the year whose window is open
    if plan_year is None:
        return path, 0
    awaiting = _awaiting(plan_year, today)
    if not awaiting:
        return path, 0
    day = today - timedelta(days=2)
    first = awaiting[0]
    rows = [[day, "ICBC20261201000001", "", format_yuan(first.due_amount), "", first.unit.name, "0602011209300012345",
             f"互助金 {enrollment_rules.payment_reference(first.pk)}"]]  # matched by its reference
    if len(awaiting) > 1:  # the exact amount from the name as the bank writes it
        rows.append([day, "ICBC20261201000002", "", format_yuan(awaiting[1].due_amount), "",
                     awaiting[1].unit.name.replace("有限公司", "有限责任公司"), "0602011209300023456", "职工互助保障费"])
    if len(awaiting) > 2:  # short of the amount due
        rows.append([day + timedelta(days=1), "ICBC20261202000003", "", format_yuan(awaiting[2].due_amount - Decimal("100.00")),
                     "", awaiting[2].unit.name, "0602011209300034567", "互助保障 参保费"])
    rows += [
        [day + timedelta(days=1), "ICBC20261202000004", "", "3600.00", "", "包头市某某商贸有限公司", "0602011209300045678",
         "货款"],  # nobody's contribution: the queue
        [day + timedelta(days=1), "ICBC20261202000005", "12.00", "", "", "中国工商银行", "", "手续费"],  # a debit
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="gb18030", newline="") as out:  # as the bank's export is saved on Chinese Windows
        writer = csv.writer(out)
        writer.writerow(["账号：0602000000000000000", "户名：" + settings.HUZHU_PAYER_NAME])
        writer.writerow(HEADER)
        writer.writerows([[str(cell) for cell in row] for row in rows])
    return path, len(rows) - 1
