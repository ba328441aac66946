"""Files outside the database: append-only lines (the audit chain's checkpoints), uploads kept for a job."""
import fcntl
import hashlib
import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings


def append_line(*, path: Path, line: str) -> None:
    """Append one line to an append-only file, flushed to disk.

    The file is opened for appending only and locked while writing, so lines from several
    processes never interleave; nothing in the application rewrites or truncates it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(line.rstrip("\n") + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def dir_under_var(name: str) -> Path:
    """A folder under the var directory (created when missing): where uploads wait for their job."""
    path = Path(settings.VAR_DIR) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(upload, folder: Path) -> Path:
    """Copy an uploaded file (a Django upload or any file object) to a new name in `folder`."""
    stored = folder / f"{uuid.uuid4().hex}.upload"
    with stored.open("wb") as out:
        if hasattr(upload, "chunks"):
            for chunk in upload.chunks():
                out.write(chunk)
        else:
            shutil.copyfileobj(upload, out)
    return stored


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
