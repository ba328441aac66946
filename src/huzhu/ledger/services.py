"""Writes to the ledger: the chart, the posting functions other apps call, reversals, budgets, close.

Every posting function is atomic, idempotent and audited: a cause (cause_type, cause_id, kind)
posts once; calling again with the same lines returns the entry already stored, with different
lines it raises Conflict. A closed plan year takes only `post_adjustment` (with a reason) and the
postings of its late claims (approved, paid, returned by the bank), all as prior-year adjustments.
Amounts are Decimal yuan; a line is signed, debit + and credit - (rules.Line).
"""
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.core.money import format_yuan, quantize_money
from huzhu.plans.models import PlanYear
from huzhu.regions.models import AgencyPoint, Office

from . import queries, rules
from .models import Account, AccountMapping, Budget, LedgerEntry, Posting, YearClose
from .rules import EntryDraft, Line

# ---------------------------------------------------------------- chart


def ensure_chart(plan_year: PlanYear) -> int:
    """Create the plan year's standard chart and a working-funds account per office and agency point."""
    before = Account.objects.filter(plan_year=plan_year).count()
    accounts = [Account(plan_year=plan_year, code=code, name=name, type=kind) for code, name, kind in rules.CHART]
    accounts += [Account(plan_year=plan_year, code=rules.working_funds_code(office.league_id),
                         name=f"工作经费—{office.name}", type=rules.LIABILITY, office=office)
                 for office in Office.objects.all()]
    accounts += [Account(plan_year=plan_year, code=rules.working_funds_code(point.county_id),
                         name=f"工作经费—{point.name}", type=rules.LIABILITY, agency_point=point)
                 for point in AgencyPoint.objects.all()]
    Account.objects.bulk_create(accounts, ignore_conflicts=True)
    after = Account.objects.filter(plan_year=plan_year).count()
    if after != before:
        record_event(actor=None, action="ledger_ensure_chart", object_type="PlanYear", object_id=plan_year.pk,
                     before={"accounts": before}, after={"accounts": after})
    return after


def _accounts_by_code(plan_year: PlanYear, codes: set[str]) -> dict[str, Account]:
    found = {a.code: a for a in Account.objects.filter(plan_year=plan_year, code__in=codes)}
    if len(found) < len(codes):
        ensure_chart(plan_year)
        found = {a.code: a for a in Account.objects.filter(plan_year=plan_year, code__in=codes)}
    missing = sorted(codes - set(found))
    if missing:
        raise ValidationFailed("unknown_account", _("科目不存在：%(codes)s") % {"codes": "、".join(missing)}, field="lines")
    return found


# ---------------------------------------------------------------- the one posting path


