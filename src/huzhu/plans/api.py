"""JSON API of plans: the public benefit estimate (DOMAIN.md's estimate format)."""
import json
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Router, Schema

from huzhu.core.api_errors import ErrorOut
from huzhu.core.errors import ValidationFailed

from . import queries, rules
from .estimate_format import parse_estimate_request, render_estimate

router = Router(tags=["plans"])

DOMAIN_EXAMPLE = {
    "plan": "hospitalization", "year": 2026,
    "member": {"gender": "F", "birth_date": "1985-03-02", "consecutive_years": 3},
    "events": [
        {"type": "inpatient", "admitted": "2026-03-01", "discharged": "2026-03-11", "policy_self_pay": "15000.00"},
        {"type": "outpatient_chronic", "period_start": "2026-01-01", "period_end": "2026-06-30",
         "policy_self_pay": "4000.00"},
    ],
}


class EstimateStepOut(Schema):
    name: str
    amount: str


class EventOut(Schema):
    benefit: str
    steps: list[EstimateStepOut]


class EstimateOut(Schema):
    plan: str
    year: int
    total: str
    events: list[EventOut]


@router.post("/estimate", auth=None, response={200: EstimateOut, 422: ErrorOut},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"type": "object"}, "example": DOMAIN_EXAMPLE}}}})
def post_estimate(request):
    """The benefit of one worker's events in one plan year, each with its steps, and the total."""
    try:
        document = json.loads(request.body or b"null", parse_float=Decimal)
    except (ValueError, RecursionError):
        raise ValidationFailed("invalid_json", _("body：请求体不是合法的 JSON"), field="body") from None
    estimate_request = parse_estimate_request(document)
    terms = queries.current_terms(estimate_request.plan, estimate_request.year)
    result = rules.estimate(terms, estimate_request.member, list(estimate_request.events))
    return render_estimate(estimate_request, result)
