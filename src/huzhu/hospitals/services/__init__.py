"""Every write of the hospitals app. Doors call these; each is atomic, keyword-only, actor first, audited."""
from .discharge import cancel_discharge, settle_discharge
from .registry import (
    authenticate_hospital,
    issue_token,
    register_hospital,
    revoke_token,
    set_hospital_status,
    update_hospital,
)
from .reimbursement import (
    build_batch,
    cancel_batch,
    import_statement,
    mark_batch_failed,
    mark_batch_paid,
    resolve_dispute,
)

__all__ = [
    "authenticate_hospital", "build_batch", "cancel_batch", "cancel_discharge", "import_statement", "issue_token",
    "mark_batch_failed", "mark_batch_paid", "register_hospital", "resolve_dispute", "revoke_token",
    "set_hospital_status", "settle_discharge", "update_hospital",
]
