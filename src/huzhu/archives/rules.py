"""Pure archive rules: which file types are accepted and how long files are kept."""
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import date

import filetype

# Only what scanners and phones produce for claim documents (issue 5); sniffed from the bytes.
ACCEPTED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "image/heic": "heic",
}
MAX_FILE_BYTES = 15 * 1024 * 1024
# A 48-megapixel phone photo (8000 × 6000) or an A4 page scanned at 600 dpi (35 Mpx) passes; a
# picture beyond it would take hundreds of MB to decode for its thumbnail (image bombs: a PNG of
# a few hundred bytes can claim 20,000 × 20,000 pixels).
MAX_IMAGE_PIXELS = 50_000_000
# Claim documents back benefit payments: kept like accounting vouchers (会计档案管理办法: 30 years).
RETENTION_YEARS = 30


@dataclass(frozen=True)
class SniffedType:
    content_type: str
    extension: str


def sniff(head: bytes, *, name: str = "") -> SniffedType:
    """The real type of a file from its first bytes; ValueError (Chinese) when it is not accepted."""
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime == "image/heif":  # phones label HEIC photos either way
        mime = "image/heic"
    if mime not in ACCEPTED_TYPES:
        label = f"“{name}”" if name else "文件"
        raise ValueError(f"{label}的实际类型不是 JPEG、PNG、PDF 或 HEIC，不能上传")
    return SniffedType(mime, ACCEPTED_TYPES[mime])


def check_size(size: int, *, name: str = "") -> None:
    """Refuse empty files and files above the limit."""
    label = f"“{name}”" if name else "文件"
    if size <= 0:
        raise ValueError(f"{label}是空文件")
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{label}超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请压缩后再上传")


def is_too_many_pixels(width: int, height: int) -> bool:
    """Whether an image's declared dimensions pass the pixel limit (refused before decoding)."""
    return width * height > MAX_IMAGE_PIXELS


def image_is_complete(content: bytes, content_type: str) -> bool:
    """Whether an image's file holds its pixels and reaches its end (JPEG EOI after the last scan; PNG IDAT, IEND).

    Pillow's own truncation check can be switched off process-wide (WeasyPrint sets
    ImageFile.LOAD_TRUNCATED_IMAGES on import), so a cut-off upload is caught here instead.
    """
    if content_type == "image/jpeg":
        last_scan = content.rfind(b"\xff\xda")
        return last_scan >= 0 and content.find(b"\xff\xd9", last_scan) >= 0
    if content_type == "image/png":
        return b"IEND" in content[-64:] and _png_pixels_complete(content)
    return True


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _png_pixels_complete(content: bytes) -> bool:
    """Whether the IDAT chunks inflate to every row the IHDR promises (counted, never kept whole)."""
    if len(content) < 33 or content[12:16] != b"IHDR":
        return False
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", content[16:29])
    if interlace or colour not in _PNG_CHANNELS:
        return True  # Adam7 rows are not counted here; Pillow's own checks stand
    expected = height * (1 + (width * depth * _PNG_CHANNELS[colour] + 7) // 8)
    inflater, inflated, position = zlib.decompressobj(), 0, 8
    while position + 8 <= len(content):
        length, kind = struct.unpack(">I4s", content[position:position + 8])
        if kind == b"IDAT":
            data = content[position + 8:position + 8 + length]
            while data and inflated <= expected:
                inflated += len(inflater.decompress(data, 1 << 20))
                data = inflater.unconsumed_tail
        position += 12 + length
    return inflated >= expected


def size_label(size: int) -> str:
    """A file size for people: 68 B, 12.3 KB, 4.5 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def retain_until(stored_on: date, years: int = RETENTION_YEARS) -> date:
    """The last day a file must be kept; 29 February falls back to 28 February."""
    try:
        return stored_on.replace(year=stored_on.year + years)
    except ValueError:
        return stored_on.replace(year=stored_on.year + years, day=28)


def safe_file_name(name: str, *, max_length: int = 120) -> str:
    """A worker-chosen file name fit for an index: one path part, without control or bidi characters.

    Formula-like names are left to the writer (core.spreadsheets), which keeps them text.
    """
    flat = str(name or "").replace("\\", "_").replace("/", "_")
    # Cc: newlines and tabs; Cf: right-to-left overrides that make "gpj.exe" read as "exe.jpg"
    kept = "".join(ch for ch in flat if unicodedata.category(ch) not in ("Cc", "Cf")).strip()
    return kept[:max_length]
