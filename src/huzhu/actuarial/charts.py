"""Hand-made SVG bar charts for the PDF reports (WeasyPrint draws SVG; no script runs there). Pure."""
from __future__ import annotations

from collections.abc import Callable
from html import escape

from huzhu.core.translation import gettext_noop

COLOURS = ("#175cd3", "#f79009", "#027a48", "#b42318")


def _nice(value: float) -> float:
    """A round axis maximum at or above the value."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _tick(value: float) -> str:
    if value >= 10000:
        return f"{value / 10000:,.4g}万"
    return f"{value:,.4g}"


def bars(labels: list[str], series: list[tuple[str, list[float]]], *, title: str = "", unit: str = "",
         width: int = 640, height: int = 240, stacked: bool = False, intervals: list[tuple[float, float]] | None = None,
         line_at: float | None = None, line_label: str = "") -> str:
    """Vertical bars per label (grouped, or stacked), optional interval whiskers and a horizontal line."""
    left, right, top, bottom = 60, 10, 28 if title else 12, 54
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))] if stacked else \
        [max((values[i] for _, values in series), default=0) for i in range(len(labels))]
    highest = max([*totals, *(high for _, high in intervals or []), line_at or 0, 0])
    top_value = _nice(highest * 1.05)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="10">']
    if title:
        parts.append(f'<text x="{left}" y="16" font-size="12" font-weight="bold">{escape(title)}</text>')
    for tick in range(5):
        value = top_value * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{value:,.4g}{escape(unit)}</text>')
    slot = plot_w / max(len(labels), 1)
    groups = 1 if stacked else max(len(series), 1)
    bar_w = slot * 0.7 / groups
    for i, label in enumerate(labels):
        base = top + plot_h
        for s, (_, values) in enumerate(series):
            h = plot_h * max(values[i], 0) / top_value
            x = left + slot * i + slot * 0.15 + (0 if stacked else s * bar_w)
            y = base - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[s % len(COLOURS)]}"/>')
            if stacked:
                base = y
        if intervals:
            low, high = intervals[i]
            x = left + slot * i + slot / 2
            y_low, y_high = top + plot_h - plot_h * low / top_value, top + plot_h - plot_h * high / top_value
            parts.append(f'<line x1="{x:.1f}" y1="{y_low:.1f}" x2="{x:.1f}" y2="{y_high:.1f}" stroke="#101828"/>')
            for y in (y_low, y_high):
                parts.append(f'<line x1="{x - 4:.1f}" y1="{y:.1f}" x2="{x + 4:.1f}" y2="{y:.1f}" stroke="#101828"/>')
        if len(labels) <= 16 or i % max(1, len(labels) // 12) == 0:
            x = left + slot * i + slot / 2
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 12}" text-anchor="end" '
                         f'transform="rotate(-35 {x:.1f} {top + plot_h + 12})">{escape(str(label))}</text>')
    if line_at is not None:
        y = top + plot_h - plot_h * line_at / top_value
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#b42318" '
                     f'stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{width - right}" y="{y - 3:.1f}" text-anchor="end" fill="#b42318">'
                     f'{escape(line_label)}</text>')
    legend_x = left
    for s, (name, _) in enumerate(series if len(series) > 1 else []):
        parts.append(f'<rect x="{legend_x}" y="{height - 12}" width="10" height="8" fill="{COLOURS[s % len(COLOURS)]}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{height - 4}">{escape(name)}</text>')
        legend_x += 14 + 12 * len(name) + 10
    parts.append("</svg>")
    return "".join(parts)


def chart_series(kind: str, results: dict) -> list[dict]:
    """The charts of a study as plain series: the page draws them with ECharts, the PDF as SVG."""
    if not results:
        return []
    if kind == "experience":
        charts = []
        for dimension, rows in results.get("by", {}).items():
            name = results.get("dimension_labels", {}).get(dimension, dimension)
            rows = rows[:20]
            charts.append({
                "title": gettext_noop("按%(name)s：出险频率（‰，%(confidence)s 置信区间）"),
                "title_args": {"name": name, "confidence": f"{results['confidence']:.0%}"}, "unit": "‰",
                "labels": [r["label"] for r in rows],
                "series": [(gettext_noop("出险频率"), [round((r["frequency"] or 0) * 1000, 3) for r in rows])],
                "intervals": [(round((r["frequency_low"] or 0) * 1000, 3), round((r["frequency_high"] or 0) * 1000, 3))
                              for r in rows]})
            charts.append({
                "title": gettext_noop("按%(name)s：人均赔付成本（元）"), "title_args": {"name": name}, "unit": "",
                "labels": [r["label"] for r in rows],
                "series": [(gettext_noop("人均赔付成本"), [r["burning_cost"] or 0 for r in rows])],
                "intervals": [(r["burning_cost_low"] or 0, r["burning_cost_high"] or 0) for r in rows]})
        return charts
    if kind == "ibnr":
        rows = results["reported"]["rows"]
        charts = [{"title": gettext_noop("按出险月：已报告与 IBNR（元）"), "unit": "", "stacked": True,
                 "labels": [r["origin"] for r in rows],
                 "series": [(gettext_noop("已报告"), [r["latest"] for r in rows]), ("IBNR", [max(r["ibnr"], 0) for r in rows])]}]
        methods = results.get("methods") or {}
        if methods.get("rows"):
            charts.append({"title": gettext_noop("各方法 IBNR 合计（元）"), "unit": "",
                           "labels": [methods["labels"][code] for code in methods["methods"]],
                           "series": [("IBNR", [methods["totals"][code] for code in methods["methods"]])]})
        bootstrap = methods.get("bootstrap") or {}
        if bootstrap.get("simulations"):
            edges = bootstrap["histogram"]["edges"]
            charts.append({"title": gettext_noop("自助法：IBNR 合计的分布（次）"), "unit": "",
                           "labels": [f"{(a + b) / 2 / 10000:,.1f}万" for a, b in zip(edges, edges[1:])],
                           "series": [(gettext_noop("模拟次数"), bootstrap["histogram"]["counts"])],
                           "marker": _bin_of(edges, methods["regulatory"]["amount"]),
                           "marker_label": gettext_noop("监管口径 IBNR")})
        return charts
    if kind == "whatif":
        distribution = results["total"]["distribution"]
        years = results["years"]
        return [
            {"title": gettext_noop("受影响职工：年度补助金变化"), "unit": "人", "labels": [d["label"] for d in distribution],
             "series": [(gettext_noop("职工人数"), [d["workers"] for d in distribution])]},
            {"title": gettext_noop("各年度补助金：现行条款与测算条款（元）"), "unit": "", "labels": [str(y["year"]) for y in years],
             "series": [(gettext_noop("现行条款"), [y["current_fen"] / 100 for y in years]),
                        (gettext_noop("测算条款"), [y["proposed_fen"] / 100 for y in years])]},
        ]
    if kind == "pricing":
        rows = results["rows"]
        return [{"title": gettext_noop("各盟市人均赔付成本：经验与信度加权（元）"), "unit": "",
                 "labels": [r["label"] for r in rows],
                 "series": [(gettext_noop("经验"), [r["burning_cost"] for r in rows]),
                            (gettext_noop("信度加权"), [r["blended"] for r in rows])]}]
    if kind == "reserve":
        histogram = results["histogram"]
        edges = histogram["edges"]
        return [{"title": gettext_noop("下一年度补助金总额的模拟分布（次）"), "unit": "",
                 "labels": [f"{(a + b) / 2 / 10000:,.1f}万" for a, b in zip(edges, edges[1:])],
                 "series": [(gettext_noop("模拟年度数"), histogram["counts"])],
                 "marker": _bin_of(edges, results["adequacy"]["available"]), "marker_label": gettext_noop("可用资金")}]
    return []


def _bin_of(edges: list[float], value: float) -> int | None:
    for index, (low, high) in enumerate(zip(edges, edges[1:])):
        if low <= value < high:
            return index
    return None


def chart_title(chart: dict, translate: Callable[[str], str] = str) -> str:
    """A chart's title, its words (and the words put into it) passed through `translate` first."""
    args = {key: translate(value) if isinstance(value, str) else value for key, value in chart.get("title_args", {}).items()}
    return translate(chart["title"]) % args if args else translate(chart["title"])


def svg_charts(kind: str, results: dict) -> list[str]:
    """The study's charts as SVG for the PDF."""
    return [bars(c["labels"], c["series"], title=chart_title(c), unit=c.get("unit", ""), stacked=c.get("stacked", False),
                 intervals=c.get("intervals")) for c in chart_series(kind, results)]