def _hold_year(plan_year: PlanYear) -> YearClose | None:
    """The year's close, if any; on PostgreSQL hold a share lock so a close waits for our posting."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {PlanYear._meta.db_table} WHERE id = %s FOR SHARE", [plan_year.pk])
    return YearClose.objects.filter(plan_year_id=plan_year.pk).first()


def _refuse_closed(plan_year: PlanYear) -> None:
    raise Conflict("year_closed", _("%(year)s 已结账，只能通过调整分录（须填写原因）记账") % {"year": plan_year})


def _hold_year_open(plan_year: PlanYear) -> None:
    """Refuse postings to a closed year (contributions, budgets, bulk loads, reversals)."""
    if _hold_year(plan_year) is not None:
        _refuse_closed(plan_year)


def _lines_of(entry: LedgerEntry) -> list[Line]:
    return [Line(p.account.code, p.amount) for p in entry.postings.select_related("account")]


def _entry_for(draft: EntryDraft) -> LedgerEntry | None:
    if draft.cause_id is None:
        return None
    return LedgerEntry.objects.filter(cause_type=draft.cause_type, cause_id=draft.cause_id, kind=draft.kind).first()


def _same_or_conflict(existing: LedgerEntry, plan_year: PlanYear, draft: EntryDraft) -> LedgerEntry:
    if existing.plan_year_id != plan_year.pk or not rules.same_lines(_lines_of(existing), draft.lines):
        raise Conflict("posted_differently",
                       _("%(cause)s %(id)s 的%(kind)s已记账（分录 #%(number)s），金额或科目不同") % {
                           "cause": draft.cause_type, "id": draft.cause_id, "kind": draft.kind, "number": existing.pk})
    return existing


@transaction.atomic
def _post(*, actor: Actor, plan_year: PlanYear, draft: EntryDraft, reverses: LedgerEntry | None = None,
          adjustment_reason: str = "", late_posting: bool = False) -> LedgerEntry:
    """Store a balanced entry once per cause; every public posting function ends here.

    A closed year takes a manual adjustment (with its reason) and, when `late_posting`, the
    postings of a claim decided or paid after the close; both are stored as prior-year adjustments.
    """
    rules.check_balanced(draft.lines)
    existing = _entry_for(draft)
    if existing is not None:
        return _same_or_conflict(existing, plan_year, draft)
    close = _hold_year(plan_year)
    if close is not None and not (adjustment_reason or late_posting):
        _refuse_closed(plan_year)
    if close is not None and not adjustment_reason:
        # DOMAIN: a claim of a closed year stays decidable; its postings go to that year's fund
        adjustment_reason = rules.prior_year_reason(str(plan_year), timezone.localtime(close.closed_at).date())
    accounts = _accounts_by_code(plan_year, {line.account_code for line in draft.lines})
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin of this cause loses here
            entry = LedgerEntry.objects.create(
                plan_year=plan_year, posted_on=draft.posted_on, memo=draft.memo[:200],
                cause_type=draft.cause_type, cause_id=draft.cause_id, kind=draft.kind, reverses=reverses,
                is_adjustment=bool(adjustment_reason), is_prior_year_adjustment=close is not None,
                reason=adjustment_reason[:300], created_by=_user(actor),
            )
    except IntegrityError:
        existing = _entry_for(draft)
        if existing is None:
            raise Conflict("already_reversed", _("分录 #%(number)s 已被冲销") % {"number": reverses.pk if reverses else ""}) from None
        return _same_or_conflict(existing, plan_year, draft)
    Posting.objects.bulk_create(
        [Posting(entry=entry, account=accounts[line.account_code], amount=line.amount) for line in draft.lines])
    record_event(actor=actor, action=f"ledger_{draft.kind.split(':')[0]}", object_type="LedgerEntry",
                 object_id=entry.pk,
                 after={"cause": f"{draft.cause_type}:{draft.cause_id}", "kind": draft.kind,
                        "amount": format_yuan(rules.debit_total(draft.lines)), "reason": adjustment_reason,
                        "prior_year": close is not None, "reverses": reverses.pk if reverses else None})
    return entry


def _user(actor: Actor):
    return user_of(actor)


def _money(value, field: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    amount = quantize_money(value)
    if amount <= 0:
        raise ValidationFailed("amount_not_positive", _("金额必须大于零"), field=field)
    return amount


# ---------------------------------------------------------------- postings other apps call


def post_contribution_paid(*, actor: Actor, plan_year: PlanYear, enrollment_id, paid_amount: Decimal,
                           subsidy_amount: Decimal, posted_on: date) -> LedgerEntry:
    """Book an enrollment's paid contribution: bank and subsidy receivable against contribution income."""
    paid, subsidy = quantize_money(paid_amount), quantize_money(subsidy_amount)
    if paid < 0 or subsidy < 0 or paid + subsidy == 0:
        raise ValidationFailed("amount_not_positive", _("缴费金额和工会补贴不能为负，且不能都为零"), field="paid_amount")
    draft = rules.contribution_paid_draft(enrollment_id, paid, subsidy, posted_on)
    return _post(actor=actor, plan_year=plan_year, draft=draft)


def post_subsidy_received(*, actor: Actor, plan_year: PlanYear, receipt_id, amount: Decimal,
                          posted_on: date) -> LedgerEntry:
    """The union paid subsidy it owed: bank against union subsidy receivable."""
    amount = _money(amount, "amount")
    draft = EntryDraft("subsidy_receipt", str(receipt_id), "subsidy_received", posted_on,
                       f"收到工会补贴 #{receipt_id}", rules.transfer(rules.BANK, rules.SUBSIDY_RECEIVABLE, amount))
    return _post(actor=actor, plan_year=plan_year, draft=draft)


def post_claim_approved(*, actor: Actor, plan_year: PlanYear, claim_id, benefit_amount: Decimal,
                        posted_on: date) -> LedgerEntry:
    """An approved claim's benefit: benefits expense against benefits payable (after close: 往年调整)."""
    draft = rules.claim_approved_draft(claim_id, _money(benefit_amount, "benefit_amount"), posted_on)
    return _post(actor=actor, plan_year=plan_year, draft=draft, late_posting=True)


