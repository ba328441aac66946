"""Plain-text and XLSX shapes of the campaign tables (shared by the command and the pages)."""
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from . import rules

PROGRESS_HEADERS = ("区划", "上年单位", "上年人数", "目标单位", "目标人数", "已参互单位", "其中续互", "其中新增",
                    "未续单位", "已参互人数", "单位完成率", "人数完成率", "人数较上年")


def percent(value: Decimal | None) -> str:
    """0.1234 -> '12.3%'; '—' when there is nothing to compare with."""
    return "—" if value is None else f"{value * 100:.1f}%"


def progress_cells(row: rules.Progress) -> list[str]:
    target_mark = "*" if row.target_is_default else ""
    return [row.name, str(row.units_last_year), str(row.people_last_year), f"{row.units_target}{target_mark}",
            f"{row.people_target}{target_mark}", str(row.units_enrolled), str(row.renewed_units),
            str(row.new_units), str(row.lost_units), str(row.people_enrolled), percent(row.units_attainment),
            percent(row.people_attainment), percent(row.people_vs_last_year)]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns aligned for a terminal, counting Chinese characters as two cells; numbers right-aligned."""
    rows = [list(r) for r in rows]
    widths = [max(_width(str(c)) for c in column) for column in zip(headers, *rows)]
    lines = []
    for index, row in enumerate([list(headers), *rows]):
        cells = []
        for column, (cell, width) in enumerate(zip(row, widths)):
            pad = " " * (width - _width(str(cell)))
            cells.append(f"{cell}{pad}" if column == 0 or index == 0 else f"{pad}{cell}")
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


EVALUATION_HEADERS = ("名次", "区划代码", "名称", "总分", "参互人数增长", "增长得分", "目标完成率", "完成率得分",
                      "审核时效", "时效得分", "超期占比", "超期得分", "补正率", "补正得分", "不予补助率", "不予补助得分",
                      "支付差错", "差错得分", "宣传活动", "宣传得分", "说明")


def evaluation_cells(evaluation: rules.Evaluation) -> list:
    cells: list = [evaluation.rank, evaluation.figures.code, evaluation.figures.name, evaluation.total]
    for indicator in evaluation.indicators:
        cells += [indicator.figure, "—" if indicator.score is None else indicator.score]
    return [*cells, "；".join(evaluation.notes)]
