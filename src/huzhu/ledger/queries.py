"""Reads of the ledger: trial balance, statements, fund position, budget vs actual; scoped.

Balances always come from the postings (STYLE: balances from queries), with one GROUP BY.
The association, auditors and admins see every account; an office sees the working funds of
its office and agency points; an agency point sees its own working funds.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.core.money import ZERO
from huzhu.core.scopes import Scope
from huzhu.plans.models import PlanYear

from . import rules
from .models import Account, AccountMapping, Budget, LedgerEntry, Posting, YearClose

WORKING_FUNDS_ACCOUNTS = Q(office__isnull=False) | Q(agency_point__isnull=False)


def plan_years() -> QuerySet[PlanYear]:
    """Plan years that have terms, newest first, for the year filter."""
    return PlanYear.objects.filter(current_version__isnull=False).select_related("plan").order_by("-year", "plan_id")


def default_plan_year(year_id: str | int | None) -> PlanYear | None:
    """The plan year picked in a filter, else the open one whose protection period holds today
    (the year being run now), else the newest open one, else the newest."""
    years = plan_years()
    if year_id:
        return get_object_or_404(years, pk=year_id)
    open_years = years.filter(status=PlanYear.Status.OPEN)
    current = open_years.filter(year=timezone.localdate().year).order_by("plan_id").first()
    return current or open_years.first() or years.first()


def accounts_in_scope(scope: Scope, plan_year: PlanYear) -> QuerySet[Account]:
    """The plan year's accounts the scope may see."""
    qs = Account.objects.filter(plan_year=plan_year).select_related("office", "agency_point")
    if scope.is_province:
        return qs
    if scope.is_league:
        return qs.filter(Q(office__league_id=scope.code) | Q(agency_point__office__league_id=scope.code))
    if scope.is_county:
        return qs.filter(agency_point__county_id=scope.code)
    return qs.none()


def account_for(scope: Scope, pk: int) -> Account:
    """One account, 404 when it does not exist or lies outside the scope."""
    account = get_object_or_404(Account.objects.select_related("plan_year__plan"), pk=pk)
    return get_object_or_404(accounts_in_scope(scope, account.plan_year), pk=pk)


def _sums_by_account(plan_year: PlanYear, account_ids=None, *,
                     prior_year_only: bool = False) -> dict[int, tuple[Decimal, Decimal]]:
    """{account id: (debits, credits)} of a plan year: one GROUP BY over its postings."""
    qs = Posting.objects.filter(account__plan_year=plan_year)
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    if prior_year_only:
        qs = qs.filter(entry__is_prior_year_adjustment=True)
    rows = qs.values("account_id").order_by().annotate(
        debit=Sum("amount", filter=Q(amount__gt=0), default=ZERO),
        credit=Sum("amount", filter=Q(amount__lt=0), default=ZERO),
    )
    return {row["account_id"]: (row["debit"], -row["credit"]) for row in rows}


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    debit_amount: Decimal
    credit_amount: Decimal

    @property
    def balance_amount(self) -> Decimal:
        """Signed: debit balance positive."""
        return self.debit_amount - self.credit_amount

    @property
    def direction(self) -> str:
        balance = self.balance_amount
        return _("平") if balance == 0 else (_("借") if balance > 0 else _("贷"))


@dataclass(frozen=True)
class TrialBalance:
    rows: list[TrialBalanceRow]
    debit_amount: Decimal
    credit_amount: Decimal

    @property
    def is_balanced(self) -> bool:
        return self.debit_amount == self.credit_amount


def trial_balance(scope: Scope, plan_year: PlanYear, *, with_empty: bool = False,
                  prior_year_only: bool = False) -> TrialBalance:
    """Debits, credits and balance of every account in scope (accounts without postings optional).

    `prior_year_only`: only the prior-year adjustments (postings after the year's close, 往年调整).
    """
    accounts = list(accounts_in_scope(scope, plan_year))
    sums = _sums_by_account(plan_year, None if scope.is_province else [a.pk for a in accounts],
                            prior_year_only=prior_year_only)
    rows = [TrialBalanceRow(account, *sums.get(account.pk, (ZERO, ZERO))) for account in accounts
            if with_empty or account.pk in sums]
    return TrialBalance(rows, sum((r.debit_amount for r in rows), ZERO), sum((r.credit_amount for r in rows), ZERO))


def account_statement(account: Account) -> QuerySet[Posting]:
    """The account's postings in date order, each with `running_amount` (signed balance after it)."""
    order = [F("entry__posted_on").asc(), F("entry_id").asc(), F("id").asc()]
    return (Posting.objects.filter(account=account).select_related("entry")
            .annotate(running_amount=Window(Sum("amount"), order_by=order))
            .order_by(*order))


