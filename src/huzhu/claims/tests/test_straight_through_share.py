"""The straight-through share of clean claims per county (claims.queries.straight_through_by_county), against raw SQL."""
import json
from datetime import date
from decimal import Decimal as D

from django.db import connection

from huzhu.core.scopes import Scope

from .. import queries, rules, services
from ..models import Claim
from .conftest import TODAY, scans

S = Claim.Status
PROVINCE = Scope("province", role="association")


def _through(claim, county_clerk, league_reviewer, association_approver):
    claim.refresh_from_db()
    for status, actor in ((S.FIRST_REVIEW, county_clerk), (S.SECOND_REVIEW, league_reviewer),
                          (S.APPROVAL, association_approver)):
        if claim.status == status:
            services.pass_review(actor=actor, claim=claim)
            claim.refresh_from_db()
    return claim


def _raw_figures() -> tuple[int, int]:
    """(automated, clean) of every approved claim, counted from the tables without the app's query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.straight_through, c.manual_review_reasons,"
            " EXISTS (SELECT 1 FROM claims_claimstatuschange h WHERE h.claim_id = c.id AND h.to_status = 'supplement'),"
            " EXISTS (SELECT 1 FROM claims_claimadjustment a WHERE a.claim_id = c.id)"
            " FROM claims_claim c WHERE c.status IN ('approved', 'paid')"
            " AND c.approved_at IS NOT NULL")
        rows = cursor.fetchall()
    automated = clean = 0
    for _pk, straight, reasons, returned, adjusted in rows:
        codes = set(json.loads(reasons) if isinstance(reasons, str) else reasons)
        if straight:
            automated += 1
            clean += 1
        elif codes and codes <= {"above_limit", "limit_cut", "complex", "expert"} and not returned and not adjusted:
            clean += 1
    return automated, clean


def test_the_share_counts_clean_claims_only_and_matches_raw_sql(file_stay, county_clerk, league_reviewer,
                                                                association_approver, settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "2000.00"
    automated = file_stay("1500.00")                                  # below the limit: straight through
    above = file_stay("6000.00", admitted=date(2026, 3, 20), discharged=date(2026, 3, 25))   # clean, a person
    risky = file_stay("3000.00", fund="0.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 5))  # a finding
    returned = file_stay("1000.00", admitted=date(2026, 4, 10), discharged=date(2026, 4, 12),
                         documents=scans(("settlement_sheet", "invoice", "id_card", "discharge_summary")))
    adjusted = file_stay("5000.00", admitted=date(2026, 5, 1), discharged=date(2026, 5, 4))
    assert automated.status == S.APPROVED and automated.straight_through and automated.manual_review_reasons == []
    assert above.manual_review_reasons == ["above_limit"] and "risk" in risky.manual_review_reasons
    assert returned.status == S.SUPPLEMENT
    services.attach_document(actor=county_clerk, claim=returned, kind="bank_card", upload=scans(("bank_card",))[0][1])
    services.submit_claim(actor=county_clerk, claim=returned, today=TODAY)
    services.adjust_claim(actor=league_reviewer, claim=adjusted, changes={"policy_self_pay_amount": D("4800.00"),
                                                                         "fund_paid_amount": D("12200.00")},
                          reason="结算单核对")
    for claim in (above, risky, returned, adjusted):
        assert _through(claim, county_clerk, league_reviewer, association_approver).status == S.APPROVED

    figures = queries.straight_through_by_county(PROVINCE, start=date(2000, 1, 1), end=date(2100, 1, 1))
    assert [(f.county_code, f.automated, f.clean) for f in figures] == [(automated.county_id, *_raw_figures())]
    only = figures[0]
    returned.refresh_from_db()
    expected_automated = 1 + returned.straight_through  # a resubmitted claim may go straight through, clean or not
    assert (only.automated, only.clean, only.by_reason) == (expected_automated, expected_automated + 1,
                                                            {"above_limit": 1})
    assert only.share == D(expected_automated) / (expected_automated + 1)
    # a period that holds none of them, and a scope that holds none
    assert queries.straight_through_by_county(PROVINCE, start=date(2000, 1, 1), end=date(2000, 12, 31)) == []
    other = Scope("county", "150205", role="agency")
    assert queries.straight_through_by_county(other, start=date(2000, 1, 1), end=date(2100, 1, 1)) == []


def test_rule_reasons_are_the_structural_ones():
    assert rules.RULE_REASONS <= set(rules.MANUAL_REASONS)
    assert not {"risk", "missing", "not_covered", "zero_benefit"} & rules.RULE_REASONS


def test_the_service_level_page_shows_the_share_per_county(file_stay, county_clerk, league_reviewer,
                                                           association_approver, settings, client):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "2000.00"
    file_stay("1500.00")
    above = file_stay("6000.00", admitted=date(2026, 3, 20), discharged=date(2026, 3, 25))
    _through(above, county_clerk, league_reviewer, association_approver)
    client.force_login(association_approver)
    response = client.get("/reports/service-levels/")
    assert response.status_code == 200 and "自动审批占比" in response.text
    row = next(r for r in response.context["figures"].counties if r.code == above.county_id)
    assert (row.automated, row.clean, row.straight_through_share) == (1, 2, D("0.5"))
