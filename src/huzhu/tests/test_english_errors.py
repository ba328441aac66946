"""The refusals of several apps are in English when English is chosen (and stay Chinese otherwise): every message
at a raise site goes through gettext, the pure modules' through the DomainError translate hook."""
from decimal import Decimal

import pytest
from django.utils import translation

from huzhu.conftest import SYSTEM, make_unit
from huzhu.core.actors import SystemActor
from huzhu.core.errors import DomainError, NotFound, PermissionDenied
from huzhu.ledger import rules as ledger_rules
from huzhu.members import services as member_services
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans, transition_plan_year


def _refusal(call) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value


def test_a_pure_rule_a_member_service_and_a_plan_service_refuse_in_english(db):
    unit = make_unit()
    install_default_plans(years=(2026,))
    plan_year = PlanYear.objects.get(plan_id="hospitalization", year=2026)
    with translation.override("en"):
        unbalanced = _refusal(lambda: ledger_rules.check_balanced(
            [ledger_rules.Line("1001", Decimal("5.00")), ledger_rules.Line("2001", Decimal("-4.00"))]))
        duplicate = _refusal(lambda: member_services.register_unit(
            actor=SystemActor(SYSTEM), name="另一家公司", credit_code=unit.credit_code, county_code=unit.county_id))
        bad_move = _refusal(lambda: transition_plan_year(actor=None, plan_year=plan_year, to="draft"))
    assert (unbalanced.code, unbalanced.message) == (
        "unbalanced", "Debits and credits do not balance: the difference is 1.00")
    assert duplicate.code == "duplicate_unit"
    assert duplicate.message == f"A unit with the unified social credit code {unit.credit_code} is already registered"
    assert bad_move.code == "bad_transition" and "cannot become" in bad_move.message


def test_the_same_refusals_stay_chinese_by_default(db):
    unbalanced = _refusal(lambda: ledger_rules.check_balanced([ledger_rules.Line("1001", Decimal("5.00"))]))
    assert unbalanced.message == "一笔分录至少要有两行（借方和贷方）"
    assert NotFound().message == "记录不存在或不在您的管辖范围内"


def test_the_default_not_found_and_forbidden_messages_follow_the_language():
    with translation.override("en"):
        assert NotFound().message == "The record does not exist or is outside your area"
        assert PermissionDenied().message == "Your role may not do this"
        assert NotFound().code == "not_found" and PermissionDenied().code == "forbidden"


def test_an_english_api_request_gets_an_english_error(client):
    answer = client.post("/api/v1/estimate", data=b"{not json", content_type="application/json",
                         headers={"accept-language": "en"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_json"
    assert answer.json()["message"] == "body: the request body is not valid JSON"
