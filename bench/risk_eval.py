"""Risk control benchmark: inject known fraud patterns at known rates into a year of synthetic claims,
run `risk.services.scan_year`, print each pattern's precision and recall and the scan's time against
a plain scan of the same claims.

    python bench/risk_eval.py [--claims N] [--seed S]     (env: BENCH_RISK_CLAIMS)

Default N: 1,000,000 on PostgreSQL (DATABASE_URL; it is migrated and written to: point it at a scratch
database), 100,000 on the throw-away SQLite file. Targets: recall ≥ 0.95 on exact patterns, ≥ 0.8 on
statistical ones, precision ≥ 0.8. The generator is bench-local (claims/demo.py was not on main):
rows go in with core/bulk.py::insert_rows; background claims are clean by construction (1–3 stays a
claimant that never overlap, insurance settled, self-pay under half, log-normal stays and costs per
diagnosis group, clerks passing about 85 %), so every finding outside the injected sets counts
against precision. Unit and clerk patterns are scored per unit and per clerk, the others per claim.
"""
import argparse
import os
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_for_bench  # noqa: E402

YEAR_START = date(2026, 1, 1)
# ICD-10 group → (median days, median total cost in yuan)
GROUPS = {"J18": (8, 9000), "I63": (12, 15000), "K80": (7, 12000), "I21": (9, 32000), "E11": (8, 7000),
          "C34": (15, 40000), "S72": (14, 35000), "O82": (5, 8000), "N18": (10, 12000), "J44": (10, 11000),
          "K35": (6, 9000), "I10": (7, 6000)}
COSTLY_GROUPS = ("I21", "C34", "S72")
# pattern → (check code, share of claims, kind)
PATTERNS = {
    "invoice_reused": ("invoice_reused", 0.002, "exact"),
    "invoice_near_duplicate": ("invoice_near_duplicate", 0.002, "exact"),
    "overlapping_stay": ("overlapping_stay", 0.002, "exact"),
    "stay_outside_invoice_dates": ("stay_outside_invoice_dates", 0.002, "exact"),
    "amounts_inconsistent": ("amounts_inconsistent", 0.002, "exact"),
    "adverse_selection": ("adverse_selection", 0.002, "exact"),
    "women_tier_repeated": ("women_tier_repeated", 0.001, "exact"),
    "shared_bank_account": ("shared_bank_account", 0.002, "exact"),
    "frequency_outlier": ("frequency_outlier", 0.004, "statistical"),
    "stay_length_outlier": ("stay_length_outlier", 0.003, "statistical"),
    "cost_outlier": ("cost_outlier", 0.003, "statistical"),
    "unit_loss_ratio_outlier": ("unit_loss_ratio_outlier", 0.01, "statistical (units)"),
    "clerk_approval_outlier": ("clerk_approval_outlier", 3, "statistical (clerks)"),
}


