"""A small scheme in two regions for API-wide tests (authorization matrix, schemathesis).

"own" is 昆都仑区 in 包头市 — the county of the county clerk, the league of the league reviewer,
the unit of the unit contact and the worker persona; "other" is 红山区 in 赤峰市. Each region has
a unit with a roster, a covered worker with a claim in first review and one returned for
supplement, a submitted and a draft mid-year enrollment (2026), a validated roster import, and
for payouts: a batch approved and exported (ready to mark sent), a draft batch (ready to approve)
and one approved claim in no batch (ready to build one), each batch holding that county only.
"""
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings
from PIL import Image

from huzhu.claims import services as claim_services
from huzhu.conftest import HONGSHAN, KUNDULUN, make_staff, make_unit, make_worker
from huzhu.core.idnumbers import make_resident_id
from huzhu.enrollment import services as enrollment_services
from huzhu.enrollment.models import Coverage, Enrollment
from huzhu.payouts import rules as payout_rules
from huzhu.payouts import services as payout_services
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role, StaffProfile
from huzhu.security import services as security_services

TODAY = date(2026, 8, 3)
INVOICE_NUMBERS = iter(range(1, 10**6))
FUND_SHARES = iter(range(12001, 10**6))


def png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def stay(worker_id_number: str | None = None) -> dict:
    """JSON body of an inpatient stay in March 2026 with one fresh invoice."""
    body = {"claim_type": "inpatient", "hospital": "包头市中心医院", "admitted_on": "2026-03-01",
            "discharged_on": "2026-03-11", "diagnosis_code": "J18.900",
            "amounts": {"total_amount": "20000.00", "fund_paid_amount": "12000.00", "policy_self_pay_amount": "8000.00"},
            "invoices": [{"code": "15010126", "number": f"{next(INVOICE_NUMBERS):010d}", "check_code": "A1B2C3",
                          "amount": "20000.00"}]}
    if worker_id_number:
        body["id_number"] = worker_id_number
    return body


def service_stay() -> dict:
    body = stay()
    body["admitted_on"], body["discharged_on"] = date(2026, 3, 1), date(2026, 3, 11)
    body["amounts"] = {k: Decimal(v) for k, v in body["amounts"].items()}
    body["invoices"] = [{**i, "amount": Decimal(i["amount"])} for i in body["invoices"]]
    return body


def roster_csv(county: str, start: int) -> bytes:
    rows = ["姓名,身份证号,手机号,人员类别,入职日期"]
    for n in range(2):
        rows.append(f"新职工{start + n},{make_resident_id(county, date(1990, 5, 1), start + n * 2 + 1)},"
                    f"139{start + n:08d},在职职工,2026-07-01")
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


@dataclass
class Region:
    county: str
    unit: object = None
    workers: list = field(default_factory=list)
    claim_in_review: object = None
    claim_in_supplement: object = None
    draft: object = None
    submitted: object = None
    job: object = None
    new_id_number: str = ""
    sendable_batch: object = None
    draft_batch: object = None
    settlement_import: object = None
    hospital: object = None
    discharge_serial: str = ""
    discharge_patient: object = None


@dataclass
class World:
    regions: dict
    tokens: dict
    plan_2027: PlanYear
    worker_token: str


