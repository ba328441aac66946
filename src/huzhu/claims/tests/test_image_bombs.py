"""Image bombs and broken images at every door for claim documents: refused with the size, nothing stored."""
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huzhu.archives.models import StoredFile
from huzhu.archives.tests.crafted_images import jpeg_claiming, png_claiming, real_jpeg, truncated
from huzhu.claims.models import Claim, ClaimDocument
from huzhu.conftest import PASSWORD, sign_in_as_worker
from huzhu.security.services import issue_worker_token

from .conftest import INPATIENT_DOCUMENTS, png_bytes
from .test_pages import desk_post

PNG_BOMB = ("bomb.png", png_claiming(20_000, 20_000), "20,000 × 20,000 像素", "400,000,000 像素")
JPEG_BOMB = ("bomb.jpg", jpeg_claiming(65_000, 65_000), "65,000 × 65,000 像素", "4,225,000,000 像素")
BOMBS = pytest.mark.parametrize(("name", "content", "dimensions", "pixels"), [PNG_BOMB, JPEG_BOMB],
                                ids=["png-20000x20000", "jpeg-65000x65000"])


@pytest.fixture(autouse=True)
def june_2026():
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


def archived_files(archive) -> list:
    return [path for path in archive.rglob("*") if path.is_file()] if archive.exists() else []


def assert_nothing_stored(archive):
    assert not StoredFile.objects.exists() and not ClaimDocument.objects.exists()
    assert archived_files(archive) == []


@pytest.fixture
def draft_claim(file_stay):
    """A claim returned for supplement: every document still to come, so every door takes an upload."""
    claim = file_stay(documents=[])
    assert claim.status == Claim.Status.SUPPLEMENT
    return claim


@BOMBS
@pytest.mark.parametrize("persona", ["county_clerk", "unit_contact"])
def test_the_desk_form_refuses_an_image_bomb_with_its_pixels_and_bytes_and_stores_nothing(
        client, worker, archive_in_tmp, request, persona, name, content, dimensions, pixels):
    client.login(username=request.getfixturevalue(persona).username, password=PASSWORD)
    # the bomb comes last: the good scans before it must not be left in the archive either
    response = client.post(reverse("claims:new"),
                           desk_post(worker, doc_bank_card=SimpleUploadedFile(name, content, "image/png")))
    assert response.status_code == 200
    page = response.text
    assert f"“{name}”是 {dimensions}的图片" in page and pixels in page
    assert f"文件 {len(content)} B" in page and "50,000,000 像素的上限" in page
    assert not Claim.objects.exists()
    assert_nothing_stored(archive_in_tmp)


@BOMBS
def test_the_workers_phone_page_refuses_an_image_bomb(client, worker, draft_claim, archive_in_tmp,
                                                     name, content, dimensions, pixels):
    sign_in_as_worker(client, worker)
    response = client.post(reverse("claims:mine_claim", args=[draft_claim.pk]),
                           {"kind": "bank_card", "files": SimpleUploadedFile(name, content, "image/jpeg")})
    assert response.status_code == 200
    assert dimensions in response.text and pixels in response.text
    assert_nothing_stored(archive_in_tmp)


@BOMBS
def test_the_staff_api_refuses_an_image_bomb_as_a_422(client, county_clerk, draft_claim, archive_in_tmp,
                                                      name, content, dimensions, pixels):
    client.login(username=county_clerk.username, password=PASSWORD)
    response = client.post(f"/api/v1/claims/{draft_claim.pk}/documents",
                           {"kind": "invoice", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("image_too_large", "file")
    assert dimensions in body["message"] and pixels in body["message"]
    assert_nothing_stored(archive_in_tmp)


@BOMBS
def test_the_worker_api_refuses_an_image_bomb_as_a_422(client, worker, draft_claim, archive_in_tmp,
                                                       name, content, dimensions, pixels):
    token = issue_worker_token(worker=worker).token
    response = client.post(f"/api/v1/me/claims/{draft_claim.pk}/documents",
                           {"kind": "invoice", "file": SimpleUploadedFile(name, content)},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422 and response.json()["code"] == "image_too_large"
    assert dimensions in response.json()["message"]
    assert_nothing_stored(archive_in_tmp)


@pytest.mark.parametrize(("name", "content"), [
    ("cut.jpg", truncated(real_jpeg())),
    ("header-only.png", png_claiming(640, 480)),  # a valid header over pixel data that is not there
], ids=["truncated-jpeg", "png-without-pixels"])
def test_a_broken_image_is_refused_as_incomplete_on_the_api(client, county_clerk, draft_claim, archive_in_tmp,
                                                            name, content):
    client.login(username=county_clerk.username, password=PASSWORD)
    response = client.post(f"/api/v1/claims/{draft_claim.pk}/documents",
                           {"kind": "invoice", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    assert response.json()["code"] == "broken_image" and "已损坏或不完整" in response.json()["message"]
    assert_nothing_stored(archive_in_tmp)


def test_ordinary_scans_still_go_through_every_check(client, county_clerk, draft_claim):
    client.login(username=county_clerk.username, password=PASSWORD)
    for n, kind in enumerate(INPATIENT_DOCUMENTS):
        upload = SimpleUploadedFile(f"{kind}.png", png_bytes((n * 40, 9, 9)))
        assert client.post(f"/api/v1/claims/{draft_claim.pk}/documents",
                           {"kind": kind, "file": upload}).status_code == 201
    assert StoredFile.objects.filter(has_thumbnail=True).count() == len(INPATIENT_DOCUMENTS)


@pytest.mark.parametrize(("name", "content"), [
    ("cut.jpg", truncated(real_jpeg())), ("header-only.png", png_claiming(640, 480)),
], ids=["truncated-jpeg", "png-without-pixels"])
def test_a_broken_image_is_refused_even_after_weasyprint_turned_pillows_check_off(
        client, county_clerk, draft_claim, archive_in_tmp, monkeypatch, name, content):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what `import weasyprint` does, process-wide
    client.login(username=county_clerk.username, password=PASSWORD)
    response = client.post(f"/api/v1/claims/{draft_claim.pk}/documents",
                           {"kind": "invoice", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    assert_nothing_stored(archive_in_tmp)
