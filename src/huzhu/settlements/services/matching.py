"""Matching staged settlement rows to workers and coverages, and acting on them, one chunk at a time.

Each chunk: which serials were acted on before (duplicates), the agreement's period, workers by
blind index (none: unmatched; several: ambiguous), their open consents, their active coverages and
the plan years holding the admission date, inside the agreement's region. Then one transaction
records the outcomes (a handful of UPDATEs), makes the claims of the matched rows and reverses the
reversal rows through the claims app, and moves the job's watermark.
"""
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.claims.services.from_data import SettlementFacts, claims_from_settlements, settlement_problems
from huzhu.claims.services.intake import PLAN_OF_TYPE
from huzhu.claims.services.reversals import reverse_settlement_claims
from huzhu.core.actors import Actor
from huzhu.core.bulk import large_load, update_rows
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.enrollment.queries import HeldCoverage, active_coverages_of_workers
from huzhu.members.queries import consenting_worker_ids, workers_by_id_index
from huzhu.plans.queries import plan_years_with_terms

from .. import rules
from ..models import DataSharingAgreement, SettlementImport, SettlementRow

Outcome = SettlementRow.Outcome
HOSPITAL_PLAN, WOMEN_PLAN = PLAN_OF_TYPE["inpatient"], PLAN_OF_TYPE["diagnosis"]
_ROW_FIELDS = ("pk", "row_no", "serial", "outcome", "is_reversal", "reverses_serial", "id_index", "claim_type",
               "hospital_code", "hospital_name", "admitted_on", "discharged_on", "settled_on", "diagnosis_code",
               *rules.AMOUNT_COLUMNS.values())


@dataclass
class Decision:
    outcome: str
    worker_id: int | None = None
    coverage_id: int | None = None
    claim_type: str = ""
    claim_id: int | None = None
    reason: str = ""


def match_settlements(*, job: SettlementImport, actor: Actor, today: date, chunk_size: int,
                      finish: Callable[[SettlementImport], None], progress=None) -> SettlementImport:
    """Walk the staged rows past the watermark in chunks; each chunk commits its outcomes, claims and watermark;
    then `finish` (the import's summary and last move) in the transaction that sees the job still matching."""
    periods = {py.pk: (py.terms.protection_start_on, py.terms.protection_end_on) for py in plan_years_with_terms()
               .select_related("current_version")}
    agreement = job.agreement
    with large_load():
        while True:
            rows = list(job.rows.filter(row_no__gt=job.matched_through).order_by("row_no")
                        .values(*_ROW_FIELDS)[:chunk_size])
            if not rows:
                break
            with transaction.atomic():
                if not SettlementImport.objects.select_for_update().filter(
                        pk=job.pk, status=SettlementImport.Status.MATCHING, matched_through=job.matched_through).exists():
                    break  # another run took the job on
                created = _act_on_chunk(job, agreement, rows, periods, actor, today)
                job.matched_through = rows[-1]["row_no"]
                job.claims_created += created
                SettlementImport.objects.filter(pk=job.pk).update(
                    matched_through=job.matched_through, claims_created=job.claims_created, updated_at=timezone.now())
            if progress:
                progress(job)
    with transaction.atomic():
        job.refresh_from_db()
        if job.status == SettlementImport.Status.MATCHING:
            finish(job)
    return job


def _act_on_chunk(job, agreement: DataSharingAgreement, rows: list[dict], periods, actor, today) -> int:
    pending = [row for row in rows if row["outcome"] == Outcome.PENDING]
    decisions: dict[int, Decision] = {}
    earlier = set(SettlementRow.objects.filter(recorded=True, serial__in=[r["serial"] for r in pending])
                  .values_list("serial", flat=True))
    seen: set[str] = set()
    fresh = []
    for row in pending:
        if row["serial"] in earlier or row["serial"] in seen:
            decisions[row["pk"]] = Decision(Outcome.DUPLICATE)
        elif not agreement.covers(row["settled_on"]):
            decisions[row["pk"]] = Decision(Outcome.OUTSIDE)
        else:
            fresh.append(row)
        seen.add(row["serial"])
    reversals = [row for row in fresh if row["is_reversal"]]
    settlements = [row for row in fresh if not row["is_reversal"]]
    decisions.update(_match(settlements, agreement, periods))
    created = _make_claims(job, settlements, decisions, actor, today)
    reversal_results = _reverse(reversals, decisions, actor, today)
    _record(decisions, reversal_results)
    return created


def _match(rows: list[dict], agreement, periods) -> dict[int, Decision]:
    """Worker, consent and the coverage holding the admission date, set-based over the chunk."""
    workers = workers_by_id_index(row["id_index"] for row in rows)
    consenting = consenting_worker_ids([w[0][0] for w in workers.values() if len(w) == 1])
    coverages: dict[int, list[HeldCoverage]] = defaultdict(list)
    for held in active_coverages_of_workers(consenting, (HOSPITAL_PLAN, WOMEN_PLAN)):
        coverages[held.worker_id].append(held)
    decisions = {}
    for row in rows:
        found = workers.get(row["id_index"], [])
        if not found:
            decisions[row["pk"]] = Decision(Outcome.UNMATCHED)
            continue
        if len(found) > 1:
            decisions[row["pk"]] = Decision(Outcome.AMBIGUOUS)
            continue
        worker_id, gender = found[0]
        if worker_id not in consenting:
            decisions[row["pk"]] = Decision(Outcome.NOT_CONSENTED, worker_id=worker_id)
            continue
        decisions[row["pk"]] = _coverage_decision(row, worker_id, gender, coverages[worker_id], agreement, periods)
    return decisions


