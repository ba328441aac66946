"""Demo claim documents: small generated scans (PNG) of an invoice, a settlement sheet, a report.

No internet and no real scans: each page is drawn with Pillow from the claim's own facts (hospital,
dates, amounts), marked 演示样张, and archived through `archives.services.store_file` like an
upload, so the desk's document viewer, thumbnails and bundles have something to show. No personal
numbers are drawn on them.
"""
import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from huzhu.archives.kinds import DocumentKind
from huzhu.archives.services import store_file

# Debian's Noto CJK (fonts-noto-cjk); without it Pillow's own font draws the Latin parts only.
FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
TITLES = {
    DocumentKind.INVOICE: "医疗收费电子票据",
    DocumentKind.SETTLEMENT_SHEET: "基本医疗保险住院结算单",
    DocumentKind.DISCHARGE_SUMMARY: "出院小结",
    DocumentKind.PATHOLOGY_REPORT: "病理诊断报告",
    DocumentKind.DIAGNOSIS_CERTIFICATE: "诊断证明书",
    DocumentKind.COST_STATEMENT: "门诊费用明细",
}
# the documents each claim type gets in the demo (a subset of what the terms require)
KINDS_BY_TYPE = {
    "inpatient": (DocumentKind.INVOICE, DocumentKind.SETTLEMENT_SHEET),
    "outpatient_chronic": (DocumentKind.COST_STATEMENT, DocumentKind.INVOICE),
    "diagnosis": (DocumentKind.PATHOLOGY_REPORT, DocumentKind.INVOICE),
    "procedure": (DocumentKind.DISCHARGE_SUMMARY, DocumentKind.INVOICE),
}


@lru_cache(maxsize=4)
def font(size: int):
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def render_page(kind: str, lines: Sequence[tuple[str, str]], *, serial: str) -> bytes:
    """One A5-ish page (600 x 420 px PNG): the document's title, its lines, a demo stamp and a serial."""
    image = Image.new("RGB", (600, 420), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 591, 411), outline=(160, 40, 40), width=2)
    draw.text((300, 40), TITLES.get(kind, "申领材料"), fill=(150, 20, 20), font=font(26), anchor="mm")
    y = 84
    for label, value in lines:
        draw.text((40, y), label, fill=(70, 70, 70), font=font(17))
        draw.text((220, y), value, fill=(0, 0, 0), font=font(17))
        draw.line((36, y + 26, 564, y + 26), fill=(225, 225, 225))
        y += 36
    draw.text((560, 388), f"演示样张 No.{serial}", fill=(150, 150, 150), font=font(14), anchor="rm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # speed over size: a demo page
    return buffer.getvalue()


def archive_documents(*, claim_type: str, lines: Sequence[tuple[str, str]], serial: str) -> list[tuple[str, int]]:
    """Draw and archive the demo documents of one claim: (kind, stored file id) for each."""
    out = []
    for kind in KINDS_BY_TYPE.get(claim_type, (DocumentKind.INVOICE,)):
        content = render_page(kind, lines, serial=f"{serial}-{kind}")
        stored = store_file(actor=None, upload=content, name=f"{kind}-{serial}.png")
        out.append((str(kind), stored.pk))
    return out
