"""POST /api/v1/estimate: DOMAIN.md's estimate format in and out; malformed input is a 422 naming the field."""
import copy
import json

import pytest

from huzhu.plans.api import DOMAIN_EXAMPLE
from huzhu.plans.services import install_default_plans

URL = "/api/v1/estimate"
DOMAIN_ANSWER = (
    '{"plan": "hospitalization", "year": 2026, "total": "9800.00", '
    '"events": [{"benefit": "8300.00", "steps": [{"name": "band 0-10000 @ 50%", "amount": "5000.00"}, '
    '{"name": "band 10000-20000 @ 60%", "amount": "3000.00"}, '
    '{"name": "allowance 10 days x 30", "amount": "300.00"}]}, '
    '{"benefit": "1500.00", "steps": [{"name": "(4000.00 - 1000.00) x 50%", "amount": "1500.00"}]}]}'
)


@pytest.fixture
def plans(db):
    install_default_plans()


def post(client, document):
    body = document if isinstance(document, str) else json.dumps(document)
    return client.post(URL, body, content_type="application/json")


def changed(path, value):
    document = copy.deepcopy(DOMAIN_EXAMPLE)
    target = document
    *parents, last = path
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return document


def test_domain_example_gets_exactly_the_documented_answer(client, plans):
    response = post(client, DOMAIN_EXAMPLE)
    assert response.status_code == 200
    assert response.json() == json.loads(DOMAIN_ANSWER)
    assert list(response.json()) == ["plan", "year", "total", "events"]
    assert json.dumps(response.json(), ensure_ascii=False) == DOMAIN_ANSWER


def test_estimate_needs_no_login(client, plans):
    assert "_auth_user_id" not in client.session
    assert post(client, DOMAIN_EXAMPLE).status_code == 200


def test_women_health_top_up_is_estimated_with_earlier_tiers(client, plans):
    document = {"plan": "women_health", "year": 2027,
                "member": {"gender": "F", "birth_date": "1980-01-01", "already_paid_tiers": ["C"]},
                "events": [{"type": "diagnosis", "date": "2027-02-01", "icd10": "D05.1"},
                           {"type": "diagnosis", "date": "2027-05-01", "icd10": "C50.900"},
                           {"type": "procedure", "date": "2027-06-01", "procedure": "total_hysterectomy"}]}
    body = post(client, document).json()
    assert body["total"] == "32000.00"
    assert [e["benefit"] for e in body["events"]] == ["8000.00", "24000.00", "0.00"]
    assert body["events"][2]["steps"] == [{"name": "not covered: tier C already paid", "amount": "0.00"}]


def test_women_health_higher_tier_in_the_same_year_is_estimated_as_a_top_up(client, plans):
    document = {"plan": "women_health", "year": 2026, "member": {"gender": "F", "birth_date": "1980-01-01"},
                "events": [{"type": "procedure", "date": "2026-02-01", "procedure": "total_hysterectomy"},
                           {"type": "diagnosis", "date": "2026-05-01", "icd10": "D05.1"}]}
    body = post(client, document).json()
    assert body == {"plan": "women_health", "year": 2026, "total": "8000.00", "events": [
        {"benefit": "3000.00", "steps": [{"name": "tier C 3000.00", "amount": "3000.00"}]},
        {"benefit": "5000.00", "steps": [{"name": "tier B 8000.00", "amount": "8000.00"},
                                         {"name": "less tier C paid earlier this year 3000.00", "amount": "-3000.00"}]}]}


def test_event_outside_the_protection_period_is_answered_with_0_and_the_reason(client, plans):
    document = changed(["events", 0, "admitted"], "2025-12-20")
    body = post(client, document).json()
    assert body["events"][0] == {"benefit": "0.00", "steps": [
        {"name": "not covered: 2025-12-20 outside protection period 2026-01-01 to 2026-12-31", "amount": "0.00"}]}


@pytest.mark.parametrize(("document", "field"), [
    pytest.param("{not json", "body", id="not-json"),
    pytest.param([1, 2], "body", id="not-an-object"),
    pytest.param(changed(["plan"], "dental"), "plan", id="unknown-plan"),
    pytest.param(changed(["year"], 2031), "year", id="year-without-terms"),
    pytest.param(changed(["year"], "2026"), "year", id="year-as-text"),
    pytest.param(changed(["member"], KeyError), "member", id="member-missing"),
    pytest.param(changed(["member", "gender"], "X"), "member.gender", id="bad-gender"),
    pytest.param(changed(["member", "birth_date"], "1985-02-30"), "member.birth_date", id="impossible-birth-date"),
    pytest.param(changed(["member", "consecutive_years"], 0), "member.consecutive_years", id="zero-years"),
    pytest.param(changed(["events"], {}), "events", id="events-not-a-list"),
    pytest.param(changed(["events", 0, "type"], "dental"), "events.0.type", id="unknown-event-type"),
    pytest.param(changed(["events", 0, "admitted"], KeyError), "events.0.admitted", id="admitted-missing"),
    pytest.param(changed(["events", 0, "discharged"], "2026-02-01"), "events.0.discharged", id="discharged-before-admitted"),
    pytest.param(changed(["events", 1, "policy_self_pay"], "-1.00"), "events.1.policy_self_pay", id="negative-money"),
    pytest.param(changed(["events", 1, "policy_self_pay"], "12.345"), "events.1.policy_self_pay", id="three-decimals"),
    pytest.param(changed(["events", 1, "policy_self_pay"], "1e40"), "events.1.policy_self_pay", id="huge-money"),
    pytest.param(changed(["events", 1, "policy_self_pay"], "abc"), "events.1.policy_self_pay", id="money-not-a-number"),
    pytest.param(changed(["events", 1, "selfpay"], "1.00"), "events.1.selfpay", id="unknown-field"),
])
def test_malformed_request_is_a_422_naming_the_field(client, plans, document, field):
    response = post(client, document)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert body["code"] in {"invalid_request", "invalid_json", "unknown_plan", "unknown_plan_year"}
    assert body["message"].startswith(field)


def test_money_may_be_sent_as_a_json_number_without_becoming_a_float(client, plans):
    body = post(client, changed(["events", 0, "policy_self_pay"], 15000.10)).json()
    assert body["events"][0]["steps"][1] == {"name": "band 10000-20000 @ 60%", "amount": "3000.06"}


def test_after_migrations_alone_the_domain_example_is_answered(client, db):
    response = post(client, DOMAIN_EXAMPLE)  # no install_default_plans(): what `huzhu migrate` leaves
    assert response.status_code == 200
    assert response.json() == json.loads(DOMAIN_ANSWER)


def test_plans_not_installed_make_the_plan_field_unknown(client, without_default_plans):
    response = post(client, DOMAIN_EXAMPLE)
    assert (response.status_code, response.json()["field"]) == (422, "plan")
