"""Straight-through benchmark (issue 21): the share of clean claims automation decides, on the demo generator's mix.

    python bench/straight_through.py [--workers N] [--seed S]      (env: BENCH_WORKERS; default 20,000)

Database: DATABASE_URL when set (migrated and written to: point it at a scratch database), else a throwaway
SQLite file under var/bench/. The demo's population is generated (units, workers, 2026 enrollments), then the demo
generator's claim events of 2026 — its stays, chronic outpatient periods and women's diagnoses, with their amounts,
hospitals and channels (desk, unit contact, the worker's phone) — are filed through the real services
(`file_claim` with the documents each type requires, the engine, the risk screen, straight-through) in the order
they ended. What automation leaves is then decided by people in the same run: the county, the league, the medical
expert (who agrees) and the association pass every level, so each claim ends approved as the review would.

A claim is clean when it is approved as submitted, never returned, no amount adjusted, and left to a person only by
a rule (claims.rules.RULE_REASONS), not by a risk finding. The figures are claims.queries.straight_through_by_county
— what the service-level page shows — for the whole province, by county, and the reasons a clean claim was left to a
person. The ratio printed is a share of claims, not a time; nothing here is a timed assertion. The target is 80 % of
clean claims; `limit for 80 %` is the straight-through limit the same claims would have needed.
"""
import argparse
import io
import os
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_for_bench  # noqa: E402

TODAY = date(2026, 12, 1)
TARGET = Decimal("0.80")


def scan(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (len(kind) * 9 % 255, 90, 160)).save(out, "PNG")
    return out.getvalue()


class People:
    """The staff who file and review, made once per county, league and unit as the claims need them."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        from huzhu.regions.models import StaffProfile

        self._users, self._model, self._profile = {}, get_user_model(), StaffProfile

    def get(self, role: str, *, division: str | None = None, unit=None):
        key = (role, division, getattr(unit, "pk", None))
        if key not in self._users:
            user = self._model.objects.create_user(username="bench_" + "_".join(map(str, key)), password=None)
            self._profile.objects.create(user=user, role=role, division_id=division, unit=unit)
            self._users[key] = user
        return self._users[key]


def file_one(draft, worker, people: People, number: int, terms):
    """File one of the generator's events through the door its channel names, with every required document."""
    from huzhu.claims import rules, services
    from huzhu.claims.services import WorkerActor

    event = draft.event
    end = getattr(event, "discharged", None) or getattr(event, "period_end", None) or event.event_date
    fields = {"claim_type": draft.claim_type, "hospital": draft.hospital, "diagnosis_code": draft.diagnosis_code,
              "diagnosis_name": "", "procedure": draft.procedure}
    if draft.claim_type == "inpatient":
        fields.update(admitted_on=event.admitted, discharged_on=event.discharged)
    elif draft.claim_type == "outpatient_chronic":
        fields.update(period_start_on=event.period_start, period_end_on=event.period_end)
    else:
        fields["diagnosed_on"] = event.event_date
    if draft.amounts:
        fields["amounts"] = draft.amounts
        fields["invoices"] = [{"code": "15010126", "number": f"{number:010d}", "check_code": "A1B2C3",
                               "amount": draft.amounts["total_amount"]}]
    kinds = rules.required_documents(terms, draft.claim_type, deceased=False)
    documents = [(kind, scan(kind)) for kind in kinds]
    actor = {"desk": lambda: people.get("agency", division=worker.county_id),
             "unit": lambda: people.get("unit", unit=worker.unit),
             "worker": lambda: WorkerActor(worker.pk)}[draft.channel]()
    today = min(TODAY, end + timedelta(days=10))
    return services.file_claim(actor=actor, worker=worker, documents=documents, today=today, **fields)