def post_claim_recovery(*, actor: Actor, plan_year: PlanYear, claim_id, amount: Decimal, posted_on: date,
                        memo: str = "") -> LedgerEntry:
    """A paid benefit is owed back (its settlement reversed, or the post-audit found it overpaid): recovery
    receivable against benefits expense (after close: 往年调整); `memo` words the cause when it is not a reversal."""
    draft = rules.claim_recovery_draft(claim_id, _money(amount, "amount"), posted_on, memo=memo)
    return _post(actor=actor, plan_year=plan_year, draft=draft, late_posting=True)


def post_recovery_closed(*, actor: Actor, plan_year: PlanYear, claim_id, amount: Decimal, posted_on: date,
                         written_off: bool) -> LedgerEntry:
    """A recovery (1231) closed: repaid into the bank, or written off to benefits expense (after close: 往年调整)."""
    draft = rules.recovery_closed_draft(claim_id, _money(amount, "amount"), posted_on, written_off=written_off)
    return _post(actor=actor, plan_year=plan_year, draft=draft, late_posting=True)


def reverse_claim_approval(*, actor: Actor, claim_id, reason: str, posted_on: date | None = None) -> LedgerEntry | None:
    """A claim approved but not paid is cancelled: reverse its approval entry (none when it was approved at 0)."""
    approved = LedgerEntry.objects.filter(cause_type="claim", cause_id=str(claim_id), kind="claim_approved").first()
    if approved is None:
        return None
    return reverse_entry(actor=actor, entry=approved, reason=reason, posted_on=posted_on)


def post_payout_paid(*, actor: Actor, plan_year: PlanYear, payout_id, amount: Decimal, posted_on: date) -> LedgerEntry:
    """The bank paid a payout: benefits payable against bank (after close: 往年调整). A retry needs a new id."""
    draft = rules.payout_paid_draft(payout_id, _money(amount, "amount"), posted_on)
    return _post(actor=actor, plan_year=plan_year, draft=draft, late_posting=True)


def post_payout_failed(*, actor: Actor, plan_year: PlanYear, payout_id, posted_on: date, reason: str = "") -> LedgerEntry:
    """The bank returned a paid payout: reverse its paid entry, so the benefit is payable again."""
    paid = LedgerEntry.objects.filter(cause_type="payout", cause_id=str(payout_id), kind="payout_paid").first()
    if paid is None:
        raise Conflict("payout_not_paid", _("支付 #%(number)s 尚未记账为已付款，不能记为失败") % {"number": payout_id})
    draft = EntryDraft("payout", str(payout_id), "payout_failed", posted_on,
                       f"支付 #{payout_id} 银行退回{('：' + reason) if reason else ''}",
                       rules.reversed_lines(_lines_of(paid)))
    return _post(actor=actor, plan_year=plan_year, draft=draft, reverses=paid, late_posting=True)


def _ensure_hospital_account(plan_year: PlanYear, hospital_code: str, hospital_name: str) -> None:
    Account.objects.get_or_create(plan_year=plan_year, code=rules.hospital_advances_code(hospital_code),
                                  defaults={"name": f"应付医院垫付补助金—{hospital_name}"[:100], "type": rules.LIABILITY})


def post_hospital_advance(*, actor: Actor, plan_year: PlanYear, discharge_id, hospital_code: str, hospital_name: str,
                          amount: Decimal, posted_on: date) -> LedgerEntry:
    """A partner hospital advanced a benefit at discharge: benefits payable against what the fund owes the hospital
    (its sub-account 2202-<code>, made on first use; after close: 往年调整)."""
    _ensure_hospital_account(plan_year, hospital_code, hospital_name)
    draft = rules.hospital_advance_draft(discharge_id, hospital_code, _money(amount, "amount"), posted_on)
    return _post(actor=actor, plan_year=plan_year, draft=draft, late_posting=True)


