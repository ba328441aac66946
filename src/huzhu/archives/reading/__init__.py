"""Documents that read themselves: an uploaded invoice, settlement sheet or photo read into proposed claim fields.

`read_document(content)` → `Reading`: the sources best first (a PDF's or OFD's text layer, the QR code, OCR),
merged field by field; `Reading.proposal.as_dict()` is `huzhu documents read`'s JSON
(`{"kind", "fields", "confidence"}`). Offline: the OCR models ship inside the rapidocr wheel.
"""
from dataclasses import dataclass

from .fields import Proposal, merged, qr_fields, read_fields
from .sources import Unreadable, text_of

__all__ = ["Reading", "Unreadable", "read_document"]


@dataclass(frozen=True)
class Reading:
    source: str  # where the text came from: pdf_text, ofd, ocr, none (the QR code is used beside any of them)
    proposal: Proposal


def read_document(content: bytes) -> Reading:
    """What the document says; Unreadable when it is no PDF, OFD or image."""
    text = text_of(content)
    layer = read_fields(text.lines)
    codes = [qr_fields(payload) for payload in text.qr]
    if text.source in ("pdf_text", "ofd"):
        return Reading(text.source, merged(layer, *codes))
    return Reading(text.source, merged(*codes, layer))
