"""`check --deploy` warns while the pain.001 payer account is still the demo's."""
from huzhu.payouts.checks import DEMO_PAYER_ACCOUNT, check_payer_account


def test_the_demo_payer_account_is_warned_about_and_a_real_one_is_not(settings):
    settings.HUZHU_PAYER_ACCOUNT = DEMO_PAYER_ACCOUNT
    assert [w.id for w in check_payer_account(None)] == ["huzhu.payouts.W001"]
    settings.HUZHU_PAYER_ACCOUNT = "6222020602012345678"
    assert check_payer_account(None) == []
