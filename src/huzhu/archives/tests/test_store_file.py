"""Storing files: content-addressed, sniffed type only JPEG/PNG/PDF/HEIC, size limit, thumbnails."""
import hashlib
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from huzhu.core.errors import ValidationFailed

from .. import rules, services
from ..models import StoredFile
from .crafted_images import jpeg_claiming, png_claiming

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_a_renamed_exe_is_refused_even_when_called_jpg(db):
    with pytest.raises(ValidationFailed) as refused:
        services.store_file(actor=None, upload=SimpleUploadedFile("发票.jpg", EXE, content_type="image/jpeg"))
    assert refused.value.field == "file"
    assert "发票.jpg" in refused.value.message
    assert not StoredFile.objects.exists()


def test_a_photo_is_stored_under_its_sha256_with_a_thumbnail(db, archive_in_tmp):
    content = jpeg()
    stored = services.store_file(actor=None, upload=SimpleUploadedFile("scan.png", content), today=date(2026, 6, 1))
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert (stored.content_type, stored.extension) == ("image/jpeg", "jpg")  # the bytes decide, not the name
    assert services.path_of(stored).read_bytes() == content
    assert stored.has_thumbnail
    with Image.open(services.thumbnail_path_of(stored)) as thumbnail:
        assert max(thumbnail.size) <= 320
    assert stored.retain_until_on == date(2056, 6, 1)


def test_the_same_content_is_stored_once(db):
    content = jpeg()
    first = services.store_file(actor=None, upload=content, name="a.jpg")
    second = services.store_file(actor=None, upload=content, name="b.jpg")
    assert first.pk == second.pk
    assert StoredFile.objects.count() == 1


@pytest.mark.parametrize(("content", "mime"), [
    (b"%PDF-1.7\n%%EOF\n", "application/pdf"),
    (HEIC, "image/heic"),
], ids=["pdf", "heic"])
def test_pdf_and_heic_are_accepted_without_a_thumbnail(db, content, mime):
    stored = services.store_file(actor=None, upload=content, name="x")
    assert stored.content_type == mime
    assert not stored.has_thumbnail


def test_an_empty_or_oversized_file_is_refused(db, monkeypatch):
    with pytest.raises(ValidationFailed, match="空文件"):
        services.store_file(actor=None, upload=b"", name="a.jpg")
    monkeypatch.setattr(rules, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValidationFailed, match="超过"):
        services.store_file(actor=None, upload=jpeg(), name="big.jpg")


def test_retention_of_a_leap_day_falls_back_to_the_28th():
    assert rules.retain_until(date(2028, 2, 29), 30) == date(2058, 2, 28)


def test_a_picture_above_the_pixel_limit_is_refused_from_its_header_before_pillow_would_object(db, archive_in_tmp):
    """8,000 × 8,000 is below Pillow's own bomb warning (89 Mpx): only our header check stops it. Its
    pixel data is a few bytes, so a decode would have said "broken", not "too large"."""
    with pytest.raises(ValidationFailed) as refused:
        services.store_file(actor=None, upload=png_claiming(8000, 8000), name="扫描.png")
    assert refused.value.code == "image_too_large"
    assert "“扫描.png”是 8,000 × 8,000 像素的图片（共 64,000,000 像素" in refused.value.message
    assert not StoredFile.objects.exists() and not archive_in_tmp.exists()


@pytest.mark.parametrize(("width", "height", "too_many"), [
    (8000, 6000, False), (5000, 10000, False), (8000, 6251, True), (20000, 20000, True),
], ids=["48-mpx-phone", "exactly-the-limit", "one-row-over", "bomb"])
def test_the_pixel_limit_lets_phone_photos_and_a4_scans_through(width, height, too_many):
    assert rules.is_too_many_pixels(width, height) is too_many


def test_several_files_are_stored_all_or_none(db, archive_in_tmp):
    with pytest.raises(ValidationFailed):
        services.store_files(actor=None, uploads=[jpeg(), jpeg_claiming(65000, 65000)])
    assert not StoredFile.objects.exists() and not archive_in_tmp.exists()


def test_a_file_size_reads_in_bytes_kilobytes_or_megabytes():
    assert [rules.size_label(n) for n in (68, 12_600, 4_718_592)] == ["68 B", "12.3 KB", "4.5 MB"]
