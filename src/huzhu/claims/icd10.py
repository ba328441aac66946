"""A small hand-written ICD-10 table for the desk form's diagnosis search.

TO BE VERIFIED against the official list (国家临床版 2.0 / 医保版 2.0): names were written by
hand from the WHO titles in common Chinese use (DATA.md). It covers the women's plan codes
(C50–C58, D05–D07) and frequent inpatient diagnoses; any well-formed code may still be typed.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnosis:
    code: str
    name: str


TABLE = tuple(Diagnosis(code, name) for code, name in (
    ("C50.900", "乳腺恶性肿瘤"), ("C51.900", "外阴恶性肿瘤"), ("C52.x00", "阴道恶性肿瘤"),
    ("C53.900", "子宫颈恶性肿瘤"), ("C54.100", "子宫内膜恶性肿瘤"), ("C54.900", "子宫体恶性肿瘤"),
    ("C55.x00", "子宫恶性肿瘤"), ("C56.x00", "卵巢恶性肿瘤"), ("C57.000", "输卵管恶性肿瘤"),
    ("C57.900", "女性生殖器官恶性肿瘤"), ("C58.x00", "胎盘恶性肿瘤"),
    ("D05.000", "乳腺小叶原位癌"), ("D05.100", "乳腺导管原位癌"), ("D05.900", "乳腺原位癌"),
    ("D06.900", "子宫颈原位癌"), ("D07.000", "子宫内膜原位癌"), ("D07.100", "外阴原位癌"), ("D07.200", "阴道原位癌"),
    ("D25.900", "子宫平滑肌瘤"), ("N83.200", "卵巢囊肿"),
    ("C15.900", "食管恶性肿瘤"), ("C16.900", "胃恶性肿瘤"), ("C18.900", "结肠恶性肿瘤"), ("C20.x00", "直肠恶性肿瘤"),
    ("C22.000", "肝细胞癌"), ("C34.900", "肺恶性肿瘤"), ("C61.x00", "前列腺恶性肿瘤"), ("C67.900", "膀胱恶性肿瘤"),
    ("C73.x00", "甲状腺恶性肿瘤"),
    ("I10.x00", "原发性高血压"), ("I20.000", "不稳定型心绞痛"), ("I21.900", "急性心肌梗死"),
    ("I25.100", "冠状动脉粥样硬化性心脏病"), ("I48.x00", "心房颤动"), ("I50.900", "心力衰竭"),
    ("I61.900", "脑出血"), ("I63.900", "脑梗死"), ("G45.900", "短暂性脑缺血发作"),
    ("J18.900", "肺炎"), ("J20.900", "急性支气管炎"), ("J44.100", "慢性阻塞性肺病急性加重"), ("J45.900", "哮喘"),
    ("A15.000", "肺结核"),
    ("K25.900", "胃溃疡"), ("K29.700", "胃炎"), ("K35.800", "急性阑尾炎"), ("K56.700", "肠梗阻"),
    ("K74.600", "肝硬化"), ("K80.200", "胆囊结石"),
    ("E10.900", "1型糖尿病"), ("E11.900", "2型糖尿病"),
    ("N18.900", "慢性肾脏病"), ("N20.000", "肾结石"), ("N40.x00", "前列腺增生"),
    ("O80.000", "单胎顺产"), ("O82.000", "剖宫产"),
    ("S06.900", "颅内损伤"), ("S72.000", "股骨颈骨折"), ("S82.800", "踝部骨折"),
    ("M17.900", "膝关节骨关节炎"), ("M51.202", "腰椎间盘突出"),
    ("H25.900", "老年性白内障"), ("F20.900", "精神分裂症"),
))
BY_CODE = {d.code.upper(): d for d in TABLE}


def search(text: str, *, limit: int = 15) -> list[Diagnosis]:
    """Rows whose code starts with the text or whose Chinese name contains it."""
    text = text.strip()
    if not text:
        return []
    upper = text.upper()
    return [d for d in TABLE if d.code.upper().startswith(upper) or text in d.name][:limit]


def name_of(code: str) -> str:
    """The table's name for a code (exact, then by its three-character category), or ""."""
    code = code.strip().upper()
    exact = BY_CODE.get(code)
    if exact:
        return exact.name
    return next((d.name for d in TABLE if d.code[:3] == code[:3]), "")
