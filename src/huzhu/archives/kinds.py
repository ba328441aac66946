"""The kinds of document a claim can carry: what the pages label and the plan-year terms require."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    """What a document is; plan-year terms list the kinds each claim type requires."""

    SETTLEMENT_SHEET = "settlement_sheet", _("住院结算单")
    INVOICE = "invoice", _("医疗收费票据")
    ID_CARD = "id_card", _("身份证复印件")
    DISCHARGE_SUMMARY = "discharge_summary", _("出院小结")
    BANK_CARD = "bank_card", _("银行卡")
    CHRONIC_APPROVAL = "chronic_approval", _("门特审批表")
    COST_STATEMENT = "cost_statement", _("费用明细")
    PATHOLOGY_REPORT = "pathology_report", _("病理报告")
    DIAGNOSIS_CERTIFICATE = "diagnosis_certificate", _("诊断证明")
    DEATH_CERTIFICATE = "death_certificate", _("死亡证明")
    HOUSEHOLD_DEREGISTRATION = "household_deregistration", _("户籍注销证明")
    CREMATION_CERTIFICATE = "cremation_certificate", _("火化证明")
    OTHER = "other", _("其他材料")
