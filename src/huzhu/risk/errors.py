"""The error codes of fraud checks: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "invalid_verdict": "unknown verdict",
    "note_required": "the verdict needs a note",
    "invalid_share": "the post-audit share is not between 0 and 1",
    "invalid_month": "the post-audit month is not a month already over",
    "invalid_outcome": "the post-audit outcome is not confirmed, recovery or rule_change",
    "rule_required": "a rule-change outcome needs a note naming the rule or check to change",
    "reason_required": "a recovery outcome needs a note giving the reason",
    "invalid_amount": "the recovery amount is not a number above zero and at most the benefit",
    "outcome_recorded": "the sample's outcome is already recorded and cannot be changed",
}
