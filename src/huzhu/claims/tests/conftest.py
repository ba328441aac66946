"""Claims fixtures: plans installed, a covered worker, scans, and a helper that files a claim."""
import io
import itertools
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from huzhu.conftest import BAOTOU, KUNDULUN, make_staff, make_worker
from huzhu.enrollment.models import Coverage, Enrollment
from huzhu.plans.queries import plan_year
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role

from .. import services

INPATIENT_DOCUMENTS = ("settlement_sheet", "invoice", "id_card", "discharge_summary", "bank_card")
TODAY = date(2026, 6, 1)
_invoice_numbers = itertools.count(1)


def png_bytes(colour=(200, 30, 30), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scans(kinds=INPATIENT_DOCUMENTS) -> list[tuple[str, bytes]]:
    return [(kind, png_bytes((n * 40 % 255, 80, 120))) for n, kind in enumerate(kinds)]


def cover(worker, *, year: int = 2026, plan: str = "hospitalization", status: str = Coverage.Status.ACTIVE,
          starts_on: date | None = None, consecutive_years: int = 1) -> Coverage:
    """An active coverage of the worker in a plan year (enrollment owns the real flow)."""
    year_row = plan_year(plan, year)
    enrollment, _ = Enrollment.objects.get_or_create(
        unit=worker.unit, plan_year=year_row,
        defaults={"status": Enrollment.Status.PAID, "league_id": worker.league_id, "county_id": worker.county_id})
    return Coverage.objects.create(
        worker=worker, plan_year=year_row, unit=worker.unit, enrollment=enrollment, league_id=worker.league_id,
        county_id=worker.county_id, status=status, starts_on=starts_on or date(year, 1, 1), ends_on=date(year, 12, 31),
        consecutive_years=consecutive_years, contribution_amount=Decimal("100.00"), subsidy_amount=Decimal("10.00"))


def invoice(amount, *, code: str = "15010126") -> dict:
    return {"code": code, "number": f"{next(_invoice_numbers):010d}", "check_code": "A1B2C3", "amount": Decimal(amount)}


def stay_fields(self_pay="8000.00", *, admitted=date(2026, 3, 1), discharged=date(2026, 3, 11), fund="12000.00",
                out_of_policy="0.00", invoices=None) -> dict:
    """Claim fields of a stay whose in-policy self-pay is `self_pay` (total = fund + self-pay + out of policy)."""
    total = Decimal(fund) + Decimal(self_pay) + Decimal(out_of_policy)
    return {
        "claim_type": "inpatient", "hospital": "包头市中心医院", "admitted_on": admitted, "discharged_on": discharged,
        "diagnosis_code": "J18.900", "diagnosis_name": "肺炎",
        "amounts": {"total_amount": total, "fund_paid_amount": Decimal(fund), "policy_self_pay_amount": Decimal(self_pay),
                    "out_of_policy_amount": Decimal(out_of_policy)},
        "invoices": invoices if invoices is not None else [invoice(total)],
    }


@pytest.fixture(autouse=True)
def archive_in_tmp(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    return settings.ARCHIVE_ROOT


@pytest.fixture
def plans(db):
    return install_default_plans()


@pytest.fixture
def worker(plans, home_unit):
    person = make_worker(home_unit, name="巴特尔", phone="13800000001")
    cover(person)
    return person


@pytest.fixture
def second_clerk(db):
    return make_staff("clerk2_kundulun", Role.AGENCY, division=KUNDULUN)


@pytest.fixture
def second_reviewer(db):
    return make_staff("reviewer2_baotou", Role.OFFICE, division=BAOTOU)


@pytest.fixture
def second_approver(db):
    return make_staff("approver2", Role.ASSOCIATION)


@pytest.fixture
def file_stay(worker, county_clerk):
    """File an inpatient claim at the desk with complete scans; returns the claim."""
    def file(self_pay="8000.00", *, actor=county_clerk, who=None, documents=None, today=TODAY, **fields):
        return services.file_claim(actor=actor, worker=who or worker, documents=scans() if documents is None else documents,
                                   today=today, **stay_fields(self_pay, **fields))
    return file


@pytest.fixture
def no_straight_through(settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "0.00"

