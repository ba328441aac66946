"""Starting a claim on the phone (/claims/mine/new/): pick the coverage and the stay, photograph the
documents on the draft, see the estimated benefit, submit; the intake service screens it."""
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from huzhu.conftest import make_worker, sign_in_as_worker
from huzhu.plans.services import install_default_plans

from ..models import Claim
from .conftest import INPATIENT_DOCUMENTS, cover, png_bytes

STAY = {"claim_type": "inpatient", "hospital": "包头市中心医院", "admitted_on": "2026-03-01",
        "discharged_on": "2026-03-11", "total_amount": "20000.00", "fund_paid_amount": "12000.00",
        "policy_self_pay_amount": "8000.00"}


@pytest.fixture(autouse=True)
def june_2026():
    cache.clear()
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


@pytest.fixture
def signed_in(client, worker):
    sign_in_as_worker(client, worker)
    return client


def _coverage_pk(worker, year=2026, plan="hospitalization"):
    return worker.coverages.get(plan_year__year=year, plan_year__plan_id=plan).pk


def _photos(kinds, colour=30):
    return {f"doc_{kind}": SimpleUploadedFile(f"{kind}.png", png_bytes((colour + 20 * n, 90, 60)), "image/png")
            for n, kind in enumerate(kinds)}


def test_a_worker_starts_a_claim_photographs_the_documents_sees_the_estimate_and_submits(
        signed_in, worker, no_straight_through):
    form = signed_in.get("/claims/mine/new/").content.decode()
    assert f'value="{_coverage_pk(worker)}"' in form and "职工住院医疗互助保障 2026" in form
    assert 'name="id_number"' not in form  # she is who she signed in as

    started = signed_in.post("/claims/mine/new/", {"coverage": _coverage_pk(worker), **STAY})
    claim = Claim.objects.get(worker=worker)
    assert started.status_code == 302 and started.url == f"/claims/mine/{claim.pk}/"
    assert (claim.status, claim.channel, claim.submitted_by_id) == ("draft", "worker", None)

    draft = signed_in.get(started.url).content.decode()
    assert "第 2 步：拍照上传材料" in draft and 'name="doc_settlement_sheet"' in draft
    assert "4,100.00 元" in draft  # 8000 × 50% + 10 days × 10, the engine's estimate before submitting
    assert "尚未上传：住院结算单" in draft
    assert "claims/examples/settlement_sheet.png" in draft and "看示例" in draft  # the right paper, the first time

    uploaded = signed_in.post(started.url, {"photos": "1", **_photos(INPATIENT_DOCUMENTS)})
    assert uploaded.status_code == 302
    assert sorted(claim.documents.values_list("kind", flat=True)) == sorted(INPATIENT_DOCUMENTS)
    assert "尚未上传" not in signed_in.get(started.url).content.decode()

    submitted = signed_in.post(started.url, {"submit": "1"})
    assert submitted.status_code == 302 and submitted.url == "/claims/mine/"
    claim.refresh_from_db()
    assert (claim.status, claim.benefit_amount) == ("first_review", 4100)
    listed = signed_in.get("/claims/mine/").content.decode()
    assert f"#{claim.pk}" in listed and "待初审（代办点）" in listed and "4,100.00" in listed


def test_a_draft_submitted_without_every_photo_is_returned_for_the_missing_ones(signed_in, worker):
    signed_in.post("/claims/mine/new/", {"coverage": _coverage_pk(worker), **STAY})
    claim = Claim.objects.get(worker=worker)
    signed_in.post(f"/claims/mine/{claim.pk}/", {"photos": "1", **_photos(["invoice", "id_card"])})
    signed_in.post(f"/claims/mine/{claim.pk}/", {"submit": "1"})
    claim.refresh_from_db()
    assert claim.status == "supplement"
    assert set(claim.missing_items) == {"settlement_sheet", "discharge_summary", "bank_card"}


def test_the_claim_type_must_belong_to_the_chosen_coverage_plan(signed_in, worker):
    page = signed_in.post("/claims/mine/new/", {"coverage": _coverage_pk(worker), **STAY, "claim_type": "diagnosis",
                                                "diagnosed_on": "2026-03-01", "diagnosis_code": "C50.900"})
    assert page.status_code == 200 and "所选保障是职工住院医疗互助保障" in page.content.decode()
    assert not Claim.objects.exists()


