"""Claims intake benchmark: submit and adjudicate N claims through the service layer, against
inserting the same rows without any check, in the same database and run.

    python bench/claims_intake.py [--claims N] [--per-worker K]      (env: BENCH_CLAIMS; default 100,000)

Database: DATABASE_URL when set (it is migrated and written to: point it at a scratch database),
else a throwaway SQLite file under var/bench/. Each claim is a stay filed at the county desk
(`file_claim`: coverage, deadline, amounts, invoice uniqueness, five scans archived by content,
the engine with the worker's earlier claims, the review clock); claims below the straight-through
limit are approved automatically, the others are passed by the league and approved by the
association (`pass_review` twice, the approval under the coverage row lock). The baseline
bulk-inserts the same claim, invoice, document and status-change rows.
"""
import argparse
import io
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_for_bench  # noqa: E402

KUNDULUN, BAOTOU = "150203", "150200"
TODAY = date(2027, 1, 15)
DOCUMENTS = ("settlement_sheet", "invoice", "id_card", "discharge_summary", "bank_card")


def scans() -> list[tuple[str, bytes]]:
    from PIL import Image

    result = []
    for n, kind in enumerate(DOCUMENTS):
        out = io.BytesIO()
        Image.new("RGB", (64, 48), (n * 40, 90, 160)).save(out, "PNG")
        result.append((kind, out.getvalue()))
    return result


def staff(username: str, role: str, division: str | None):
    from django.contrib.auth import get_user_model

    from huzhu.regions.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=None)
    StaffProfile.objects.create(user=user, role=role, division_id=division)
    return user


