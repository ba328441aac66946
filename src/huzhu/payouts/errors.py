"""The error codes of payouts: the `code` of every DomainError this app raises, in one place.

The strings are the API's contract (clients rely on them): never rename one. docs/api.md lists them;
src/huzhu/tests/test_error_catalogues.py fails when a raise site uses a code not declared here.
"""

CODES = {
    "account_or_note": "a failed payout needs a new account or a note",
    "batch_status": "the batch's status does not allow this action",
    "claim_not_approved": "the claim is not approved",
    "claims_taken": "a claim is already in another batch",
    "invalid_filters": "the batch filters are not valid",
    "invalid_form": "a field of the form is not valid",
    "invalid_bank_template": "a bank-file template is not valid (name, layout, columns or return mapping)",
    "invalid_return_file": "the bank's return file cannot be read",
    "invalid_sent_on": "the sending date is after today",
    "not_exported": "the batch's bank file has not been downloaded",
    "not_waiting": "the payout is not in the queue of failed payouts",
    "nothing_to_pay": "no approved claim to pay",
    "nothing_to_reconcile": "a pain.002 status report has no final result for any line",
    "payout_changed": "someone else changed the payout first",
    "reason_required": "a reason is required",
    "report_of_another_batch": "a pain.002 status report answers another batch's pain.001",
    "template_name_taken": "another bank-file template has this name",
}
