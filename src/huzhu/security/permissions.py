"""Who may do what with personal data (the adapter asks; the service checks again)."""
from django.utils.translation import gettext_noop

from huzhu.core.scopes import Scope
from huzhu.regions.models import Role

# Clerks who handle claims and payments need the full numbers; auditors, unit contacts and
# system administrators read masked data only (least privilege, PIPL art. 51).
REVEAL_ROLES = frozenset({Role.ASSOCIATION, Role.OFFICE, Role.AGENCY})
REVEALABLE_FIELDS = {"id_number": gettext_noop("身份证号"), "bank_account": gettext_noop("银行卡号")}


def can_reveal_personal_data(scope: Scope) -> bool:
    """May this scope's role see a worker's full ID number and bank account?"""
    return scope.level != "none" and scope.role in REVEAL_ROLES
