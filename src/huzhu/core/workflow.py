"""A workflow, declared once: a table of (status, action) → Transition, and one guarded `move`.

Each app declares its table next to its models and builds one `Workflow` with its model, its
history model and its audit recorder (core imports no app: they come in as parameters). The
pattern is the claims' one (STYLE.md point 2):

- `actions_from(status)` / `actions_for(actor, record)`: what the table allows (pages ask it);
- `check(...)`: the move is in the table, the actor's role is allowed, every guard passes —
  run once; `move(..., checked=...)` accepts a check already made so guards never run twice;
- `move(...)`: the conditional `UPDATE … WHERE pk = … AND status = <status read>`; 0 rows means
  someone else moved it first (Conflict, nothing written); then one history row and the audit event.

A transition with `to=STAY` is an action allowed in a status that leaves the status as it is
(export a bank file, edit a draft): `check` knows it, `move` refuses it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .actors import user_of
from .errors import Conflict, PermissionDenied

STAY = ""  # Transition.to of an action that does not change the status
Guard = Callable[..., None]  # guard(actor, record, action=…, transition=…, **context) raises a DomainError


@dataclass(frozen=True)
class Transition:
    """Where an action leads, who may take it (None: the adapter decides) and the scheme's guards."""

    to: str
    actors: frozenset[str] | None = None
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True)
class Checked:
    """A move `check` allowed: the record, the status it was read in, the action and its transition."""

    record_pk: Any
    from_status: str
    action: str
    transition: Transition


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except (TypeError, ValueError):
        return value


@dataclass
class Workflow:
    """One aggregate's workflow: its table and how a move is written (history model, audit)."""

    model: type[models.Model]
    transitions: Mapping[tuple[str, str], Transition]
    actions: type[models.TextChoices]
    history: type[models.Model] | None = None  # one row per move; None: the aggregate keeps none
    history_key: str = ""  # the history model's foreign key to the record
    audit: Callable[..., Any] | None = None  # e.g. audit.services.record_event
    audit_action: str = "{action}"  # formatted with the action and `to`, the status moved to
    audit_type: str = ""
    role_of: Callable[[Any], str] | None = None  # needed when a transition names its actors
    guards: tuple[Guard, ...] = ()  # run for every move, after the transition's own
    forbidden_message: str | Promise = ""  # with %(action)s
    refused_code: str = "transition_not_allowed"
    refused_message: str | Promise = ""  # with %(record)s, %(status)s, %(action)s; a lazy string is fine
    changed_code: str = "status_changed"
    changed_message: str | Promise = ""
    hints: Mapping[str, str | Promise] = field(default_factory=dict)  # added to the refusal of an action

    # ------------------------------------------------------------ reading the table

    def transition_for(self, status: str, action: str) -> Transition | None:
        """The allowed move from `status` by `action`, or None."""
        return self.transitions.get((status, action))

    def actions_from(self, status: str) -> list[str]:
        """Every action the table allows from a status (for pages and tests)."""
        return [action for (origin, action) in self.transitions if origin == status]

    def actions_for(self, actor, record) -> list[str]:
        """The actions of the record's status this actor's role may take (guards are not run)."""
        role = self.role_of(actor) if self.role_of else None
        allowed = []
        for action in self.actions_from(record.status):
            actors = self.transitions[(record.status, action)].actors
            if actors is None or role in actors:
                allowed.append(action)
        return allowed

    def statuses_allowing(self, action: str) -> list[str]:
        """Every status the action may be taken from."""
        return [origin for (origin, name) in self.transitions if name == action]

    # ------------------------------------------------------------ checking and moving

    def check(self, *, actor, record, action: str, **context) -> Checked:
        """The move allowed for this actor on this record, or the DomainError refusing it (guards run here)."""
        transition = self.transitions.get((record.status, action))
        if transition is None:
            message = str(self.refused_message or _("%(record)s当前状态为“%(status)s”，不能“%(action)s”")) % {
                "record": record, "status": _label(getattr(self.model, "Status", None), record.status),
                "action": _label(self.actions, action)}
            hint = self.hints.get(action)
            raise Conflict(self.refused_code, f"{message}（{hint!s}）" if hint else message)
        if transition.actors is not None:
            role = self.role_of(actor) if self.role_of else None
            if role not in transition.actors:
                raise PermissionDenied(str(self.forbidden_message or _("您的角色不能执行“%(action)s”")) % {
                    "action": _label(self.actions, action)})
        for guard in (*transition.guards, *self.guards):
            guard(actor, record, action=action, transition=transition, **context)
        return Checked(record.pk, record.status, action, transition)

    def move(self, *, actor, record, action: str, checked: Checked | None = None, updates: dict | None = None,
             note: str = "", history: dict | None = None, audit_before: dict | None = None,
             audit_after: dict | None = None, audited: bool = True, **context) -> Checked:
        """Move the record by `action`: checked once, conditional UPDATE, history row, audit event.

        Must run inside the caller's transaction. `checked` is a `check` made earlier in this
        transaction (its guards are not run again). `updates` are written in the same UPDATE and
        set on the record; `history` adds fields to the history row; `audited=False` for a step the
        app does not audit (a background run picking up its job).
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Workflow.move must run inside a transaction")
        if checked is None or (checked.record_pk, checked.from_status, checked.action) != (
                record.pk, record.status, action):
            checked = self.check(actor=actor, record=record, action=action, **context)
        to = checked.transition.to
        if to == STAY:
            raise RuntimeError(f"{action} does not move a {self.model.__name__}: use check")
        fields = {"status": to, **(updates or {})}
        if not self.model._default_manager.filter(pk=record.pk, status=checked.from_status).update(**fields):
            raise Conflict(self.changed_code, str(self.changed_message or _("该记录已被他人处理，请刷新后查看最新状态")))
        if self.history is not None:
            self._write_history(actor=actor, record=record, checked=checked, note=note, extra=history or {})
        if self.audit is not None and audited:
            self.audit(actor=actor, action=self.audit_action.format(action=action, to=to),
                       object_type=self.audit_type or self.model.__name__, object_id=record.pk,
                       before={"status": checked.from_status, **(audit_before or {})},
                       after={"status": to, **(audit_after or {})})
        for name, value in fields.items():
            setattr(record, name, value)
        return checked

    def move_all(self, queryset: models.QuerySet, *, action: str, updates: dict | None = None) -> int:
        """Move every row of the queryset that the action may move (one UPDATE, no history); the count moved.

        For the lines of a batch moved with the batch, whose history is the batch's.
        """
        targets = {self.transitions[(origin, action)].to for origin in self.statuses_allowing(action)}
        if len(targets) != 1 or STAY in targets:
            raise RuntimeError(f"{action} is not a bulk move of {self.model.__name__}")
        return queryset.filter(status__in=self.statuses_allowing(action)).update(status=targets.pop(),
                                                                                   **(updates or {}))

    def _write_history(self, *, actor, record, checked: Checked, note: str, extra: dict) -> None:
        assert self.history is not None
        names = {f.name for f in self.history._meta.get_fields()}
        row: dict[str, Any] = {f"{self.history_key}_id": record.pk, "from_status": checked.from_status,
                               "to_status": checked.transition.to}
        if "actor" in names:
            row["actor"] = user_of(actor)
        if "action" in names:
            row["action"] = checked.action
        if "note" in names:
            row["note"] = note[:200]
        if "at" in names and "at" not in extra:
            row["at"] = timezone.now()
        self.history._default_manager.create(**row, **extra)

