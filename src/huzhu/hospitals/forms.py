"""Forms of the hospital pages: a hospital's details, a token, a batch, a statement, the money steps."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhu.core.forms import DateInput, TypedDateField
from huzhu.regions.queries import counties, leagues

from .models import PartnerHospital


class HospitalForm(forms.Form):
    code = forms.CharField(label=_("定点机构编码"), max_length=30)
    name = forms.CharField(label=_("机构名称"), max_length=100)
    league = forms.ChoiceField(label=_("所属盟市"), choices=())
    county = forms.ChoiceField(label=_("所属旗县区"), choices=(), required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100)
    account_name = forms.CharField(label=_("账户名称"), max_length=100)
    bank_account = forms.CharField(label=_("银行账号"), max_length=60,
                                   help_text=_("垫付补助金按此账户付款；保存后只显示脱敏账号"))
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["league"].choices = [(d.code, d.name) for d in leagues()]
        self.fields["county"].choices = [("", "—"), *((d.code, f"{d.parent.name if d.parent_id else ''} {d.name}")
                                                     for d in counties().select_related("parent"))]
        if editing:
            self.fields["code"].disabled = True


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("合作状态"), choices=PartnerHospital.Status.choices)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, initial=_("HIS 正式环境"))
    client_certificate_sha256 = forms.CharField(label=_("绑定客户端证书指纹（SHA-256，可选）"), max_length=120,
                                                required=False)


class BatchForm(forms.Form):
    through = TypedDateField(label=_("结算截止日期"), widget=DateInput())


class StatementForm(forms.Form):
    file = forms.FileField(label=_("医院对账单（CSV或XLSX：结算流水号，互助补助金）"))


class PaidForm(forms.Form):
    paid_on = TypedDateField(label=_("付款日期"), initial=timezone.localdate,
                             widget=DateInput())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("处理说明"), max_length=200)