def test_a_stay_outside_the_chosen_coverage_period_is_refused_on_the_form(signed_in, worker):
    page = signed_in.post("/claims/mine/new/", {"coverage": _coverage_pk(worker), **STAY,
                                                "admitted_on": "2025-12-20", "discharged_on": "2026-01-05"})
    assert "2025-12-20 不在所选保障的保障期（2026-01-01 至 2026-12-31）内" in page.content.decode()
    assert not Claim.objects.exists()


def test_the_intake_checks_apply_on_the_phone_too(signed_in, worker):
    page = signed_in.post("/claims/mine/new/", {"coverage": _coverage_pk(worker), **STAY, "total_amount": "21000.00"})
    assert "应等于统筹基金、大病保险、医疗救助、政策内自付、政策外自付与全自费之和" in page.content.decode()
    assert not Claim.objects.exists()


def test_only_paid_coverages_within_the_claim_deadline_are_offered_and_someone_elses_never(client, plans, home_unit):
    install_default_plans(years=(2024, 2025))
    worker = make_worker(home_unit, name="王芳", gender="F", phone="13800000077")
    last, this = cover(worker, year=2025), cover(worker, year=2026, status="pending")
    too_old = cover(worker, year=2024)  # its claim deadline (2025-12-31) has passed
    women = cover(worker, year=2026, plan="women_health")
    stranger = make_worker(home_unit, name="李四", phone="13800000078")
    theirs = cover(stranger, year=2026)
    sign_in_as_worker(client, worker)
    form = client.get("/claims/mine/new/").content.decode()
    assert f'value="{last.pk}"' in form and f'value="{women.pk}"' in form
    assert f'value="{this.pk}"' not in form and f'value="{theirs.pk}"' not in form
    assert f'value="{too_old.pk}"' not in form
    refused = client.post("/claims/mine/new/", {"coverage": theirs.pk, **STAY})
    assert refused.status_code == 200 and not Claim.objects.exists()


def test_a_worker_cannot_open_or_submit_another_workers_draft(client, signed_in, worker, plans, home_unit):
    signed_in.post("/claims/mine/new/", {"coverage": _coverage_pk(worker), **STAY})
    claim = Claim.objects.get(worker=worker)
    signed_in.post("/me/sign-out/")
    stranger = make_worker(home_unit, name="李四", phone="13800000078")
    cover(stranger)
    sign_in_as_worker(client, stranger)
    assert client.get(f"/claims/mine/{claim.pk}/").status_code == 404
    assert client.post(f"/claims/mine/{claim.pk}/", {"submit": "1"}).status_code == 404
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_on_the_phone_a_photographed_sheet_fills_the_form_and_a_misplaced_photo_is_pointed_out(signed_in, worker):
    import random

    from huzhu.demo import papers

    from ..models import ClaimReading

    rng = random.Random(31)
    sheet = papers.settlement_sheet(rng)
    photo = papers.photo(papers.page_image(sheet), rng, quality=80)
    read = signed_in.post("/claims/mine/read-document/", {"document": SimpleUploadedFile("s.jpg", photo, "image/jpeg")})
    page = read.content.decode()
    assert read.status_code == 200 and "识别为：住院结算单" in page
    assert f'data-fill="policy_self_pay_amount" data-value="{sheet.facts["policy_self_pay_amount"]}"' in page
    signed = page.split('data-reading="')[1].split('"')[0]
    started = signed_in.post("/claims/mine/new/", {"coverage": _coverage_pk(worker), **STAY, "reading": signed})
    claim = Claim.objects.get(worker=worker)
    assert started.status_code == 302
    kept = ClaimReading.objects.get(claim=claim)
    assert kept.kind == "settlement_sheet" and kept.corrections["total_amount"]["typed"] == "20000.00"

    invoice = papers.invoice(rng)  # an invoice put where the settlement sheet belongs
    wrong_place = papers.photo(papers.page_image(invoice), rng, quality=80)
    uploaded = signed_in.post(started.url, {"photos": "1", "doc_settlement_sheet": SimpleUploadedFile(
        "sheet.jpg", wrong_place, "image/jpeg")}, follow=True)
    assert "上传到“住院结算单”的照片看起来是医疗收费票据" in uploaded.content.decode()


def test_every_document_kind_but_other_has_its_example_picture():
    from django.contrib.staticfiles import finders

    from ..views import EXAMPLE_KINDS

    assert "id_card" in EXAMPLE_KINDS and "other" not in EXAMPLE_KINDS
    assert [kind for kind in EXAMPLE_KINDS if not finders.find(f"claims/examples/{kind}.png")] == []
