"""Labelled synthetic papers for reading documents (archives.reading): medical e-invoices and settlement sheets with
the facts they carry, drawn as a phone would photograph them, or as the PDF and OFD e-invoices hospitals issue.

The tests and `bench/documents.py` draw their own: a page drawn with Debian's Noto CJK at a rotation, with blur, a
JPEG quality and a perspective like a photo on a desk; a PDF with a text layer (WeasyPrint); an OFD (GB/T 33190: a zip
of XML, each text object with its boundary); the e-invoice's QR code (segno). `facts` is what a reader must find.
"""
import io
import random
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFilter

from huzhu.demo.documents import font

HOSPITALS = ("包头市中心医院", "内蒙古医科大学附属医院", "赤峰市医院", "通辽市医院", "鄂尔多斯市中心医院", "呼伦贝尔市人民医院")
NAMES = ("王秀兰", "李建国", "张丽", "刘志强", "陈芳", "乌云其木格", "巴特尔", "赵桂芳")
DIAGNOSES = (("J18.900", "肺炎"), ("I63.900", "脑梗死"), ("K80.200", "胆囊结石"), ("I21.900", "急性心肌梗死"),
             ("S72.000", "股骨颈骨折"), ("E11.900", "2型糖尿病"))


@dataclass(frozen=True)
class Paper:
    kind: str            # invoice | settlement_sheet
    facts: dict[str, str]  # huzhu documents read's field names and values
    lines: list[tuple[str, str]]  # (label, value) as printed


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def invoice(rng: random.Random) -> Paper:
    fund = Decimal(rng.randrange(200_000, 3_000_000)) / 100
    account = Decimal(rng.randrange(0, 50_000)) / 100
    self_funded = Decimal(rng.randrange(0, 300_000)) / 100
    cash = Decimal(rng.randrange(50_000, 1_500_000)) / 100
    total = fund + account + cash
    issued = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 330))
    # the code: region 15, class and kind, the year of issue (DATA.md)
    facts = {"invoice_code": f"15{rng.randrange(0, 10**4):04d}{issued.year % 100:02d}", "invoice_number": f"{rng.randrange(0, 10**10):010d}",
             "check_code": "".join(rng.choice("0123456789abcdef") for _ in range(6)),
             "payer_name": rng.choice(NAMES), "issued_on": issued.isoformat(), "hospital_name": rng.choice(HOSPITALS),
             "total_amount": _money(total), "fund_paid_amount": _money(fund), "personal_account_amount": _money(account),
             "cash_amount": _money(cash), "self_funded_amount": _money(self_funded)}
    lines = [("票据代码", facts["invoice_code"]), ("票据号码", facts["invoice_number"]), ("校验码", facts["check_code"]),
             ("交款人", facts["payer_name"]), ("开票日期", issued.strftime("%Y年%m月%d日")),
             ("收款单位", facts["hospital_name"]), ("合计（小写）", f"¥{total:,.2f}"),
             ("医保统筹基金支付", f"{fund:,.2f}"), ("个人账户支付", f"{account:,.2f}"),
             ("个人现金支付", f"{cash:,.2f}"), ("自费", f"{self_funded:,.2f}")]
    return Paper("invoice", facts, lines)


