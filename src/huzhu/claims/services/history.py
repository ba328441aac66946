"""Claims that already happened, recorded in bulk: the claims' one set-based write path for history.

The demo (and any load of past claims) hands over each claim's facts and its dated moves; every
move must be one `claims.workflow` allows, from the status the previous move reached, by an actor
kind the move allows; the claim's status, dates and (for a rejected claim) benefit follow from
the moves as `transition_claim` and `reject_claim` would leave them. Rows go in with COPY
(`core.bulk.insert_rows`), approved benefits are posted to the ledger in bulk with the entry of
`ledger.services.post_claim_approved`, and the moves are already marked notified (the outbox
leaves history alone). `record_past_payments` moves approved claims to paid the same way.
"""
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from huzhu.audit.services import record_bulk_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.bulk import insert_rows
from huzhu.core.money import ZERO
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger import services as ledger
from huzhu.plans.models import PlanYear

from .. import workflow
from ..models import Claim, ClaimDocument, ClaimStatusChange, Invoice

S = Claim.Status
ACTOR_KINDS = {"worker": workflow.WORKER, "system": workflow.SYSTEM}  # "staff": any staff role the move allows


@dataclass(frozen=True)
class Move:
    action: str
    from_status: str
    to_status: str
    level: str
    actor_kind: str  # ClaimStatusChange.ActorKind: staff, worker or system
    at: datetime
    reason_code: str = ""
    comment: str = ""


@dataclass
class PastClaim:
    """A claim's stored facts (Claim field attnames, without status and workflow dates) and its moves."""

    facts: dict
    moves: list[Move]
    invoice: dict | None = None  # Invoice field attnames, without claim_id; "number" may be a function of the claim id
    missing_items: list[str] = field(default_factory=list)  # when it ends waiting for a supplement
    documents: list[tuple[str, int]] = field(default_factory=list)  # (document kind, archived StoredFile id)


def check_moves(moves: Sequence[Move]) -> str:
    """The status the moves reach from a draft; ValueError naming the first move the workflow refuses."""
    status: str = S.DRAFT
    for move in moves:
        allowed = workflow.transition_for(move.from_status, move.action)
        if move.from_status != status or allowed is None or allowed.to != move.to_status:
            raise ValueError(f"claim workflow refuses {move.action} from {move.from_status} (claim is {status})")
        kind = ACTOR_KINDS.get(move.actor_kind)
        actors = allowed.actors or frozenset()  # every claims transition names its actors
        if kind is not None and kind not in actors:
            raise ValueError(f"{move.action} from {move.from_status} is not a {move.actor_kind} move")
        if kind is None and actors <= {workflow.SYSTEM, workflow.WORKER}:
            raise ValueError(f"{move.action} from {move.from_status} is not a staff move")
        status = move.to_status
    return status


class _Adapter:
    """Turns a dict of field values into a database row for `insert_rows`, in the model's column order.

    The primary key is left to the database unless `with_id` (ids reserved up front)."""

    def __init__(self, model, *, with_id: bool = False):
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        native = connection.vendor == "postgresql"
        ops = connection.ops
        self.converters: dict[str, Callable[[Any], Any]] = {}
        for f in self.fields:
            if isinstance(f, models.JSONField):
                self.converters[f.attname] = json.dumps
            elif not native and isinstance(f, models.DateTimeField):
                self.converters[f.attname] = ops.adapt_datetimefield_value
            elif not native and isinstance(f, models.DateField):
                self.converters[f.attname] = ops.adapt_datefield_value
            elif not native and isinstance(f, models.DecimalField):
                self.converters[f.attname] = str

    def __call__(self, values: dict) -> tuple:
        out = []
        for f in self.fields:
            value = values.get(f.attname, self.defaults[f.attname])
            convert = self.converters.get(f.attname)
            out.append(convert(value) if convert is not None and value is not None else value)
        return tuple(out)


