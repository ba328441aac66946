"""The error codes of enrollment: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "already_covered": "a chosen worker was just enrolled by another unit",
    "already_enrolled": "the unit's annual enrollment is done; use a mid-year one",
    "amount_mismatch": "the amount paid differs from the amount due",
    "annual_in_progress": "the unit's annual enrollment is under way",
    "bad_file": "the roster file cannot be read",
    "draft_exists": "the unit has an unsubmitted mid-year enrollment",
    "empty_enrollment": "no worker chosen",
    "enrollment_not_open": "the enrollment window has not opened",
    "import_conflict": "the import met a concurrent change; nothing was imported",
    "invalid_amount": "the amount is not a yuan amount with at most two decimals",
    "invalid_bank_reference": "the bank transaction number is missing",
    "invalid_date": "a date is not YYYY-MM-DD",
    "invalid_paid_on": "the payment date is not allowed",
    "invalid_policy": "the import policy is not all or valid_only",
    "invalid_transition": "the enrollment's status does not allow this move",
    "job_finished": "the import job has run and cannot be discarded",
    "job_moved": "another run took over the import job",
    "job_not_ready": "the import job is not validated yet",
    "no_file": "no roster file",
    "no_mid_year_join": "the plan year takes no mid-year enrollments",
    "not_eligible": "a chosen worker is not eligible",
    "not_on_roster": "a chosen worker is not on the unit's roster",
    "nothing_to_renew": "the unit was not enrolled last year",
    "nothing_valid": "the file has no valid rows",
    "participation_below_threshold": "too few of the unit's workers are enrolled",
    "period_over": "the protection period has ended",
    "plan_year_not_open": "the plan year is not open",
    "rows_changed": "a validated row's worker changed since the check",
    "rows_invalid": "the file has rows with errors (policy all)",
    "stale_status": "someone else changed the enrollment first; reload",
    "wrong_status": "the enrollment is not in the status this action needs",
}
