"""Writes to the archive: store a file once by content, with its sniffed type and a thumbnail."""
import csv
import errno
import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from huzhu.audit.services import record_event
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


def append_line(*, path: Path, line: str) -> None:
    """Append one line to an append-only archive file (the audit checkpoints), flushed to disk.

    The file is opened for appending only and locked while writing, so lines from several
    processes never interleave; nothing in the application rewrites or truncates it.
    """
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(line.rstrip("\n") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise StorageFull() from exc
        raise


def _thumbnail(content: bytes) -> bytes | None:
    """A small JPEG of an image, or None when Pillow cannot read it (HEIC needs a plugin we lack)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _read(upload) -> tuple[bytes, str]:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload), ""
    name = os.path.basename(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is not None and size > rules.MAX_FILE_BYTES:  # refuse before reading it all
        rules.check_size(size, name=name)
    return upload.read(), name


@transaction.atomic
def store_file(*, actor, upload, name: str = "", today: date | None = None) -> StoredFile:
    """Store an uploaded file (bytes or a Django UploadedFile) once; the same content gives the same row."""
    try:
        content, upload_name = _read(upload)
        name = (name or upload_name)[:200]
        rules.check_size(len(content), name=name)
        sniffed = rules.sniff(content[:8192], name=name)
    except ValueError as exc:
        raise ValidationFailed("invalid_file", str(exc), field="file") from exc
    digest = hashlib.sha256(content).hexdigest()
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing:
        return existing
    stored = StoredFile(sha256=digest, content_type=sniffed.content_type, extension=sniffed.extension,
                        size=len(content), original_name=name, stored_by=actor if getattr(actor, "pk", None) else None,
                        retain_until_on=rules.retain_until(today or timezone.localdate()))
    wrote = _write_once(path_of(stored), content)
    try:
        if stored.is_image:
            thumbnail = _thumbnail(content)
            if thumbnail:
                _write_once(thumbnail_path_of(stored), thumbnail)
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
