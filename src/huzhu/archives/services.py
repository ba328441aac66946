"""Writes to the archive: store a file once by content, with its sniffed type and a thumbnail."""
import csv
import errno
import hashlib
import io
import json
import os
import struct
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import DomainError, ValidationFailed
from huzhu.core.spreadsheets import csv_dict_row

from . import rules
from .models import StoredFile

THUMBNAIL_SIZE = (320, 320)


def archive_root() -> Path:
    return Path(settings.ARCHIVE_ROOT)


def path_of(stored: StoredFile) -> Path:
    """Where a stored file's content lies on disk."""
    return archive_root() / stored.relative_path


def thumbnail_path_of(stored: StoredFile) -> Path:
    return archive_root() / stored.thumbnail_relative_path


class StorageFull(DomainError):
    """The archive's disk refused the write (full, or over quota): nothing was stored."""

    http_status = 507

    def __init__(self):
        super().__init__("storage_full", _("服务器存储空间不足，材料未保存，申领未作任何改动。请稍后再试或联系代办点"))


def _write_once(path: Path, content: bytes) -> bool:
    """Write content to its content-addressed path; False when a file already holds these bytes.

    Written to a temporary name, flushed to disk, then renamed: a reader never sees half a file,
    and a failed write (a full disk) leaves nothing behind.
    """
    if path.exists():
        return False
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            temporary = handle.name
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise StorageFull() from exc
        raise
    return True


# Header readers of the formats we decode for thumbnails. Opened through the format's own class,
# Pillow reads the header and no pixel (and skips its own bomb check, which would hide the size).
HEADER_READERS = {"image/jpeg": JpegImagePlugin.JpegImageFile, "image/png": PngImagePlugin.PngImageFile}
FORMAT_LABELS = {"image/jpeg": "JPEG", "image/png": "PNG"}
# What Pillow raises on a broken header or truncated pixel data.
_BROKEN_IMAGE = (SyntaxError, OSError, ValueError, IndexError, TypeError, EOFError, struct.error,
                 Image.DecompressionBombError)


def _label(name: str) -> str:
    return f"“{name}”" if name else _("文件")


def _broken(name: str, content_type: str, size: int) -> ValidationFailed:
    return ValidationFailed("broken_image", _(
        "%(file)s不是完整的 %(format)s 图片（文件已损坏或不完整，%(bytes)s），未保存。请重新拍摄或扫描后再上传") % {
        "file": _label(name), "format": FORMAT_LABELS[content_type], "bytes": rules.size_label(size)}, field="file")


def _image_thumbnail(content: bytes, content_type: str, name: str) -> bytes:
    """Check an image's declared size from its header alone, then decode it into a small JPEG.

    Refuses (ValidationFailed) a picture above rules.MAX_IMAGE_PIXELS before a pixel is decoded,
    and a header or pixel data that Pillow cannot read (corrupt or truncated).
    """
    try:
        with HEADER_READERS[content_type](io.BytesIO(content)) as header:
            width, height = header.size
    except _BROKEN_IMAGE:
        raise _broken(name, content_type, len(content)) from None
    if rules.is_too_many_pixels(width, height):
        raise ValidationFailed("image_too_large", _(
            "%(file)s是 %(width)s × %(height)s 像素的图片（共 %(pixels)s 像素，文件 %(bytes)s），超过每张 "
            "%(limit)s 像素的上限，未保存。请调低分辨率或压缩后再上传") % {
            "file": _label(name), "width": f"{width:,}", "height": f"{height:,}", "pixels": f"{width * height:,}",
            "bytes": rules.size_label(len(content)), "limit": f"{rules.MAX_IMAGE_PIXELS:,}"}, field="file")
    if not rules.image_is_complete(content, content_type):
        raise _broken(name, content_type, len(content))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # never decode past Pillow's limit either
            with Image.open(io.BytesIO(content), formats=[FORMAT_LABELS[content_type]]) as image:
                image.thumbnail(THUMBNAIL_SIZE)
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=80)
                return out.getvalue()
    except (*_BROKEN_IMAGE, UnidentifiedImageError, Image.DecompressionBombWarning):
        raise _broken(name, content_type, len(content)) from None


