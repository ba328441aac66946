"""Reads of the audit app."""
from .checkpoints import Checkpoint, latest_checkpoint


def latest_chain_checkpoint() -> Checkpoint | None:
    """The latest signed checkpoint of the audit chain head (for the annual report), or None."""
    return latest_checkpoint()
