"""The staff roles: what the doors check before calling a service, and what a staff profile holds."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from huzhu.core.scopes import Scope


class Role(models.TextChoices):
    """Business roles first; the last three are the separated duties (三员分立) that see no business data."""

    ASSOCIATION = "association", _("协会")
    OFFICE = "office", _("办事处")
    AGENCY = "agency", _("代办点")
    UNIT = "unit", _("基层工会经办人")
    AUDITOR = "auditor", _("审计")  # the business auditor: reads everything in scope, writes nothing
    # The association's medical expert: gives an opinion, with reasons, on the claims sent to expert review
    # (above a set amount; women's claims with pathology); reads those claims only, decides none.
    EXPERT = "expert", _("医学专家")
    ADMIN = "admin", _("系统管理员")  # accounts, roles, configuration
    SECURITY_ADMIN = "security_admin", _("安全管理员")  # security settings, 2FA resets, unlocking, access review
    AUDIT_ADMIN = "audit_admin", _("安全审计员")  # reads and exports the audit and access logs, nothing else


# 三员分立 (GB/T 22239 level 3): none of these reads business data, and none does another's work.
ADMINISTRATOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def association_reads(scope: Scope) -> bool:
    """The province's own business (the feed, partner hospitals, the voided-invoice lists): the association and the
    province-wide auditor read it."""
    return scope.is_province and scope.role in (Role.ASSOCIATION, Role.AUDITOR)


def association_writes(scope: Scope) -> bool:
    """…and the association alone changes it (the system acting for the province acts as the association)."""
    return scope.is_province and scope.role == Role.ASSOCIATION
