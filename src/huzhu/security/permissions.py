"""Who may do what with personal data (the adapter asks; the service checks again)."""
from django.utils.translation import gettext_noop

from huzhu.core.scopes import Scope
from huzhu.regions.models import Role

# Clerks who handle claims and payments need the full numbers; auditors, unit contacts and
# system administrators read masked data only (least privilege, PIPL art. 51).
REVEAL_ROLES = frozenset({Role.ASSOCIATION, Role.OFFICE, Role.AGENCY})
REVEALABLE_FIELDS = {"id_number": gettext_noop("身份证号"), "bank_account": gettext_noop("银行卡号"),
                     "phone": gettext_noop("手机号")}


def can_hold_api_tokens(scope: Scope) -> bool:
    """May this account create API tokens? Only staff who read business data (the API has nothing for the
    three administrators)."""
    return not scope.is_none


def can_reveal_personal_data(scope: Scope) -> bool:
    """May this scope's role see a worker's full ID number and bank account?"""
    return not scope.is_none and scope.role in REVEAL_ROLES

# Scans that show a full ID number or bank account: only the roles that may reveal numbers open them.
IDENTITY_DOCUMENT_KINDS = frozenset({"id_card", "bank_card"})
# Health documents (settlement sheets, pathology, ...) are sensitive personal information (PIPL
# art. 28): the reviewing roles, the medical expert (of the claims sent to her) and the auditor open them;
# unit contacts and administrators never do — a unit contact uploads papers for a worker but does not read them back.
DOCUMENT_ROLES = REVEAL_ROLES | {Role.AUDITOR, Role.EXPERT}


def can_open_document(scope: Scope, kind: str) -> bool:
    """May this scope's role open a claim document of this kind (the file, not just its name)?"""
    if scope.is_none or scope.role not in DOCUMENT_ROLES:
        return False
    return kind not in IDENTITY_DOCUMENT_KINDS or can_reveal_personal_data(scope)
