"""The discharge call end to end through the API: settle, replay, refer, cancel, the ledger and the claim."""
from decimal import Decimal

import pytest

from huzhu.claims.models import Claim
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.hospitals import services
from huzhu.hospitals.models import DischargeSettlement
from huzhu.ledger.models import LedgerEntry, Posting

from .conftest import post, register, stay

pytestmark = pytest.mark.django_db


def test_a_clean_stay_is_settled_with_its_benefit_and_explanation(his, covered, hospital):
    response = post(his, stay(covered, serial="ZY1"))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["status"] == "settled" and answer["covered"] is True
    assert answer["reference"].startswith("HZD") and answer["steps"]
    claim = Claim.objects.get(pk=answer["claim_id"])
    assert claim.channel == Claim.Channel.HOSPITAL and claim.status == Claim.Status.PAID
    assert claim.settlement_serial == "ZY1" and Decimal(answer["benefit"]) == claim.benefit_amount > 0
    assert "请从患者住院费用中抵扣" in answer["message"]
    # The ledger: the benefit is charged, and owed to the hospital (2202-<code>), not to the worker.
    owed = Posting.objects.filter(account__code=f"2202-{hospital.code}").values_list("amount", flat=True)
    assert list(owed) == [-claim.benefit_amount]
    payable = sum(Posting.objects.filter(account__code="2201").values_list("amount", flat=True))
    assert payable == 0


