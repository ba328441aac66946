"""Chinese labels for the fields of a terms document, for forms, error messages and diffs."""
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from huzhu.core.money import display_yuan

from .documents import document_name

# Keys whose values are rates (0.50); forms show and take them as percentages (50).
PERCENT_KEYS = frozenset({"rate", "min_rate", "reserve_rate", "working_funds_rate"})

FIELD_LABELS = {
    "plan": _("项目"),
    "year": _("年度"),
    "protection_start_on": _("保障期开始日"),
    "protection_end_on": _("保障期结束日（含）"),
    "enrollment_opens_on": _("参互开始日"),
    "enrollment_closes_on": _("参互截止日"),
    "contribution_amount": _("互助金（元/人·年）"),
    "subsidy_amount": _("工会补助（元/人·年）"),
    "mid_year_join": _("允许年中加入"),
    "claim_deadline_days": _("申领时限（保障期结束后天数）"),
    "annual_cap_amount": _("年度最高补助（元）"),
    "eligibility": _("参互条件"),
    "min_age": _("最低年龄"),
    "max_age_male": _("男性年龄上限（不含）"),
    "max_age_female": _("女性年龄上限（不含）"),
    "genders": _("性别"),
    "worker_kinds": _("职工类别"),
    "participation": _("参互率要求"),
    "basis": _("计算基数"),
    "all_required_up_to": _("须全员参加的单位人数上限"),
    "inpatient": _("住院补助"),
    "bands": _("分段"),
    "lower_amount": _("下限（元）"),
    "upper_amount": _("上限（元，空 = 以上）"),
    "rate": _("比例（%）"),
    "min_rate": _("最低参互率（%）"),
    "minimum_amount": _("每次住院最低补助（元）"),
    "allowance": _("住院补贴"),
    "daily_amounts": _("每日补贴（元，按连续参互第 1、2、3… 年）"),
    "max_days_per_year": _("每年最多天数"),
    "min_days_per_stay": _("每次最少计算天数"),
    "outpatient": _("门诊慢特病"),
    "deductible_amount": _("年度起付线（元）"),
    "women": _("女性馨康"),
    "tiers": _("给付档次"),
    "code": _("档次代码"),
    "name": _("名称"),
    "amount": _("金额（元）"),
    "icd10_prefixes": _("ICD-10 编码前缀"),
    "procedures": _("手术代码"),
    "documents": _("申领材料"),
    "diagnosis": _("确诊疾病"),
    "procedure": _("手术"),
    "outpatient_chronic": _("门诊慢特病"),
    "deceased_extra": _("职工身故时另需"),
    "review_days_simple": _("审核时限（工作日）"),
    "review_days_complex": _("复杂案件审核时限（工作日）"),
    "reserve_rate": _("总准备金提取比例（%）"),
    "working_funds_rate": _("工作经费比例上限（%）"),
    "terms": _("条款"),
    "reason": _("修订原因"),
}

# A list item's label: "第 2 档" for bands and tiers.
ITEM_LABELS = {"bands": _("第 {n} 段"), "tiers": _("第 {n} 档")}


def path_label(path: str) -> str:
    """'inpatient.bands.1.rate' → '住院补助 · 第 2 段 · 比例（%）'."""
    from .documents import CLAIM_TYPE_NAMES

    keys = path.split(".") if path else ["terms"]
    parts: list[str] = []
    for position, key in enumerate(keys):
        previous = keys[position - 1] if position else ""
        following = keys[position + 1] if position + 1 < len(keys) else ""
        if key.isdigit():
            parts.append(str(ITEM_LABELS.get(previous, _("第 {n} 项"))).format(n=int(key) + 1))
        elif following.isdigit() and key in ITEM_LABELS:
            continue  # "第 2 段" says it already
        elif previous == "documents":
            parts.append(str(CLAIM_TYPE_NAMES.get(key, key)))
        else:
            parts.append(str(FIELD_LABELS.get(key, key)))
    return " · ".join(parts)


def is_percent(path: str) -> bool:
    return path.rsplit(".", 1)[-1] in PERCENT_KEYS


def display_value(path: str, value) -> str:
    """A document value as a person reads it: rates as %, booleans as 是/否, documents by name."""
    if value is None:
        return str(_("不设"))
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        if path.startswith("documents."):
            return "、".join(document_name(code) for code in value) or str(_("无"))
        return "、".join(str(item) for item in value) or str(_("无"))
    if is_percent(path):
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    return str(value)


# Codes inside terms that people should read as words.
CHOICE_NAMES = {
    "genders": {"M": _("男"), "F": _("女")},
    "worker_kinds": {"employee": _("在职职工"), "gig": _("新就业形态劳动者")},
    "basis": {"eligible": _("符合条件的职工"), "female": _("女职工")},
    "procedures": {"total_hysterectomy": _("全子宫切除术"), "bilateral_oophorectomy": _("双侧卵巢切除术")},
}


def choice_name(kind: str, code: str) -> str:
    return str(CHOICE_NAMES.get(kind, {}).get(code, code))


def yuan_text(value) -> str:
    """An amount as people write it: 10000 → '10,000'; 12.5 → '12.50'."""
    if value is None or value == "":
        return ""
    return display_yuan(Decimal(str(value)), whole=True)
