"""Signed checkpoints of the chain head, kept outside the database in an append-only archive file.

Whoever can write to the database can delete the last events and point the head back at an
earlier one; the head alone cannot tell. A checkpoint — head seq, event id, hash and time, with
an HMAC under HUZHU_AUDIT_KEY — is appended to `audit/checkpoints.jsonl` in the archive store
(HUZHU_ARCHIVE_ROOT, or HUZHU_AUDIT_CHECKPOINT_PATH), and the latest one is printed in the annual
report. `verify_chain` requires the chain to extend every checkpoint: the event at each
checkpoint's seq must still have the checkpoint's hash, and the chain must reach past it.
"""
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from huzhu.core import files

from . import keys
from .models import AuditChainHead

DEFAULT_RELATIVE_PATH = Path("audit") / "checkpoints.jsonl"
# Per process: when this process last wrote (or saw) a checkpoint, so sealing rarely reads the file.
_last_written: dict[str, float] = {}


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    event_id: int | None
    hash: str
    at: str
    algorithm: str
    key_id: str
    mac: str
    line: int = 0

    def as_line(self) -> str:
        body = {"seq": self.seq, "event_id": self.event_id, "hash": self.hash, "at": self.at,
                "algorithm": self.algorithm, "key_id": self.key_id, "mac": self.mac}
        return json.dumps(body, sort_keys=True, separators=(",", ":"))


def checkpoint_path() -> Path:
    """Where the checkpoints are appended: HUZHU_AUDIT_CHECKPOINT_PATH, else under the archive root."""
    configured = getattr(settings, "HUZHU_AUDIT_CHECKPOINT_PATH", "")
    if configured:
        return Path(configured)
    return Path(settings.ARCHIVE_ROOT) / DEFAULT_RELATIVE_PATH


def checkpoint_mac(*, seq: int, event_id: int | None, hash: str, at: str, algorithm: str) -> str:
    """The HMAC over a checkpoint's head id, seq, hash and time."""
    return keys.keyed_digest(algorithm, f"huzhu-audit-checkpoint\n{seq}\n{event_id}\n{hash}\n{at}\n{algorithm}")


def write_checkpoint() -> Checkpoint:
    """Append a signed checkpoint of the current (committed) chain head to the archive file."""
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(last_seq=0, last_event_id=None, last_hash="")
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    algorithm = keys.current_algorithm()
    checkpoint = Checkpoint(
        seq=head.last_seq, event_id=head.last_event_id, hash=head.last_hash, at=at, algorithm=algorithm,
        key_id=keys.key_id(),
        mac=checkpoint_mac(seq=head.last_seq, event_id=head.last_event_id, hash=head.last_hash, at=at,
                           algorithm=algorithm))
    path = checkpoint_path()
    files.append_line(path=path, line=checkpoint.as_line())
    _last_written[str(path)] = time.monotonic()
    return checkpoint


def write_checkpoint_when_due() -> Checkpoint | None:
    """Write a checkpoint when this process has not written one for HUZHU_AUDIT_CHECKPOINT_SECONDS."""
    interval = settings.HUZHU_AUDIT_CHECKPOINT_SECONDS
    key = str(checkpoint_path())
    if interval <= 0 or time.monotonic() - _last_written.get(key, float("-inf")) < interval:
        return None
    return write_checkpoint()


def write_checkpoint_if_moved() -> Checkpoint | None:
    """Write a checkpoint unless the latest one already records the current head (the periodic job)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    latest = latest_checkpoint()
    if head is None or (latest is not None and latest.seq == head.last_seq and latest.hash == head.last_hash):
        return None
    return write_checkpoint()


def latest_checkpoint() -> Checkpoint | None:
    """The last checkpoint in the file, if its signature holds (reads only the file's tail)."""
    path = checkpoint_path()
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        lines = [line for line in handle.read().decode("utf-8", "replace").splitlines() if line.strip()]
    checkpoint = _parse(lines[-1], 0) if lines else None
    return checkpoint if checkpoint is not None and _is_signed(checkpoint) else None


def read_checkpoints() -> tuple[list[Checkpoint], Checkpoint | None]:
    """Every valid checkpoint in the file, and the first line whose signature fails (or None)."""
    path = checkpoint_path()
    if not path.exists():
        return [], None
    valid = []
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            checkpoint = _parse(text, number)
            if checkpoint is None or not _is_signed(checkpoint):
                return valid, checkpoint or Checkpoint(0, None, "", "", "", "", "", number)
            valid.append(checkpoint)
    return valid, None


def _parse(text: str, number: int) -> Checkpoint | None:
    try:
        body = json.loads(text)
        return Checkpoint(seq=int(body["seq"]), event_id=body["event_id"], hash=str(body["hash"]),
                          at=str(body["at"]), algorithm=str(body["algorithm"]), key_id=str(body.get("key_id", "")),
                          mac=str(body["mac"]), line=number)
    except (ValueError, KeyError, TypeError):
        return None


def _is_signed(checkpoint: Checkpoint) -> bool:
    if checkpoint.algorithm not in keys.ALGORITHMS:
        return False
    expected = checkpoint_mac(seq=checkpoint.seq, event_id=checkpoint.event_id, hash=checkpoint.hash,
                              at=checkpoint.at, algorithm=checkpoint.algorithm)
    return hmac.compare_digest(expected, checkpoint.mac)
