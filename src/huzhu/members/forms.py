"""Forms for registering units and workers; validation of substance lives in the services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from huzhu.core.forms import DateInput

from .models import MemberUnit, Worker


class UnitForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    county = forms.ChoiceField(label=_("所在旗县"))
    kind = forms.ChoiceField(label=_("单位类型"), choices=MemberUnit.Kind.choices)
    sector = forms.CharField(label=_("行业"), max_length=50, required=False)
    eligible_headcount = forms.IntegerField(label=_("符合条件职工人数"), min_value=0)
    female_headcount = forms.IntegerField(label=_("女职工人数"), min_value=0)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [(c.code, f"{c.parent.name} {c.name}") for c in counties]


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    kind = forms.ChoiceField(label=_("人员类别"), choices=Worker.Kind.choices)
    started_on = forms.DateField(label=_("入职日期"), widget=DateInput())
    ethnicity = forms.CharField(label=_("民族"), max_length=10, required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=50, required=False)
    bank_account = forms.CharField(label=_("银行卡号"), max_length=30, required=False)
