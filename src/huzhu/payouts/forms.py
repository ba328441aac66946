"""Forms of the payout pages: batch filters, sending date, return file, corrected bank account, recoveries."""
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhu.core.forms import TypedDateField
from huzhu.plans.models import Plan
from huzhu.regions.queries import counties, leagues

from . import rules


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
    file = forms.FileField(label=_("银行回盘文件（CSV 或 XLSX）"))


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