class Generator:
    """Builds units, workers, coverages, claims, invoices and first-review rows with known injections."""

    def __init__(self, claims: int, seed: int):
        self.n, self.rng = claims, random.Random(seed)
        self.truth: dict[str, set] = defaultdict(set)
        self.ids = defaultdict(int)
        self.claims: list[tuple] = []
        self.invoices: list[tuple] = []
        self.changes: list[tuple] = []
        self.workers: list[tuple] = []
        self.coverages: list[tuple] = []
        self.enrollments: list[tuple] = []
        self.scanned = self.worker_count = 0

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def setup(self) -> None:
        from django.contrib.auth import get_user_model

        from huzhu.members.models import MemberUnit
        from huzhu.plans.queries import plan_year
        from huzhu.plans.services import install_default_plans
        from huzhu.regions.models import Division, Role, StaffProfile

        install_default_plans()
        self.hosp_year, self.women_year = plan_year("hospitalization", 2026).pk, plan_year("women_health", 2026).pk
        counties = list(Division.objects.filter(level="county", code__startswith="15").values_list("code", "parent_id"))
        user_model = get_user_model()
        self.clerk_of = {}
        for code, _ in counties:
            user = user_model.objects.create_user(username=f"bench_clerk_{code}", password=None)
            StaffProfile.objects.create(user=user, role=Role.AGENCY, division_id=code)
            self.clerk_of[code] = user.pk
        unit_count = max(40, self.n // 110)
        units = MemberUnit.objects.bulk_create([
            MemberUnit(name=f"基准单位{i}", credit_code=f"91B{i:015d}", league_id=county[1], county_id=county[0],
                       eligible_headcount=100)
            for i, county in enumerate(self.rng.choice(counties) for _ in range(unit_count))], batch_size=2000)
        if any(u.pk is None for u in units):
            units = list(MemberUnit.objects.filter(credit_code__startswith="91B").order_by("pk"))
        self.units = [(u.pk, u.league_id, u.county_id) for u in units]
        busy = sorted({u[2] for u in self.units})  # clerks of counties with units
        self.lax_clerks = {self.clerk_of[c] for c in self.rng.sample(busy, PATTERNS["clerk_approval_outlier"][1])}
        self.truth["clerk_approval_outlier"] = set(self.lax_clerks)
        self.hospitals = {u[2]: [f"{u[2]}第{k}医院" for k in range(1, 4)] for u in self.units}
        hot = self.rng.sample(range(len(self.units)), max(1, int(len(self.units) * PATTERNS["unit_loss_ratio_outlier"][1])))
        self.hot_units = {self.units[i][0] for i in hot}
        self.truth["unit_loss_ratio_outlier"] = set(self.hot_units)
        self.annual = {}
        for unit, league, county in self.units:
            for year_id in (self.hosp_year, self.women_year):
                pk = self.next_id("enrollment")
                self.enrollments.append((pk, unit, year_id, "annual", False, "paid", league, county, 0, "0", "0", "0", "0",
                                         date(2025, 11, 20), "", NOW))
                self.annual[(unit, year_id)] = pk

    # --- people ---------------------------------------------------------------------------------------
    def worker(self, unit, *, gender=None, account: str = "", first_year=False, enrollment=None) -> dict:
        pk = self.next_id("worker")
        gender = gender or self.rng.choice("MF")
        unit_id, league, county = unit
        birth = date(self.rng.randint(1967, 2004), self.rng.randint(1, 12), self.rng.randint(1, 28))
        masked = f"6222***********{account[-4:]}" if account else ""
        self.workers.append((pk, f"职工{pk}", "bench", f"w{pk:031d}", "150203********0000", gender, birth, "", "", "employee",
                             unit_id, league, county, "", "bench" if account else "", masked, account, NOW))
        person = {"pk": pk, "unit": unit, "gender": gender, "coverage": {}}
        self.cover(person, self.hosp_year, first_year=first_year, enrollment=enrollment)
        return person

    def cover(self, person, year_id, *, first_year=False, enrollment=None, starts_on=YEAR_START):
        unit_id, league, county = person["unit"]
        pk = self.next_id("coverage")
        amount = "100.00" if year_id == self.hosp_year else "40.00"
        self.coverages.append((pk, person["pk"], year_id, unit_id, enrollment or self.annual[(unit_id, year_id)], league,
                               county, "active", starts_on, date(2026, 12, 31), 1 if first_year else self.rng.randint(2, 5),
                               amount, "10.00", NOW))
        person["coverage"][year_id] = pk

    # --- claims ---------------------------------------------------------------------------------------
    def stay(self, person, *, admitted: date, days: int, group: str, total: Decimal, fund_share=None,
             status="approved", invoice=None, invoice_year=26, zero_fund=False, hospital=None, withdrawn=False) -> int:
        unit_id, league, county = person["unit"]
        pk = self.next_id("claim")
        discharged = admitted + timedelta(days=days)
        total = total.quantize(Decimal("0.01"))
        fund = (Decimal("0") if zero_fund else total * Decimal(str(fund_share or self.rng.uniform(0.5, 0.75)))).quantize(
            Decimal("0.01"))
        out_of_policy = (total * Decimal(str(self.rng.uniform(0, 0.1)))).quantize(Decimal("0.01"))
        if zero_fund:
            out_of_policy = (total * Decimal("0.6")).quantize(Decimal("0.01"))
        self_pay = total - fund - out_of_policy
        benefit = (self_pay * Decimal("0.5")).quantize(Decimal("0.01"))
        clerk = self.clerk_of[county]
        passed = clerk in self.lax_clerks or self.rng.random() < 0.85
        status = "withdrawn" if withdrawn else (status if passed else "supplement")
        hospital = hospital or self.rng.choice(self.hospitals[county])
        self.claims.append((pk, person["pk"], person["coverage"][self.hosp_year], self.hosp_year, "inpatient", status,
                            "desk", league, county, unit_id, hospital, admitted, discharged, None, None, None,
                            f"{group}.900", "", "", total, fund, Decimal("0.00"), self_pay, out_of_policy,
                            Decimal("0.00"), benefit, "[]", True, "", days, clerk, NOW, NOW, NOW))
        code, number = invoice or (f"150101{invoice_year:02d}", f"{self.next_id('invoice_number'):010d}")
        self.invoices.append((self.next_id("invoice"), pk, code, number, "A1B2C3", total, NOW if withdrawn else None))
        if not withdrawn:
            self.changes.append((self.next_id("change"), pk, "pass_first" if passed else "return", "first_review",
                                 "second_review" if passed else "supplement", "county", clerk, "staff", NOW))
        return pk

    def normal_stay(self, person, admitted, *, max_days=60, group=None, **options) -> int:
        group = group or self.rng.choice(list(GROUPS))
        median_days, median_cost = GROUPS[group]
        days = min(max_days, max(1, round(median_days * self.rng.lognormvariate(0, 0.3))))
        total = Decimal(str(round(median_cost * self.rng.lognormvariate(0, 0.5), 2)))
        return self.stay(person, admitted=admitted, days=days, group=group, total=total, **options)

    def diagnosis(self, person, tier: str, day: date) -> int:
        unit_id, league, county = person["unit"]
        if self.women_year not in person["coverage"]:
            self.cover(person, self.women_year)
        pk = self.next_id("claim")
        code = {"A": "C50.900", "B": "D05.900", "C": "N85.900"}[tier]
        amount = {"A": "32000.00", "B": "8000.00", "C": "3000.00"}[tier]
        clerk = self.clerk_of[county]
        self.claims.append((pk, person["pk"], person["coverage"][self.women_year], self.women_year, "diagnosis", "approved",
                            "desk", league, county, unit_id, "", None, None, None, None, day, code, "", "",
                            Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"),
                            Decimal("0.00"), Decimal(amount), "[]", True, tier, 0, clerk, NOW, NOW, NOW))
        self.changes.append((self.next_id("change"), pk, "pass_first", "first_review", "second_review", "county", clerk,
                             "staff", NOW))
        return pk

    def slots(self, count: int, span: int = 330) -> list[date]:
        """`count` admission dates in separate parts of the year, so stays never overlap."""
        width = span // count
        return [YEAR_START + timedelta(days=i * width + self.rng.randrange(max(1, width - 70))) for i in range(count)]

    def generate(self) -> None:
        rng, n = self.rng, self.n
        share = {name: int(n * rate) for name, (_, rate, kind) in PATTERNS.items() if "units" not in kind
                 and "clerks" not in kind}
        normal_units = [u for u in self.units if u[0] not in self.hot_units]
        hot_units = [u for u in self.units if u[0] in self.hot_units]
        injected = sum(share.values())
        made = 0

        def unit_for():
            return rng.choice(hot_units) if hot_units and rng.random() < len(hot_units) * 2.4 / len(self.units) \
                else rng.choice(normal_units)

        # background claimants: 1-3 stays that never overlap; a few women's diagnoses
        while made < n - injected:
            unit = unit_for()
            person = self.worker(unit, account=f"62{rng.randrange(10**15):015d}")
            hot = unit[0] in self.hot_units
            count = rng.choices((1, 2, 3), (0.1, 0.45, 0.45) if hot else (0.85, 0.12, 0.03))[0]
            if not hot:  # more covered workers without claims in ordinary units
                for _ in range(rng.choice((0, 1, 1))):
                    self.worker(unit)
            for admitted in self.slots(count):
                self.normal_stay(person, admitted)
                made += 1
            if person["gender"] == "F" and rng.random() < 0.01:
                self.diagnosis(person, rng.choice("ABC"), YEAR_START + timedelta(days=rng.randrange(300)))
                made += 1
            self.flush(every=100_000)
        self.inject(share, normal_units)

    def inject(self, share: dict[str, int], units) -> None:
        rng, truth = self.rng, self.truth

        def someone(**options):
            options.setdefault("account", f"62{rng.randrange(10**15):015d}")
            return self.worker(rng.choice(units), **options)

        for _ in range(share["invoice_reused"]):  # another worker's withdrawn claim had this invoice
            bill = ("15010126", f"{self.next_id('invoice_number'):010d}")
            self.normal_stay(someone(), self.slots(1)[0], invoice=bill, withdrawn=True)
            truth["invoice_reused"].add(self.normal_stay(someone(), self.slots(1)[0], invoice=bill))
        for _ in range(share["invoice_near_duplicate"] // 2):  # same hospital, discharge day and amount
            first, second = someone(), someone()
            a = self.normal_stay(first, self.slots(1)[0])
            row = self.claims[-1]
            days = rng.randint(2, 8)
            b = self.stay(second, admitted=row[12] - timedelta(days=days), days=days, group=row[16][:3], total=row[19],
                          hospital=row[10])
            truth["invoice_near_duplicate"] |= {a, b}
        for _ in range(share["overlapping_stay"] // 2):
            person = someone()
            admitted = self.slots(1)[0]
            a = self.normal_stay(person, admitted, max_days=20)
            b = self.normal_stay(person, admitted + timedelta(days=rng.randint(0, 1)), max_days=20)
            truth["overlapping_stay"] |= {a, b}
        for _ in range(share["stay_outside_invoice_dates"]):
            truth["stay_outside_invoice_dates"].add(self.normal_stay(someone(), self.slots(1)[0], invoice_year=25))
        for _ in range(share["amounts_inconsistent"]):
            truth["amounts_inconsistent"].add(self.normal_stay(someone(), self.slots(1)[0], zero_fund=True))
        for _ in range(share["adverse_selection"]):  # joins mid-year, a costly stay within 30 days
            unit = rng.choice(units)
            paid_on = YEAR_START + timedelta(days=rng.randrange(60, 300))
            pk = self.next_id("enrollment")
            self.enrollments.append((pk, unit[0], self.hosp_year, "mid_year", False, "paid", unit[1], unit[2], 1,
                                     "100.00", "10.00", "90.00", "90.00", paid_on, "", NOW))
            person = self.worker(unit, account=f"62{rng.randrange(10**15):015d}", first_year=True, enrollment=pk)
            group = rng.choice(COSTLY_GROUPS)
            total = Decimal(str(round(max(30500, GROUPS[group][1] * rng.uniform(1.0, 1.4)), 2)))
            truth["adverse_selection"].add(self.stay(person, admitted=paid_on + timedelta(days=rng.randint(1, 29)),
                                                     days=GROUPS[group][0], group=group, total=total))
        for _ in range(share["women_tier_repeated"] // 2):
            person = someone(gender="F")
            tier = rng.choice("ABC")
            truth["women_tier_repeated"] |= {self.diagnosis(person, tier, date(2026, 3, 1)),
                                             self.diagnosis(person, tier, date(2026, 8, 1))}
        for _ in range(share["shared_bank_account"] // 3):  # three workers paid to one card
            account = f"62{rng.randrange(10**15):015d}"
            for _ in range(3):
                truth["shared_bank_account"].add(self.normal_stay(someone(account=account), self.slots(1)[0]))
        for _ in range(share["frequency_outlier"] // 8):  # eight short stays in a year
            person = someone()
            for admitted in self.slots(8, span=350):
                truth["frequency_outlier"].add(self.normal_stay(person, admitted, max_days=25))
        for _ in range(share["stay_length_outlier"]):  # five to seven times the usual stay, usual cost
            group = rng.choice(list(GROUPS))
            days = round(GROUPS[group][0] * rng.uniform(5, 7))
            total = Decimal(str(round(GROUPS[group][1] * rng.lognormvariate(0, 0.3), 2)))
            admitted = YEAR_START + timedelta(days=rng.randrange(360 - days))
            truth["stay_length_outlier"].add(self.stay(someone(), admitted=admitted, days=days, group=group, total=total))
        for _ in range(share["cost_outlier"]):  # ten to twenty times the usual cost
            group = rng.choice(list(GROUPS))
            total = Decimal(str(round(GROUPS[group][1] * rng.uniform(10, 20), 2)))
            truth["cost_outlier"].add(self.stay(someone(), admitted=self.slots(1)[0], days=GROUPS[group][0], group=group,
                                                total=total))

    def flush(self, *, every: int = 0) -> None:
        """Insert the rows built so far (inside the caller's transaction) and forget them."""
        if len(self.claims) + len(self.workers) < every:
            return
        from huzhu.core.bulk import insert_rows

        self.scanned += sum(1 for c in self.claims if c[5] != "withdrawn")
        self.worker_count += len(self.workers)

        tables = [
            ("enrollment_enrollment", ("id", "unit_id", "plan_year_id", "kind", "is_renewal", "status", "league_id",
                                       "county_id", "headcount", "contribution_amount", "subsidy_amount", "due_amount",
                                       "paid_amount", "paid_on", "bank_reference", "created_at"), self.enrollments),
            ("members_worker", ("id", "name", "id_number_encrypted", "id_number_index", "id_number_masked", "gender",
                                "birth_on", "ethnicity", "phone_encrypted", "kind", "unit_id", "league_id", "county_id", "bank_name",
                                "bank_account_encrypted", "bank_account_masked", "bank_account_index", "created_at"),
             self.workers),
            ("enrollment_coverage", ("id", "worker_id", "plan_year_id", "unit_id", "enrollment_id", "league_id",
                                     "county_id", "status", "starts_on", "ends_on", "consecutive_years",
                                     "contribution_amount", "subsidy_amount", "created_at"), self.coverages),
            ("claims_claim", ("id", "worker_id", "coverage_id", "plan_year_id", "claim_type", "status", "channel",
                              "league_id", "county_id", "unit_id", "hospital", "admitted_on", "discharged_on",
                              "period_start_on", "period_end_on", "diagnosed_on", "diagnosis_code", "diagnosis_name_encrypted",
                              "procedure", "total_amount", "fund_paid_amount", "serious_illness_amount",
                              "policy_self_pay_amount", "out_of_policy_amount", "self_funded_amount", "benefit_amount",
                              "explanation", "covered", "tier", "allowance_days", "submitted_by_id", "submitted_at",
                              "created_at", "updated_at"), self.claims),
            ("claims_invoice", ("id", "claim_id", "code", "number", "check_code", "amount", "released_at"), self.invoices),
            ("claims_claimstatuschange", ("id", "claim_id", "action", "from_status", "to_status", "level", "actor_id",
                                          "actor_kind", "at"), self.changes),
        ]
        for table, columns, rows in tables:
            defaults = {"claims_claim": {"worker_deceased": False, "straight_through": False, "missing_items": "[]",
                                         "complex_case": False},
                        "claims_claimstatuschange": {"comment": "", "reason_code": "", "missing_items": "[]",
                                                     "notify_attempts": 0, "notify_error": "", "notified_at": NOW}}
            extra = defaults.get(table, {})
            insert_rows(table, tuple(columns) + tuple(extra), (tuple(r) + tuple(extra.values()) for r in rows))
            rows.clear()

    def finish(self) -> None:
        from django.db import connection

        self.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("enrollment_enrollment", "members_worker", "enrollment_coverage", "claims_claim",
                              "claims_invoice", "claims_claimstatuschange"):
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                    cursor.execute(f"ANALYZE {table}")


def evaluate(truth: dict[str, set]) -> list[tuple]:
    from huzhu.risk.models import RiskFinding

    rows = []
    for name, (code, _, kind) in PATTERNS.items():
        findings = RiskFinding.objects.filter(code=code)
        key = "unit_id" if "units" in kind else "clerk_id" if "clerks" in kind else "claim_id"
        fired = set(findings.values_list(key, flat=True).distinct())
        hit = len(fired & truth[name])
        rows.append((name, kind, len(truth[name]), len(fired), hit / len(fired) if fired else 0.0,
                     hit / len(truth[name]) if truth[name] else 0.0))
    return rows


def plain_scan(year: int) -> float:
    """Read every claim of the year once, the same columns the scan's facts start from."""
    from huzhu.risk.facts import BASE_COLUMNS, claims_of_year

    started = time.perf_counter()
    for _ in claims_of_year(year).order_by("pk").values_list(*BASE_COLUMNS).iterator(chunk_size=50_000):
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    django_for_bench("risk_eval")
    claims = args.claims or int(os.environ.get("BENCH_RISK_CLAIMS", 1_000_000 if on_postgres else 100_000))
    from django.db import connection, transaction

    from huzhu.risk import services

    started = time.perf_counter()
    generator = Generator(claims, args.seed)
    with transaction.atomic():
        generator.setup()
        generator.generate()
        generator.finish()
    print(f"generated {generator.scanned:,} claims ({generator.worker_count:,} workers, {len(generator.units):,} units) "
          f"on {connection.vendor} in {time.perf_counter() - started:.1f}s")
    truth = generator.truth
    del generator

    def progress(done, total, findings):
        print(f"\r  scan {done:,}/{total:,} claims, {findings:,} findings", end="", file=sys.stderr, flush=True)

    plain = plain_scan(2026)
    started = time.perf_counter()
    summary = services.scan_year(year=2026, progress=progress)
    scan = time.perf_counter() - started
    print(file=sys.stderr)
    print(f"\n{'pattern':28} {'kind':22} {'injected':>9} {'flagged':>8} {'precision':>9} {'recall':>7}  target")
    for name, kind, injected, flagged, precision, recall in evaluate(truth):
        goal = 0.95 if kind == "exact" else 0.8
        ok = "ok" if precision >= 0.8 and recall >= goal else "MISSED"
        print(f"{name:28} {kind:22} {injected:>9,} {flagged:>8,} {precision:>9.3f} {recall:>7.3f}  {ok}")
    print(f"\nscan of {summary.claims:,} claims: {scan:.1f}s ({summary.claims / scan:,.0f} claims/s); "
          f"plain scan of the same claims: {plain:.1f}s; ratio {scan / plain:.1f}x")
    sys.stdout.flush()
    rescan_started = time.perf_counter()
    again = services.scan_year(year=2026)
    print(f"re-run (idempotent): {time.perf_counter() - rescan_started:.1f}s, {again.findings:,} findings "
          f"(first run {summary.findings:,})")


NOW = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)

if __name__ == "__main__":
    main()