@dataclass(frozen=True)
class FundPosition:
    """The fund of one plan year, every figure in its natural direction (yuan).

    Totals include the prior-year adjustments (往年调整: claims approved, paid or returned after
    the year's close); the `prior_year_*` figures show that part on its own.
    """

    contributions_amount: Decimal
    subsidy_amount: Decimal
    benefits_amount: Decimal
    management_amount: Decimal
    reserve_amount: Decimal
    working_funds_amount: Decimal
    fund_balance_amount: Decimal
    bank_amount: Decimal
    subsidy_receivable_amount: Decimal
    payable_amount: Decimal
    prior_year_benefits_amount: Decimal = ZERO
    prior_year_paid_amount: Decimal = ZERO
    prior_year_fund_amount: Decimal = ZERO
    prior_year_entries: int = 0

    @property
    def total_contributions_amount(self) -> Decimal:
        return self.contributions_amount + self.subsidy_amount

    @property
    def in_year_benefits_amount(self) -> Decimal:
        """Benefits expense booked before the close."""
        return self.benefits_amount - self.prior_year_benefits_amount

    @property
    def loss_ratio(self) -> Decimal | None:
        return rules.loss_ratio(self.benefits_amount, self.total_contributions_amount)


def _natural_by_code(plan_year: PlanYear, sums: dict[int, tuple[Decimal, Decimal]]) -> tuple[dict[str, Decimal], Decimal]:
    """{account code: natural balance} of the standard chart, and the working-fund accounts' total."""
    natural: dict[str, Decimal] = {}
    working_funds = ZERO
    for account in Account.objects.filter(plan_year=plan_year, pk__in=list(sums)):
        debit, credit = sums[account.pk]
        value = rules.natural_balance(account.type, debit - credit)
        if rules.is_working_funds_code(account.code):
            working_funds += value
        else:
            natural[account.code] = value
    return natural, working_funds


def _fund_balance(natural: dict[str, Decimal]) -> Decimal:
    """The unappropriated fund: income less expenses less what the close moved out of 3201."""
    def of(code: str) -> Decimal:
        return natural.get(code, ZERO)
    income = of(rules.CONTRIBUTIONS) + of(rules.SUBSIDY_INCOME)
    expenses = of(rules.BENEFITS_EXPENSE) + of(rules.MANAGEMENT_EXPENSES)
    return of(rules.FUND_BALANCE) + income - expenses


def fund_position(plan_year: PlanYear) -> FundPosition:
    """Contributions, benefits, reserve, working funds and fund balance of a plan year."""
    natural, working_funds = _natural_by_code(plan_year, _sums_by_account(plan_year))
    late, _late_working_funds = _natural_by_code(plan_year, _sums_by_account(plan_year, prior_year_only=True))

    def of(code: str) -> Decimal:
        return natural.get(code, ZERO)

    return FundPosition(
        contributions_amount=of(rules.CONTRIBUTIONS), subsidy_amount=of(rules.SUBSIDY_INCOME),
        benefits_amount=of(rules.BENEFITS_EXPENSE), management_amount=of(rules.MANAGEMENT_EXPENSES),
        reserve_amount=of(rules.TOTAL_RESERVE), working_funds_amount=working_funds,
        fund_balance_amount=_fund_balance(natural),
        bank_amount=of(rules.BANK), subsidy_receivable_amount=of(rules.SUBSIDY_RECEIVABLE),
        payable_amount=of(rules.BENEFITS_PAYABLE),
        prior_year_benefits_amount=late.get(rules.BENEFITS_EXPENSE, ZERO),
        prior_year_paid_amount=-late.get(rules.BANK, ZERO),
        prior_year_fund_amount=_fund_balance(late),
        prior_year_entries=LedgerEntry.objects.filter(plan_year=plan_year, is_prior_year_adjustment=True).count(),
    )


# Unearned contributions come from the coverages' periods, which enrollment owns; enrollment posts
# to the ledger, so the ledger never imports it: enrollment registers the reader when it loads.
_unearned_reader: Callable[..., Decimal] | None = None


def register_unearned_reader(reader: Callable[..., Decimal]) -> None:
    """Called once by enrollment's AppConfig.ready()."""
    global _unearned_reader
    _unearned_reader = reader


def unearned_contributions(plan_year: PlanYear, *, on: date, scope: Scope | None = None) -> Decimal:
    """Contributions of the plan year's paid coverages not yet earned at the end of `on` (1/365 of what is left)."""
    if _unearned_reader is None:
        raise RuntimeError("enrollment has not registered the unearned-contributions reader")
    return _unearned_reader(plan_year, on=on, scope=scope)


