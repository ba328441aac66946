"""The delivery table (webhooks/workflow.py): every (status, action) pair, allowed or refused."""
import pytest

from huzhu.core.tests.workflow_table import check_pair, every_pair
from huzhu.webhooks import services
from huzhu.webhooks.models import Delivery
from huzhu.webhooks.workflow import DELIVERY


@pytest.mark.parametrize(("status", "action"), every_pair(DELIVERY))
def test_a_delivery_moves_only_as_its_table_allows(association_approver, file_stay, status, action):
    services.create_subscriber(actor=association_approver, name="对接系统", url="http://127.0.0.1:9/hook")
    file_stay()
    services.enqueue_claim_events()
    check_pair(DELIVERY, Delivery.objects.order_by("id").first(), status, action, actor=None)