def _reserve_ids(model, count: int) -> list[int]:
    """Primary keys taken up front (the sequence on PostgreSQL; MAX(id) under SQLite's write lock)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
                           [count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def _last_at(moves: Sequence[Move], *actions: str) -> datetime | None:
    return next((m.at for m in reversed(moves) if m.action in actions), None)


@dataclass
class RecordedClaims:
    ids: list[int]
    decided: int = 0
    benefit_amount: Decimal = ZERO
    status_changes: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def record_past_claims(*, actor: Actor, plan_year: PlanYear, claims: Sequence[PastClaim], action: str,
                       book_benefits: bool = True) -> RecordedClaims:
    """Insert claims with their moves (each checked against the workflow), invoices and ledger entries.

    Callers hold the transaction. `action` names the bulk audit event; `book_benefits=False` leaves
    the ledger alone (a sample without books).
    """
    claim_row, invoice_row, change_row = _Adapter(Claim, with_id=True), _Adapter(Invoice), _Adapter(ClaimStatusChange)
    document_row = _Adapter(ClaimDocument)
    ids = _reserve_ids(Claim, len(claims))
    result = RecordedClaims(ids=ids)
    rows, invoices, changes, drafts = [], [], [], []
    documents: list[tuple] = []
    for pk, claim in zip(ids, claims, strict=True):
        status = check_moves(claim.moves)
        result.by_status[status] = result.by_status.get(status, 0) + 1
        submitted_at = _last_at(claim.moves, workflow.Action.SUBMIT, workflow.Action.RESUBMIT)
        approved_at = _last_at(claim.moves, workflow.Action.APPROVE)
        decided = status in workflow.DECIDED_STATUSES
        facts = dict(claim.facts)
        if status == S.REJECTED:  # as reject_claim leaves it: no benefit
            facts["benefit_amount"] = ZERO
        rows.append(claim_row({
            **facts, "id": pk, "plan_year_id": plan_year.pk, "status": status,
            "decided_at": approved_at or _last_at(claim.moves, workflow.Action.REJECT) or submitted_at,
            "missing_items": claim.missing_items if status == S.SUPPLEMENT else [],
            "submitted_at": submitted_at, "approved_at": approved_at,
            "created_at": claim.moves[0].at, "updated_at": claim.moves[-1].at}))
        if claim.invoice is not None:
            number = claim.invoice.get("number")
            invoices.append(invoice_row({**claim.invoice, "claim_id": pk,
                                         "number": number(pk) if callable(number) else number}))
        # documents handed in with the claim (already archived), uploaded when it was first filed
        documents.extend(document_row({"claim_id": pk, "kind": kind, "file_id": file_id, "uploaded_at": claim.moves[0].at})
                         for kind, file_id in dict.fromkeys(claim.documents))
        for move in claim.moves:
            changes.append(change_row({
                "claim_id": pk, "action": move.action, "from_status": move.from_status, "to_status": move.to_status,
                "level": move.level, "actor_kind": move.actor_kind, "at": move.at, "comment": move.comment,
                "reason_code": move.reason_code,
                "missing_items": claim.missing_items if move.to_status == S.SUPPLEMENT else [], "notified_at": move.at}))
        if decided:
            benefit = facts.get("benefit_amount", ZERO)
            result.decided += 1
            result.benefit_amount += benefit
            if benefit > 0:  # the entry ledger.services.post_claim_approved makes for one claim
                drafts.append(ledger_rules.claim_approved_draft(pk, benefit, timezone.localtime(approved_at).date()))
    insert_rows(Claim._meta.db_table, claim_row.columns, rows)
    insert_rows(Invoice._meta.db_table, invoice_row.columns, invoices)
    insert_rows(ClaimStatusChange._meta.db_table, change_row.columns, changes)
    insert_rows(ClaimDocument._meta.db_table, document_row.columns, documents)
    result.status_changes = len(changes)
    if book_benefits:
        ledger.ensure_chart(plan_year)
        drafts.sort(key=lambda d: d.posted_on)
        ledger.post_entries(actor=actor, plan_year=plan_year, drafts=drafts)
    record_bulk_event(actor=actor, action=action, object_type="Claim", object_ids=ids,
                      summary={"plan_year": plan_year.pk, "claims": len(ids), "decided": result.decided,
                               "benefit_amount": str(result.benefit_amount)})
    return result


def record_past_payments(*, actor: Actor, payments: Sequence[tuple[int, str]], at: datetime) -> int:
    """Approved claims (claim id, comment) paid at `at`: one conditional UPDATE and the pay moves, set-based.

    Raises RuntimeError if any of them is no longer approved. Callers hold the transaction and
    book the payment (the payout's entry)."""
    move = workflow.TRANSITIONS[(S.APPROVED, workflow.Action.PAY)]
    user = user_of(actor)
    kind = ClaimStatusChange.ActorKind.STAFF if user is not None else ClaimStatusChange.ActorKind.SYSTEM
    ids = [claim_id for claim_id, _comment in payments]
    moved = 0
    for start in range(0, len(ids), 500):
        moved += Claim.objects.filter(pk__in=ids[start:start + 500], status=S.APPROVED).update(
            status=move.to, updated_at=at)
    if moved != len(ids):
        raise RuntimeError(f"{len(ids) - moved} claims were no longer approved")
    ClaimStatusChange.objects.bulk_create([ClaimStatusChange(
        claim_id=claim_id, action=workflow.Action.PAY, from_status=S.APPROVED, to_status=move.to, level=move.level,
        actor=user, actor_kind=kind, at=at, notified_at=at,
        comment=comment) for claim_id, comment in payments], batch_size=1000)
    return moved


def date_live_claims(*, claim_ids: Sequence[int], at: datetime) -> int:
    """Claims the demo made on the live path (a hospital's discharge call) dated as when they happened: their
    timestamps and their moves at `at`, already notified. Nothing else of them changes."""
    dated = Claim.objects.filter(pk__in=list(claim_ids)).update(
        created_at=at, submitted_at=at, decided_at=at, approved_at=at, updated_at=at)
    ClaimStatusChange.objects.filter(claim_id__in=list(claim_ids)).update(at=at, notified_at=at)
    return dated
