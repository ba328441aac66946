"""Set-based gathering of the risk facts: for one claim at submission, or a year's claims in chunks.

Both paths run the same queries; only their filters differ (one claim's keys, or the whole
year), and every filter keeps whole groups, so a claim gets the same facts either way (a test
holds the scan to that). No query runs per claim: a chunk of claims costs four queries, the
year-wide figures (near-duplicate invoices, units, clerks, shared accounts) one query each.
"""
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from huzhu.claims import queries as claim_queries
from huzhu.claims.workflow import NOT_FILED_STATUSES, Action, ClaimType
from huzhu.enrollment import queries as enrollment_queries
from huzhu.members.models import Worker

from . import rules, statistics
from .models import RiskBaseline
from .rules import (
    ClaimRiskFacts,
    ClerkFigures,
    DocumentMismatch,
    InvoiceHolder,
    InvoiceRef,
    NearDuplicate,
    OtherClaim,
    Stats,
    UnitFigures,
)

# Drafts were never submitted; withdrawn claims were never decided and released their invoices.
EXCLUDED = NOT_FILED_STATUSES
CLERK_ACTIONS = (Action.PASS_FIRST, Action.RETURN, Action.REJECT)
GENDER_LABELS = {"M": "男", "F": "女"}
BASE_COLUMNS = (
    "pk", "claim_type", "plan_year__plan_id", "plan_year__year", "worker_id", "unit_id", "unit__name", "hospital",
    "admitted_on", "discharged_on", "period_start_on", "period_end_on", "diagnosed_on", "diagnosis_code",
    "total_amount", "fund_paid_amount", "serious_illness_amount", "policy_self_pay_amount", "out_of_policy_amount",
    "self_funded_amount", "tier", "coverage__consecutive_years", "coverage__starts_on", "coverage__enrollment__paid_on",
    "worker__gender", "worker__birth_on", "worker__bank_account_index", "worker__bank_account_masked",
    "league_id", "county_id",
)
OTHER_COLUMNS = ("pk", "worker_id", "claim_type", "plan_year__plan_id", "plan_year__year", "admitted_on", "discharged_on",
                 "period_start_on", "period_end_on", "diagnosed_on", "tier")


def claims_of_year(year: int) -> QuerySet:
    """The claims a scan of `year` looks at: every submitted claim of the plan year."""
    return claim_queries.filed_claims_of_year(year)


