"""Differences between two terms documents, field by field, for the version history."""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .labels import display_value, path_label


def flatten(document, prefix: str = "") -> dict[str, object]:
    """{'inpatient': {'bands': [{'rate': '0.50'}]}} → {'inpatient.bands.0.rate': '0.50'}.

    Lists of plain values (documents, ICD-10 prefixes) stay one leaf; lists of objects are split.
    """
    if isinstance(document, dict):
        items = document.items()
    elif isinstance(document, list) and any(isinstance(item, dict) for item in document):
        items = ((str(index), item) for index, item in enumerate(document))
    else:
        return {prefix: document}
    leaves: dict[str, object] = {}
    for key, value in items:
        leaves.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return leaves


@dataclass(frozen=True)
class Change:
    path: str
    label: str
    before: str
    after: str


_ABSENT = object()


def _shown(path: str, value) -> str:
    return str(_("（无此项）")) if value is _ABSENT else display_value(path, value)


def diff_documents(before: dict, after: dict) -> list[Change]:
    """Every field whose value differs, in the order of the later document (removed fields last)."""
    old, new = flatten(before), flatten(after)
    paths = list(new) + [path for path in old if path not in new]
    changes = []
    for path in paths:
        before, after = _shown(path, old.get(path, _ABSENT)), _shown(path, new.get(path, _ABSENT))
        if before != after:  # compared as shown: "0.8" and "0.80" are the same rate
            changes.append(Change(path, path_label(path), before, after))
    return changes
