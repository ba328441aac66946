"""The text of an uploaded document, from its best source: a PDF's text layer, an OFD's XML (GB/T 33190), the QR code
of an e-invoice (zxing-cpp), else Chinese OCR of the photo or scan (rapidocr: PP-OCRv4 in its wheel, on the CPU, no
network). A photo is turned upright (its EXIF orientation, then the quarter turn the OCR reads best) before it is read.
"""
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree import ElementTree

from huzhu.core.translation import TranslatableError, gettext_noop

from .fields import Line, label_count

MAX_PIXELS = 3000  # a phone photo is scaled down to this on its long side before OCR (speed; the text stays legible)
ENOUGH_LABELS = 3  # a page read with this many labels in order is upright; fewer, the other turns are tried


class Unreadable(TranslatableError):
    """The file is no document this reads (not PDF, OFD or an image), or photos cannot be read here."""


@dataclass
class Text:
    source: str  # pdf_text | ofd | ocr | none
    lines: list[Line] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)


def text_of(content: bytes) -> Text:
    if content.startswith(b"%PDF"):
        return _pdf(content)
    if content.startswith(b"PK\x03\x04"):
        return _ofd(content)
    return _image_text(_image(content))


def _image(content: bytes):
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise Unreadable(gettext_noop("不是可识别的文件：请上传 PDF、OFD 电子票据或照片（JPEG、PNG）")) from exc
    image = ImageOps.exif_transpose(image).convert("RGB")
    if max(image.size) > MAX_PIXELS:
        image.thumbnail((MAX_PIXELS, MAX_PIXELS))
    return image


def _pdf(content: bytes) -> Text:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        pages = list(reader.pages)[:5]
        lines = [Line(text) for page in pages for text in (page.extract_text() or "").splitlines() if text.strip()]
        images = [picture.image for page in pages for picture in page.images if picture.image is not None]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise Unreadable(gettext_noop("PDF 文件已损坏，无法读取")) from exc
    qr = [payload for picture in images for payload in _qr_codes(picture)]
    if sum(len(line.text) for line in lines) >= 20:
        return Text("pdf_text", lines, qr)
    scanned = [line for picture in images[:3] for line in _image_text(picture.convert("RGB")).lines]
    return Text("ocr" if scanned else "none", scanned, qr)


def _ofd(content: bytes) -> Text:
    """An OFD file: the text objects of its pages' Content.xml, in rows by their boundary's y, each row by x."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise Unreadable(gettext_noop("OFD 文件已损坏，无法读取")) from exc
    if "OFD.xml" not in names:
        raise Unreadable(gettext_noop("压缩文件不是 OFD 电子票据（缺少 OFD.xml）"))
    pages = sorted((n for n in names if re.search(r"Pages/Page_\d+/Content\.xml$", n)),
                   key=lambda n: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", n)])
    lines: list[Line] = []
    for page in pages[:5]:
        cells = []
        for element in ElementTree.fromstring(archive.read(page)).iter():
            if element.tag.rsplit("}", 1)[-1] != "TextObject":
                continue
            text = "".join(code.text or "" for code in element if code.tag.rsplit("}", 1)[-1] == "TextCode")
            box = [float(v) for v in (element.get("Boundary") or "0 0 0 0").split()[:4]]
            if text.strip():
                cells.append((round(box[1] + box[3] / 2), box[0], text))
        rows: dict[int, list[tuple[float, str]]] = {}
        for y, x, text in sorted(cells):
            row = next((r for r in rows if abs(r - y) <= 2), y)
            rows.setdefault(row, []).append((x, text))
        lines += [Line(" ".join(text for _x, text in sorted(rows[row]))) for row in sorted(rows)]
    qr = []
    for name in names:
        if name.lower().endswith((".png", ".jpg", ".jpeg", ".bmp")):
            try:
                qr += _qr_codes(_image(archive.read(name)))
            except Unreadable:
                continue
    return Text("ofd", lines, qr)


def _qr_codes(image) -> list[str]:
    import zxingcpp

    return [found.text for found in zxingcpp.read_barcodes(image.convert("L")) if found.text]


@lru_cache(maxsize=1)
def _engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # OpenCV's wheel needs the system's libGL (Debian: apt-get install libgl1)
        raise Unreadable(gettext_noop("本机无法识别照片：缺少系统库 libGL（请管理员安装 libgl1）；电子票据和二维码不受影响")) from exc
    return RapidOCR()


def _ocr(image) -> tuple[list[Line], float]:
    """The lines OCR reads, in its order (rows top to bottom), and the share of its boxes standing upright (taller
    than wide: the page lies on its side)."""
    import numpy as np

    result, _elapsed = _engine()(np.asarray(image)[:, :, ::-1])  # RGB to the BGR it expects
    result = result or []
    slopes = sorted(math.atan2(box[1][1] - box[0][1], box[1][0] - box[0][0]) for box, text, _s in result if len(text) >= 4)
    skew = slopes[len(slopes) // 2] if slopes else 0.0  # the page's tilt: the median slope of the boxes' top edges
    cos, sin = math.cos(skew), math.sin(skew)
    boxes = []
    tall = 0
    for box, text, score in result:
        xs, ys = [point[0] for point in box], [point[1] for point in box]
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        tall += len(text) >= 2 and height > 1.5 * width
        x, y = sum(xs) / 4, sum(ys) / 4  # the centre, turned back by the skew so a printed row is level
        boxes.append((y * cos - x * sin, x * cos + y * sin - width / 2, height * cos, text, float(score)))
    return _rows(boxes), tall / max(1, len(boxes))


def _rows(boxes: list[tuple[float, float, float, str, float]]) -> list[Line]:
    """The OCR's boxes (centre y, left x, height, text, score) joined into printed rows: boxes whose centres lie within
    half a line of each other are one row, read left to right (a label and its value are one line then)."""
    rows: list[list[tuple[float, float, float, str, float]]] = []
    for box in sorted(boxes):
        if rows and abs(box[0] - rows[-1][0][0]) <= 0.5 * max(box[2], rows[-1][0][2]):
            rows[-1].append(box)
        else:
            rows.append([box])
    return [Line(" ".join(b[3] for b in sorted(row, key=lambda b: b[1])), min(b[4] for b in row)) for row in rows]


def _score(lines: list[Line]) -> tuple[int, float]:
    """Labels found first (a page read upright finds its labels before their values), then the sure characters."""
    return label_count(lines), sum(line.confidence * len(line.text) for line in lines)


def _image_text(image) -> Text:
    """OCR of an image, upright: as it is, else the quarter turn that reads best; its QR codes."""
    qr = _qr_codes(image)
    try:
        best, on_its_side = _ocr(image)
    except Unreadable:
        if qr:  # no OCR on this machine: the QR code alone still reads
            return Text("none", [], qr)
        raise
    if on_its_side > 0.5 or label_count(best) < ENOUGH_LABELS:
        for angle in ((90, 270, 180) if on_its_side > 0.5 else (180, 90, 270)):
            turned, _side = _ocr(image.rotate(angle, expand=True))
            if _score(turned) > _score(best):
                best = turned
            if label_count(best) >= ENOUGH_LABELS and _side <= 0.5:
                break
    return Text("ocr" if best else "none", best, qr)