@dataclass(frozen=True)
class EntrySource:
    """What a ledger entry comes from, as a statement line names it: (label, address or "") pairs and the
    bank reference of the money movement, if any."""

    links: tuple[tuple[str, str], ...]
    bank_reference: str = ""
    # 辅助核算 of an exported voucher: the member unit and the league the cause belongs to, when it has them.
    unit: str = ""
    league: str = ""


# The apps that post (claims, payouts, enrollment) describe their own causes, so the ledger imports none
# of them: each registers a reader (scope, cause ids) -> {cause id: EntrySource} when it loads.
_source_readers: dict[str, Callable[[Scope, list[str]], dict[str, EntrySource]]] = {}


def register_source_reader(cause_type: str, reader: Callable[[Scope, list[str]], dict[str, EntrySource]]) -> None:
    """Called by the posting app's AppConfig.ready()."""
    _source_readers[cause_type] = reader


def sources_of(scope: Scope, entries) -> dict[int, EntrySource]:
    """Entry id → where it comes from, one read per cause type (a statement page never costs a query a line)."""
    ids_by_type: dict[str, set[str]] = {}
    for entry in entries:
        if entry.cause_id and entry.cause_type in _source_readers:
            ids_by_type.setdefault(entry.cause_type, set()).add(entry.cause_id)
    found = {cause_type: _source_readers[cause_type](scope, sorted(ids)) for cause_type, ids in ids_by_type.items()}
    return {entry.pk: found[entry.cause_type][entry.cause_id] for entry in entries
            if entry.cause_id in found.get(entry.cause_type, {})}


def contributions_amount(plan_year: PlanYear) -> Decimal:
    """Contributions of the year to date (payer part and union subsidy), the base of appropriations."""
    codes = rules.CONTRIBUTION_ACCOUNTS
    total = Posting.objects.filter(account__plan_year=plan_year, account__code__in=codes).aggregate(
        total=Sum("amount", default=ZERO))["total"]
    return -total


def loss_ratio(plan_year: PlanYear) -> Decimal | None:
    """Benefits expense to date over contributions to date; None before any contribution."""
    return fund_position(plan_year).loss_ratio


def budget_allocations(plan_year: PlanYear) -> list[rules.Allocation]:
    """The plan year's working-fund budgets as allocations to their accounts."""
    result = []
    for budget in Budget.objects.filter(plan_year=plan_year).select_related("office", "agency_point"):
        # A budget belongs to an office or to an agency point (check constraint budget_of_office_or_agency_point).
        division = budget.office.league_id if budget.office_id else budget.agency_point.county_id  # type: ignore[union-attr]
        result.append(rules.Allocation(rules.working_funds_code(division), budget.amount))
    return result


def year_close_of(plan_year: PlanYear) -> YearClose | None:
    return YearClose.objects.filter(plan_year=plan_year).select_related("closed_by").first()


@dataclass(frozen=True)
class BudgetRow:
    name: str
    level: str
    account: Account | None
    budget_amount: Decimal
    allocated_amount: Decimal
    used_amount: Decimal

    @property
    def balance_amount(self) -> Decimal:
        return self.allocated_amount - self.used_amount

    @property
    def execution_rate(self) -> Decimal | None:
        """Allocated over budget (four places); None without a budget."""
        if self.budget_amount <= 0:
            return None
        return (self.allocated_amount / self.budget_amount).quantize(Decimal("0.0001"))


def budgets_in_scope(scope: Scope, plan_year: PlanYear) -> QuerySet[Budget]:
    qs = Budget.objects.filter(plan_year=plan_year).select_related("office", "agency_point")
    if scope.is_province:
        return qs
    if scope.is_league:
        return qs.filter(Q(office__league_id=scope.code) | Q(agency_point__office__league_id=scope.code))
    if scope.is_county:
        return qs.filter(agency_point__county_id=scope.code)
    return qs.none()


def budget_vs_actual(scope: Scope, plan_year: PlanYear) -> list[BudgetRow]:
    """Working funds per office and agency point: budget, allocated at close, used, balance."""
    accounts = {(a.office_id, a.agency_point_id): a
                for a in accounts_in_scope(scope, plan_year).filter(WORKING_FUNDS_ACCOUNTS)}
    sums = _sums_by_account(plan_year, [a.pk for a in accounts.values()])
    budgets = {(b.office_id, b.agency_point_id): b for b in budgets_in_scope(scope, plan_year)}
    rows = []
    for key in sorted(set(accounts) | set(budgets), key=lambda k: (k[0] is None, k[0] or 0, k[1] or 0)):
        account, budget = accounts.get(key), budgets.get(key)
        # Every key comes from an account or a budget, and each belongs to an office or an agency point.
        holder = (account.office or account.agency_point) if account else (budget.office or budget.agency_point)  # type: ignore[union-attr]
        debit, credit = sums.get(account.pk, (ZERO, ZERO)) if account else (ZERO, ZERO)
        if not (budget or debit or credit):
            continue  # an office without a budget or any movement is noise
        rows.append(BudgetRow(name=holder.name, level="办事处" if key[0] else "代办点", account=account,  # type: ignore[union-attr]
                              budget_amount=budget.amount if budget else ZERO,
                              allocated_amount=credit, used_amount=debit))
    return rows


