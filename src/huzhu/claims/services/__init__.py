"""Every write to claims. Adapters call these; each is atomic, keyword-only, actor first, audited."""
from .actors import WorkerActor
from .adjudication import estimate_claim, explanation_of
from .at_discharge import DischargeAnswer, DischargeStay, cancel_settled_at_discharge, settle_at_discharge
from .bundles import build_claim_bundle
from .calendar import read_official_days, set_official_days
from .from_data import SettlementFacts, claims_from_settlements, confirm_bank_card
from .intake import attach_document, attach_documents, create_claim, file_claim, submit_claim
from .notifications import deliver_notifications
from .reversals import apply_held_reversals, close_recovery, reverse_settlement_claims
from .review import (
    adjust_claim,
    approve_claim,
    give_expert_opinion,
    mark_claim_paid,
    pass_review,
    reject_claim,
    return_for_supplement,
    withdraw_claim,
)
from .transitions import transition_claim
from .voided import import_voided_invoices

__all__ = [
    "DischargeAnswer", "DischargeStay", "cancel_settled_at_discharge", "settle_at_discharge", "SettlementFacts", "WorkerActor", "apply_held_reversals", "close_recovery", "adjust_claim", "claims_from_settlements", "confirm_bank_card",
    "reverse_settlement_claims", "approve_claim", "attach_document", "attach_documents", "build_claim_bundle", "create_claim",
    "deliver_notifications", "estimate_claim", "explanation_of", "file_claim", "give_expert_opinion", "mark_claim_paid", "pass_review", "reject_claim",
    "import_voided_invoices", "read_official_days", "return_for_supplement", "set_official_days", "submit_claim",
    "transition_claim", "withdraw_claim",
]