def _build_region(county: str, desk, *, seed: int) -> Region:
    region = Region(county)
    region.unit = make_unit(county, eligible_headcount=7, female_headcount=0)
    region.workers = [make_worker(region.unit, phone=f"138{seed:02d}{n:06d}") for n in range(7)]
    covered = region.workers[0]
    year = PlanYear.objects.get(plan_id="hospitalization", year=2026)
    annual = Enrollment.objects.create(unit=region.unit, plan_year=year, status=Enrollment.Status.PAID,
                                       league_id=region.unit.league_id, county_id=county)
    Coverage.objects.create(worker=covered, plan_year=year, unit=region.unit, enrollment=annual,
                            league_id=region.unit.league_id, county_id=county, status=Coverage.Status.ACTIVE,
                            certificate_no=f"2026-{county}-{seed:06d}", starts_on=date(2026, 1, 1),
                            ends_on=date(2026, 12, 31), contribution_amount=Decimal("100.00"),
                            subsidy_amount=Decimal("10.00"))
    documents = [(kind, png((n * 50, seed * 9, 90))) for n, kind in enumerate(
        ("settlement_sheet", "invoice", "id_card", "discharge_summary", "bank_card"))]
    region.claim_in_review = claim_services.file_claim(actor=desk, worker=covered, documents=documents,
                                                       today=TODAY, **service_stay())
    region.claim_in_supplement = claim_services.file_claim(actor=desk, worker=covered, today=TODAY, **service_stay())
    region.submitted = enrollment_services.start_enrollment(actor=desk, unit=region.unit,
                                                            plan_year=year, today=TODAY)
    enrollment_services.add_workers(actor=desk, enrollment=region.submitted,
                                    worker_ids=[region.workers[5].pk], today=TODAY)
    enrollment_services.submit_enrollment(actor=desk, enrollment=region.submitted)
    region.submitted.refresh_from_db()
    region.draft = enrollment_services.start_enrollment(actor=desk, unit=region.unit, plan_year=year,
                                                        today=TODAY)
    enrollment_services.add_workers(actor=desk, enrollment=region.draft,
                                    worker_ids=[region.workers[3].pk], today=TODAY)
    region.job = enrollment_services.create_import_job(actor=desk, enrollment=region.draft,
                                                       file_name="roster.csv",
                                                       upload=io.BytesIO(roster_csv(county, seed * 100)))
    region.job = enrollment_services.validate_import(job_id=region.job.pk, today=TODAY)
    region.new_id_number = make_resident_id(county, date(1992, 2, 2), seed * 10 + 1)
    return region


def _approved_claim(unit, desk, *, phone: str):
    """A small clean stay of a new covered worker with a bank card, approved straight through."""
    payee = _covered_payee(unit, phone=phone)
    body = service_stay()
    # a distinct fund share per claim: the same hospital, dates and amounts is a near-duplicate finding
    fund = Decimal(next(FUND_SHARES))
    body["amounts"] = {"total_amount": fund + Decimal("1000.00"), "fund_paid_amount": fund,
                       "policy_self_pay_amount": Decimal("1000.00")}
    body["invoices"][0]["amount"] = body["amounts"]["total_amount"]
    documents = [(kind, png((n * 40, 70, 110))) for n, kind in enumerate(
        ("settlement_sheet", "invoice", "id_card", "discharge_summary", "bank_card"))]
    with override_settings(CLAIMS_STRAIGHT_THROUGH_LIMIT="3000.00"):
        claim = claim_services.file_claim(actor=desk, worker=payee, documents=documents, today=TODAY, **body)
    assert claim.status == "approved", claim.status
    return claim


def _covered_payee(unit, *, phone: str):
    """A new worker of the unit with hospitalization cover for 2026 (a fresh cap: no claim yet)."""
    payee = make_worker(unit, phone=phone, bank_name="中国工商银行", bank_account=f"6222020{phone}")
    covered = Enrollment.objects.get(unit=unit, plan_year__plan_id="hospitalization", plan_year__year=2026,
                                     status=Enrollment.Status.PAID)
    Coverage.objects.create(worker=payee, plan_year=covered.plan_year, unit=unit, enrollment=covered,
                            league_id=unit.league_id, county_id=unit.county_id, status=Coverage.Status.ACTIVE,
                            certificate_no=f"2026-P-{phone}", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                            contribution_amount=Decimal("100.00"), subsidy_amount=Decimal("10.00"))
    return payee


def discharge_body(worker, hospital_code: str, serial: str = "") -> dict:
    """A hospital API call's body: a 10-day stay of `worker` that ended yesterday (world time)."""
    return {"serial": serial or f"ZY{next(INVOICE_NUMBERS):012d}", "id_number": worker.reveal_id_number(),
            "name": worker.name, "hospital_code": hospital_code, "admitted_on": "2026-07-23",
            "discharged_on": "2026-08-02", "settled_on": "2026-08-02", "diagnosis_code": "J18.900",
            "total_amount": "17000.00", "fund_paid_amount": "12000.00", "policy_self_pay_amount": "3000.00",
            "out_of_policy_amount": "2000.00", "patient_authorized": True}


