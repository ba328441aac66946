"""Forms of the claim pages: parse and validate input; the services decide."""
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhu.archives.models import DocumentKind
from huzhu.archives.rules import MAX_FILE_BYTES as MAX_DOCUMENT_BYTES
from huzhu.core.forms import DateInput
from huzhu.core.idnumbers import normalize, parse_mobile, parse_resident_id
from huzhu.core.money import parse_money

from . import rules
from .models import Claim, ExpertOpinion
from .services.calendar import MAX_FILE_BYTES as MAX_SCHEDULE_BYTES
from .workflow import REJECT_REASONS

INVOICE_ROWS = 3
DATE = DateInput()


class MoneyField(forms.CharField):
    """A yuan amount as Decimal (never float), with the Chinese error of core.money."""

    def __init__(self, *, required=False, **kwargs):
        super().__init__(required=required, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_money(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class IdNumberField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        try:
            return parse_resident_id(text, today=timezone.localdate()).number if text else ""
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class ClaimForm(forms.Form):
    """The desk form (county clerk, unit contact): one claim with invoices, amounts and scans."""

    INVOICE_ROWS = INVOICE_ROWS

    id_number = IdNumberField(label=_("职工身份证号"), max_length=20,
                              widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))
    claim_type = forms.ChoiceField(label=_("申领类型"), choices=Claim.Type.choices, initial=Claim.Type.INPATIENT)
    hospital = forms.CharField(label=_("医院"), max_length=100, required=False)
    admitted_on = forms.DateField(label=_("入院日期"), required=False, widget=DATE)
    discharged_on = forms.DateField(label=_("出院日期"), required=False, widget=DATE)
    period_start_on = forms.DateField(label=_("费用期间起（门诊慢特病）"), required=False, widget=DATE)
    period_end_on = forms.DateField(label=_("费用期间止"), required=False, widget=DATE)
    diagnosed_on = forms.DateField(label=_("确诊/手术日期（女性馨康）"), required=False, widget=DATE)
    diagnosis_code = forms.CharField(label=_("诊断（ICD-10 编码或名称）"), max_length=40, required=False,
                                     widget=forms.TextInput(attrs={
                                         "list": "icd10-list", "autocomplete": "off", "hx-get": reverse_lazy("claims:icd10"),
                                         "hx-trigger": "keyup changed delay:300ms", "hx-target": "#icd10-results"}))
    procedure = forms.ChoiceField(label=_("手术"), required=False, choices=[("", "—")] + Claim.Procedure.choices)
    worker_deceased = forms.BooleanField(label=_("职工已身故"), required=False)
    total_amount = MoneyField(label=_("医疗费用总额"))
    fund_paid_amount = MoneyField(label=_("统筹基金支付"))
    serious_illness_amount = MoneyField(label=_("大病保险支付"))
    medical_aid_amount = MoneyField(label=_("医疗救助支付"))
    policy_self_pay_amount = MoneyField(label=_("政策范围内个人自付"))
    out_of_policy_amount = MoneyField(label=_("政策范围外个人自付"))
    self_funded_amount = MoneyField(label=_("全自费"))
    comment = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, self.INVOICE_ROWS + 1):
            self.fields[f"invoice_code_{row}"] = forms.CharField(label=_("票据%(row)s 代码") % {"row": row}, required=False, max_length=8)
            self.fields[f"invoice_number_{row}"] = forms.CharField(label=_("号码"), required=False, max_length=10)
            self.fields[f"invoice_check_{row}"] = forms.CharField(label=_("校验码"), required=False, max_length=6)
            self.fields[f"invoice_amount_{row}"] = MoneyField(label=_("金额"))

    EVENT_FIELDS = ("id_number", "claim_type", "hospital", "admitted_on", "discharged_on", "period_start_on",
                    "period_end_on", "diagnosed_on", "diagnosis_code", "procedure", "worker_deceased")

    def event_fields(self):
        return [self[name] for name in self.EVENT_FIELDS]

    def amount_fields(self):
        return [self[name] for name in rules.AMOUNT_FIELDS]

    def invoice_rows(self):
        return [[self[f"invoice_{part}_{row}"] for part in ("code", "number", "check", "amount")]
                for row in range(1, self.INVOICE_ROWS + 1)]

    def clean_diagnosis_code(self):
        # "C50.900 乳腺恶性肿瘤" from the list: keep the code
        return normalize(self.cleaned_data["diagnosis_code"].split(" ")[0]) if self.cleaned_data["diagnosis_code"] else ""

    def claim_fields(self) -> dict:
        """Keyword arguments of services.create_claim."""
        from .icd10 import name_of

        data = self.cleaned_data
        invoices = [{"code": data[f"invoice_code_{row}"], "number": data[f"invoice_number_{row}"],
                     "check_code": data[f"invoice_check_{row}"], "amount": data[f"invoice_amount_{row}"] or 0}
                    for row in range(1, self.INVOICE_ROWS + 1)
                    if data[f"invoice_code_{row}"] or data[f"invoice_number_{row}"]]
        return {
            "claim_type": data["claim_type"], "hospital": data["hospital"], "admitted_on": data["admitted_on"],
            "discharged_on": data["discharged_on"], "period_start_on": data["period_start_on"],
            "period_end_on": data["period_end_on"], "diagnosed_on": data["diagnosed_on"],
            "diagnosis_code": data["diagnosis_code"], "diagnosis_name": name_of(data["diagnosis_code"]),
            "procedure": data["procedure"], "worker_deceased": data.get("worker_deceased", False),
            "amounts": {name: data[name] or 0 for name in rules.AMOUNT_FIELDS}, "invoices": invoices,
        }


