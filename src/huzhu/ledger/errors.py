"""The error codes of ledger: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "already_reversed": "the entry is already reversed",
    "amount_negative": "the amount is negative",
    "amount_not_positive": "the amount must be above zero",
    "bad_account_code": "the account code is not one of the ledger's codes",
    "bad_allocation": "a working funds amount is not valid",
    "bad_external_code": "the accounting package's account code is not valid",
    "bad_period": "the voucher period is not valid",
    "budget_holder": "the budget must name one office or one agency point",
    "external_name_required": "the accounting package's account name is required",
    "duplicate_allocation": "a working funds account is allocated twice",
    "not_working_funds": "the account is not a working funds account",
    "payout_not_paid": "the payout is not paid",
    "period_not_over": "the protection period has not ended",
    "posted_differently": "the cause is already posted with other lines",
    "reason_required": "a reason is required",
    "sub_fen_line": "a line has more than two decimals",
    "too_few_lines": "an entry needs at least two lines",
    "unmapped_account": "an account of the period has no account mapping",
    "unbalanced": "debits and credits do not balance",
    "unknown_account": "unknown account",
    "working_funds_over_cap": "working funds exceed the set share of contributions",
    "year_closed": "the plan year's books are closed",
    "zero_line": "a line has a zero amount",
}
