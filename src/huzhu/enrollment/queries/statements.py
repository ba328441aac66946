"""Reads of the bank statements, their credits and the union subsidy receivable (the association's; the
province-wide auditor reads them too)."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from huzhu.core.errors import NotFound
from huzhu.core.scopes import Scope
from huzhu.regions.roles import association_reads

from .. import bank_statements, rules
from ..models import BankStatement, BankStatementLayout, Enrollment, StatementLine, SubsidyReceipt

ZERO = Decimal("0.00")
OPEN_OUTCOMES = (StatementLine.Outcome.AMBIGUOUS, StatementLine.Outcome.UNMATCHED, StatementLine.Outcome.OVERPAID,
                 StatementLine.Outcome.UNDERPAID)


def _check(scope: Scope) -> None:
    if not association_reads(scope):
        raise NotFound()


def layouts() -> list[dict]:
    """Every bank's layout: the saved one, else the shipped default (marked `is_default`)."""
    saved = {layout.bank_code: layout for layout in BankStatementLayout.objects.all()}
    rows = []
    for code in dict.fromkeys([*bank_statements.DEFAULT_LAYOUTS, *saved]):
        rows.append(layout_for(code, saved.get(code)))
    return rows


def layout_for(bank_code: str, saved: BankStatementLayout | None = None) -> dict:
    """One bank's column mapping as a dict of FIELDS plus bank_code, bank_name, is_default; {} for an unknown bank."""
    saved = saved or BankStatementLayout.objects.filter(bank_code=bank_code).first()
    if saved is not None:
        return {"bank_code": saved.bank_code, "bank_name": saved.bank_name, "is_default": False,
                "saved_at": saved.saved_at, **{f: getattr(saved, f) for f in bank_statements.FIELDS}}
    default = bank_statements.DEFAULT_LAYOUTS.get(bank_code)
    return {"bank_code": bank_code, "is_default": True, **default} if default else {}


def statements(scope: Scope) -> QuerySet[BankStatement]:
    """Uploaded statements, newest first, with their credits counted by outcome and status."""
    _check(scope)
    open_ = Q(lines__status=StatementLine.Status.OPEN)
    return BankStatement.objects.annotate(
        open_count=Count("lines", filter=open_),
        matched_count=Count("lines", filter=open_ & Q(lines__outcome=StatementLine.Outcome.MATCHED)),
        confirmed_count=Count("lines", filter=Q(lines__status=StatementLine.Status.CONFIRMED)),
    )


def statement_for(scope: Scope, pk: int) -> BankStatement:
    """One statement, or NotFound."""
    found = statements(scope).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _waiting_for_a_person() -> Q:
    """The queue: credits open and not a clean match."""
    return Q(status=StatementLine.Status.OPEN, outcome__in=OPEN_OUTCOMES)


def open_queue_count(scope: Scope) -> int:
    """Credits waiting for a person (the queue)."""
    _check(scope)
    return StatementLine.objects.filter(_waiting_for_a_person()).count()


def outcome_counts(statement: BankStatement | None) -> dict[str, int]:
    """Open credits per outcome (of one statement, or all), and confirmed / dismissed ones."""
    lines = StatementLine.objects.all() if statement is None else statement.lines.all()
    counts = {row["outcome"]: row["n"] for row in lines.filter(status=StatementLine.Status.OPEN)
              .values("outcome").annotate(n=Count("pk"))}
    for row in lines.exclude(status=StatementLine.Status.OPEN).values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def statement_lines(scope: Scope, *, statement: BankStatement | None = None, outcome: str = "",
                    status: str = "") -> QuerySet[StatementLine]:
    """Credits of a statement, filtered by outcome and status; without a statement, of every statement — and with no
    filter either, the queue of credits waiting for a person."""
    _check(scope)
    lines = StatementLine.objects.select_related("enrollment__unit", "enrollment__plan_year__plan", "statement")
    if statement is not None:
        lines = lines.filter(statement=statement)
    elif not outcome and not status:
        lines = lines.filter(_waiting_for_a_person())
    if outcome in StatementLine.Outcome.values:
        lines = lines.filter(outcome=outcome, status=StatementLine.Status.OPEN)
    if status in StatementLine.Status.values:
        lines = lines.filter(status=status)
    return lines.order_by("statement_id", "row_no")


@dataclass(frozen=True)
class ShownCandidate:
    enrollment: Enrollment
    score: int
    reason: str
    reference: str


