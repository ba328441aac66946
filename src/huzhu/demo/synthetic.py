"""Compact synthetic experience for tests, the bench and a look at the pages (not the demo).

Units, workers, coverages (mid-year joins and leaves), and claims with reporting, approval and
payment delays, bulk-loaded with core.bulk.insert_rows; enrollments and coverages go through the
enrollment services' past-history paths (record_past_enrollments, coverages.insert_past_coverages),
the claims and their moves through the claims' history service (claims.services.history.record_past_claims, checked against the workflow). Benefits are decided by the vectorized
engine in approval order, so they are what the scheme would have paid; approved and paid claims
are booked in the ledger. Seeded: the same arguments give the same rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

import numpy as np
from django.db import transaction
from django.utils import timezone

from huzhu.actuarial.rerating import tier_index
from huzhu.claims.models import Claim
from huzhu.claims.services import history as claim_history
from huzhu.core.bulk import insert_rows
from huzhu.core.crypto import blind_index, encrypt_text
from huzhu.core.idnumbers import make_credit_code, make_resident_id, mask_id_number
from huzhu.core.money import from_fen
from huzhu.enrollment import services as enrollment_services
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger import services as ledger_services
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans
from huzhu.plans.vectorized import EVENT_CODES, NO_END, NO_START, ClaimColumns, epoch_days, rate_claims
from huzhu.regions.models import Division

SECTORS = ("制造业", "采矿业", "教育", "卫生和社会工作", "交通运输", "批发和零售业", "公共管理")
DIAGNOSES = (("J18.900", "肺炎"), ("I63.900", "脑梗死"), ("K80.200", "胆囊结石"), ("I21.900", "急性心肌梗死"),
             ("S72.000", "股骨颈骨折"), ("E11.900", "2型糖尿病"))
WOMEN_DIAGNOSES = (("C50.900", "乳腺恶性肿瘤"), ("D05.100", "乳腺导管原位癌"), ("C53.900", "宫颈恶性肿瘤"))
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Built:
    workers: int
    coverages: int
    claims: int
    decided: int
    paid: int


def _counties(count: int) -> list[Division]:
    """Counties spread over the leagues: the first county of each league, then the second, ..."""
    counties = list(Division.objects.filter(level=Division.Level.COUNTY).order_by("code"))
    by_league: dict[str, list[Division]] = {}
    for county in counties:
        by_league.setdefault(county.parent_id, []).append(county)
    spread = [c for rank in range(max(map(len, by_league.values()), default=0))
              for league in sorted(by_league) for c in by_league[league][rank:rank + 1]]
    return spread[:count]


def _aware(day_number: int, seconds: int) -> datetime:
    """An aware datetime at 09:00 local time plus `seconds`, on epoch day `day_number`."""
    local = datetime.combine(EPOCH + timedelta(days=int(day_number)), datetime.min.time()) + timedelta(
        hours=9, seconds=int(seconds))
    return timezone.make_aware(local).astimezone(UTC)


@transaction.atomic
def build(*, plan: str = "hospitalization", years: tuple[int, ...] = (2025, 2026), workers: int = 2000,
          frequency: float = 0.04, as_of: date = date(2026, 9, 30), seed: int = 1, units: int | None = None,
          ledger: bool = True) -> Built:
    """Load a synthetic experience of `workers` workers over `years` of `plan`, valued at `as_of`."""
    rng = np.random.default_rng(seed)
    install_default_plans(years=years)
    plan_years = {p.year: p for p in PlanYear.objects.filter(plan_id=plan, year__in=years).select_related("current_version")}
    counties = _counties(12)
    unit_count = units or max(1, workers // 150)
    unit_rows = []
    start_unit = MemberUnit.objects.count()
    for n in range(unit_count):
        county = counties[n % len(counties)]
        unit_rows.append(MemberUnit(
            name=f"测算样本单位{start_unit + n + 1}", credit_code=make_credit_code("91", county.code, f"A{start_unit + n:07d}"),
            sector=SECTORS[n % len(SECTORS)], league_id=county.parent_id, county_id=county.code,
            eligible_headcount=workers // unit_count + 1))
    unit_objects = MemberUnit.objects.bulk_create(unit_rows)

    # workers: gender (all women for the women's plan), birth dates 20-59 years before the first year
    female = rng.random(workers) < (1.0 if plan == "women_health" else 0.45)
    first_year = min(years)
    birth_days = epoch_days(date(first_year, 1, 1)) - rng.integers(20 * 365, 58 * 365, workers)
    kinds = np.where(rng.random(workers) < 0.08, "gig", "employee")
    unit_of = rng.integers(0, unit_count, workers)
    now = timezone.now()
    first_worker = (Worker.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    start_sequence = Worker.objects.count()

    def worker_rows():
        for i in range(workers):
            unit = unit_objects[int(unit_of[i])]
            birth = EPOCH + timedelta(days=int(birth_days[i]))
            serial = ((start_sequence + i) % 499) * 2 + (0 if female[i] else 1) + 1
            number = make_resident_id(unit.county_id, birth, serial % 1000 or 2)
            index = blind_index(f"{number}#{start_sequence + i}")  # unique even when serials repeat
            yield (f"样本职工{start_sequence + i + 1}", encrypt_text(number), index, mask_id_number(number),
                   "F" if female[i] else "M", birth, "", "", str(kinds[i]), unit.pk, unit.league_id, unit.county_id,
                   "", "", "", now)

    insert_rows(Worker._meta.db_table, ["name", "id_number_encrypted", "id_number_index", "id_number_masked", "gender",
                                        "birth_on", "ethnicity", "phone_encrypted", "kind", "unit_id", "league_id",
                                        "county_id",
                                        "bank_name", "bank_account_encrypted", "bank_account_masked", "created_at"],
                worker_rows())
    worker_ids = np.array(Worker.objects.filter(pk__gt=first_worker).order_by("pk").values_list("pk", flat=True),
                          dtype=np.int64)
    totals = {"coverages": 0, "claims": 0, "decided": 0, "paid": 0}
    paid_tiers = np.zeros(workers, dtype=np.int16)
    for index, year in enumerate(sorted(years)):
        plan_year = plan_years[year]
        _build_year(rng, plan_year, unit_objects, worker_ids, unit_of, female, birth_days, kinds, index, frequency,
                    as_of, totals, paid_tiers, ledger=ledger)
    return Built(workers=workers, **totals)


def _build_year(rng, plan_year: PlanYear, units, worker_ids, unit_of, female, birth_days, kinds, year_index: int,
                frequency: float, as_of: date, totals: dict, paid_tiers: np.ndarray, *, ledger: bool) -> None:
    terms = plan_year.terms
    count = len(worker_ids)
    period_start, period_end = epoch_days(terms.protection_start_on), epoch_days(terms.protection_end_on)
    enrollments = enrollment_services.record_past_enrollments(
        plan_year=plan_year, headcounts=[(u, int((unit_of == n).sum())) for n, u in enumerate(units)],
        paid_on=terms.protection_start_on)
    # DOMAIN: mid-year joins start the day after payment; a worker who leaves stays covered to the period's end
    joins = rng.random(count) < 0.06
    starts = np.where(joins, period_start + rng.integers(1, 300, count), NO_START)
    leaves = rng.random(count) < 0.04
    left = np.where(leaves, np.maximum(starts, period_start) + rng.integers(30, 330, count), NO_END)
    left = np.where(left > period_end, NO_END, left)
    # every worker is covered every year: one more consecutive year each year (0-2 years before the first)
    consecutive = np.minimum(np.arange(count) % 3 + 1 + year_index, 6)

    def day(value: int):
        return None if value in (NO_START, NO_END) else EPOCH + timedelta(days=int(value))

    coverage_ids = np.array(enrollment_services.insert_past_coverages(plan_year=plan_year, rows=(
        (int(worker_ids[i]), enrollments[int(unit_of[i])].pk, units[int(unit_of[i])].pk,
         units[int(unit_of[i])].league_id, units[int(unit_of[i])].county_id,
         day(starts[i]) or terms.protection_start_on, int(consecutive[i]), day(left[i])) for i in range(count))),
        dtype=np.int64)
    totals["coverages"] += count

    # claims: Poisson count, events uniform over each worker's covered days, reported after a delay
    claims = int(rng.poisson(frequency * count))
    who = rng.integers(0, count, claims)
    first_day, last_day = np.maximum(starts[who], period_start), period_end
    event = first_day + (rng.random(claims) * (last_day - first_day + 1)).astype(np.int64)
    women = terms.women is not None
    if women:
        event_type = np.where(rng.random(claims) < 0.85, EVENT_CODES["diagnosis"], EVENT_CODES["procedure"])
        end = event.copy()
        self_pay = np.zeros(claims, dtype=np.int64)
        pick = rng.integers(0, len(WOMEN_DIAGNOSES), claims)
    else:
        event_type = np.where(rng.random(claims) < 0.85, EVENT_CODES["inpatient"], EVENT_CODES["outpatient_chronic"])
        end = np.where(event_type == 0, event + rng.geometric(1 / 8, claims), event + 180)
        self_pay = np.rint(rng.lognormal(np.log(1800), 0.9, claims) * 100).astype(np.int64)
        pick = rng.integers(0, len(DIAGNOSES), claims)
    reported = np.maximum(end, event) + rng.geometric(1 / 35, claims)  # about a month after discharge
    approved = reported + rng.integers(3, 40, claims)
    paid = approved + rng.integers(5, 25, claims)
    limit = epoch_days(as_of)
    keep = reported <= limit
    order = np.lexsort((np.arange(claims), approved))  # decision order
    order = order[keep[order]]
    # the second of the day a claim was approved rises with the decision order, so that the
    # database's approved_at order is the order the engine decided them in
    approved_in_order = approved[order]
    second = np.arange(len(order)) - np.searchsorted(approved_in_order, approved_in_order, side="left")
    codes = np.array([("total_hysterectomy" if t == EVENT_CODES["procedure"] else (WOMEN_DIAGNOSES if women else DIAGNOSES)[p][0])
                      for t, p in zip(event_type.tolist(), pick.tolist())], dtype=object)
    tier = tier_index(terms, codes, event_type)
    columns = ClaimColumns(
        worker=worker_ids[who][order], event_type=event_type[order], start_day=event[order], end_day=end[order],
        self_pay_fen=self_pay[order], tier=tier[order], consecutive_years=consecutive[who][order],
        gender=female[who][order].astype(np.int8), birth_day=birth_days[who][order],
        worker_kind=(kinds[who][order] == "gig").astype(np.int8), coverage_start_day=starts[who][order],
        coverage_end_day=np.full(len(order), NO_END, dtype=np.int32), already_paid_tiers=paid_tiers[who][order])
    benefits = rate_claims(terms, columns)
    if women:  # DOMAIN: a tier pays once per worker for life: later years see it as already paid
        paying = benefits > 0
        np.bitwise_or.at(paid_tiers, who[order][paying], (1 << tier[order][paying].astype(np.int16)).astype(np.int16))
    decided = approved[order] <= limit
    is_paid = decided & (paid[order] <= limit)
    type_names = {code: name for name, code in EVENT_CODES.items()}
    tier_codes = [t.code for t in terms.women.tiers] if women else []

    # Sample diagnoses come from a short public list: one ciphertext per name, not one per claim.
    sealed_name = lru_cache(maxsize=None)(encrypt_text)

    def past_claims():
        for k, i in enumerate(order.tolist()):
            kind = type_names[int(event_type[i])]
            w = int(who[i])
            unit = units[int(unit_of[w])]
            start, stop = EPOCH + timedelta(days=int(event[i])), EPOCH + timedelta(days=int(end[i]))
            code, name = (WOMEN_DIAGNOSES if women else DIAGNOSES)[int(pick[i])]
            is_procedure = kind == "procedure"
            self_pay_amount = from_fen(int(self_pay[i]))
            # the workflow's moves: reported and reviewed to approval on the report day (undecided claims
            # wait there), approved on the approval day, paid
            reported_at = _aware(reported[i], k % 3600)
            moves = [claim_history.Move("submit", "draft", "submitted", "intake", "staff", reported_at),
                     claim_history.Move("route", "submitted", "first_review", "", "system", reported_at),
                     claim_history.Move("pass_first", "first_review", "second_review", "county", "staff", reported_at),
                     claim_history.Move("pass_second", "second_review", "approval", "league", "staff", reported_at)]
            if decided[k]:
                moves.append(claim_history.Move("approve", "approval", "approved", "association", "staff",
                                                _aware(approved[i], second[k])))
            if is_paid[k]:
                moves.append(claim_history.Move("pay", "approved", "paid", "", "system",
                                                _aware(paid[i], k % 3600)))
            yield claim_history.PastClaim(facts={
                "worker_id": int(worker_ids[w]), "coverage_id": int(coverage_ids[w]), "claim_type": kind,
                "channel": Claim.Channel.DESK, "league_id": unit.league_id, "county_id": unit.county_id,
                "unit_id": unit.pk, "hospital": "样本医院" if kind == "inpatient" else "",
                "admitted_on": start if kind == "inpatient" else None,
                "discharged_on": stop if kind == "inpatient" else None,
                "period_start_on": start if kind == "outpatient_chronic" else None,
                "period_end_on": stop if kind == "outpatient_chronic" else None,
                "diagnosed_on": start if women else None, "diagnosis_code": "" if is_procedure else code,
                "diagnosis_name_encrypted": "" if is_procedure else sealed_name(name),
                "procedure": "total_hysterectomy" if is_procedure else "",
                "total_amount": self_pay_amount * 4, "fund_paid_amount": self_pay_amount * 3,
                "serious_illness_amount": Decimal("0.00"), "policy_self_pay_amount": self_pay_amount,
                "out_of_policy_amount": Decimal("0.00"), "self_funded_amount": Decimal("0.00"),
                "benefit_amount": from_fen(int(benefits[k])),
                "explanation": [], "covered": bool(benefits[k] > 0),
                "tier": tier_codes[int(tier[i])] if women and benefits[k] > 0 and tier[i] >= 0 else "",
                "allowance_days": 0, "terms_version_id": plan_year.current_version_id}, moves=moves)

    recorded = claim_history.record_past_claims(actor=None, plan_year=plan_year, claims=list(past_claims()),
                                                action="synthetic_claims", book_benefits=ledger)
    claim_ids = np.array(recorded.ids, dtype=np.int64)
    totals["claims"] += len(order)
    totals["decided"] += int(decided.sum())
    totals["paid"] += int(is_paid.sum())
    if ledger:
        _book(plan_year, enrollments, claim_ids, benefits, decided, is_paid, approved[order], paid[order])


def _book(plan_year, enrollments, claim_ids, benefits, decided, is_paid, approved_day, paid_day) -> None:
    """Contributions, approved benefits and payments in the ledger (bulk path, one entry per cause)."""
    from huzhu.ledger.rules import EntryDraft

    ledger_services.ensure_chart(plan_year)
    terms = plan_year.terms

    def drafts():
        for enrollment in enrollments:
            if enrollment.headcount:
                yield ledger_rules.contribution_paid_draft(
                    enrollment.pk, terms.payer_amount * enrollment.headcount, terms.subsidy_amount * enrollment.headcount,
                    terms.protection_start_on)
        for k in np.flatnonzero(is_paid & (benefits > 0)).tolist():  # approvals are booked by the claims' service
            yield EntryDraft("payout", f"S{int(claim_ids[k])}", "payout_paid",
                             EPOCH + timedelta(days=int(paid_day[k])), f"支付申领 #{int(claim_ids[k])}",
                             ledger_rules.transfer(ledger_rules.BENEFITS_PAYABLE, ledger_rules.BANK,
                                                   from_fen(int(benefits[k]))))

    ledger_services.post_entries(actor=None, plan_year=plan_year, drafts=drafts())
