"""A study as a Chinese PDF (WeasyPrint, SVG charts) and as an XLSX workbook (one sheet per table)."""
from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from huzhu.core.spreadsheets import xlsx_row

from . import charts
from .models import Study


def render_pdf(study: Study) -> bytes:
    """The study's report: inputs, figures, charts (SVG) and tables, in Chinese."""
    from weasyprint import HTML  # imported here: loading WeasyPrint costs a second at start-up

    with translation.override(settings.LANGUAGE_CODE):  # the PDF report is in Chinese whatever the page language
        html = render_to_string("actuarial/report.html", {
            "study": study, "results": study.results, "svgs": charts.svg_charts(study.kind, study.results),
            "printed_at": timezone.localtime(), "inputs": input_rows(study)})
    return HTML(string=html).write_pdf()


def input_rows(study: Study) -> list[tuple[str, str]]:
    """The study's inputs with Chinese labels (a what-if's terms are shown as their changes)."""
    from .inputs import FIELD_LABELS

    rows = []
    for key, value in study.inputs.items():
        if key == "terms":
            continue
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = _("是") if value else _("否")
        elif value is None:
            value = _("默认")
        rows.append((_(FIELD_LABELS.get(key, key)), str(value)))
    return rows


def _yuan(fen) -> float | None:
    return None if fen is None else round(int(fen) / 100, 2)


