"""Public pages: the benefit calculator 算清互助账, the policy pages, and the worker's own start page /me/."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from huzhu.archives.kinds import DocumentKind
from huzhu.claims import queries as claim_queries
from huzhu.claims.services.notifications import message_for
from huzhu.core.actors import WorkerActor
from huzhu.core.errors import DomainError, ValidationFailed
from huzhu.enrollment import queries as enrollment_queries
from huzhu.members import queries as member_queries
from huzhu.members import services as member_services
from huzhu.plans import queries as plan_queries
from huzhu.plans import rules
from huzhu.plans.estimate_format import parse_estimate_request
from huzhu.security import services as security_services
from huzhu.security import worker_session
from huzhu.security.forms import BankCardCodeForm, BankCardForm

from . import services
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
    they miss, claims made from her medical-insurance data (with the card to confirm), her consent
    to that matching, the messages sent to her, and her bank card (masked)."""
    labels = dict(DocumentKind.choices)
    claims = [(claim, [labels.get(item, item) for item in claim.missing_items]
               if claim.status in ("supplement", "draft") else [])
              for claim in claim_queries.claims_of_worker(request.worker_id)[:20]]
    # A claim made from data moves through steps she is never told of (their message is empty).
    notifications = [(change, text) for change in claim_queries.notifications_of_worker(request.worker_id)
                     if (text := message_for(change))]
    return render(request, "portal/worker_home.html", {
        "worker": member_queries.own_worker(request.worker_id),
        "coverages": enrollment_queries.own_coverages(request.worker_id),
        "claims": [(claim, missing) for claim, missing in claims if not claim_queries.made_from_data(claim)],
        "data_claims": [(claim, missing, claim_queries.awaits_bank_confirmation(claim)) for claim, missing in claims
                        if claim_queries.made_from_data(claim)],
        "consent": member_queries.data_consent_of(request.worker_id),
        "notifications": notifications,
    })


@worker_session.worker_required
def worker_data_consent(request):
    """Her consent to medical-insurance data matching: what is shared and why, give or withdraw (POST)."""
    worker = member_queries.own_worker(request.worker_id)
    if request.method == "POST":
        actor = WorkerActor(worker.pk)
        try:
            if request.POST.get("action") == "withdraw":
                member_services.withdraw_data_consent(actor=actor, worker=worker, source="worker")
                messages.success(request, _("已撤回授权：今后您的医保结算数据不再比对，申领请按原方式提交材料。"))
            else:
                member_services.give_data_consent(actor=actor, worker_ids=[worker.pk], source="worker")
                messages.success(request, _("已授权：您住院或门诊慢特病结算后，补助金将自动核算，无需再交材料。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("me:data_consent")
    return render(request, "portal/worker_data_consent.html", {
        "worker": worker, "consent": member_queries.data_consent_of(worker.pk),
        "history": member_queries.data_consent_history(worker.pk)})


@worker_session.worker_required
def worker_claim_card(request, pk: int):
    """The card a claim made from data is paid to: confirm the card on file, or change it with the
    code texted to her phone (the bank card change of /me/bank-card/), which confirms it too."""
    claim = claim_queries.claim_of_worker(request.worker_id, pk)
    worker = member_queries.own_worker(request.worker_id)
    if not claim_queries.awaits_bank_confirmation(claim):
        messages.info(request, _("这笔补助金无需确认银行卡。"))
        return redirect("me:home")
    sent = False
    form: BankCardForm = BankCardForm()
    if request.method == "POST" and request.POST.get("action") == "confirm":
        try:
            services.confirm_card_on_file(worker_id=worker.pk, claim=claim)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已确认银行卡，补助金将在下一批支付时付至该卡。"))
            return redirect("me:home")
    elif request.method == "POST" and "code" in request.POST:
        form, sent = BankCardCodeForm(request.POST), True
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.change_card_and_confirm(worker_id=worker.pk, claim=claim, code=data["code"],
                                                 bank_name=data["bank_name"], bank_account=data["bank_account"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else "code", exc.message)
            else:
                messages.success(request, _("银行卡已更改并确认，补助金将在下一批支付时付至新卡。"))
                return redirect("me:home")
    elif request.method == "POST":
        form = BankCardForm(request.POST)
        if form.is_valid():
            try:
                security_services.request_bank_change_code(worker_id=worker.pk)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                form, sent = BankCardCodeForm(initial=form.cleaned_data), True
    return render(request, "portal/worker_claim_card.html",
                  {"worker": worker, "claim": claim, "form": form, "sent": sent})