def test_a_retry_gets_the_first_answer_and_never_a_second_settlement(his, covered):
    body = stay(covered, serial="ZY2")
    first, again = post(his, body), post(his, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Claim.objects.count() == 1 and DischargeSettlement.objects.count() == 1


def test_the_same_serial_with_other_facts_is_refused(his, covered):
    post(his, stay(covered, serial="ZY3"))
    response = post(his, stay(covered, serial="ZY3", self_pay="3500.00"))
    assert response.status_code == 409 and response.json()["code"] == "serial_reused"


def test_a_stay_above_the_straight_through_limit_is_referred_and_nothing_is_kept(his, covered):
    response = post(his, stay(covered, serial="ZY4", self_pay="90000.00", fund="100000.00"))
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "referred" and answer["benefit"] == "0.00" and answer["claim_id"] is None
    assert answer["message"].startswith("请按常规申领：") and "自动审批限额" in answer["message"]
    assert not Claim.objects.exists() and not LedgerEntry.objects.exists()


def test_a_patient_not_enrolled_or_with_another_name_is_referred(his, covered, home_unit):
    from huzhu.conftest import make_worker

    stranger = make_worker(home_unit)  # registered, never covered
    assert post(his, stay(stranger, serial="ZY5")).json()["reason_code"] == "no_coverage"
    assert post(his, stay(covered, serial="ZY6", name="李四")).json()["reason_code"] == "name_mismatch"


def test_bad_input_names_the_field(his, covered):
    response = post(his, stay(covered, id_number="150203198503021234"))
    assert response.status_code == 422 and response.json()["code"] == "invalid_id_number"
    response = post(his, stay(covered, patient_authorized=False))
    assert response.status_code == 422 and response.json()["code"] == "patient_authorization_required"
    # full-width digits in the ID number and a serial with spaces are normalised, not refused
    body = stay(covered, serial=" ZY-7_a ")
    body["id_number"] = body["id_number"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert post(his, body).json()["serial"] == "ZY-7_a"  # the hospital's key: case and dashes kept


def test_the_annual_cap_holds_across_discharges_and_a_cut_benefit_is_never_paid_at_the_bedside(his, covered, settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = settings.CLAIMS_EXPERT_REVIEW_AMOUNT = "1000000"
    answers = [post(his, stay(covered, self_pay="400000.00", fund="300000.00", out_of_policy="0.00", days_ago=1 + 12 * i)).json()
               for i in range(3)]
    # the default terms' annual cap of 500,000: the first stay is paid in full; the second would get only what is
    # left of it (120,900), a cut automation never makes, so it and the third are referred to the usual claim
    assert answers[0]["status"] == "settled" and answers[0]["benefit"] == "379100.00", answers
    for answer in answers[1:]:
        assert answer["status"] == "referred" and answer["benefit"] == "0.00" and answer["claim_id"] is None, answers
    assert "年度限额" in answers[1]["message"]
    assert Claim.objects.count() == 1


def test_cancel_the_same_day_withdraws_the_claim_and_reverses_the_ledger(his, covered, hospital):
    answer = post(his, stay(covered, serial="ZY8")).json()
    response = post(his, {"reason": "患者取消出院"}, path="/api/v1/hospital/discharges/ZY8/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert response.json()["benefit"] == "0.00"  # nothing to take off the bill any more
    claim = Claim.objects.get(pk=answer["claim_id"])
    assert claim.status == Claim.Status.WITHDRAWN
    for code in ("2201", "5101", f"2202-{hospital.code}"):
        assert sum(Posting.objects.filter(account__code=code).values_list("amount", flat=True)) == 0
    # again: the same answer; a new call with the serial replays the cancellation
    again = post(his, {"reason": "重复"}, path="/api/v1/hospital/discharges/ZY8/cancel")
    assert again.json()["status"] == "cancelled"


def test_another_hospitals_token_cannot_see_or_cancel(his, covered, client):
    post(his, stay(covered, serial="ZY9"))
    other = register(code="H15020300002", name="包头市第四医院")
    _row, plain = services.issue_token(actor=SYSTEM_ACTOR, hospital=other, name="HIS")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert client.get("/api/v1/hospital/discharges/ZY9", **headers).status_code == 404
    response = client.post("/api/v1/hospital/discharges/ZY9/cancel", {"reason": "x"}, content_type="application/json",
                           **headers)
    assert response.status_code == 404
    body = stay(covered, serial="ZY9", hospital_code="H15020300002")
    assert client.post("/api/v1/hospital/discharges", body, content_type="application/json",
                       **headers).json()["code"] == "serial_of_another_hospital"


def test_a_revoked_token_and_a_suspended_hospital_are_refused(client, hospital, token, covered):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/hospital/ping", **headers).status_code == 200
    services.set_hospital_status(actor=SYSTEM_ACTOR, hospital=hospital, status="suspended")
    assert client.get("/api/v1/hospital/ping", **headers).status_code == 403
    services.set_hospital_status(actor=SYSTEM_ACTOR, hospital=hospital, status="active")
    services.revoke_token(actor=SYSTEM_ACTOR, token=hospital.tokens.get())
    assert client.get("/api/v1/hospital/ping", **headers).json()["code"] == "token_revoked"


def test_a_token_bound_to_a_certificate_needs_it(client, hospital):
    fingerprint = "AB:" * 31 + "CD"
    # pasted as openssl prints it: the label's letters are not read as hex
    _row, plain = services.issue_token(actor=SYSTEM_ACTOR, hospital=hospital, name="HIS",
                                       client_certificate_sha256=f"sha256 Fingerprint={fingerprint}")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert client.get("/api/v1/hospital/ping", **headers).json()["code"] == "certificate_mismatch"
    assert client.get("/api/v1/hospital/ping", HTTP_X_CLIENT_CERT_SHA256=fingerprint.replace(":", "").lower(),
                      **headers).status_code == 200


def test_the_bureau_feed_bringing_the_same_settlement_makes_no_second_claim(his, covered):
    from huzhu.claims import services as claim_services
    from huzhu.claims.services import SettlementFacts
    from huzhu.settlements.rules import read_row

    answer = post(his, stay(covered, serial="zy-2026-10")).json()  # the hospital's serial, case and dashes its own
    claim = Claim.objects.get(pk=answer["claim_id"])
    fed = read_row(2, {"结算流水号": "zy-2026-10"}, today=claim.settled_on)  # as the bureau's feed reads the same
    serial = fed.serial
    assert serial == "ZY202610"  # the feed's form: another text than the hospital's, the same settlement
    facts = SettlementFacts(serial=serial, worker_id=covered.pk, coverage_id=claim.coverage_id, claim_type="inpatient",
                            hospital=claim.hospital, admitted_on=claim.admitted_on, discharged_on=claim.discharged_on,
                            settled_on=claim.settled_on, diagnosis_code=claim.diagnosis_code,
                            **{f: getattr(claim, f) for f in ("total_amount", "fund_paid_amount", "serious_illness_amount",
                                                               "medical_aid_amount", "policy_self_pay_amount",
                                                               "out_of_policy_amount", "self_funded_amount")})
    made = claim_services.claims_from_settlements(actor=SYSTEM_ACTOR, settlements=[facts])
    assert made == {serial: claim.pk} and Claim.objects.count() == 1
    assert DischargeSettlement.objects.get().serial == "zy-2026-10"


def test_a_token_given_to_the_registry_is_checked(hospital):
    from huzhu.core.errors import Conflict, ValidationFailed

    with pytest.raises(ValidationFailed):
        services.issue_token(actor=SYSTEM_ACTOR, hospital=hospital, name="HIS", plain="not-a-hospital-token-at-all")
    services.issue_token(actor=SYSTEM_ACTOR, hospital=hospital, name="测试", plain="hzh_vendor_test_environment_01")
    with pytest.raises(Conflict):
        services.issue_token(actor=SYSTEM_ACTOR, hospital=hospital, name="again", plain="hzh_vendor_test_environment_01")


def test_another_serial_of_the_same_settlement_is_referred_and_advances_nothing(his, covered, hospital):
    first = post(his, stay(covered, serial="ZY-77")).json()
    again = post(his, stay(covered, serial="zy77"))  # the same 结算流水号 as the feed reads it, typed otherwise
    assert again.status_code == 201 and again.json()["status"] == "referred"
    assert again.json()["reason_code"] == "already_claimed" and f"#{first['claim_id']}" in again.json()["message"]
    advances = Posting.objects.filter(account__code=f"2202-{hospital.code}")
    assert advances.count() == 1 and Claim.objects.count() == 1
