"""Chinese names of the claim document kinds that terms list (`terms.documents`); claims reuse them."""
from django.utils.translation import gettext_lazy as _

# In the order a worker is told to bring them.
DOCUMENT_NAMES = {
    "settlement_sheet": _("住院结算单"),
    "invoice": _("医疗收费票据"),
    "id_card": _("身份证复印件"),
    "discharge_summary": _("出院小结"),
    "bank_card": _("银行卡"),
    "chronic_approval": _("门特审批表"),
    "cost_statement": _("费用明细"),
    "pathology_report": _("病理报告"),
    "diagnosis_certificate": _("诊断证明"),
    "death_certificate": _("死亡证明"),
    "household_deregistration": _("户籍注销证明"),
    "cremation_certificate": _("火化证明"),
}

# The claim types of `terms.documents`, with what a worker calls them.
CLAIM_TYPE_NAMES = {
    "inpatient": _("住院"),
    "outpatient_chronic": _("门诊慢特病"),
    "diagnosis": _("确诊疾病"),
    "procedure": _("手术"),
    "deceased_extra": _("职工身故时另需"),
}


def document_name(code: str) -> str:
    """The Chinese name of a document kind; an unknown code is shown as it is."""
    return str(DOCUMENT_NAMES.get(code, code))


def required_documents(documents) -> list[tuple[str, tuple[str, ...]]]:
    """The claim types that need documents, with their document codes: [('住院', ('invoice', …)), …]."""
    return [(str(name), tuple(getattr(documents, kind)))
            for kind, name in CLAIM_TYPE_NAMES.items() if getattr(documents, kind, ())]