def _read(upload) -> tuple[bytes, str]:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload), ""
    name = os.path.basename(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is not None and size > rules.MAX_FILE_BYTES:  # refuse before reading it all
        rules.check_size(size, name=name)
    return upload.read(), name


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, ready to be written: content, name, type and thumbnail."""

    content: bytes
    name: str
    sniffed: rules.SniffedType
    thumbnail: bytes | None


def check_upload(upload, *, name: str = "") -> CheckedFile:
    """Read and check an upload (size, sniffed type, an image's pixel count and integrity); writes nothing."""
    try:
        content, upload_name = _read(upload)
        name = (name or upload_name)[:200]
        rules.check_size(len(content), name=name)
        sniffed = rules.sniff(content[:8192], name=name)
    except ValueError as exc:
        raise ValidationFailed("invalid_file", str(exc), field="file") from exc
    # PDF and HEIC (Pillow has no HEIC reader here) are stored as they are, without a thumbnail.
    thumbnail = (_image_thumbnail(content, sniffed.content_type, name)
                 if sniffed.content_type in HEADER_READERS else None)
    return CheckedFile(content, name, sniffed, thumbnail)


@transaction.atomic
def store_file(*, actor: Actor, upload, name: str = "", today: date | None = None) -> StoredFile:
    """Store an uploaded file (bytes or a Django UploadedFile) once; the same content gives the same row."""
    return _store(actor=actor, checked=check_upload(upload, name=name), today=today)


@transaction.atomic
def store_files(*, actor: Actor, uploads: list, today: date | None = None) -> list[StoredFile]:
    """Store several uploads, all or none: every file is checked before the first is written."""
    checked = [check_upload(upload) for upload in uploads]
    return [_store(actor=actor, checked=one, today=today) for one in checked]


def _store(*, actor: Actor, checked: CheckedFile, today: date | None) -> StoredFile:
    content, name, sniffed = checked.content, checked.name, checked.sniffed
    digest = hashlib.sha256(content).hexdigest()
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing:
        return existing
    stored = StoredFile(sha256=digest, content_type=sniffed.content_type, extension=sniffed.extension,
                        size=len(content), original_name=name, stored_by=user_of(actor),
                        retain_until_on=rules.retain_until(today or timezone.localdate()))
    wrote = _write_once(path_of(stored), content)
    try:
        if checked.thumbnail:
            _write_once(thumbnail_path_of(stored), checked.thumbnail)
            stored.has_thumbnail = True
    except StorageFull:
        if wrote:  # the document without its row would be an orphan: take it back
            path_of(stored).unlink(missing_ok=True)
        raise
    stored, _created = StoredFile.objects.get_or_create(sha256=digest, defaults={
        f.name: getattr(stored, f.name) for f in StoredFile._meta.concrete_fields if f.name not in ("id", "sha256")
    })
    record_event(actor=actor, action="store_file", object_type="StoredFile", object_id=stored.pk,
                 after={"sha256": digest, "type": stored.content_type, "size": stored.size})
    return stored


@dataclass(frozen=True)
class BundleEntry:
    """One file of an archive bundle and the index columns that describe it."""

    stored: StoredFile
    kind: str
    kind_label: str
    uploaded_at: str


def build_bundle(*, title: str, entries: list[BundleEntry], facts: dict) -> bytes:
    """A ZIP of the files with index.csv and index.json (file name, kind, SHA-256, type, size)."""
    buffer = io.BytesIO()
    rows = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for number, entry in enumerate(entries, start=1):
            member = f"{title}/{number:02d}-{entry.kind}.{entry.stored.extension}"
            bundle.write(path_of(entry.stored), member)
            rows.append({"file": member, "kind": entry.kind, "kind_label": entry.kind_label,
                         "sha256": entry.stored.sha256, "content_type": entry.stored.content_type,
                         "size": entry.stored.size, "original_name": rules.safe_file_name(entry.stored.original_name),
                         "uploaded_at": entry.uploaded_at,
                         "retain_until_on": entry.stored.retain_until_on.isoformat()})
        text = io.StringIO()
        columns = ["file", "kind", "kind_label", "sha256", "content_type", "size", "original_name",
                   "uploaded_at", "retain_until_on"]
        writer = csv.DictWriter(text, fieldnames=columns)
        writer.writeheader()
        writer.writerows(csv_dict_row(row) for row in rows)  # a name like "=cmd|…" stays text
        bundle.writestr(f"{title}/index.csv", "\ufeff" + text.getvalue())  # BOM: Excel opens it as UTF-8
        bundle.writestr(f"{title}/index.json", json.dumps({**facts, "files": rows}, ensure_ascii=False, indent=2))
    return buffer.getvalue()