def decide_by_people(claim, people: People) -> None:
    """What a person does with a claim automation left: pass every level (the expert agrees) until approved."""
    from huzhu.claims import services

    S = type(claim).Status
    # the desk clerk who filed passed the county at intake; a phone or unit claim meets the county here
    reviewers = {S.FIRST_REVIEW: lambda: people.get("agency", division=claim.county_id),
                 S.SECOND_REVIEW: lambda: people.get("office", division=claim.league_id),
                 S.APPROVAL: lambda: people.get("association")}
    while claim.status in (S.FIRST_REVIEW, S.SECOND_REVIEW, S.EXPERT_REVIEW, S.APPROVAL):
        if claim.status == S.EXPERT_REVIEW:
            services.give_expert_opinion(actor=people.get("expert"), claim=claim, opinion="agree",
                                         reasons="病理诊断与申领一致", today=TODAY)
        else:
            services.pass_review(actor=reviewers[claim.status](), claim=claim, today=TODAY)
        claim.refresh_from_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "20000")))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    django_for_bench("straight_through")
    from django.conf import settings
    from django.utils import timezone

    from huzhu.claims import queries as claim_queries
    from huzhu.claims.models import Claim
    from huzhu.claims.rules import RULE_REASONS
    from huzhu.core.scopes import Scope
    from huzhu.demo import members as member_demo
    from huzhu.demo.claims import claim_mix
    from huzhu.demo.enrollment import enroll_demo_units
    from huzhu.members.models import Worker
    from huzhu.plans.queries import plan_year
    from huzhu.plans.services import install_default_plans

    settings.ARCHIVE_ROOT = str(Path(os.environ.get("HUZHU_VAR_DIR", "var")) / "bench" / "straight_through_archive")
    started = time.perf_counter()
    install_default_plans(years=[2026])
    member_demo.generate(workers=args.workers, seed=args.seed)
    enroll_demo_units(seed=args.seed, year=2026)
    drafts = []
    for plan in ("hospitalization", "women_health"):
        year = plan_year(plan, 2026)
        drafts += [(draft, year.terms) for draft in claim_mix(plan_year=year, seed=args.seed, last_day=TODAY)]
    drafts.sort(key=lambda pair: (getattr(pair[0].event, "discharged", None) or getattr(pair[0].event, "period_end", None)
                                  or pair[0].event.event_date))
    workers = Worker.objects.select_related("unit").in_bulk([draft.coverage[1] for draft, _terms in drafts])
    print(f"set-up {time.perf_counter() - started:.0f} s; {len(drafts):,} claim events of the demo mix", flush=True)
    people, refused, filed = People(), Counter(), 0
    started = time.perf_counter()
    for number, (draft, terms) in enumerate(drafts, start=1):
        try:
            claim = file_one(draft, workers[draft.coverage[1]], people, number, terms)
        except Exception as error:  # noqa: BLE001 - a refusal at the door (not covered, tier paid) is counted
            refused[getattr(error, "code", type(error).__name__)] += 1
            continue
        filed += 1
        decide_by_people(claim, people)
    print(f"filed {filed:,} in {time.perf_counter() - started:.0f} s; refused at the door: "
          f"{dict(refused.most_common())}")
    figures = claim_queries.straight_through_by_county(Scope("province", role="association"),
                                                       start=date(2026, 1, 1), end=timezone.localdate() + timedelta(days=400))
    automated = sum(f.automated for f in figures)
    clean = sum(f.clean for f in figures)
    automatable = sum(f.automatable for f in figures)
    reasons = Counter()
    for f in figures:
        reasons.update(f.by_reason)
    print(f"\nclean claims {clean:,}; decided straight through {automated:,} = "
          f"{Decimal(automated) / max(clean, 1):.1%} (target {TARGET:.0%})")
    print(f"clean claims no rule reserves for a person (not complex, no expert review) {automatable:,}: "
          f"{Decimal(automated) / max(automatable, 1):.1%} straight through")
    print("clean claims a person decided, by the rule that kept them from automation: "
          + ", ".join(f"{code} {count:,}" for code, count in reasons.most_common()))
    # the limit the same clean claims would have needed for 80 % (the reserved ones stay with a person)
    benefits = sorted(Claim.objects.filter(status__in=("approved", "paid"), straight_through=False)
                      .exclude(manual_review_reasons=[]).values_list("benefit_amount", "manual_review_reasons"),
                      key=lambda pair: pair[0])
    above = [b for b, codes in benefits if set(codes) <= RULE_REASONS and set(codes) == {"above_limit"}]
    needed_count = max(0, int((TARGET * clean).to_integral_value(rounding="ROUND_CEILING")) - automated)
    if needed_count and len(above) >= needed_count:
        print(f"limit for {TARGET:.0%}: {above[needed_count - 1] + Decimal('0.01')} yuan "
              f"(default {settings.CLAIMS_STRAIGHT_THROUGH_LIMIT if hasattr(settings, 'CLAIMS_STRAIGHT_THROUGH_LIMIT') else '3000.00'})")
    elif needed_count:
        print(f"no limit reaches {TARGET:.0%}: the clean claims reserved for a person (complex, expert) are too many")
    print("\nby county (clean claims; share straight through):")
    for f in sorted(figures, key=lambda f: -f.clean)[:12]:
        print(f"  {f.county_code} {f.county_name:<12} {f.clean:>5}  {f.share or 0:.1%}  "
              f"(automatable {f.automatable_share or 0:.1%})")


if __name__ == "__main__":
    main()
