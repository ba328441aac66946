"""The demo's partner hospital (出院即赔): 包头市中心医院 with a known API token, stays it settled at discharge, and a
reimbursement batch reconciled against its statement, waiting for the association to pay it.

The token (`DEMO_HOSPITAL_TOKEN`, printed by `huzhu demo_logins`) lets docs/hospital_client.py play the hospital's
system against `make run`. The stays are of workers of the demo county covered this year with no claim yet; they
are settled through the hospitals service as a hospital's call would be, with the day of discharge as the call's
day, so the ledger, the claim and the worker's page carry them as the API would have made them.
"""
import os
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from huzhu.claims.queries import filed_claims_of_year
from huzhu.claims.services.history import date_live_claims
from huzhu.core.actors import SYSTEM_ACTOR, HospitalActor
from huzhu.core.errors import Conflict
from huzhu.core.idnumbers import make_resident_id
from huzhu.enrollment import queries as enrollment_queries
from huzhu.hospitals import services
from huzhu.hospitals.models import DischargeSettlement, PartnerHospital

DEMO_HOSPITAL_CODE = "H15020300001"
DEMO_HOSPITAL_TOKEN = os.environ.get("HUZHU_DEMO_HOSPITAL_TOKEN", "hzh_demo_baotou_central_hospital_2026")
DEMO_COUNTY = "150203"
STAYS = 8           # workers discharged; one large bill and a stranger are referred, not settled
BATCHED_BEFORE = 6  # stays settled more than this many days ago are in the demo's batch


def _register(code: str, name: str, league: str, county: str, account: str, contact: str) -> PartnerHospital:
    return PartnerHospital.objects.filter(code=code).first() or services.register_hospital(
        actor=SYSTEM_ACTOR, fields={"code": code, "name": name, "league": league, "county": county,
                                    "bank_name": "中国工商银行", "account_name": name, "bank_account": account,
                                    "contact_name": contact, "contact_phone": "0472-0000000"})


def _body(serial: str, id_number: str, name: str, discharged: date, rng: random.Random, *, large: bool) -> dict:
    self_pay = Decimal(rng.randrange(9000, 12000) if large else rng.randrange(1500, 5500))
    fund = Decimal(rng.randrange(6000, 24000))
    out_of_policy = Decimal(rng.randrange(0, 1200))
    return {"serial": serial, "id_number": id_number, "name": name, "hospital_code": DEMO_HOSPITAL_CODE,
            "admitted_on": discharged - timedelta(days=rng.randint(4, 12)), "discharged_on": discharged,
            "settled_on": discharged, "diagnosis_code": rng.choice(["J18.900", "K35.800", "I63.900", "K80.200"]),
            "total_amount": fund + self_pay + out_of_policy, "fund_paid_amount": fund,
            "policy_self_pay_amount": self_pay, "out_of_policy_amount": out_of_policy, "patient_authorized": True}


def _dated(discharge: DischargeSettlement, day: date) -> None:
    """The call was made the day of discharge: its settlement, claim and claim history carry that moment."""
    at = timezone.make_aware(datetime.combine(day, time(11, 20)))
    DischargeSettlement.objects.filter(pk=discharge.pk).update(settled_at=at)
    if discharge.claim_id is not None:
        date_live_claims(claim_ids=[discharge.claim_id], at=at)


@transaction.atomic
def settle_demo_discharges(*, seed: int, today: date) -> str:
    """Register the demo hospitals and settle the demo stays (once); a line for the demo's summary."""
    hospital = _register(DEMO_HOSPITAL_CODE, "包头市中心医院", "150200", DEMO_COUNTY, "0602001234567890123", "李明")
    _register("H15010200001", "内蒙古医科大学附属医院", "150100", "", "0602009876543210987", "张华")
    if not hospital.tokens.exists():
        services.issue_token(actor=SYSTEM_ACTOR, hospital=hospital, name="HIS 测试环境（演示）", plain=DEMO_HOSPITAL_TOKEN)
    if DischargeSettlement.objects.exists():
        return _summary(hospital)
    rng = random.Random(seed * 104729)
    claimants = filed_claims_of_year(today.year).values("worker_id")
    coverages = list(enrollment_queries.active_coverages_of_year(today.year)
                     .filter(county_id=DEMO_COUNTY, plan_year__plan_id="hospitalization", starts_on__lte=today - timedelta(days=40))
                     .exclude(worker_id__in=claimants).select_related("worker").order_by("worker_id")[20:20 + STAYS])
    actor = HospitalActor(hospital_code=hospital.code)
    stays = [(c.worker.reveal_id_number(), c.worker.name) for c in coverages]
    stays.append((make_resident_id(DEMO_COUNTY, date(1981, 4, 9), 997), "未参互人员"))  # referred: not enrolled
    for n, (id_number, name) in enumerate(stays):
        discharged = today - timedelta(days=2 + 3 * n)
        # the third is a large bill: over the straight-through limit, so the worker applies the usual way
        body = _body(f"ZY{discharged:%Y%m%d}{n + 1:04d}", id_number, name, discharged, rng, large=n == 2)
        discharge, _made = services.settle_discharge(actor=actor, hospital=hospital, fields=body, today=discharged)
        _dated(discharge, discharged)
    try:
        batch = services.build_batch(actor=SYSTEM_ACTOR, hospital=hospital, through=today - timedelta(days=BATCHED_BEFORE))
    except Conflict:  # nothing settled that long ago (a demo of very few workers)
        return _summary(hospital)
    lines = DischargeSettlement.objects.filter(batch=batch).order_by("serial").values_list("serial", "benefit_amount")
    statement = "结算流水号,互助补助金\n" + "".join(f"{serial},{amount}\n" for serial, amount in lines)
    services.import_statement(actor=SYSTEM_ACTOR, batch=batch, file_name="包头市中心医院对账单.csv",
                              content=statement.encode("utf-8"))
    return _summary(hospital)


def _summary(hospital: PartnerHospital) -> str:
    settled = DischargeSettlement.objects.filter(hospital=hospital, status=DischargeSettlement.Status.SETTLED).count()
    return (f"合作医院：{hospital.name}（{hospital.code}）出院直接结算 {settled} 笔，垫付结算批次 "
            f"{hospital.batches.count()} 个；演示接口令牌 {DEMO_HOSPITAL_TOKEN}（见 docs/hospital-api.md）。")