def settlement_sheet(rng: random.Random) -> Paper:
    admitted = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 300))
    discharged = admitted + timedelta(days=rng.randrange(2, 25))
    fund = Decimal(rng.randrange(200_000, 3_000_000)) / 100
    serious = Decimal(rng.randrange(0, 200_000)) / 100
    in_policy = Decimal(rng.randrange(50_000, 800_000)) / 100
    out_of_policy = Decimal(rng.randrange(0, 200_000)) / 100
    self_funded = Decimal(rng.randrange(0, 100_000)) / 100
    total = fund + serious + in_policy + out_of_policy + self_funded
    code, name = rng.choice(DIAGNOSES)
    facts = {"payer_name": rng.choice(NAMES), "hospital_name": rng.choice(HOSPITALS),
             "admitted_on": admitted.isoformat(), "discharged_on": discharged.isoformat(), "diagnosis": f"{code} {name}",
             "total_amount": _money(total), "fund_paid_amount": _money(fund), "serious_illness_amount": _money(serious),
             "policy_self_pay_amount": _money(in_policy), "out_of_policy_amount": _money(out_of_policy),
             "self_funded_amount": _money(self_funded)}
    lines = [("姓名", facts["payer_name"]), ("定点医疗机构名称", facts["hospital_name"]),
             ("入院日期", facts["admitted_on"]), ("出院日期", facts["discharged_on"]), ("主要诊断", f"{code} {name}"),
             ("医疗费总额", f"{total:,.2f}"), ("统筹基金支付", f"{fund:,.2f}"), ("大病保险支付", f"{serious:,.2f}"),
             ("政策范围内个人自付", f"{in_policy:,.2f}"), ("政策范围外个人自付", f"{out_of_policy:,.2f}"),
             ("全自费", f"{self_funded:,.2f}")]
    return Paper("settlement_sheet", facts, lines)


TITLES = {"invoice": "内蒙古自治区医疗住院收费票据（电子）", "settlement_sheet": "医疗保障基金结算清单"}


def qr_payload(paper: Paper) -> str:
    """The QR code's text as the e-invoice platforms print it: code, number, check code, total, date."""
    facts = paper.facts
    return ",".join(("01", facts["invoice_code"], facts["invoice_number"], facts["check_code"],
                     facts["total_amount"], facts["issued_on"].replace("-", "")))