def sheets(study: Study) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) of the study's tables."""
    r = study.results
    if study.kind == "experience":
        headers = ["分组", "保障人数", "保障人年", "补助件数", "补助金（元）", "互助金（元）", "出险频率",
                   "频率下限", "频率上限", "件均补助（元）", "件均下限", "件均上限", "人均赔付成本（元）",
                   "成本下限", "成本上限", "赔付率"]

        def row(c):
            return [c["label"], c["coverages"], c["exposure"], c["claims"], _yuan(c["benefit_fen"]),
                    _yuan(c["contribution_fen"]), c["frequency"], c["frequency_low"], c["frequency_high"], c["severity"],
                    c["severity_low"], c["severity_high"], c["burning_cost"], c["burning_cost_low"],
                    c["burning_cost_high"], c["loss_ratio"]]
        result = [("合计与年度", headers, [row(r["total"]), *[row(y) for y in r["years"]]])]
        for dimension, rows in r["by"].items():
            result.append((f"按{r['dimension_labels'].get(dimension, dimension)}", headers, [row(c) for c in rows]))
        return result
    if study.kind == "ibnr":
        result = []
        for key, name in (("report", "报告进展（件数）"), ("payment", "支付进展（件数）")):
            triangle = r["triangles"][key]
            result.append((name, ["出险月", *[f"第{lag}月" for lag in triangle["lags"]]],
                           [[o, *cells] for o, cells in zip(triangle["origins"], triangle["count"])]))
            result.append((name.replace("件数", "金额"), ["出险月", *[f"第{lag}月" for lag in triangle["lags"]]],
                           [[o, *[_yuan(c) for c in cells]] for o, cells in zip(triangle["origins"], triangle["amount_fen"])]))
        headers = ["出险期", "已报告（元）", "IBNR（元）", "最终赔款（元）", "Mack 标准误"]
        for key, name in (("reported", "链梯法（按报告）"), ("paid", "链梯法（按支付）")):
            if r.get(key):
                result.append((name, headers, [[x["origin"], x["latest"], x["ibnr"], x["ultimate"], x["mack_se"]]
                                               for x in r[key]["rows"]]))
        methods = r.get("methods")
        if methods:
            names = [methods["labels"][code] for code in methods["methods"]]
            result.append(("多种方法比较", ["出险期", "已报告（元）", "互助金收入（元）", "已报告比例", *names, "Mack 标准误"],
                           [[x["origin"], x["latest"], x["exposure"], x["reported_share"],
                             *[x[code] for code in methods["methods"]], x["mack_se"]] for x in methods["rows"]]
                           + [["合计", methods["latest"], methods["exposure"], None,
                               *[methods["totals"][code] for code in methods["methods"]], methods["mack_se"]]]))
            reg = methods["regulatory"]
            rows = [["比较的方法", "、".join(methods["labels"][c] for c in reg["methods"])],
                    ["较大者", methods["labels"][reg["method"]]], ["较大者金额（元）", reg["largest"]],
                    ["经验数据年数", reg["data_years"]], ["当年已付补助金（元）", reg["paid_in_year"]],
                    ["10% 下限（元）", reg["floor"]], ["监管口径 IBNR（元）", reg["amount"]],
                    ["预期赔付率", methods["expected_loss_ratio"]]]
            bootstrap = methods.get("bootstrap") or {}
            if bootstrap.get("simulations"):
                rows += [["自助法模拟次数", bootstrap["simulations"]], ["自助法均值（元）", bootstrap["mean"]],
                         ["自助法标准差（元）", bootstrap["sd"]],
                         *[[f"{p['p']}% 分位数（元）", p["value"]] for p in bootstrap["percentiles"]]]
            result.append(("监管口径", ["指标", "数值"], rows))
        return result
    if study.kind == "whatif":
        headers = ["年度", "已决申领", "职工", "已付补助金（元）", "现行条款（元）", "测算条款（元）", "差额（元）",
                   "现行赔付率", "测算赔付率", "增加人数", "减少人数", "增加合计（元）", "减少合计（元）"]
        rows = [[y["year"], y["claims"], y["workers"], _yuan(y["stored_fen"]), _yuan(y["current_fen"]),
                 _yuan(y["proposed_fen"]), _yuan(y["difference_fen"]), y["current_loss_ratio"], y["proposed_loss_ratio"],
                 y["winners"], y["losers"], _yuan(y["winners_gain_fen"]), _yuan(y["losers_loss_fen"])]
                for y in r["years"]]
        return [("测算结果", headers, rows),
                ("补助金变化分布", ["变化", "职工人数"], [[d["label"], d["workers"]] for d in r["total"]["distribution"]]),
                ("条款变化", ["条款", "现行", "测算"], [[c["label"], c["before"], c["after"]] for c in r["changes"]])]
    if study.kind == "pricing":
        headers = ["盟市", "年数", "保障人年", "补助件数", "出险频率", "件均补助（元）", "经验人均赔付成本（元）", "信度因子 Z",
                   "信度加权成本（元）", "对应互助金（元/人）"]
        rows = [[x["label"], x["years"], x["exposure"], x["claims"], x["frequency"], x["severity"], x["burning_cost"],
                 x["credibility"], x["blended"], x["contribution"]] for x in r["rows"]]
        summary = [["先验人均赔付成本（元）", r["prior"]], ["全区经验均值（元）", r["collective"]],
                   ["年度间方差", r["within_variance"]], ["盟市间方差", r["between_variance"]], ["k", r["k"]],
                   ["可用于补助比例", r["benefit_share"]], ["补助水平系数", r["cost_factor"]], ["成本趋势", r["trend"]],
                   ["现行互助金（元/人）", r["current_contribution"]], ["建议互助金（元/人）", r["recommended"]]]
        return [("按盟市信度定价", headers, rows), ("定价汇总", ["指标", "数值"], summary)]
    if study.kind == "reserve":
        a, n = r["adequacy"], r["needed"]
        rows = [["年出险频率", r["fit"]["frequency"]], ["对数均值 μ", r["fit"]["mu"]], ["对数标准差 σ", r["fit"]["sigma"]],
                ["件均补助（元，按上限截断）", r["fit"]["mean_severity"]],
                ["每人每年补助上限（元）", r["fit"].get("year_cap")],
                ["下一年度保障人年", r["next_exposure"]], ["每人互助金（元）", r["contribution_amount"]],
                ["总准备金（元）", r["reserve_amount"]], ["可用于补助比例", r["benefit_share"]],
                ["模拟补助金均值（元）", a["mean"]], ["标准差（元）", a["sd"]],
                *[[f"分位数 {k}", v] for k, v in a["quantiles"].items()],
                ["可用资金（元）", a["available"]], ["资金不足概率", a["shortfall_probability"]],
                ["按目标赔付率所需互助金（元/人）", n["for_loss_ratio"]], ["按不足概率所需互助金（元/人）", n["for_shortfall"]],
                ["建议互助金（元/人）", n["needed"]]]
        return [("准备金充足性", ["指标", "数值"], rows)]
    return []


def render_xlsx(study: Study) -> bytes:
    """The study's tables as a workbook, in Chinese like the PDF report."""
    with translation.override(settings.LANGUAGE_CODE):
        return _workbook(study)


def _workbook(study: Study) -> bytes:
    workbook = Workbook(write_only=True)
    info = workbook.create_sheet("说明")
    info.append(xlsx_row(info, ["测算", study.title]))
    info.append(["类型", study.get_kind_display()])
    info.append(["创建时间", timezone.localtime(study.created_at).strftime("%Y-%m-%d %H:%M")])
    for label, value in input_rows(study):
        info.append(xlsx_row(info, [label, value]))
    for title, headers, rows in sheets(study):
        sheet = workbook.create_sheet(title[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append(xlsx_row(sheet, list(row)))  # titles and labels never run as formulas
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
