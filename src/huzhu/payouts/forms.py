"""Forms of the payout pages: batch filters, sending date, return file, corrected bank account, recoveries,
the bank-file templates."""
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhu.core.forms import TypedDateField
from huzhu.plans.models import Plan
from huzhu.regions.queries import counties, leagues

from . import bank_layouts, rules
from .models import BankFileTemplate


class BatchFilterForm(forms.Form):
    plan = forms.ChoiceField(label=_("项目"), required=False)
    # Choosing a league reloads the county list with that league's counties (htmx picks the select
    # out of the same page); without JavaScript the next preview shows them.
    league = forms.ChoiceField(label=_("盟市"), required=False, widget=forms.Select(attrs={
        "hx-get": reverse_lazy("payouts:batch_new"), "hx-trigger": "change", "hx-include": "closest form",
        "hx-select": "#id_county", "hx-target": "#id_county", "hx-swap": "outerHTML"}))
    county = forms.ChoiceField(label=_("旗县"), required=False,
                               error_messages={"invalid_choice": _("所选旗县不属于所选盟市")})
    approved_from = forms.DateField(label=_("审批日期起"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    approved_to = forms.DateField(label=_("审批日期止"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", _("全部项目")), *Plan.objects.order_by("code").values_list("code", "name")]
        self.fields["league"].choices = [("", _("全区")), *leagues().values_list("code", "name")]
        league = self.data.get("league") or None
        self.fields["county"].choices = [("", _("全部旗县")), *counties(league).values_list("code", "name")]

    def clean(self):
        data = super().clean()
        start, end = data.get("approved_from"), data.get("approved_to")
        if start and end and start > end:
            self.add_error("approved_to", _("审批日期“止”不能早于“起”"))
        return data

    def filters(self) -> rules.BatchFilters:
        data = self.cleaned_data
        return rules.BatchFilters(plan=data.get("plan") or "", league=data.get("league") or "",
                                  county=data.get("county") or "", approved_from=data.get("approved_from"),
                                  approved_to=data.get("approved_to"))


class SentForm(forms.Form):
    sent_on = forms.DateField(label=_("送银行日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"sent_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("银行回盘文件（CSV、XLSX、TXT 或 pain.002 XML）"))
    template = forms.ChoiceField(label=_("回盘格式"), required=False)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("通用列名（自动识别）；pain.002 XML 自动识别")),
                                           *((str(t.pk), t.name) for t in templates)]


FIELD_LABELS = {
    "serial": _("序号"), "payee_name": _("收款人姓名"), "account": _("收款账号（完整）"), "bank_name": _("开户银行"),
    "branch_code": _("联行号（尚未登记，留空）"), "amount": _("金额（元，两位小数的数字）"),
    "amount_fen": _("金额（分，整数）"), "currency": _("币种（CNY）"), "purpose": _("用途／附言"),
    "reference": _("支付参考号"), "batch_reference": _("批次号"), "fixed": _("固定值（填在“固定值”栏）"),
}
DELIMITER_CHOICES = [(",", _("逗号 ,")), ("|", _("竖线 |")), ("\t", _("制表符")), (";", _("分号 ;"))]


class BankFileTemplateForm(forms.ModelForm):
    """A template's layout and return mapping (the columns are the formset below it)."""

    delimiter = forms.ChoiceField(label=_("分隔符"), choices=DELIMITER_CHOICES)

    class Meta:
        model = BankFileTemplate
        fields = ["name", "bank", "file_type", "encoding", "delimiter", "has_header", "sheet_name", "is_active",
                  "return_has_header", "return_reference_column", "return_serial_column", "return_account_column",
                  "return_amount_column", "return_amount_in_fen", "return_result_column", "return_reason_column",
                  "return_success_values", "return_failure_values"]
        help_texts = {
            "encoding": _("CSV、TXT 文件的字符编码；XLSX 不适用"),
            "sheet_name": _("仅 XLSX；留空为“银行代发”"),
            "return_result_column": _("留空：回盘按通用列名读取（支付参考号、金额、处理结果、银行说明）"),
            "return_success_values": _("多个值用逗号分隔，如：成功,0000"),
            "return_failure_values": _("留空：除成功值外的任何结果都记为失败"),
        }


class ColumnForm(forms.Form):
    position = forms.IntegerField(label=_("顺序"), min_value=1, max_value=99, required=False)
    field = forms.ChoiceField(label=_("字段"), required=False,
                              choices=[("", "—"), *FIELD_LABELS.items()])
    header = forms.CharField(label=_("表头"), max_length=40, required=False)
    value = forms.CharField(label=_("固定值"), max_length=100, required=False)


ColumnFormSet = forms.formset_factory(ColumnForm, extra=3, max_num=30)


def columns_of(formset) -> tuple[bank_layouts.Column, ...]:
    """The filled rows of the column formset, in the order of their 顺序 (then as listed)."""
    rows = [(form.cleaned_data.get("position") or 100 + index, index, form.cleaned_data)
            for index, form in enumerate(formset.forms) if form.cleaned_data.get("field")]
    return tuple(bank_layouts.Column(field=data["field"], header=data.get("header", "").strip(),
                                     value=data.get("value", "").strip()) for _p, _i, data in sorted(rows))


def column_initial(template: BankFileTemplate | None) -> list[dict]:
    columns = template.layout_columns() if template else []
    return [{"position": number, "field": c.field, "header": c.header, "value": c.value}
            for number, c in enumerate(columns, start=1)]


class BankAccountForm(forms.Form):
    bank_name = forms.CharField(label=_("开户银行"), max_length=50, required=False)
    bank_account = forms.CharField(label=_("更正后的银行卡号"), max_length=30, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class RecoveryCloseForm(forms.Form):
    """An open recovery closed: repaid into the bank, or written off with a reason."""

    outcome = forms.ChoiceField(label=_("追回结果"), choices=[("recovered", _("已追回（款项已到账）")),
                                                             ("written_off", _("核销（无法追回）"))])
    closed_on = TypedDateField(label=_("日期"), initial=timezone.localdate, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
