"""The calculator form 算清互助账: plain GET fields turned into DOMAIN.md's estimate document.

Works without JavaScript: a fixed number of event rows, and an "add a row" button that
re-renders the page with one more. Validation is the estimate format's own, so the page, the API
and the CLI refuse the same input with the same Chinese message.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from huzhu.core.params import int_param, parse_integer

EVENT_TYPES = [
    ("inpatient", _("住院")),
    ("outpatient_chronic", _("门诊慢特病")),
    ("diagnosis", _("确诊（女性馨康）")),
    ("procedure", _("手术（女性馨康）")),
]
PROCEDURES = [("total_hysterectomy", _("全子宫切除术")), ("bilateral_oophorectomy", _("双侧卵巢切除术"))]
TIER_CODES = ("A", "B", "C")
DEFAULT_ROWS, MAX_ROWS = 3, 12
ROW_FIELDS = ("type", "start", "end", "self_pay", "icd10", "procedure")
# which wire key of each event type a row field fills
WIRE_KEYS = {
    "inpatient": {"start": "admitted", "end": "discharged", "self_pay": "policy_self_pay"},
    "outpatient_chronic": {"start": "period_start", "end": "period_end", "self_pay": "policy_self_pay"},
    "diagnosis": {"start": "date", "icd10": "icd10"},
    "procedure": {"start": "date", "procedure": "procedure"},
}


def _number_or_text(text: str) -> int | str:
    number = parse_integer(text)
    return text if number is None else number


@dataclass
class EventRow:
    index: int
    values: dict[str, str]
    error: str = ""

    @property
    def is_blank(self) -> bool:
        return not any(self.values[name] for name in ("start", "end", "self_pay", "icd10"))

    def wire(self) -> dict:
        kind = self.values["type"]
        document = {"type": kind}
        for name, key in WIRE_KEYS.get(kind, {}).items():
            if self.values[name]:
                document[key] = self.values[name]
        return document


@dataclass
class CalculatorForm:
    values: dict[str, str]
    tiers: list[str]
    rows: list[EventRow]
    errors: dict[str, str] = field(default_factory=dict)
    submitted: bool = False

    @classmethod
    def from_query(cls, query: QueryDict) -> CalculatorForm:
        """Read the GET fields; a first visit gets empty rows and the first open plan year."""
        count = int_param(query, "rows", DEFAULT_ROWS)
        if query.get("action") == "add_row":
            count += 1
        count = max(1, min(count, MAX_ROWS))
        rows = []
        for i in range(count):
            values = {name: query.get(f"e{i}_{name}", "").strip() for name in ROW_FIELDS}
            values["type"] = values["type"] if values["type"] in WIRE_KEYS else "inpatient"
            rows.append(EventRow(i, values))
        values = {name: query.get(name, "").strip()
                  for name in ("plan", "year", "gender", "birth_date", "consecutive_years", "kind")}
        tiers = [t for t in query.getlist("already_paid_tiers") if t in TIER_CODES]
        return cls(values, tiers, rows, submitted=query.get("action") == "calculate")

    def filled_rows(self) -> list[EventRow]:
        return [row for row in self.rows if not row.is_blank]

    def document(self) -> dict:
        """The estimate document of the filled-in rows, in row order (= claim order)."""
        member = {"gender": self.values["gender"], "birth_date": self.values["birth_date"],
                  "kind": self.values["kind"] or "employee", "already_paid_tiers": self.tiers}
        years = self.values["consecutive_years"] or "1"
        # a number where one reads, else the text as typed: the estimate format then names the field
        member["consecutive_years"] = _number_or_text(years)
        return {"plan": self.values["plan"], "year": _number_or_text(self.values["year"]), "member": member,
                "events": [row.wire() for row in self.filled_rows()]}

    def add_error(self, wire_field: str, message: str) -> None:
        """Put an estimate-format error next to its field (an event's error next to its row)."""
        message = message.split("：", 1)[-1]  # the page shows the field by its place, not its wire name
        parts = wire_field.split(".")
        if parts[0] == "events" and len(parts) > 1 and parts[1].isdigit():
            self.filled_rows()[int(parts[1])].error = message
        else:
            self.errors[parts[-1] if parts[0] == "member" else parts[0]] = message
