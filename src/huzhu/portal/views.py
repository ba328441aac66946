"""Public pages: the benefit calculator 算清互助账, the policy pages, and the worker's own start page /me/."""
from django.shortcuts import render
from django.utils.translation import gettext as _

from huzhu.archives.kinds import DocumentKind
from huzhu.claims import queries as claim_queries
from huzhu.claims.services.notifications import message_for
from huzhu.core.errors import ValidationFailed
from huzhu.enrollment import queries as enrollment_queries
from huzhu.members import queries as member_queries
from huzhu.plans import queries as plan_queries
from huzhu.plans import rules
from huzhu.plans.estimate_format import parse_estimate_request
from huzhu.security import worker_session

from .forms import EVENT_TYPES, PROCEDURES, TIER_CODES, CalculatorForm

EVENT_NAMES = dict(EVENT_TYPES)


def _describe(event: rules.Event) -> str:
    """One line in Chinese saying which event a result belongs to."""
    if isinstance(event, rules.InpatientEvent):
        return _("住院 %(start)s 至 %(end)s，政策范围内个人自付 %(amount)s 元") % {
            "start": event.admitted, "end": event.discharged, "amount": f"{event.policy_self_pay:.2f}"}
    if isinstance(event, rules.OutpatientEvent):
        return _("门诊慢特病 %(start)s 至 %(end)s，政策范围内个人自付 %(amount)s 元") % {
            "start": event.period_start, "end": event.period_end, "amount": f"{event.policy_self_pay:.2f}"}
    if isinstance(event, rules.DiagnosisEvent):
        return _("%(date)s 确诊，ICD-10 %(code)s") % {"date": event.date, "code": event.icd10}
    return _("%(date)s 手术：%(what)s") % {"date": event.date,
                                           "what": dict(PROCEDURES).get(event.procedure, event.procedure)}


def calculator(request):
    """The public benefit calculator: no login, plain GET form, every step explained in Chinese."""
    plan_years = list(plan_queries.open_plan_years())
    form = CalculatorForm.from_query(request.GET)
    if not form.values["plan"] and plan_years:
        form.values["plan"], form.values["year"] = plan_years[0].plan_id, str(plan_years[0].year)
    results, total, women_link = None, None, None
    if form.submitted:
        try:
            estimate_request = parse_estimate_request(form.document())
            terms = plan_queries.current_terms(estimate_request.plan, estimate_request.year)
        except ValidationFailed as exc:
            form.add_error(exc.field or "", exc.message)
        else:
            if not estimate_request.events:
                form.errors["events"] = _("请至少填写一个住院、门诊或确诊事件")
            else:
                estimate = rules.estimate(terms, estimate_request.member, list(estimate_request.events))
                results = [{"event": _describe(e), "decision": d}
                           for e, d in zip(estimate_request.events, estimate.decisions, strict=True)]
                total = estimate.total
                women_link = _women_plan_link(request, estimate_request)
    plans = {py.plan_id: py.plan.name for py in plan_years}
    return render(request, "portal/calculator.html", {
        "form": form, "results": results, "total": total, "plans": plans,
        "years": sorted({py.year for py in plan_years}), "event_types": EVENT_TYPES, "procedures": PROCEDURES,
        "tier_codes": TIER_CODES, "next_rows": len(form.rows), "women_link": women_link,
    })


def _women_plan_link(request, estimate_request) -> str | None:
    """The same estimate under 女性馨康 when a diagnosis or procedure was entered under another plan and
    that plan's tiers would pay it (a breast cancer under the hospitalization plan says 0 otherwise)."""
    if estimate_request.plan == "women_health":
        return None
    try:
        women = plan_queries.current_terms("women_health", estimate_request.year)
    except ValidationFailed:
        return None
    if not any(rules.tier_for(women, event) for event in estimate_request.events):
        return None
    query = request.GET.copy()
    query["plan"] = "women_health"
    return f"{request.path}?{query.urlencode()}"


@worker_session.worker_required
def worker_home(request):
    """The worker's one entry point: coverages as they stand today, certificates, claims and what
    they miss, the messages sent to her, and her bank card (masked)."""
    labels = dict(DocumentKind.choices)
    claims = [(claim, [labels.get(item, item) for item in claim.missing_items]
               if claim.status in ("supplement", "draft") else [])
              for claim in claim_queries.claims_of_worker(request.worker_id)[:20]]
    notifications = [(change, message_for(change))
                     for change in claim_queries.notifications_of_worker(request.worker_id)]
    return render(request, "portal/worker_home.html", {
        "worker": member_queries.own_worker(request.worker_id),
        "coverages": enrollment_queries.own_coverages(request.worker_id),
        "claims": claims, "notifications": notifications,
    })