def population(workers: int):
    """One unit in 昆都仑区 with `workers` covered workers (bulk: set-up is not measured)."""
    from huzhu.core.crypto import blind_index, encrypt_text
    from huzhu.core.idnumbers import make_credit_code, make_resident_id, mask_id_number
    from huzhu.enrollment.models import Coverage, Enrollment
    from huzhu.members.models import MemberUnit, Worker
    from huzhu.plans.queries import plan_year
    from huzhu.plans.services import install_default_plans

    install_default_plans()
    year = plan_year("hospitalization", 2026)
    unit = MemberUnit.objects.create(name="基准测试单位", credit_code=make_credit_code("91", KUNDULUN, "B0000001"),
                                     league_id=BAOTOU, county_id=KUNDULUN, eligible_headcount=workers)
    enrollment = Enrollment.objects.create(unit=unit, plan_year=year, status="paid", league_id=BAOTOU,
                                           county_id=KUNDULUN, headcount=workers)
    rows = []
    for i in range(workers):
        number = make_resident_id(KUNDULUN, date(1980, 1, 1) + timedelta(days=i // 500), i % 500 + 1)
        rows.append(Worker(name=f"职工{i}", id_number_encrypted=encrypt_text(number), id_number_index=blind_index(number),
                           id_number_masked=mask_id_number(number), gender="M" if (i % 500 + 1) % 2 else "F",
                           birth_on=date(1980, 1, 1) + timedelta(days=i // 500), phone_masked=f"139****{i % 10000:04d}", unit=unit,
                           league_id=BAOTOU, county_id=KUNDULUN))
    people = Worker.objects.bulk_create(rows, batch_size=2000)
    Coverage.objects.bulk_create([
        Coverage(worker=w, plan_year=year, unit=unit, enrollment=enrollment, league_id=BAOTOU, county_id=KUNDULUN,
                 status="active", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), consecutive_years=1 + w.pk % 3,
                 contribution_amount=Decimal("100.00"), subsidy_amount=Decimal("10.00")) for w in people
    ], batch_size=2000)
    return people


def stay(i: int, k: int, offset: int = 0) -> dict:
    """The k-th stay of a worker: 5 days every 20 days, self-pay varied so about half go straight through."""
    admitted = date(2026, 1, 2) + timedelta(days=20 * k)
    self_pay = Decimal(200 + (i * 7919) % 12000)
    fund = Decimal(3 * int(self_pay))
    total = fund + self_pay
    return {"claim_type": "inpatient", "hospital": "包头市中心医院", "admitted_on": admitted,
            "discharged_on": admitted + timedelta(days=5), "diagnosis_code": "J18.900", "diagnosis_name": "肺炎",
            "amounts": {"total_amount": total, "fund_paid_amount": fund, "policy_self_pay_amount": self_pay},
            "invoices": [{"code": "15010126", "number": f"{offset + i:010d}", "check_code": "A1B2C3", "amount": total}]}


def through_services(people, n: int, per_worker: int, clerk, reviewer, approver) -> float:
    from huzhu.claims import services

    documents = scans()
    started = time.perf_counter()
    for i in range(n):
        claim = services.file_claim(actor=clerk, worker=people[i // per_worker], documents=documents, today=TODAY,
                                    **stay(i, i % per_worker))
        if claim.status != "approved":
            services.pass_review(actor=reviewer, claim=claim)
            services.pass_review(actor=approver, claim=claim)
        if (i + 1) % 10000 == 0:
            print(f"  {i + 1} claims, {time.perf_counter() - started:.0f} s", flush=True)
    return time.perf_counter() - started


def bare_inserts(people, n: int, per_worker: int, changes_per_claim: list[int]) -> float:
    """The same rows (claim, invoice, five documents, its status changes) bulk-inserted, no checks."""
    from django.db import transaction
    from django.utils import timezone

    from huzhu.claims.models import Claim, ClaimDocument, ClaimStatusChange, Invoice
    from huzhu.core.crypto import encrypt_text
    from huzhu.enrollment.models import Coverage

    coverage_of = dict(Coverage.objects.values_list("worker_id", "pk"))
    template = Claim.objects.order_by("pk").first()
    files = list(ClaimDocument.objects.filter(claim=template).values_list("kind", "file_id"))
    started = time.perf_counter()
    batch = 1000
    for first in range(0, n, batch):
        with transaction.atomic():
            claims = []
            for i in range(first, min(first + batch, n)):
                fields = stay(i, i % per_worker)
                worker = people[i // per_worker]
                claims.append(Claim(worker=worker, coverage_id=coverage_of[worker.pk], plan_year_id=template.plan_year_id,
                                    claim_type="inpatient", status="approved", channel="desk", league_id=BAOTOU,
                                    county_id=KUNDULUN, unit_id=worker.unit_id, hospital=fields["hospital"],
                                    admitted_on=fields["admitted_on"], discharged_on=fields["discharged_on"],
                                    diagnosis_code="J18.900", diagnosis_name_encrypted=encrypt_text("肺炎"), benefit_amount=Decimal("100.00"),
                                    explanation=template.explanation, terms_version_id=template.terms_version_id,
                                    **fields["amounts"]))
            claims = Claim.objects.bulk_create(claims)
            now = timezone.now()
            Invoice.objects.bulk_create([Invoice(claim=c, code="15010127", number=f"{first + j:010d}", check_code="A1B2C3",
                                                 amount=c.total_amount) for j, c in enumerate(claims)])
            ClaimDocument.objects.bulk_create([ClaimDocument(claim=c, kind=kind, file_id=file_id)
                                               for c in claims for kind, file_id in files])
            ClaimStatusChange.objects.bulk_create([
                ClaimStatusChange(claim=c, action="approve", from_status="approval", to_status="approved",
                                  actor_kind="system", at=now)
                for j, c in enumerate(claims) for _ in range(changes_per_claim[(first + j) % len(changes_per_claim)])])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=int(os.environ.get("BENCH_CLAIMS", 100_000)))
    parser.add_argument("--per-worker", type=int, default=4, help="claims per worker (accumulators at work)")
    args = parser.parse_args()
    os.environ.setdefault("HUZHU_DEBUG", "0")  # no query log: measure the work, not the debug aid
    django_for_bench("claims_intake")
    import tempfile

    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from huzhu.claims.models import Claim

    settings.ARCHIVE_ROOT = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    n, per_worker = args.claims, args.per_worker
    people = population((n + per_worker - 1) // per_worker)
    clerk, reviewer, approver = (staff("bench_clerk", "agency", KUNDULUN), staff("bench_reviewer", "office", BAOTOU),
                                 staff("bench_approver", "association", None))
    print(f"claims intake on {connection.vendor}: {n} claims, {len(people)} workers", flush=True)
    service_seconds = through_services(people, n, per_worker, clerk, reviewer, approver)
    straight = Claim.objects.filter(straight_through=True).count()
    changes = list(Claim.objects.annotate(c=Count("status_changes")).values_list("c", flat=True)[:10000])
    baseline_seconds = bare_inserts(people, n, per_worker, changes)
    print(f"through services: {n / service_seconds:,.0f} claims/s ({service_seconds:.1f} s; "
          f"{straight / n:.0%} straight through, the rest reviewed twice)")
    print(f"bare inserts:     {n / baseline_seconds:,.0f} claims/s ({baseline_seconds:.1f} s)")
    print(f"ratio: services take {service_seconds / baseline_seconds:.1f}x the time of bare inserts")


if __name__ == "__main__":
    main()
