"""Forms of the settlement pages: an agreement, and a feed upload."""
from django import forms
from django.utils.translation import gettext_lazy as _

from huzhu.core.forms import DateInput
from huzhu.regions.queries import leagues

from .models import SettlementImport
from .rules import HEADER


def _regions() -> list[tuple[str, str]]:
    return [("", _("全区")), *((d.code, d.name) for d in leagues())]


class AgreementForm(forms.Form):
    bureau_name = forms.CharField(label=_("医保部门"), max_length=100)
    region_id = forms.ChoiceField(label=_("协议地区"), choices=(), required=False)
    starts_on = forms.DateField(label=_("协议起期"), widget=DateInput())
    ends_on = forms.DateField(label=_("协议止期"), widget=DateInput())
    shared_fields = forms.CharField(label=_("共享字段"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    initial="，".join(HEADER))
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    retention_days = forms.IntegerField(label=_("原始数据保存天数"), min_value=1, max_value=3650, initial=180)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_id"].choices = _regions()


class UploadForm(forms.Form):
    file = forms.FileField(label=_("结算数据文件（CSV或XLSX）"))
    agreement = forms.ChoiceField(label=_("依据协议"), choices=())
    mode = forms.ChoiceField(label=_("导入方式"), choices=SettlementImport.Mode.choices,
                             initial=SettlementImport.Mode.VALID, widget=forms.RadioSelect)

    def __init__(self, *args, agreements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [(a.pk, str(a)) for a in agreements]