@dataclass(frozen=True)
class ClosePreview:
    contributions_amount: Decimal
    reserve_rate: Decimal
    reserve_amount: Decimal
    working_funds_rate: Decimal
    working_funds_cap_amount: Decimal
    budget_amount: Decimal
    protection_end_on: date
    period_ended: bool

    @property
    def budgets_within_cap(self) -> bool:
        return self.budget_amount <= self.working_funds_cap_amount

    @property
    def may_close(self) -> bool:
        return self.period_ended and self.budgets_within_cap


def close_preview(plan_year: PlanYear) -> ClosePreview:
    """What closing the year would post now: the reserve appropriation and the working-funds cap."""
    terms = plan_year.terms
    contributions = contributions_amount(plan_year)
    budgets = sum((a.amount for a in budget_allocations(plan_year)), ZERO)
    return ClosePreview(
        contributions_amount=contributions, reserve_rate=terms.reserve_rate,
        reserve_amount=rules.reserve_appropriation(contributions, terms.reserve_rate),
        working_funds_rate=terms.working_funds_rate,
        working_funds_cap_amount=rules.working_funds_cap(contributions, terms.working_funds_rate),
        budget_amount=budgets, protection_end_on=terms.protection_end_on,
        period_ended=rules.period_has_ended(terms.protection_end_on, timezone.localdate()),
    )


# ---------------------------------------------------------------- vouchers for the accounting system


def account_mappings() -> QuerySet[AccountMapping]:
    """The association's account mapping, by our code."""
    return AccountMapping.objects.select_related("updated_by").order_by("account_code")


def mapping_table() -> dict[str, tuple[str, str]]:
    """{our code or parent code: (external code, external name)}."""
    return {row.account_code: (row.external_code, row.external_name) for row in AccountMapping.objects.all()}


def _period_postings(starts_on: date, ends_before: date, plan_year: PlanYear | None) -> QuerySet[Posting]:
    qs = Posting.objects.filter(entry__posted_on__gte=starts_on, entry__posted_on__lt=ends_before)
    return qs if plan_year is None else qs.filter(entry__plan_year=plan_year)


def period_movements(starts_on: date, ends_before: date, plan_year: PlanYear | None = None) -> dict[str, tuple[Decimal, Decimal]]:
    """The trial balance's movements of a period: {our account code: (debits, credits)}, one GROUP BY over the
    postings of entries dated in [starts_on, ends_before) (every plan year's, or one's)."""
    rows = _period_postings(starts_on, ends_before, plan_year).values("account__code").order_by().annotate(
        debit=Sum("amount", filter=Q(amount__gt=0), default=ZERO),
        credit=Sum("amount", filter=Q(amount__lt=0), default=ZERO))
    return {row["account__code"]: (row["debit"], -row["credit"]) for row in rows}


def accounts_used(starts_on: date, ends_before: date, plan_year: PlanYear | None = None) -> list[tuple[str, str]]:
    """(code, name) of every account with a posting in the period, by code (names of the newest plan year)."""
    rows = (_period_postings(starts_on, ends_before, plan_year).values_list("account__code", "account__name")
            .order_by("account__code", "-account__plan_year_id").distinct())
    seen: dict[str, str] = {}
    for code, name in rows:
        seen.setdefault(code, name)
    return sorted(seen.items())


VOUCHER_FIELDS = ("entry_id", "entry__posted_on", "entry__memo", "entry__kind", "entry__cause_type", "entry__cause_id",
                  "entry__plan_year__year", "entry__plan_year__plan__name", "account__code", "account__name",
                  "account__office__name", "account__agency_point__name", "amount")


def voucher_postings(starts_on: date, ends_before: date, plan_year: PlanYear | None = None, *, chunk_size: int = 2000):
    """Every posting of the period as a tuple of VOUCHER_FIELDS, in entry order (date, entry, line), streamed."""
    return (_period_postings(starts_on, ends_before, plan_year).values_list(*VOUCHER_FIELDS)
            .order_by("entry__posted_on", "entry_id", "id").iterator(chunk_size=chunk_size))
