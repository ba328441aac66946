"""Append-only files outside the database (the audit chain's checkpoints)."""
import fcntl
import os
from pathlib import Path


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
