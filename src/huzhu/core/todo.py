"""The 工作台's to-do counts (待初审 N 件, 即将超期 N 件, ...): each app registers a reader at start-up.

core knows no app: a reader is a function of the signed-in user returning its `Todo`s (already in the
user's language, each a link to the filtered queue); `todos_for` asks every registered reader in order.
A reader keeps to one or two set-based queries: the home page asks them all on every visit.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import pgettext_lazy

# The measure word after a count (件): "items" in English, where counts take no measure word.
ITEMS = pgettext_lazy("to-do count", "件")


@dataclass(frozen=True)
class Todo:
    label: str          # e.g. "待初审"
    count: int
    url: str            # the queue filtered to exactly these items
    urgent: bool = False  # overdue or about to be: shown in the warning colour
    unit: Any = ITEMS  # a translated text (payouts: 批, 笔)


Reader = Callable[[Any], list[Todo]]
_READERS: list[tuple[int, Reader]] = []


def register(reader: Reader, *, order: int = 50) -> None:
    """Add an app's reader (from its AppConfig.ready); registering the same function twice keeps one."""
    if all(existing is not reader for _order, existing in _READERS):
        _READERS.append((order, reader))
        _READERS.sort(key=lambda pair: pair[0])


def todos_for(user) -> list[Todo]:
    """Every registered reader's to-dos for `user`, in registration order (lower `order` first)."""
    todos: list[Todo] = []
    for _order, reader in _READERS:
        todos.extend(reader(user))
    return todos
