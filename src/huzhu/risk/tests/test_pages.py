"""Risk pages: the scope's figures only; the claim page shows the evidence; the queue flags the claim."""
from datetime import date

from huzhu.claims.tests.conftest import cover
from huzhu.conftest import HONGSHAN, PASSWORD, make_staff, make_unit, make_worker
from huzhu.regions.models import Role
from huzhu.risk.models import RiskFinding

ACCOUNT = "6222021234567890123"


def shared_card_claims(file_stay, unit, clerk):
    people = [make_worker(unit, bank_account=ACCOUNT) for _ in range(2)]
    for person in people:
        cover(person)
    return [file_stay("1000.00", who=p, actor=clerk, admitted=date(2026, 3, 1 + n), discharged=date(2026, 3, 5 + n))
            for n, p in enumerate(people)]


def test_the_risk_page_shows_only_the_viewers_region(client, plans, home_unit, file_stay, county_clerk, league_reviewer):
    mine = shared_card_claims(file_stay, home_unit, county_clerk)
    chifeng_clerk = make_staff("clerk_hongshan", Role.AGENCY, division=HONGSHAN)
    other = make_unit(HONGSHAN, name="赤峰红山测试公司")
    person = make_worker(other, bank_account="6222029999999999999")
    twin = make_worker(other, bank_account="6222029999999999999")
    cover(person), cover(twin)
    theirs = file_stay("1000.00", who=person, actor=chifeng_clerk)
    assert RiskFinding.objects.filter(claim=theirs).exists()
    client.login(username=league_reviewer.username, password=PASSWORD)
    page = client.get("/risk/?year=2026").content.decode()
    assert "多名职工共用收款账户" in page and "昆都仑区" in page
    assert "赤峰红山测试公司" not in page and "红山区" not in page
    assert f">{len(mine)}</strong> 条" in page


def test_the_risk_page_is_closed_to_unit_contacts(client, unit_contact):
    client.login(username=unit_contact.username, password=PASSWORD)
    assert client.get("/risk/").status_code == 403


def test_the_claim_page_shows_the_evidence_and_the_association_marks_it(client, plans, home_unit, file_stay,
                                                                         county_clerk, association_approver):
    claim = shared_card_claims(file_stay, home_unit, county_clerk)[1]
    finding = RiskFinding.objects.get(claim=claim)
    client.login(username=association_approver.username, password=PASSWORD)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "风险分 50" in page and "同时是 2 名职工的收款账户" in page and "属实" in page
    response = client.post(f"/risk/findings/{finding.pk}/review/", {"verdict": "false_alarm", "note": "夫妻共用一张卡"})
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.pk}/"
    assert RiskFinding.objects.get(pk=finding.pk).review == "false_alarm"


def test_the_risk_badge_reads_zero_once_every_finding_is_a_false_alarm(client, plans, home_unit, file_stay,
                                                                      county_clerk, association_approver):
    claim = shared_card_claims(file_stay, home_unit, county_clerk)[1]
    finding = RiskFinding.objects.get(claim=claim)
    client.login(username=association_approver.username, password=PASSWORD)
    client.post(f"/risk/findings/{finding.pk}/review/", {"verdict": "false_alarm", "note": "夫妻共用一张卡"})
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "风险分 0（提示均已核实为误报）" in page and "夫妻共用一张卡" in page
    assert "风险分 </span>" not in page  # never a badge with no score


def test_a_reviewer_below_the_association_sees_the_evidence_without_the_buttons(client, plans, home_unit, file_stay,
                                                                                 county_clerk, league_reviewer):
    claim = shared_card_claims(file_stay, home_unit, county_clerk)[0]
    client.login(username=league_reviewer.username, password=PASSWORD)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "多名职工共用收款账户" in page and 'value="confirmed"' not in page
    queue = client.get("/claims/").content.decode()
    assert "风险 50" in queue and "共用收款账户" in queue
