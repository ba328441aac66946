"""The demo's post-audit (事后抽查): last month's automatic approvals drawn, a few outcomes recorded, so the queue,
a sample's page and the risk page's monthly table show rows."""
from datetime import date
from decimal import Decimal

from huzhu.claims import queries as claims_queries
from huzhu.core.money import quantize_money
from huzhu.core.scopes import PROVINCE
from huzhu.risk import queries as risk_queries
from huzhu.risk import rules as risk_rules
from huzhu.risk import services as risk_services

PAID = "paid"


def draw_demo_post_audit(*, actor, today: date) -> str:
    """Draw last month's sample (set-based, idempotent) and decide its first few samples: two approvals found right,
    one rule to change, one benefit partly owed back. Returns the summary line."""
    month = risk_rules.previous_month(today)
    draw = risk_services.draw_post_audit(actor=actor, month=month, today=today)
    samples = list(risk_queries.post_audit_queue(PROVINCE, month=month, outcome=risk_queries.OUTCOME.PENDING)[:4])
    decided = 0
    for n, sample in enumerate(samples):
        outcome, note, amount = _outcome_of(n, sample)
        if outcome == risk_queries.OUTCOME.RECOVERY:
            if claims_queries.claim_with_worker(PROVINCE, sample.claim_id).status != PAID:
                outcome, note, amount = risk_queries.OUTCOME.CONFIRMED, "", None
        risk_services.record_post_audit_outcome(actor=actor, sample=sample, outcome=outcome, note=note, amount=amount,
                                                today=today)
        decided += 1
    return (f"事后抽查：{month:%Y-%m} 自动审批 {draw.candidates:,} 件，抽取 {draw.samples.count():,} 件，"
            f"已记录结论 {decided} 件（见“风险防控 · 事后抽查”）。")


def _outcome_of(n: int, sample) -> tuple[str, str, str | None]:
    outcome = risk_queries.OUTCOME
    if n == 1:
        return outcome.RULE_CHANGE, "住院天数异常线对短期住院偏宽，建议按病种分别设定", None
    if n == 2:
        amount = max(Decimal("0.01"), quantize_money(sample.benefit_amount / 10))
        return outcome.RECOVERY, "核查病历：部分费用不属于政策范围内自付，多付补助金", str(amount)
    return outcome.CONFIRMED, "", None