def candidates_of(lines: list[StatementLine]) -> dict[int, list[ShownCandidate]]:
    """Each line's candidates with their enrollments (one query for the page), best first."""
    ids = {c["enrollment"] for line in lines for c in line.candidates}
    found = Enrollment.objects.select_related("unit", "plan_year__plan").in_bulk(ids)
    return {line.pk: [ShownCandidate(found[c["enrollment"]], c["score"], c["reason"],
                                     rules.payment_reference(c["enrollment"]))
                      for c in line.candidates if c["enrollment"] in found] for line in lines}


def awaiting_payments() -> list[rules.AwaitingPayment]:
    """Submitted enrollments not yet proposed by an open credit: what a statement's credits may pay."""
    proposed = StatementLine.objects.filter(status=StatementLine.Status.OPEN, enrollment__isnull=False).values(
        "enrollment_id")
    return [rules.AwaitingPayment(pk, name, due) for pk, name, due in Enrollment.objects.filter(
        status=Enrollment.Status.SUBMITTED).exclude(pk__in=proposed).values_list("pk", "unit__name", "due_amount")
        .order_by("pk").iterator(chunk_size=5000)]


def awaiting_enrollment(reference_or_number: str) -> Enrollment | None:
    """A submitted enrollment named by its payment reference (HZ…) or its number, for assigning a credit by hand."""
    text = reference_or_number.strip()
    numbers = rules.references_in(text) or ([int(text.lstrip("#"))] if text.lstrip("#").isdigit() else [])
    if not numbers:
        return None
    return Enrollment.objects.select_related("unit", "plan_year__current_version").filter(
        pk=numbers[0], status=Enrollment.Status.SUBMITTED).first()


# --- the union subsidy receivable (工会补贴应收) -------------------------------------------------

@dataclass(frozen=True)
class LeagueReceivable:
    league_code: str
    league_name: str
    enrollments: int
    headcount: int
    owed_amount: Decimal  # the subsidy of the league's paid enrollments
    received_amount: Decimal
    outstanding_amount: Decimal


def subsidy_receivables(scope: Scope, plan_year) -> list[LeagueReceivable]:
    """What each league's union owes for the plan year's paid enrollments, what it paid and what is outstanding."""
    _check(scope)
    owed = {row["league_id"]: row for row in Enrollment.objects.filter(
        plan_year=plan_year, status=Enrollment.Status.PAID, subsidy_amount__gt=0).values("league_id", "league__name")
        .annotate(n=Count("pk"), people=Coalesce(Sum("headcount"), 0), subsidy=Sum("subsidy_amount"))}
    received = dict(SubsidyReceipt.objects.filter(plan_year=plan_year).values("league_id").annotate(
        total=Sum("amount")).values_list("league_id", "total"))
    rows = []
    for code in sorted(set(owed) | set(received)):
        row = owed.get(code, {})
        name = row.get("league__name") or SubsidyReceipt.objects.filter(league_id=code).values_list(
            "league__name", flat=True).first() or code
        owed_amount, got = row.get("subsidy") or ZERO, received.get(code) or ZERO
        rows.append(LeagueReceivable(code, name, row.get("n", 0), row.get("people", 0), owed_amount, got,
                                     owed_amount - got))
    return rows


def subsidy_owed(plan_year, league_code: str) -> tuple[Decimal, Decimal]:
    """(owed, received) of one league's union for a plan year."""
    owed = Enrollment.objects.filter(plan_year=plan_year, league_id=league_code, status=Enrollment.Status.PAID
                                     ).aggregate(t=Sum("subsidy_amount"))["t"] or ZERO
    got = SubsidyReceipt.objects.filter(plan_year=plan_year, league_id=league_code).aggregate(t=Sum("amount"))["t"]
    return owed, got or ZERO


def subsidy_statement(scope: Scope, plan_year, league_code: str) -> QuerySet[Enrollment]:
    """The paid enrollments behind a league's subsidy, for its statement (对账单)."""
    _check(scope)
    return (Enrollment.objects.filter(plan_year=plan_year, league_id=league_code, status=Enrollment.Status.PAID,
                                      subsidy_amount__gt=0)
            .select_related("unit", "county").order_by("county_id", "paid_on", "pk"))


def subsidy_receipts(scope: Scope, plan_year, league_code: str | None = None) -> QuerySet[SubsidyReceipt]:
    """Receipts recorded for the plan year (one league's when given)."""
    _check(scope)
    receipts = SubsidyReceipt.objects.filter(plan_year=plan_year).select_related("league", "recorded_by")
    return receipts.filter(league_id=league_code) if league_code else receipts
