"""The "new version" form: the terms document as one input per field, or as JSON text.

Both build a plain document and let the pydantic schema (terms.py) judge it; its errors come back
in Chinese on the field they concern (validation.py).
"""
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from pydantic import ValidationError

from .diff import flatten
from .documents import DOCUMENT_NAMES, document_name
from .labels import FIELD_LABELS, is_percent, path_label
from .terms import PlanYearTerms
from .validation import terms_errors

# Parts of a plan's terms that the other plan leaves out (None): carried through, not edited.
OPTIONAL_SECTIONS = frozenset({"inpatient", "allowance", "outpatient", "women"})
FIXED_KEYS = frozenset({"plan", "year"})
LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass
class TermsField:
    path: str
    label: str
    kind: str  # date, bool, number, percent, text, list, documents, fixed
    value: object
    error: str = ""
    choices: list[tuple[str, str, bool]] = field(default_factory=list)  # documents: code, name, checked

    @property
    def label_in_section(self) -> str:
        """The label without its section's name, which the fieldset already shows."""
        return self.label.split(" · ", 1)[1] if "." in self.path else self.label


def _kind(path: str, value) -> str:
    key = path.rsplit(".", 1)[-1]
    if key in FIXED_KEYS or (key in OPTIONAL_SECTIONS and value is None):
        return "fixed"
    if isinstance(value, bool):
        return "bool"
    if path.startswith("documents."):
        return "documents"
    if isinstance(value, list):
        return "list"
    if key.endswith("_on"):
        return "date"
    if is_percent(path):
        return "percent"
    if isinstance(value, int) or key.endswith("_amount") or key.endswith("_days") or key.startswith(("min_", "max_")):
        return "number"
    return "text"


def _shown(kind: str, value) -> object:
    """A document value as the input shows it."""
    if value is None:
        return ""
    if kind == "percent":
        return f"{(Decimal(str(value)) * 100).normalize():f}"
    if kind == "list":
        return "、".join(str(item) for item in value)
    return value


def _document_order(current: list[str]) -> list[str]:
    """The checkboxes: the documents required now in their order, then the other known kinds."""
    return [*current, *(code for code in DOCUMENT_NAMES if code not in current)]


def _parsed(kind: str, raw: str | list[str] | None, original):
    """An input's text back to a document value; bad text is passed on for the schema to report."""
    if kind == "fixed":
        return original
    if kind == "bool":
        return raw is not None
    if kind == "documents":
        chosen = set(raw or [])
        return [code for code in _document_order(original) if code in chosen]
    text = (raw or "").strip()
    if kind == "list":
        return [item for item in LIST_SEPARATORS.split(text) if item]
    if text == "":
        return None
    if kind == "percent":
        try:
            rate = Decimal(text.rstrip("%")) / 100
        except InvalidOperation:
            return text
        # 80 → "0.80", as the terms write rates, so an untouched rate is not a change
        return str(rate.quantize(Decimal("0.01")) if rate.as_tuple().exponent > -2 else rate)
    if kind == "number":
        return text.replace(",", "").replace("，", "")
    return text


def unflatten(leaves: dict[str, object]) -> dict:
    """The inverse of `diff.flatten`: numeric path parts become list positions."""
    root: dict = {}
    for path, value in leaves.items():
        node = root
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    def lists(node):
        if not isinstance(node, dict):
            return node
        if node and all(key.isdigit() for key in node):
            return [lists(node[key]) for key in sorted(node, key=int)]
        return {key: lists(value) for key, value in node.items()}

    return lists(root)


class TermsForm:
    """One input per field of a base document; `is_valid()` builds and validates the new document."""

    def __init__(self, base_document: dict, data=None):
        self.base = flatten(base_document)
        self.data = data
        self.fields = []
        for path, value in self.base.items():
            kind = _kind(path, value)
            item = TermsField(path, path_label(path), kind, _shown(kind, value))
            if kind == "documents":
                item.choices = [(code, document_name(code), code in value) for code in _document_order(value)]
            self.fields.append(item)
        self.errors: dict[str, str] = {}
        self.document: dict | None = None
        self.terms: PlanYearTerms | None = None

    def _raw(self, item: TermsField):
        if item.kind == "documents":
            return self.data.getlist(item.path)
        return self.data.get(item.path)

    def is_valid(self) -> bool:
        leaves = {item.path: _parsed(item.kind, self._raw(item), self.base[item.path]) for item in self.fields}
        self.document = unflatten(leaves)
        for item in self.fields:  # show what was typed, not the base value
            raw = self._raw(item)
            if item.kind == "documents":
                item.choices = [(code, name, code in raw) for code, name, _checked in item.choices]
            elif item.kind == "bool":
                item.value = raw is not None
            elif item.kind != "fixed":
                item.value = raw or ""
        try:
            self.terms = PlanYearTerms.model_validate(self.document)
        except ValidationError as exc:
            self.errors = terms_errors(exc)
            by_path = {item.path: item for item in self.fields}
            for path, message in self.errors.items():
                if path in by_path:
                    by_path[path].error = message
            return False
        return True

    @property
    def error_list(self) -> list[tuple[str, str, str]]:
        """Every error as (label, message, input id or ''), for the summary above the form."""
        paths = {item.path for item in self.fields}
        return [(path_label(path), message, f"f-{path}" if path in paths else "")
                for path, message in self.errors.items()]

    @property
    def other_errors(self) -> list[tuple[str, str]]:
        """Errors that belong to no single input (a whole section, the bands as a set)."""
        paths = {item.path for item in self.fields}
        return [(path_label(path), message) for path, message in self.errors.items() if path not in paths]

    def sections(self) -> list[tuple[str, list[TermsField]]]:
        """The inputs grouped under their top-level part (general fields first)."""
        groups: dict[str, list[TermsField]] = {}
        for item in self.fields:
            if item.kind == "fixed":
                continue
            head = item.path.split(".", 1)[0] if "." in item.path else ""
            groups.setdefault(head, []).append(item)
        return [(str(FIELD_LABELS.get(head, _("基本信息"))) if head else _("基本信息"), items)
                for head, items in groups.items()]


class TermsJsonForm:
    """The whole document as JSON text, for changes the structured form cannot make (add a band)."""

    def __init__(self, base_document: dict, data=None):
        self.text = data.get("document", "") if data is not None else json.dumps(
            base_document, ensure_ascii=False, indent=2)
        self.data = data
        self.errors: list[tuple[str, str]] = []
        self.document: dict | None = None
        self.terms: PlanYearTerms | None = None

    def is_valid(self) -> bool:
        try:
            self.document = json.loads(self.text)
        except json.JSONDecodeError as exc:
            self.errors = [(_("JSON 格式"), _("第 {line} 行第 {column} 列：{message}").format(
                line=exc.lineno, column=exc.colno, message=exc.msg))]
            return False
        if not isinstance(self.document, dict):
            self.errors = [(_("JSON 格式"), _("应为一个对象 {…}"))]
            return False
        try:
            self.terms = PlanYearTerms.model_validate(self.document)
        except ValidationError as exc:
            self.errors = [(path_label(path), message) for path, message in terms_errors(exc).items()]
            return False
        return True