def _build_hospitals(own: Region, other: Region, desk) -> str:
    """A partner hospital per region, each with a stay it settled today; the own hospital's token."""
    from huzhu.hospitals import services as hospital_services
    from huzhu.hospitals.api import DischargeIn

    tokens = {}
    for n, (region, league, code) in enumerate(((own, "150200", "H15020300001"), (other, "150400", "H15040200001"))):
        region.hospital = hospital_services.register_hospital(actor=desk, fields={
            "code": code, "name": f"{region.county}人民医院", "league": league, "bank_name": "中国工商银行",
            "account_name": f"{region.county}人民医院", "bank_account": f"06020012345678{n}", "contact_name": "李明",
            "contact_phone": "0472-5555555"})
        tokens[region.county] = hospital_services.issue_token(actor=desk, hospital=region.hospital, name="HIS")[1]
        _hospital, actor = hospital_services.authenticate_hospital(tokens[region.county])
        region.discharge_patient = _covered_payee(region.unit, phone=f"136{n:02d}000001")
        with override_settings(CLAIMS_STRAIGHT_THROUGH_LIMIT="3000.00"):
            discharge, _made = hospital_services.settle_discharge(
                actor=actor, hospital=region.hospital, fields=DischargeIn(**discharge_body(region.discharge_patient, code)).dict())
        assert discharge.status == "settled", discharge.answer
        region.discharge_serial = discharge.serial
    return tokens[own.county]


def _build_payouts(region: Region, desk, checker, *, seed: int) -> None:
    """Three approved claims of the region's county: one per batch state the payout API acts on."""
    only_here = payout_rules.BatchFilters(county=region.county)
    _approved_claim(region.unit, desk, phone=f"137{seed:02d}000001")
    region.sendable_batch = payout_services.build_batch(actor=desk, filters=only_here)
    payout_services.approve_batch(actor=checker, batch=region.sendable_batch)
    payout_services.record_bank_file_export(actor=desk, batch=region.sendable_batch, file_format="csv")
    _approved_claim(region.unit, desk, phone=f"137{seed:02d}000002")
    region.draft_batch = payout_services.build_batch(actor=desk, filters=only_here)
    _approved_claim(region.unit, desk, phone=f"137{seed:02d}000003")


def api_world_settings(directory) -> dict:
    """The settings the api_world is built and used under (its files live in `directory`)."""
    return {"ARCHIVE_ROOT": directory / "archive", "CLAIMS_STRAIGHT_THROUGH_LIMIT": "0.00", "VAR_DIR": directory}


@pytest.fixture
def api_world(db, settings, tmp_path):
    """The two regions, a token per staff persona, and a worker token for the own region's claimant."""
    for name, value in api_world_settings(tmp_path).items():
        setattr(settings, name, value)
    with time_machine.travel(TODAY, tick=False):  # the test runs on the world's day (its tokens' clock)
        yield build_api_world()


def build_api_world() -> "World":
    """api_world's rows (under api_world_settings)."""
    with time_machine.travel(TODAY, tick=False):
        install_default_plans()
        desk = make_staff("desk_association", Role.ASSOCIATION)
        own = _build_region(KUNDULUN, desk, seed=1)
        other = _build_region(HONGSHAN, desk, seed=2)
        checker = make_staff("desk_checker", Role.ASSOCIATION)
        _build_payouts(own, desk, checker, seed=1)
        _build_payouts(other, desk, checker, seed=2)
        personas = {
            "association": make_staff("api_association", Role.ASSOCIATION),
            "office": make_staff("api_office", Role.OFFICE, division="150200"),
            "agency": make_staff("api_agency", Role.AGENCY, division=KUNDULUN),
            "unit": make_staff("api_unit", Role.UNIT, unit=own.unit),
            "auditor": make_staff("api_auditor", Role.AUDITOR),
        }
        tokens = {role: security_services.create_api_token(actor=user, user=user, name="matrix")[1]
                  for role, user in personas.items()}
        # 三员: no administrator may be issued a token; these were issued while the account was a
        # county clerk, before it was made an administrator (the API must refuse them all the same).
        for role in (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
            user = make_staff(f"api_{role}", Role.AGENCY, division=KUNDULUN)
            tokens[role] = security_services.create_api_token(actor=user, user=user, name="matrix")[1]
            StaffProfile.objects.filter(user=user).update(role=role)
        # A settlement feed job per region (feeds are the province's: the region only names which one).
        from huzhu.settlements.models import DataSharingAgreement, SettlementImport

        agreement = DataSharingAgreement.objects.create(bureau_name="医保局", starts_on=date(2026, 1, 1),
                                                        ends_on=date(2027, 12, 31))
        for region in (own, other):
            region.settlement_import = SettlementImport.objects.create(agreement=agreement, source="api",
                                                                       file_name="feed.csv", status="done")
        worker_token = security_services.issue_worker_token(worker=own.workers[0]).token
        tokens["hospital"] = _build_hospitals(own, other, desk)
        return World({"own": own, "other": other}, tokens,
                     PlanYear.objects.get(plan_id="hospitalization", year=2027), worker_token)

