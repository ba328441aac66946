"""assess_claim at submission: findings stored with evidence, the score routes the claim to manual review."""
from datetime import date

import pytest

from huzhu.claims.models import Claim
from huzhu.claims.tests.conftest import cover
from huzhu.conftest import make_worker
from huzhu.core.errors import PermissionDenied, ValidationFailed
from huzhu.risk import services
from huzhu.risk.models import RiskFinding

S = Claim.Status
ACCOUNT = "6222021234567890123"


def test_a_clean_small_claim_goes_straight_through_without_findings(file_stay):
    claim = file_stay("1000.00")
    assert claim.status == S.APPROVED
    assert not RiskFinding.objects.filter(claim=claim).exists()


def test_a_claim_paid_to_a_card_shared_by_two_workers_is_reviewed_by_hand(plans, home_unit, file_stay):
    first = make_worker(home_unit, bank_account=ACCOUNT)
    second = make_worker(home_unit, bank_account=ACCOUNT)
    cover(first), cover(second)
    claim = file_stay("1000.00", who=first)
    assert claim.status == S.SECOND_REVIEW and not claim.straight_through
    finding = RiskFinding.objects.get(claim=claim)
    assert finding.code == "shared_bank_account" and finding.severity == "needs_review"
    assert finding.evidence == {"account": "6222***********0123", "workers": 2}
    assert "2 名职工" in finding.message
    assert finding.league_id == claim.league_id and finding.unit_id == claim.unit_id


def test_an_overlapping_stay_is_recorded_with_both_stays(file_stay):
    first = file_stay("1000.00", admitted=date(2026, 3, 1), discharged=date(2026, 3, 11))
    second = file_stay("1000.00", admitted=date(2026, 3, 5), discharged=date(2026, 3, 8))
    finding = RiskFinding.objects.get(claim=second, code="overlapping_stay")
    assert finding.severity == "hard_stop"
    assert finding.evidence["other_claim"] == first.pk and finding.evidence["overlap_days"] == 3


def test_a_second_assessment_replaces_open_findings_and_keeps_reviewed_ones(file_stay, association_approver):
    file_stay("1000.00", admitted=date(2026, 3, 1), discharged=date(2026, 3, 11))
    second = file_stay("1000.00", admitted=date(2026, 3, 5), discharged=date(2026, 3, 8))
    overlap = RiskFinding.objects.get(claim=second, code="overlapping_stay")
    services.review_finding(actor=association_approver, finding=overlap, verdict="false_alarm", note="转院，日期录错")
    again = services.assess_claim(claim=second)
    assert RiskFinding.objects.filter(claim=second, code="overlapping_stay").get().review == "false_alarm"
    assert "overlapping_stay" in [f.code for f in again.findings]
    # the dismissed finding no longer counts toward the score
    assert again.score == sum(f.points for f in again.findings if f.code != "overlapping_stay")


def test_the_association_confirms_a_finding(file_stay, association_approver):
    file_stay("1000.00")
    second = file_stay("1000.00")
    finding = RiskFinding.objects.filter(claim=second).first()
    services.review_finding(actor=association_approver, finding=finding, verdict="confirmed")
    finding.refresh_from_db()
    assert finding.review == "confirmed" and finding.reviewed_by == association_approver and finding.reviewed_at


@pytest.mark.parametrize(("verdict", "note", "error"), [
    pytest.param("maybe", "", ValidationFailed, id="unknown-verdict"),
    pytest.param("false_alarm", " ", ValidationFailed, id="false-alarm-without-a-note"),
])
def test_a_review_needs_a_verdict_and_a_note_for_a_false_alarm(file_stay, association_approver, verdict, note, error):
    file_stay("1000.00")
    finding = RiskFinding.objects.filter(claim=file_stay("1000.00")).first()
    with pytest.raises(error):
        services.review_finding(actor=association_approver, finding=finding, verdict=verdict, note=note)


def test_only_the_association_reviews_findings(file_stay, league_reviewer, auditor):
    file_stay("1000.00")
    finding = RiskFinding.objects.filter(claim=file_stay("1000.00")).first()
    for actor in (league_reviewer, auditor):
        with pytest.raises(PermissionDenied):
            services.review_finding(actor=actor, finding=finding, verdict="confirmed")
    assert RiskFinding.objects.get(pk=finding.pk).review == "open"


def test_settings_override_the_thresholds(settings):
    settings.RISK_SETTINGS = {"score_threshold": 80, "costly_amount": "50000", "robust_k": 4}
    values = services.risk_settings()
    assert values.score_threshold == 80 and str(values.costly_amount) == "50000" and values.robust_k == 4.0