def peer_group_of(gender: str, birth_on: date, year: int) -> str:
    """Claim-frequency peers: sex and ten-year age band at the plan year, e.g. "F40"."""
    band = min(max((year - birth_on.year) // 10, 1), 6) * 10
    return f"{gender}{band}"


def peer_group_label(key: str) -> str:
    band = int(key[1:])
    return f"{GENDER_LABELS.get(key[0], key[0])}，{band}–{band + 9}岁"


def diagnosis_group_of(code: str) -> str:
    return (code or "")[:3].upper()


# --- peer figures of a year (the scan computes and stores them; a single claim reads them) --------

@dataclass
class Baselines:
    stay: dict[str, Stats] = field(default_factory=dict)
    cost: dict[str, Stats] = field(default_factory=dict)
    frequency: dict[str, Stats] = field(default_factory=dict)
    unit_peers: rules.UnitPeers | None = None
    clerk_peers: Stats | None = None


def compute_baselines(year: int, settings: rules.RiskSettings, *, units: dict[int, UnitFigures],
                      clerks: dict[int, ClerkFigures], chunk: int = 100_000) -> Baselines:
    """Robust figures of the year's claims, from columns loaded into NumPy in chunks."""
    stays = (claims_of_year(year).filter(claim_type=ClaimType.INPATIENT, admitted_on__isnull=False,
                                         discharged_on__isnull=False).exclude(diagnosis_code="")
             .values_list("diagnosis_code", "admitted_on", "discharged_on", "total_amount"))
    groups: list[str] = []
    days: list[float] = []
    costs: list[float] = []
    for code, admitted, discharged, total in stays.iterator(chunk_size=chunk):
        groups.append(diagnosis_group_of(code))
        days.append(math.log(max(1, (discharged - admitted).days)))
        costs.append(math.log(float(total)) if total > 0 else math.nan)  # statistics only, never money
    cost_column = np.asarray(costs, dtype=float)
    known = ~np.isnan(cost_column)
    per_worker = (claims_of_year(year).values("worker_id", "worker__gender", "worker__birth_on")
                  .annotate(n=Count("pk")).values_list("worker__gender", "worker__birth_on", "n"))
    peer_keys, counts = [], []
    for gender, birth_on, n in per_worker.iterator(chunk_size=chunk):
        peer_keys.append(peer_group_of(gender, birth_on, year))
        counts.append(n)
    eligible_clerks = [c.rate for c in clerks.values() if c.decisions >= settings.clerk_min_decisions]
    return Baselines(
        stay=statistics.grouped(groups, days),
        cost=statistics.grouped(list(np.asarray(groups, dtype=object)[known]) if groups else [], cost_column[known]),
        frequency=statistics.grouped(peer_keys, counts),
        unit_peers=statistics.unit_peers(list(units.values()), min_covered=settings.unit_min_covered),
        clerk_peers=statistics.robust(eligible_clerks),
    )


def store_baselines(year: int, baselines: Baselines) -> None:
    """Replace the year's stored peer figures (caller holds the transaction)."""
    now = timezone.now()
    rows = [RiskBaseline(year=year, kind=kind, key=key, n=s.n, median=s.median, mad=s.mad, computed_at=now)
            for kind, table in (("stay", baselines.stay), ("cost", baselines.cost), ("frequency", baselines.frequency))
            for key, s in table.items()]
    if baselines.unit_peers:
        r = baselines.unit_peers.ratios
        rows.append(RiskBaseline(year=year, kind="unit", key="", n=r.n, median=r.median, mad=r.mad, computed_at=now,
                                 extra={"claim_rate": baselines.unit_peers.claim_rate}))
    if baselines.clerk_peers:
        c = baselines.clerk_peers
        rows.append(RiskBaseline(year=year, kind="clerk", key="", n=c.n, median=c.median, mad=c.mad, computed_at=now))
    RiskBaseline.objects.filter(year=year).delete()
    RiskBaseline.objects.bulk_create(rows, batch_size=1000)


def load_baselines(year: int) -> Baselines:
    """The stored peer figures of a year (empty before the first scan: statistical checks stay silent)."""
    baselines = Baselines()
    for row in RiskBaseline.objects.filter(year=year):
        stats = Stats(row.n, row.median, row.mad)
        if row.kind == "unit":
            baselines.unit_peers = rules.UnitPeers(stats, float(row.extra.get("claim_rate", 0.0)))
        elif row.kind == "clerk":
            baselines.clerk_peers = stats
        else:
            getattr(baselines, row.kind)[row.key] = stats
    return baselines


# --- figures shared by many claims: year-wide for the scan, one claim's keys for a submission ---

@dataclass
class Shared:
    near: dict[int, list[NearDuplicate]] = field(default_factory=dict)
    holders: dict[tuple[str, str], list[tuple[int, int, bool]]] = field(default_factory=dict)
    units: dict[int, UnitFigures] = field(default_factory=dict)
    clerks: dict[int, ClerkFigures] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)


def near_duplicates(year: int, *, hospital: str | None = None) -> dict[int, list[NearDuplicate]]:
    """Invoices of the year sharing hospital, date and amount with another claim's invoice.

    Invoice dates are not recorded: the date is the claim's discharge, period end or diagnosis
    date (a hospital invoice is issued at the discharge settlement). A window function counts
    each (hospital, date, amount) partition; filtering on one hospital keeps its partitions whole.
    """
    invoices = (claim_queries.invoices_held_in_year(year).exclude(claim__hospital="")
                .annotate(end_on=Coalesce("claim__discharged_on", "claim__period_end_on", "claim__diagnosed_on")))
    if hospital is not None:
        invoices = invoices.filter(claim__hospital=hospital)
    rows = (invoices.annotate(n=Window(Count("pk"), partition_by=[F("claim__hospital"), F("end_on"), F("amount")]))
            .filter(n__gt=1).values_list("claim__hospital", "end_on", "amount", "claim_id", "code", "number"))
    partitions: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    for hospital_name, end_on, amount, claim_id, code, number in rows:
        partitions[(hospital_name, end_on, amount)].append((claim_id, f"{code}-{number}"))
    found: dict[int, list[NearDuplicate]] = defaultdict(list)
    for (_, _, amount), members in partitions.items():
        for claim_id, label in members:
            for other_id, other_label in members:
                if other_id != claim_id and other_label != label:
                    found[claim_id].append(NearDuplicate(label, other_id, other_label, amount))
    return {k: sorted(v, key=lambda d: (d.other_claim_id, d.invoice)) for k, v in found.items()}


def invoice_holders(numbers: Iterable[str] | None = None) -> dict[tuple[str, str], list[tuple[int, int, bool]]]:
    """(code, number) seen on more than one claim (any year, any status) → (claim, worker, released)."""
    duplicated = claim_queries.every_invoice().values("code", "number").annotate(n=Count("pk")).filter(n__gt=1)
    if numbers is not None:
        duplicated = duplicated.filter(number__in=list(numbers))
    keys = {(row["code"], row["number"]) for row in duplicated}
    holders: dict[tuple[str, str], list[tuple[int, int, bool]]] = defaultdict(list)
    numbers_of_keys = sorted({number for _, number in keys})
    for start in range(0, len(numbers_of_keys), 500):
        rows = (claim_queries.every_invoice().filter(number__in=numbers_of_keys[start:start + 500])
                .values_list("code", "number", "claim_id", "claim__worker_id", "released_at").order_by("pk"))
        for code, number, claim_id, worker_id, released_at in rows:
            if (code, number) in keys:
                holders[(code, number)].append((claim_id, worker_id, released_at is not None))
    return dict(holders)


def unit_figures(year: int, *, unit_id: int | None = None) -> dict[int, UnitFigures]:
    """Covered workers, contributions, claims and benefits per unit for the plan year (two GROUP BYs)."""
    coverages = enrollment_queries.active_coverages_of_year(year)
    claims = claims_of_year(year)
    if unit_id is not None:
        coverages, claims = coverages.filter(unit_id=unit_id), claims.filter(unit_id=unit_id)
    covered = {row["unit_id"]: row for row in coverages.values("unit_id").annotate(
        n=Count("pk"), amount=Sum("contribution_amount"))}
    claimed = {row["unit_id"]: row for row in claims.values("unit_id").annotate(n=Count("pk"), amount=Sum("benefit_amount"))}
    zero = rules.ZERO
    return {unit: UnitFigures(covered=covered.get(unit, {}).get("n", 0), claims=claimed.get(unit, {}).get("n", 0),
                              contribution_amount=covered.get(unit, {}).get("amount") or zero,
                              benefit_amount=claimed.get(unit, {}).get("amount") or zero)
            for unit in covered.keys() | claimed.keys()}


def clerk_figures(year: int, *, clerk_id: int | None = None) -> dict[int, ClerkFigures]:
    """First-review decisions per county clerk for the plan year's claims: passed of all decided."""
    changes = claim_queries.first_review_decisions(year, CLERK_ACTIONS)
    if clerk_id is not None:
        changes = changes.filter(actor_id=clerk_id)
    rows = changes.values("actor_id", "actor__username", "actor__first_name", "actor__last_name").annotate(
        n=Count("pk"), passed=Count("pk", filter=Q(action=Action.PASS_FIRST)))
    return {row["actor_id"]: ClerkFigures(row["actor_id"],
                                          f"{row['actor__last_name']}{row['actor__first_name']}" or row["actor__username"],
                                          row["n"], row["passed"]) for row in rows}


def shared_accounts(*, index: str | None = None) -> dict[str, int]:
    """Bank-account blind indexes registered for more than one worker → how many workers."""
    workers = Worker.objects.exclude(bank_account_index="")
    if index is not None:
        workers = workers.filter(bank_account_index=index)
    return dict(workers.values("bank_account_index").annotate(n=Count("pk")).filter(n__gt=1)
                .values_list("bank_account_index", "n"))


def shared_for_year(year: int) -> Shared:
    """Every shared figure of the year at once (the scan)."""
    return Shared(near=near_duplicates(year), holders=invoice_holders(), units=unit_figures(year),
                  clerks=clerk_figures(year), accounts=shared_accounts())


def shared_for_claim(claim, *, clerk_id: int | None) -> Shared:
    """The same figures restricted to one claim's hospital, invoices, unit, clerk and account."""
    year = claim.plan_year.year
    numbers = list(claim.invoices.values_list("number", flat=True))
    account = Worker.objects.filter(pk=claim.worker_id).values_list("bank_account_index", flat=True).first() or ""
    # Both invoice figures are about the claim's own invoices: a claim with none (one made from data) has neither.
    return Shared(near=near_duplicates(year, hospital=claim.hospital) if claim.hospital and numbers else {},
                  holders=invoice_holders(numbers) if numbers else {}, units=unit_figures(year, unit_id=claim.unit_id),
                  clerks=clerk_figures(year, clerk_id=clerk_id) if clerk_id else {},
                  accounts=shared_accounts(index=account) if account else {})


# --- one chunk of claims ---------------------------------------------------------------------------

def clerks_of(claims: QuerySet) -> dict[int, int]:
    """Claim → the county clerk who last passed it at first review (desk intake included)."""
    return dict(claim_queries.first_review_passes(claims).values_list("claim_id", "actor_id"))


@dataclass(frozen=True)
class Gathered:
    """A claim's facts and the columns the finding rows copy (region, unit, hospital, clerk)."""

    facts: ClaimRiskFacts
    league_id: str
    county_id: str
    unit_id: int
    hospital: str
    clerk_id: int | None


def gather(claims: QuerySet, shared: Shared, baselines: Baselines, settings: rules.RiskSettings, *,
           clerk_of: dict[int, int] | None = None) -> list[Gathered]:
    """Facts of every claim in `claims` (a chunk): five queries, whatever the chunk's size (four when the
    caller has read `clerks_of(claims)` already)."""
    invoices: dict[int, list[InvoiceRef]] = defaultdict(list)
    for claim_id, code, number, amount in (claim_queries.invoices_held_by(claims)
                                           .order_by("pk").values_list("claim_id", "code", "number", "amount")):
        invoices[claim_id].append(InvoiceRef(code, number, amount))
    by_worker: dict[int, list[OtherClaim]] = defaultdict(list)
    others = claim_queries.filed_claims_of_workers(claims).values_list(*OTHER_COLUMNS)
    for pk, worker_id, claim_type, plan, year, admitted, discharged, p_start, p_end, diagnosed, tier in others:
        by_worker[worker_id].append(OtherClaim(pk, claim_type, plan, year, admitted or p_start or diagnosed,
                                               discharged or p_end or diagnosed, tier))
    mismatches: dict[int, list[DocumentMismatch]] = defaultdict(list)
    for claim_id, kind, corrections in claim_queries.reading_corrections_of(claims):
        for name, pair in (corrections or {}).items():
            mismatches[claim_id].append(DocumentMismatch(name, kind, str(pair.get("document", "")),
                                                         str(pair.get("typed", ""))))
    if clerk_of is None:
        clerk_of = clerks_of(claims)
    gathered = []
    for row in claims.order_by("pk").values_list(*BASE_COLUMNS):
        (pk, claim_type, plan, year, worker_id, unit_id, unit_name, hospital, admitted, discharged, p_start, p_end,
         diagnosed, code, total, fund, serious, self_pay, out_of_policy, self_funded, tier, consecutive, starts_on,
         paid_on, gender, birth_on, account_index, account_masked, league_id, county_id) = row
        own_invoices = tuple(invoices.get(pk, ()))
        group, peer = diagnosis_group_of(code), peer_group_of(gender, birth_on, year)
        clerk_id = clerk_of.get(pk)
        holders = tuple(InvoiceHolder(f"{i.code}-{i.number}", other, other_worker == worker_id, released)
                        for i in own_invoices for other, other_worker, released in shared.holders.get((i.code, i.number), ())
                        if other != pk)
        facts = ClaimRiskFacts(
            claim_id=pk, claim_type=claim_type, plan=plan, year=year, worker_id=worker_id, hospital=hospital,
            start_on=admitted or p_start or diagnosed, end_on=discharged or p_end or diagnosed, diagnosis_group=group,
            total_amount=total, fund_paid_amount=fund, serious_illness_amount=serious, policy_self_pay_amount=self_pay,
            out_of_policy_amount=out_of_policy, self_funded_amount=self_funded, invoices=own_invoices, tier=tier,
            enrolled_on=paid_on or starts_on, first_year=consecutive == 1,
            other_claims=tuple(sorted((o for o in by_worker.get(worker_id, ()) if o.claim_id != pk),
                                      key=lambda o: (o.start_on or date.min, o.claim_id))),
            invoice_holders=holders, near_duplicates=tuple(shared.near.get(pk, ())),
            peer_group=peer_group_label(peer), frequency_peers=baselines.frequency.get(peer),
            stay_peers=baselines.stay.get(group), cost_peers=baselines.cost.get(group),
            account_workers=shared.accounts.get(account_index, 1 if account_index else 0), account_masked=account_masked,
            unit_name=unit_name, unit=shared.units.get(unit_id), unit_peers=baselines.unit_peers,
            clerk=shared.clerks.get(clerk_id) if clerk_id else None, clerk_peers=baselines.clerk_peers,
            document_mismatches=tuple(mismatches.get(pk, ())), settings=settings,
        )
        gathered.append(Gathered(facts, league_id, county_id, unit_id, hospital, clerk_id))
    return gathered