EVENT_DATE_FIELD = {"inpatient": "admitted_on", "outpatient_chronic": "period_start_on", "diagnosis": "diagnosed_on",
                    "procedure": "diagnosed_on"}
PHOTO_ACCEPT = "image/jpeg,image/png,image/heic,application/pdf"


class WorkerClaimForm(ClaimForm):
    """The worker's phone form: one of her own coverages instead of an ID number, one invoice row."""

    INVOICE_ROWS = 1
    EVENT_FIELDS = ("claim_type", "hospital", "admitted_on", "discharged_on", "period_start_on", "period_end_on",
                    "diagnosed_on", "diagnosis_code", "procedure")
    coverage = forms.TypedChoiceField(label=_("选择保障"), coerce=int, widget=forms.RadioSelect,
                                      error_messages={"required": _("请选择这次住院或确诊所属的保障")})
    # no htmx search here: the diagnosis search is a staff page; the list is enough on a phone
    diagnosis_code = forms.CharField(label=_("诊断（ICD-10 编码或名称，住院可不填）"), max_length=40, required=False,
                                     widget=forms.TextInput(attrs={"list": "icd10-list", "autocomplete": "off"}))

    def __init__(self, *args, coverages, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["id_number"], self.fields["worker_deceased"]
        self.own_coverages = {own.coverage.pk: own for own in coverages}
        self.fields["coverage"].choices = [(pk, self.coverage_label(own)) for pk, own in self.own_coverages.items()]
        active = [own.coverage.pk for own in coverages if own.standing == "active"]
        if active or len(coverages) == 1:
            self.fields["coverage"].initial = (active or [coverages[0].coverage.pk])[0]

    @staticmethod
    def coverage_label(own) -> str:
        coverage = own.coverage
        return _("%(plan)s %(year)s（%(start)s 至 %(end)s，%(standing)s）") % {
            "plan": coverage.plan_year.plan.name, "year": coverage.plan_year.year, "start": coverage.starts_on,
            "end": coverage.ends_on, "standing": own.standing_label}

    def clean(self):
        """The claim type must belong to the chosen coverage's plan, and its date to its period."""
        from .services.intake import PLAN_OF_TYPE

        data = super().clean()
        own, claim_type = self.own_coverages.get(data.get("coverage")), data.get("claim_type")
        if own is None or not claim_type:
            return data
        coverage = own.coverage
        if PLAN_OF_TYPE[claim_type] != coverage.plan_year.plan_id:
            self.add_error("claim_type", _("所选保障是%(plan)s，不能申领“%(type)s”") % {
                "plan": coverage.plan_year.plan.name, "type": dict(Claim.Type.choices)[claim_type]})
            return data
        field = EVENT_DATE_FIELD[claim_type]
        day = data.get(field)
        if day and coverage.starts_on and not coverage.starts_on <= day <= coverage.ends_on:
            self.add_error(field, _("%(day)s 不在所选保障的保障期（%(start)s 至 %(end)s）内") % {
                "day": day, "start": coverage.starts_on, "end": coverage.ends_on})
        return data


# A document's fields (huzhu.archives.reading) -> the desk form's fields they propose; "{row}" is the first invoice
# row still empty. Fields the form has no place for (payer, personal account, cash) are shown only.
PROPOSED_FORM_FIELDS = {
    "hospital_name": "hospital", "admitted_on": "admitted_on", "discharged_on": "discharged_on",
    "diagnosis": "diagnosis_code", "total_amount": "total_amount", "fund_paid_amount": "fund_paid_amount",
    "serious_illness_amount": "serious_illness_amount", "policy_self_pay_amount": "policy_self_pay_amount",
    "out_of_policy_amount": "out_of_policy_amount", "self_funded_amount": "self_funded_amount",
    "invoice_code": "invoice_code_{row}", "invoice_number": "invoice_number_{row}", "check_code": "invoice_check_{row}",
}
READ_FIELD_LABELS = {
    "invoice_code": _("票据代码"), "invoice_number": _("票据号码"), "check_code": _("校验码"), "payer_name": _("姓名"),
    "issued_on": _("开票日期"), "hospital_name": _("医院"), "total_amount": _("医疗费用总额"),
    "fund_paid_amount": _("统筹基金支付"), "serious_illness_amount": _("大病保险支付"),
    "personal_account_amount": _("个人账户支付"), "cash_amount": _("个人现金支付"),
    "policy_self_pay_amount": _("政策范围内个人自付"), "out_of_policy_amount": _("政策范围外个人自付"),
    "self_funded_amount": _("全自费"), "admitted_on": _("入院日期"), "discharged_on": _("出院日期"),
    "diagnosis": _("诊断"),
}
SURE_ENOUGH = 0.9  # a proposal read less surely than this is marked for the clerk to check


def proposed_values(proposal) -> list[dict]:
    """Rows for the page: each field read, its label, value and confidence, and the form field it fills ("" none).
    An invoice's total also fills its invoice row's amount."""
    rows = []
    for name, value in proposal.fields.items():
        target = PROPOSED_FORM_FIELDS.get(name, "")
        confidence = proposal.confidence.get(name, 0)
        rows.append({"name": name, "label": READ_FIELD_LABELS.get(name, name), "value": value, "target": target,
                     "confidence": confidence, "unsure": confidence < SURE_ENOUGH})
        if name == "total_amount" and proposal.kind == "invoice":
            rows.append({"name": "invoice_amount", "label": _("票据金额"), "value": value,
                         "target": "invoice_amount_{row}", "confidence": confidence,
                         "unsure": confidence < SURE_ENOUGH})
    order = list(READ_FIELD_LABELS)
    return sorted(rows, key=lambda r: order.index(r["name"]) if r["name"] in order else len(order))


class VoidedInvoicesForm(forms.Form):
    file = forms.FileField(label=_("作废或红冲票据清单（CSV 或 XLSX）"))


class ReadDocumentForm(forms.Form):
    document = forms.FileField(label=_("票据或结算单（照片、PDF 或 OFD 电子票据）"))

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(_("文件超过 15 MB"))
        return upload


def uploaded_documents(files) -> list[tuple[str, object]]:
    """(kind, file) pairs from inputs named `doc_<kind>` (several files each)."""
    return [(kind, upload) for kind in DocumentKind.values for upload in files.getlist(f"doc_{kind}")]


class ReviewForm(forms.Form):
    """A reviewer's decision on the claim's current level."""

    decision = forms.ChoiceField(choices=[("pass", _("通过")), ("return", _("退回补正")), ("reject", _("不予补助"))])
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    missing_items = forms.MultipleChoiceField(label=_("需补正的材料"), required=False, choices=DocumentKind.choices,
                                              widget=forms.CheckboxSelectMultiple)
    other_missing = forms.CharField(label=_("其他需补正事项"), required=False, max_length=200)
    reason_code = forms.ChoiceField(label=_("不予补助原因"), required=False,
                                    choices=[("", "—")] + [(k, v) for k, v in REJECT_REASONS.items()])


class ExpertOpinionForm(forms.Form):
    """The medical expert's opinion on a claim at expert review, with the reasons the association will read."""

    opinion = forms.ChoiceField(label=_("专家意见"), choices=ExpertOpinion.Opinion.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("请选择专家意见")})
    reasons = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": _("请填写专家意见的理由")})


