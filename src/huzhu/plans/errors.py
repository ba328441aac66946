"""The error codes of plans and terms: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "bad_transition": "the plan year's status does not allow this move",
    "invalid_json": "the request body is not JSON",
    "invalid_request": "a field of the estimate document is not valid",
    "invalid_terms": "a terms field is not valid",
    "no_change": "the terms have not changed",
    "no_terms": "the plan year has no terms",
    "reason_required": "a revision of open terms needs a reason",
    "reason_too_long": "the reason is too long",
    "stale_version": "someone else published a newer version first",
    "terms_mismatch": "the terms are of another plan or year",
    "unknown_plan": "unknown plan",
    "unknown_plan_year": "the plan has no such plan year",
    "year_closed": "the plan year is closed",
    "year_exists": "the next plan year already exists",
}
