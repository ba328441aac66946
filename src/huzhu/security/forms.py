"""Sign-in forms: the password step refuses while locked out; the TOTP step takes six digits."""
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from huzhu.core.forms import DateInput

from . import throttling

LOCKED_MESSAGE = _("登录失败次数过多，账户已临时锁定，请 {minutes} 分钟后再试。")


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("该账户已停用。"),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            # While locked, the backend refuses even the right password; say why.
            username = self.cleaned_data.get("username") or ""
            if throttling.is_login_locked(username, throttling.client_ip(self.request)):
                minutes = settings.HUZHU_LOGIN_LOCK_SECONDS // 60
                raise ValidationError(LOCKED_MESSAGE.format(minutes=minutes), code="locked") from None
            raise


class TotpForm(forms.Form):
    code = forms.CharField(label=_("动态验证码"), max_length=8, min_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100)
    expires_in_days = forms.TypedChoiceField(label=_("有效期"), coerce=int, initial=90,
                                             choices=[(30, _("30 天")), (90, _("90 天")), (365, _("一年"))])


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("身份证号")), ("bank_account", _("银行卡号")), ("phone", _("手机号"))])
    reason = forms.CharField(label=_("查看事由"), max_length=200, min_length=2)


class WorkerIdentifyForm(forms.Form):
    """First step of the worker's sign-in: ID number and the phone the unit registered."""

    id_number = forms.CharField(label=_("身份证号"), max_length=22, widget=forms.TextInput(
        attrs={"autocomplete": "off", "inputmode": "text", "autofocus": True}))
    phone = forms.CharField(label=_("登记的手机号"), max_length=20, widget=forms.TextInput(
        attrs={"autocomplete": "tel", "inputmode": "tel"}))


class WorkerCodeForm(WorkerIdentifyForm):
    """Second step: the six-digit code texted to that phone (ID number and phone come along)."""

    code = forms.CharField(label=_("短信验证码"), max_length=8, min_length=6, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class LogFilterForm(forms.Form):
    """Date range, actor and action (or kind) of the audit administrator's two logs."""

    from_on = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    to_on = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.CharField(label=_("操作"), required=False, max_length=60)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_on") and cleaned.get("to_on") and cleaned["from_on"] > cleaned["to_on"]:
            raise ValidationError(_("起始日期不能晚于截止日期"))
        return cleaned


class BankCardForm(forms.Form):
    """A worker's new bank card; the code texted for this change confirms it (a second step)."""

    bank_name = forms.CharField(label=_("开户银行"), max_length=50)
    bank_account = forms.CharField(label=_("银行卡号"), max_length=30, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off"}))


class BankCardCodeForm(BankCardForm):
    code = forms.CharField(label=_("短信验证码"), max_length=8, min_length=6, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))
