"""The worker is told and paid on her phone: /me/ lists the claims made from her medical-insurance data
with the benefit and status; an approved one waits for her bank card, which she confirms as on file or
changes with the code texted to her phone; a claim waiting for a document links to its upload."""
from datetime import date

import pytest
import time_machine
from django.core.cache import cache

from huzhu.claims import services as claim_services
from huzhu.claims.models import Claim
from huzhu.claims.tests.conftest import cover, scans, stay_fields
from huzhu.claims.tests.test_claims_from_data import settlement
from huzhu.conftest import make_worker, sign_in_as_worker, texted_codes
from huzhu.plans.services import install_default_plans

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def june_2026():
    cache.clear()
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def worker(db, home_unit):
    install_default_plans()
    person = make_worker(home_unit, name="其其格", gender="F", phone="13900005678",
                         bank_name="中国农业银行", bank_account="6228480000000012345")
    cover(person)
    return person


def data_claim(worker, association_approver, self_pay="2000.00", **fields) -> Claim:
    """A claim made from a settlement of the bureau's feed (straight through when clean), not yet confirmed."""
    row = settlement(worker, worker.coverages.get(), self_pay=self_pay, **fields)
    made = claim_services.claims_from_settlements(actor=association_approver, settlements=[row], today=TODAY)
    return Claim.objects.get(pk=made[row.serial])


@pytest.mark.django_db
def test_the_phone_page_lists_a_data_claim_with_its_benefit_and_asks_for_the_card(client, worker, association_approver):
    claim = data_claim(worker, association_approver)
    sign_in_as_worker(client, worker)
    page = client.get("/me/").text
    section = page.split('id="data-claims"', 1)[1].split("</section>", 1)[0]
    assert f"#{claim.pk}" in section and "已审批待支付" in section
    assert f"{claim.benefit_amount:,.2f}" in section
    assert f"/me/claims/{claim.pk}/bank-card/" in section
    # a claim made at the desk is not listed as one made from data
    assert f'href="/claims/mine/{claim.pk}/"' in section
    assert f'href="/claims/mine/{claim.pk}/"' not in page.split('id="claims"', 1)[1].split("</section>", 1)[0]
    # the silent steps of a claim she never applied for leave no empty message
    assert "<p></p>" not in page.split('id="notifications"', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
def test_the_worker_confirms_the_card_on_file(client, worker, association_approver):
    claim = data_claim(worker, association_approver)
    sign_in_as_worker(client, worker)
    card = client.get(f"/me/claims/{claim.pk}/bank-card/").text
    assert worker.bank_account_masked in card and "确认付至此卡" in card
    response = client.post(f"/me/claims/{claim.pk}/bank-card/", {"action": "confirm"})
    assert response.status_code == 302 and response.url == "/me/"
    claim.refresh_from_db()
    assert claim.bank_confirmed_at is not None
    assert f"/me/claims/{claim.pk}/bank-card/" not in client.get("/me/").text
    # confirmed once: the page sends her home
    assert client.get(f"/me/claims/{claim.pk}/bank-card/").url == "/me/"


@pytest.mark.django_db
def test_the_worker_changes_the_card_with_the_texted_code_and_it_is_confirmed(client, worker, association_approver):
    claim = data_claim(worker, association_approver)
    sign_in_as_worker(client, worker)
    new_card = {"bank_name": "中国建设银行", "bank_account": "6217000000000067890"}
    with texted_codes() as codes:
        asked = client.post(f"/me/claims/{claim.pk}/bank-card/", new_card)
    assert asked.status_code == 200 and "验证码已发送" in asked.text and codes
    wrong = client.post(f"/me/claims/{claim.pk}/bank-card/", {**new_card, "code": "000000" if codes[-1] != "000000"
                                                                else "111111"})
    assert wrong.status_code == 200
    claim.refresh_from_db()
    worker.refresh_from_db()
    assert claim.bank_confirmed_at is None and worker.bank_account_masked.endswith("2345")

    done = client.post(f"/me/claims/{claim.pk}/bank-card/", {**new_card, "code": codes[-1]})
    assert done.status_code == 302
    claim.refresh_from_db()
    worker.refresh_from_db()
    assert claim.bank_confirmed_at is not None
    assert worker.bank_account_masked.endswith("7890") and worker.bank_name == "中国建设银行"


@pytest.mark.django_db
def test_another_workers_claim_is_not_found_and_a_desk_claim_needs_no_card(client, worker, association_approver, county_clerk, home_unit):
    other = make_worker(home_unit, phone="13900009999")
    cover(other)
    theirs = data_claim(other, association_approver)
    desk = claim_services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY,
                                     **stay_fields("6000.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 5)))
    sign_in_as_worker(client, worker)
    assert client.get(f"/me/claims/{theirs.pk}/bank-card/").status_code == 404
    assert client.post(f"/me/claims/{theirs.pk}/bank-card/", {"action": "confirm"}).status_code == 404
    assert client.get(f"/me/claims/{desk.pk}/bank-card/").url == "/me/"
    theirs.refresh_from_db()
    assert theirs.bank_confirmed_at is None


@pytest.mark.django_db
def test_a_womens_data_claim_asks_her_phone_for_the_pathology_report(client, home_unit, association_approver):
    install_default_plans()
    woman = make_worker(home_unit, name="萨仁", gender="F", phone="13900004321")
    coverage = cover(woman, plan="women_health")
    row = settlement(woman, coverage, claim_type="diagnosis", code="C50.900")
    claim = Claim.objects.get(pk=claim_services.claims_from_settlements(
        actor=association_approver, settlements=[row], today=TODAY)[row.serial])
    assert claim.status == Claim.Status.SUPPLEMENT
    sign_in_as_worker(client, woman)
    section = client.get("/me/").text.split('id="data-claims"', 1)[1].split("</section>", 1)[0]
    assert "病理报告" in section and "拍照上传" in section
    assert f'href="/claims/mine/{claim.pk}/"' in section
    upload_page = client.get(f"/claims/mine/{claim.pk}/").text
    assert "病理报告" in upload_page and 'type="file"' in upload_page