def post_hospital_reimbursed(*, actor: Actor, plan_year: PlanYear, batch_id, hospital_code: str, hospital_name: str,
                             amount: Decimal, posted_on: date) -> LedgerEntry:
    """A hospital's reimbursement batch was paid (its part in one plan year): the hospital's payable against bank."""
    _ensure_hospital_account(plan_year, hospital_code, hospital_name)
    draft = rules.hospital_reimbursed_draft(batch_id, plan_year.pk, hospital_code, _money(amount, "amount"), posted_on)
    return _post(actor=actor, plan_year=plan_year, draft=draft, late_posting=True)


def reverse_cause(*, actor: Actor, cause_type: str, cause_id: str, kind: str, reason: str,
                  posted_on: date | None = None) -> LedgerEntry | None:
    """Reverse the entry a cause posted (none posted: None), e.g. a cancelled hospital advance, a returned transfer."""
    entry = LedgerEntry.objects.filter(cause_type=cause_type, cause_id=str(cause_id), kind=kind).first()
    return None if entry is None else reverse_entry(actor=actor, entry=entry, reason=reason, posted_on=posted_on)


def reverse_entry(*, actor: Actor, entry: LedgerEntry, reason: str, posted_on: date | None = None) -> LedgerEntry:
    """Correct an entry by posting its mirror image; the original stays. An entry reverses once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("reason_required", _("冲销须填写原因"), field="reason")
    original = LedgerEntry.objects.select_related("plan_year").get(pk=entry.pk)
    existing = LedgerEntry.objects.filter(reverses=original).first()
    if existing is not None and existing.kind != f"reversal:{original.kind}":
        raise Conflict("already_reversed", _("分录 #%(number)s 已被分录 #%(by)s 冲销") % {"number": original.pk, "by": existing.pk})
    draft = EntryDraft(original.cause_type, original.cause_id, f"reversal:{original.kind}",
                       posted_on or timezone.localdate(), f"冲销分录 #{original.pk}：{reason}",
                       rules.reversed_lines(_lines_of(original)))
    return _post(actor=actor, plan_year=original.plan_year, draft=draft, reverses=original)


def post_adjustment(*, actor: Actor, plan_year: PlanYear, lines: Sequence[Line], reason: str,
                    posted_on: date | None = None) -> LedgerEntry:
    """A manual adjusting entry with a reason; in a closed year it is a prior-year adjustment."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("reason_required", _("调整分录须填写原因"), field="reason")
    lines = tuple(line if isinstance(line, Line) else Line(line[0], quantize_money(line[1])) for line in lines)
    draft = EntryDraft("adjustment", None, "adjustment", posted_on or timezone.localdate(),
                       f"调整：{reason}", lines)
    return _post(actor=actor, plan_year=plan_year, draft=draft, adjustment_reason=reason[:300])


# ---------------------------------------------------------------- bulk path


def post_entries(*, actor: Actor, plan_year: PlanYear, drafts: Iterable[EntryDraft], chunk_size: int = 5000) -> int:
    """Post many entries fast (imports, bench): each balanced; causes already posted are skipped.

    Returns how many entries were created. Each chunk is one transaction; a duplicate cause inside
    a chunk, or one a concurrent writer posts meanwhile, fails that chunk (the unique constraint).
    """
    created = 0
    iterator = iter(drafts)
    while chunk := list(islice(iterator, chunk_size)):
        created += _post_chunk(actor=actor, plan_year=plan_year, drafts=chunk)
    return created


@transaction.atomic
def _post_chunk(*, actor: Actor, plan_year: PlanYear, drafts: list[EntryDraft]) -> int:
    _hold_year_open(plan_year)
    for draft in drafts:
        rules.check_balanced(draft.lines)
    posted = set()
    by_type: dict[str, set[str]] = {}
    for draft in drafts:
        if draft.cause_id is not None:
            by_type.setdefault(draft.cause_type, set()).add(draft.cause_id)
    for cause_type, cause_ids in by_type.items():
        posted |= set(LedgerEntry.objects.filter(cause_type=cause_type, cause_id__in=cause_ids)
                      .values_list("cause_type", "cause_id", "kind"))
    fresh = [d for d in drafts if (d.cause_type, d.cause_id, d.kind) not in posted]
    if not fresh:
        return 0
    accounts = _accounts_by_code(plan_year, {line.account_code for d in fresh for line in d.lines})
    ids = _insert_rows(plan_year, fresh, accounts, _user(actor))
    record_bulk_event(actor=actor, action="ledger_post_entries", object_type="LedgerEntry",
                      object_ids=ids,
                      summary={"plan_year": plan_year.pk, "entries": len(ids), "skipped": len(drafts) - len(fresh),
                               "first_id": ids[0], "last_id": ids[-1]})
    return len(ids)


