"""The forms of complaint pages: what a worker files on her phone, a logged call, a reply."""
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from huzhu.core.params import parse_integer

from .models import Complaint

TEXT_ATTRS = {"rows": 5, "maxlength": 2000}


class ClaimNumberField(forms.CharField):
    """An optional claim number as typed (#123, full-width digits); None when blank."""

    def to_python(self, value):
        text = str(value or "").strip().lstrip("#＃")
        if not text:
            return None
        number = parse_integer(text, minimum=1)
        if number is None:
            raise forms.ValidationError(_("申领编号应为数字，如 1024"))
        return number


class WorkerComplaintForm(forms.Form):
    """Filed by the worker on her phone: kind, category, optionally one of her claims, the text."""

    kind = forms.ChoiceField(label=_("类型"), choices=Complaint.Kind.choices, widget=forms.RadioSelect,
                             initial=Complaint.Kind.QUESTION)
    category = forms.ChoiceField(label=_("类别"), choices=Complaint.Category.choices)
    claim = forms.TypedChoiceField(label=_("相关申领（可不选）"), required=False, coerce=int, empty_value=None)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs=TEXT_ATTRS), max_length=2000)

    def __init__(self, *args, claims=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["claim"]).choices = [("", _("不涉及具体申领"))] + [
            (claim.pk, f"#{claim.pk} {claim.get_claim_type_display()} {claim.event_on:%Y-%m-%d}") for claim in claims]


class CallForm(forms.Form):
    """A call (12351) or a visit logged by a clerk: the worker found by name or ID, or a caller with a phone."""

    channel = forms.ChoiceField(label=_("渠道"), choices=[(c.value, c.label) for c in Complaint.Channel
                                                         if c != Complaint.Channel.PHONE_PAGE])
    kind = forms.ChoiceField(label=_("类型"), choices=Complaint.Kind.choices)
    category = forms.ChoiceField(label=_("类别"), choices=Complaint.Category.choices)
    worker_query = forms.CharField(label=_("职工（姓名、身份证号、1501****1234 或手机号）"), required=False,
                                   max_length=40)
    worker_id = forms.TypedChoiceField(label=_("选择职工"), required=False, coerce=int, empty_value=None,
                                       widget=forms.RadioSelect)
    caller_name = forms.CharField(label=_("来电人姓名（未登记或匿名时）"), required=False, max_length=50)
    caller_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)
    county = forms.ChoiceField(label=_("所属旗县"), required=False)
    level = forms.ChoiceField(label=_("受理层级"), choices=Complaint.Level.choices, initial=Complaint.Level.COUNTY)
    claim = ClaimNumberField(label=_("相关申领编号（可不填）"), required=False, max_length=20)
    text = forms.CharField(label=_("来电内容"), widget=forms.Textarea(attrs=TEXT_ATTRS), max_length=2000)

    def __init__(self, *args, counties=(), levels=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choose = {name: cast(forms.ChoiceField, self.fields[name]) for name in ("county", "level", "worker_id")}
        choose["county"].choices = [("", _("（登记职工时按其单位）"))] + [(c.code, c.name) for c in counties]
        choose["level"].choices = [(value, label) for value, label in Complaint.Level.choices if value in levels]
        choose["worker_id"].choices = [(w.pk, f"{w.name} {w.id_number_masked}") for w in workers]


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复内容（职工在手机上可见）"), widget=forms.Textarea(attrs=TEXT_ATTRS),
                            max_length=2000)
