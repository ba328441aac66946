"""The error codes of actuarial studies: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "already_running": "a study of this kind is already running for the plan",
    "invalid_input": "a study parameter is missing or out of range",
    "no_claims": "no claim was reported by the valuation date",
    "no_exposure": "the chosen years have no coverage",
    "no_plan": "the plan does not exist",
    "no_plan_year": "a chosen year has no plan terms",
    "terms_plan_mismatch": "the proposed terms are of another plan",
    "unknown_kind": "unknown study kind",
    "whatif_empty": "the terms study has no decided benefits",
    "whatif_not_found": "no finished terms study with this number",
}
