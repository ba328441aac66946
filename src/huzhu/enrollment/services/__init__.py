"""Every write of the enrollment app: atomic, keyword-only, actor first, audited.

- enrollments.py: start, add/remove workers, submit, cancel, renew, new hires, leavers
- payments.py: record a payment (coverages start, certificates), and the bulk `enroll_and_pay`
- coverages.py: the one set-based write path of coverage rows (insert pending, activate at payment, past ones)
- imports.py: roster import jobs (validate in chunks, commit in one transaction)
"""
from .coverages import insert_past_coverages
from .enrollments import (
    add_new_hire,
    add_workers,
    cancel_enrollment,
    record_leaving,
    remove_workers,
    renew_enrollment,
    start_enrollment,
    submit_enrollment,
    withdraw_enrollment,
)
from .imports import (
    check_import_commit,
    commit_import,
    create_import_job,
    discard_import,
    purge_abandoned_imports,
    validate_import,
)
from .payments import EnrollAndPayResult, enroll_and_pay, record_past_enrollments, record_payment

__all__ = [
    "EnrollAndPayResult", "add_new_hire", "add_workers", "cancel_enrollment", "check_import_commit", "commit_import", "create_import_job",
    "discard_import", "enroll_and_pay", "insert_past_coverages", "purge_abandoned_imports", "record_leaving",
    "record_past_enrollments", "record_payment", "remove_workers", "renew_enrollment",
    "start_enrollment", "submit_enrollment", "validate_import", "withdraw_enrollment",
]