def _coverage_decision(row, worker_id, gender, held: list[HeldCoverage], agreement, periods) -> Decision:
    day = row["admitted_on"]

    def holding(plan: str) -> list[HeldCoverage]:
        return [c for c in held if c.plan_code == plan and c.plan_year_id in periods
                and periods[c.plan_year_id][0] <= day <= periods[c.plan_year_id][1]]

    # DOMAIN: a woman's C50–C58 / D05–D07 main diagnosis is a women's-plan claim when she holds that plan.
    wanted = [(WOMEN_PLAN, "diagnosis")] if gender == "F" and rules.is_women_diagnosis(row["diagnosis_code"]) else []
    wanted.append((HOSPITAL_PLAN, row["claim_type"]))
    outside = False
    for plan, claim_type in wanted:
        for coverage in holding(plan):
            if _in_region(coverage, agreement.region_id):
                return Decision(Outcome.MATCHED, worker_id, coverage.coverage_id, claim_type)
            outside = True
    return Decision(Outcome.OUTSIDE if outside else Outcome.NO_COVERAGE, worker_id=worker_id)


def _in_region(coverage: HeldCoverage, region: str | None) -> bool:
    """Inside the agreement's region: a league, or (None) the whole province."""
    return region is None or coverage.league_id == region


def _make_claims(job, rows, decisions, actor, today) -> int:
    """Claims of the matched rows, in one call; a row the claims app refuses is set aside with its reason.

    claims_from_settlements is all-or-nothing per call and names the refused row: that row becomes
    REFUSED (the claim's own checks: a deadline passed, amounts that do not add up) and the call is
    made again without it, in a savepoint so the refused attempt leaves nothing behind.
    """
    matched = []
    for row in rows:
        decision = decisions[row["pk"]]
        if decision.outcome != Outcome.MATCHED:
            continue
        # the checks that need no database are made here, so a bad row costs no attempt at the whole chunk
        problems = settlement_problems(_facts(row, decision))
        if problems:
            _refuse(decision, _("结算流水号 %(serial)s：%(reason)s") % {"serial": row["serial"],
                                                                   "reason": problems[0].message})
        else:
            matched.append(row)
    while matched:
        facts = [_facts(row, decisions[row["pk"]]) for row in matched]
        try:
            with transaction.atomic():
                claims = claims_from_settlements(actor=actor, settlements=facts, today=today)
        except (ValidationFailed, Conflict) as exc:
            if exc.row is None or not 1 <= exc.row <= len(matched):
                raise
            _refuse(decisions[matched.pop(exc.row - 1)["pk"]], exc.message)
            continue
        for row in matched:
            decisions[row["pk"]].claim_id = claims.get(row["serial"])
        return len(claims)
    return 0


def _refuse(decision: Decision, message: str) -> None:
    decision.outcome, decision.reason = Outcome.REFUSED, rules.mask_message(message)[:300]


def _facts(row: dict, decision: Decision) -> SettlementFacts:
    assert decision.worker_id is not None and decision.coverage_id is not None  # a matched row has both
    return SettlementFacts(
        serial=row["serial"], worker_id=decision.worker_id, coverage_id=decision.coverage_id,
        claim_type=decision.claim_type, hospital=row["hospital_name"], admitted_on=row["admitted_on"],
        discharged_on=row["discharged_on"], settled_on=row["settled_on"], diagnosis_code=row["diagnosis_code"],
        **{field: row[field] for field in rules.AMOUNT_COLUMNS.values()})


def _reverse(rows, decisions, actor, today) -> dict[int, str]:
    if not rows:
        return {}
    originals = {serial: worker for serial, worker in SettlementRow.objects.filter(
        recorded=True, serial__in=[r["reverses_serial"] for r in rows]).values_list("serial", "worker_id")}
    results = reverse_settlement_claims(actor=actor, serials=[r["reverses_serial"] for r in rows], today=today)
    found = {}
    for row in rows:
        decisions[row["pk"]] = Decision(Outcome.REVERSAL, worker_id=originals.get(row["reverses_serial"]))
        found[row["pk"]] = results.get(row["reverses_serial"], "none")
    return found


def _record(decisions: dict[int, Decision], reversal_results: dict[int, str]) -> None:
    """The chunk's outcomes in a handful of statements; the blind index goes with matching."""
    by_outcome: dict[str, list[int]] = defaultdict(list)
    for pk, decision in decisions.items():
        by_outcome[decision.outcome].append(pk)
    for outcome, pks in by_outcome.items():
        recorded = outcome not in (Outcome.DUPLICATE, Outcome.ERROR)
        for start in range(0, len(pks), 5000):
            SettlementRow.objects.filter(pk__in=pks[start:start + 5000]).update(
                outcome=outcome, recorded=recorded, id_index="", gender="")
    table = SettlementRow._meta.db_table
    linked = [(pk, d.worker_id) for pk, d in decisions.items() if d.worker_id and d.outcome != Outcome.MATCHED]
    update_rows(table, "id", ("worker_id",), linked)
    matched = [(pk, d.worker_id, d.coverage_id, d.claim_type)
               for pk, d in decisions.items() if d.outcome == Outcome.MATCHED]
    update_rows(table, "id", ("worker_id", "coverage_id", "claim_type"), matched)
    update_rows(table, "id", ("claim_id",), [(pk, d.claim_id) for pk, d in decisions.items() if d.claim_id])
    update_rows(table, "id", ("reversal_result",), list(reversal_results.items()))
    update_rows(table, "id", ("error_reason",), [(pk, d.reason) for pk, d in decisions.items() if d.reason])


def outcome_counts(job: SettlementImport) -> dict[str, int]:
    """Rows of the job per outcome (one GROUP BY)."""
    return dict(job.rows.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
