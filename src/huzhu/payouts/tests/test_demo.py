"""The demo step: approved claims end up in one reconciled batch; without claims nothing happens."""
from huzhu.claims.models import Claim
from huzhu.demo.payouts import pay_demo_claims
from huzhu.payouts.models import Payout, PayoutBatch


def test_the_demos_approved_claims_are_paid_through_one_reconciled_batch(approve_claim):
    for _ in range(3):
        approve_claim()
    summary = pay_demo_claims(fail_every=3)
    batch = PayoutBatch.objects.get()
    assert batch.status == PayoutBatch.Status.RECONCILED and batch.created_by != batch.approved_by
    assert Claim.objects.filter(status=Claim.Status.PAID).count() == 2
    assert Payout.objects.filter(status=Payout.Status.FAILED).count() == 1
    assert "已付款 2 笔" in summary and "退回 1 笔" in summary
    assert pay_demo_claims().startswith("演示数据中没有待支付")  # re-run: nothing left to take


def test_without_approved_claims_the_demo_step_does_nothing(plans):
    assert pay_demo_claims().startswith("演示数据中没有")
    assert not PayoutBatch.objects.exists()
