"""Pydantic's errors on a terms document, as Chinese messages keyed by field path."""
from django.utils.translation import gettext as _
from pydantic import ValidationError

from .labels import is_percent

# Whole-document checks (terms.PlanYearTerms and its parts): the field to blame and the message.
MODEL_ERRORS = {
    "protection_end_on is before protection_start_on": ("protection_end_on", "保障期结束日不能早于开始日"),
    "enrollment_closes_on is before enrollment_opens_on": ("enrollment_closes_on", "参互截止日不能早于开始日"),
    "subsidy_amount exceeds contribution_amount": ("subsidy_amount", "工会补助不能超过互助金"),
    "hospitalization terms need inpatient, allowance and outpatient parts": (
        "", "住院互助须包含住院补助、住院补贴和门诊慢特病三部分"),
    "women_health terms need the women part": ("", "女性馨康须包含给付档次"),
    "the first band must start at 0": ("bands.0.lower_amount", "第一段必须从 0 开始"),
    "bands must be contiguous and only the last may be open": (
        "bands", "各段必须首尾相接（上一段上限 = 下一段下限），只有最后一段可以不设上限"),
    "a band's upper bound must be above its lower bound": ("bands", "每段的上限必须高于下限"),
}


def _message(error: dict, path: str) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind == "extra_forbidden":
        return _("不认识的字段")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(context.values()))
        if is_percent(path):
            bound = f"{bound * 100:g}%"
        word = {"greater_than_equal": _("不能小于"), "greater_than": _("必须大于"),
                "less_than_equal": _("不能大于"), "less_than": _("必须小于")}[kind]
        return f"{word} {bound}"
    if kind.startswith("decimal") or kind.startswith("float"):
        return _("应为数字")
    if kind.startswith("int"):
        return _("应为整数")
    if kind.startswith("date"):
        return _("应为日期（年-月-日）")
    if kind.startswith("bool"):
        return _("应为是或否")
    if kind == "literal_error":
        return _("取值不在允许范围内：{allowed}").format(allowed=context.get("expected", ""))
    if kind in ("too_short", "too_long"):
        return _("项数不符合要求")
    if kind == "string_pattern_mismatch":
        return _("格式不正确")
    if kind.startswith("string"):
        return _("应为文字")
    return error["msg"]


def terms_errors(exc: ValidationError) -> dict[str, str]:
    """Every error of a terms document: {'inpatient.bands.0.rate': '不能大于 100%', ...}, first per field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        if error["type"] == "value_error":
            text = str(error.get("ctx", {}).get("error", error["msg"]))
            field, message = MODEL_ERRORS.get(text, ("", text))
            if field.startswith("bands"):
                field = ".".join(p for p in (path, field) if p)
            errors.setdefault(field or path, _(message))
            continue
        errors.setdefault(path, _message(error, path))
    return errors
