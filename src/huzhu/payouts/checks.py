"""Deploy check (`huzhu check --deploy`): the association's paying account must be its own, not the demo's."""
from django.conf import settings
from django.core.checks import Tags, Warning, register

DEMO_PAYER_ACCOUNT = "0602000000000000000"  # settings.py's default, so that the demo's pain.001 files are complete


@register(Tags.security, deploy=True)
def check_payer_account(app_configs, **kwargs):
    if getattr(settings, "HUZHU_PAYER_ACCOUNT", "") in ("", DEMO_PAYER_ACCOUNT):
        return [Warning(
            "HUZHU_PAYER_ACCOUNT 仍是演示账号：pain.001 付款文件的付款账户不是协会的真实账户。",
            hint="设置 HUZHU_PAYER_NAME、HUZHU_PAYER_ACCOUNT 和 HUZHU_PAYER_BANK_CODE 为协会付款账户的户名、账号和联行号。",
            id="huzhu.payouts.W001")]
    return []