ENTRY_COLUMNS = ("id", "plan_year_id", "posted_on", "memo", "cause_type", "cause_id", "kind", "is_adjustment",
                 "reason", "created_at", "created_by_id")
POSTING_COLUMNS = ("entry_id", "account_id", "amount")


def _insert_rows(plan_year: PlanYear, drafts: list[EntryDraft], accounts: dict[str, Account], user) -> list[int]:
    """Insert checked drafts without the ORM's per-row cost: COPY on PostgreSQL, executemany elsewhere.

    Ids are taken up front (the sequence on PostgreSQL; on SQLite the IMMEDIATE transaction holds
    the write lock, so MAX(id) is ours), so postings can name their entry. The deferred trigger
    still checks every entry at commit.
    """
    entry_table, posting_table = LedgerEntry._meta.db_table, Posting._meta.db_table
    ops = connection.ops
    now, user_id = timezone.now(), getattr(user, "pk", None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{entry_table}', 'id'))"
                           " FROM generate_series(1, %s)", [len(drafts)])
            ids = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {entry_table}")
            first = cursor.fetchone()[0] + 1
            ids = list(range(first, first + len(drafts)))
        native = connection.vendor == "postgresql"
        created_at = now if native else ops.adapt_datetimefield_value(now)

        def _date(day):
            return day if native else ops.adapt_datefield_value(day)

        entries = [(entry_id, plan_year.pk, _date(d.posted_on), d.memo[:200], d.cause_type, d.cause_id, d.kind, False, "",
                    created_at, user_id) for entry_id, d in zip(ids, drafts, strict=True)]
        postings = [(entry_id, accounts[line.account_code].pk, line.amount)
                    for entry_id, d in zip(ids, drafts, strict=True) for line in d.lines]
        if connection.vendor == "postgresql":
            for table, columns, rows in ((entry_table, ENTRY_COLUMNS, entries),
                                         (posting_table, POSTING_COLUMNS, postings)):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            for table, columns, rows in ((entry_table, ENTRY_COLUMNS, entries),
                                         (posting_table, POSTING_COLUMNS, postings)):
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    return ids


# ---------------------------------------------------------------- budgets and year close


@transaction.atomic
def set_budget(*, actor: Actor, plan_year: PlanYear, amount: Decimal, office: Office | None = None,
               agency_point: AgencyPoint | None = None) -> Budget:
    """Set the working-funds budget of one office or agency point for a plan year (before close)."""
    if (office is None) == (agency_point is None):
        raise ValidationFailed("budget_holder", _("预算须指定一个办事处或一个代办点"), field="office")
    if isinstance(amount, float):
        raise TypeError("money must never be a float")
    amount = quantize_money(amount)
    if amount < 0:
        raise ValidationFailed("amount_negative", _("预算金额不能为负"), field="amount")
    _hold_year_open(plan_year)
    budget = Budget.objects.select_for_update().filter(plan_year=plan_year, office=office,
                                                       agency_point=agency_point).first()
    before = format_yuan(budget.amount) if budget else None
    if budget is None:
        budget = Budget.objects.create(plan_year=plan_year, office=office, agency_point=agency_point,
                                       amount=amount, set_by=_user(actor))
    else:
        budget.amount, budget.set_by = amount, _user(actor)
        budget.save(update_fields=["amount", "set_by", "set_at"])
    record_event(actor=actor, action="set_working_funds_budget", object_type="Budget", object_id=budget.pk,
                 before={"amount": before}, after={"amount": format_yuan(amount), "holder": str(office or agency_point)})
    return budget