class AdjustForm(forms.Form):
    """A reviewer changes settlement amounts, with a reason."""

    fund_paid_amount = MoneyField(label=_("统筹基金支付"))
    serious_illness_amount = MoneyField(label=_("大病保险支付"))
    medical_aid_amount = MoneyField(label=_("医疗救助支付"))
    policy_self_pay_amount = MoneyField(label=_("政策范围内个人自付"))
    out_of_policy_amount = MoneyField(label=_("政策范围外个人自付"))
    self_funded_amount = MoneyField(label=_("全自费"))
    reason = forms.CharField(label=_("调整原因"), max_length=200)

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason" and value is not None}


class IdentifyForm(forms.Form):
    """The worker's door: ID number and the phone number the unit registered."""

    id_number = IdNumberField(label=_("身份证号"), max_length=20)
    phone = forms.CharField(label=_("手机号"), max_length=20)

    def clean_phone(self):
        try:
            return parse_mobile(self.cleaned_data["phone"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    files = forms.FileField(label=_("照片或扫描件"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/jpeg,image/png,image/heic,application/pdf", "capture": "environment"}))


class OfficialDaysForm(forms.Form):
    """The association's upload of a year's holiday schedule: the CSV `huzhu official-days` takes."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("节假日安排（CSV 文件）"),
                           widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
                           error_messages={"required": _("请选择 CSV 文件"),
                                           "empty": _("文件是空的：请下载模板，填写表头下面的日期后再上传")})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SCHEDULE_BYTES:  # refused before it is read into memory
            raise ValidationError(_("文件过大：一年的节假日安排只有几十行，请检查是否选错了文件"))
        return upload