def _printed(title: str, lines: list[tuple[str, str]], *, foot: int = 40) -> Image.Image:
    """A page as printed: a frame, the title, label and value columns (A5 at about 150 dpi); `foot` px below."""
    image = Image.new("RGB", (1100, 120 + foot + 62 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, image.width - 11, image.height - 11), outline=(150, 30, 30), width=3)
    draw.text((image.width // 2, 60), title, fill=(150, 20, 20), font=font(38), anchor="mm")
    for n, (label, value) in enumerate(lines):
        draw.text((60, 120 + 62 * n), label, fill=(60, 60, 60), font=font(30))
        draw.text((420, 120 + 62 * n), value, fill=(0, 0, 0), font=font(30))
    return image


def page_image(paper: Paper, *, with_qr: bool = False) -> Image.Image:
    """The paper as printed, with the e-invoice's QR code when asked."""
    image = _printed(TITLES[paper.kind], paper.lines)
    if with_qr:
        import segno

        buffer = io.BytesIO()
        segno.make(qr_payload(paper), error="m").save(buffer, kind="png", scale=6, border=2)
        image.paste(Image.open(buffer).convert("RGB"), (image.width - 300, 110))
    return image


def photo(image: Image.Image, rng: random.Random, *, rotation: int = 0, blur: float = 0.0, quality: int = 85,
          tilt: float = 0.0) -> bytes:
    """As a phone photographs it: on a grey desk, tilted by `tilt` (a perspective), turned by `rotation` degrees,
    blurred, saved as a JPEG of `quality`."""
    width, height = image.size
    pad = 80
    desk = Image.new("RGB", (width + 2 * pad, height + 2 * pad), (128, 124, 118))
    desk.paste(image, (pad, pad))
    if tilt:
        shift = tilt * width
        quad = (0 - shift, 0, 0, desk.height, desk.width, desk.height, desk.width + shift, 0)
        desk = desk.transform(desk.size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=(128, 124, 118))
    if rotation:
        desk = desk.rotate(rotation, expand=True, fillcolor=(128, 124, 118), resample=Image.Resampling.BICUBIC)
    if blur:
        desk = desk.filter(ImageFilter.GaussianBlur(blur))
    buffer = io.BytesIO()
    desk.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def pdf(paper: Paper) -> bytes:
    """A PDF e-invoice with a text layer (WeasyPrint, Noto CJK)."""
    from weasyprint import HTML

    rows = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in paper.lines)
    html = (f"<html><head><style>body{{font-family:'Noto Sans CJK SC';font-size:12pt}} td{{padding:4pt 12pt}}</style>"
            f"</head><body><h1>{TITLES[paper.kind]}</h1><table>{rows}</table></body></html>")
    return HTML(string=html).write_pdf()


def ofd(paper: Paper) -> bytes:
    """An OFD e-invoice (GB/T 33190): OFD.xml, a document and one page whose text objects carry their boundary."""
    objects = [f'<ofd:TextObject ID="{n}" Boundary="10 {8 + 8 * (n // 2)} 60 6" Font="1" Size="4">'
               f'<ofd:TextCode X="0" Y="5">{text}</ofd:TextCode></ofd:TextObject>'
               for n, text in enumerate(part for line in paper.lines for part in line)]
    for n in range(1, len(objects), 2):  # the value stands to the right of its label, on its row
        objects[n] = objects[n].replace('Boundary="10 ', 'Boundary="75 ')
    page = ('<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content>'
            f'<ofd:Layer ID="100">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
                                    'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml'
                                    '</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        archive.writestr("Doc_0/Document.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:Document '
                                               'xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Pages><ofd:Page ID="1" '
                                               'BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>')
        archive.writestr("Doc_0/Pages/Page_0/Content.xml", page)
    return buffer.getvalue()


EXAMPLE_LINES = {  # the example picture of each document kind on the phone's checklist: invented, marked 示例
    "id_card": ("居民身份证（人像面与国徽面）", [("姓名", "王秀兰"), ("性别", "女    民族 汉"), ("出生", "1985年3月2日"),
                                           ("住址", "内蒙古包头市昆都仑区"), ("公民身份号码", "150203 1985 0302 ****")]),
    "bank_card": ("本人银行卡（正面，卡号清晰）", [("开户银行", "中国工商银行"), ("卡号", "6222 **** **** 0000"),
                                         ("持卡人", "王秀兰")]),
    "discharge_summary": ("出院小结", [("姓名", "王秀兰"), ("入院日期", "2026-03-01"), ("出院日期", "2026-03-11"),
                                   ("出院诊断", "J18.900 肺炎"), ("医师签名", "（签章）")]),
    "pathology_report": ("病理诊断报告", [("姓名", "王秀兰"), ("送检日期", "2026-03-05"), ("病理诊断", "（乳腺）浸润性导管癌"),
                                     ("报告医师", "（签章）")]),
    "diagnosis_certificate": ("诊断证明书", [("姓名", "王秀兰"), ("诊断", "C50.900 乳腺恶性肿瘤"), ("医疗机构", "包头市中心医院（盖章）")]),
    "cost_statement": ("门诊费用明细", [("姓名", "王秀兰"), ("费用期间", "2026-01-01 至 2026-06-30"), ("费用合计", "3,260.00")]),
    "chronic_approval": ("门诊慢特病待遇审批表", [("姓名", "王秀兰"), ("病种", "2型糖尿病"), ("审批机构", "医疗保障局（盖章）")]),
    "death_certificate": ("居民死亡医学证明（推断）书", [("姓名", "王秀兰"), ("死亡日期", "2026-03-11"), ("签发机构", "（盖章）")]),
    "household_deregistration": ("户籍注销证明", [("姓名", "王秀兰"), ("注销原因", "死亡"), ("派出所", "（盖章）")]),
    "cremation_certificate": ("火化证明", [("姓名", "王秀兰"), ("火化日期", "2026-03-14"), ("殡仪馆", "（盖章）")]),
}


def example_image(kind: str) -> Image.Image:
    """The example picture of a document kind (invented facts, marked 示例), 640 px wide at most."""
    rng = random.Random(2026)
    if kind in ("invoice", "settlement_sheet"):
        image = page_image(invoice(rng) if kind == "invoice" else settlement_sheet(rng), with_qr=kind == "invoice")
    else:
        title, lines = EXAMPLE_LINES[kind]
        image = _printed(title, lines, foot=80)
    ImageDraw.Draw(image).text((image.width - 40, image.height - 30), "示例 · 信息为虚构", fill=(180, 60, 60),
                               font=font(28), anchor="rs")
    image.thumbnail((640, 640))
    return image