@transaction.atomic
def close_plan_year(*, actor: Actor, plan_year: PlanYear, allocations: Sequence[rules.Allocation] | None = None,
                    posted_on: date | None = None) -> YearClose:
    """Close a plan year's books: appropriate the reserve, allocate working funds, lock the year.

    Only after the protection period has ended; claims decided later post as prior-year adjustments.
    `allocations` default to the year's budgets. Closing a closed year returns its close record.
    """
    locked = PlanYear.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=plan_year.pk)
    done = YearClose.objects.filter(plan_year=locked).first()
    if done is not None:
        return done
    terms = locked.terms
    today = timezone.localdate()
    if not rules.period_has_ended(terms.protection_end_on, today):
        raise Conflict("period_not_over", _("%(year)s 的保障期到 %(end)s 才结束，保障期结束后才能结账") % {
            "year": locked, "end": terms.protection_end_on.isoformat()})
    ensure_chart(locked)
    contributions = queries.contributions_amount(locked)
    reserve = rules.reserve_appropriation(contributions, terms.reserve_rate)
    cap = rules.working_funds_cap(contributions, terms.working_funds_rate)
    allocations = list(queries.budget_allocations(locked) if allocations is None else allocations)
    working_funds = rules.check_allocations(allocations, cap)
    posted_on = posted_on or today
    if reserve > 0:  # DOMAIN: reserve_rate of contributions to the total reserve at close
        _post(actor=actor, plan_year=locked, draft=EntryDraft(
            "plan_year", str(locked.pk), "reserve_appropriation", posted_on,
            f"{locked} 年度结账：提取总准备金 {contributions} × {terms.reserve_rate}",
            rules.transfer(rules.FUND_BALANCE, rules.TOTAL_RESERVE, reserve)))
    if working_funds > 0:
        lines = [Line(rules.FUND_BALANCE, working_funds)]
        lines += [Line(a.account_code, -a.amount) for a in allocations if a.amount > 0]
        _post(actor=actor, plan_year=locked, draft=EntryDraft(
            "plan_year", str(locked.pk), "working_funds_allocation", posted_on,
            f"{locked} 年度结账：分配工作经费（上限 {cap}）", tuple(lines)))
    close = YearClose.objects.create(plan_year=locked, contributions_amount=contributions, reserve_amount=reserve,
                                     working_funds_amount=working_funds, closed_by=_user(actor))
    record_event(actor=actor, action="close_plan_year_books", object_type="PlanYear", object_id=locked.pk,
                 before=None, after={"contributions": format_yuan(contributions), "reserve": format_yuan(reserve),
                                     "working_funds": format_yuan(working_funds)})
    return close


# ---------------------------------------------------------------- account mapping and voucher exports


@transaction.atomic
def set_account_mapping(*, actor: Actor, account_code: str, external_code: str, external_name: str) -> AccountMapping:
    """Map one of our accounts (or a parent code) to an account of the association's books; audited."""
    account_code, external_code, external_name = rules.check_mapping_line(account_code, external_code, external_name)
    mapping = AccountMapping.objects.select_for_update().filter(account_code=account_code).first()
    before = {"external_code": mapping.external_code, "external_name": mapping.external_name} if mapping else None
    if mapping is None:
        mapping = AccountMapping(account_code=account_code)
    mapping.external_code, mapping.external_name, mapping.updated_by = external_code, external_name, _user(actor)
    mapping.save()
    record_event(actor=actor, action="ledger_set_account_mapping", object_type="AccountMapping", object_id=mapping.pk,
                 before=before, after={"account_code": account_code, "external_code": external_code,
                                       "external_name": external_name})
    return mapping


@transaction.atomic
def start_voucher_export(*, actor: Actor, starts_on: date, ends_before: date, plan_year: PlanYear | None, layout: str,
                         grouping: str) -> dict[str, tuple[str, str]]:
    """Check that every account of the period is mapped, record the export (audited) and return the mapping."""
    mapping = queries.mapping_table()
    used = queries.accounts_used(starts_on, ends_before, plan_year)
    missing = [f"{code} {name}" for code, name in used if rules.mapped_code(code, mapping) is None]
    if missing:
        raise ValidationFailed("unmapped_account", _("以下科目尚未对照到会计科目，不能导出凭证：%(accounts)s") % {
            "accounts": "、".join(missing)}, field="account_code")
    movements = queries.period_movements(starts_on, ends_before, plan_year)
    record_event(actor=actor, action="ledger_export_vouchers", object_type="LedgerEntry",
                 object_id=f"{starts_on.isoformat()}..{ends_before.isoformat()}",
                 after={"starts_on": starts_on.isoformat(), "ends_before": ends_before.isoformat(),
                        "plan_year": plan_year.pk if plan_year else None, "layout": layout, "grouping": grouping,
                        "accounts": len(used),
                        "debit": format_yuan(sum((debit for debit, _credit in movements.values()), Decimal(0)))})
    return mapping
